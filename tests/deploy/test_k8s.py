"""deploy/k8s: every overlay (rendered by kustomize, ``conftest.py``) validated, and the platform's own rules.

Kubernetes kinds are validated offline against the schemas shipped in the ``kubernetes-validate`` package
(strict: unknown fields fail). The operators' kinds (Strimzi, CloudNativePG, Prometheus Operator) are
validated against their own CRDs in ``test_crds.py``; the checks below cover what we rely on.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]  # the package ships no type hints
import pytest
import yaml

from .mounted_secrets import secret_files

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
README = (K8S / "README.md").read_text()
KUBERNETES_VERSION = "1.31"  # the oldest version the manifests support (matchLabelKeys in pod affinity)
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").exists())

# name, module, port
SERVICES = [
    ("gateway", "gateway", 8080),
    ("member-svc", "member_svc", 8101),
    ("privilege-svc", "privilege_svc", 8102),
    ("merchant-svc", "merchant_svc", 8103),
    ("claims-svc", "claims_svc", 8104),
    ("notify-svc", "notify_svc", 8105),
]


@cache
def image_builds() -> dict[str, dict[str, str]]:
    """Service → the build arguments ``make images`` passes to the one image template (run with
    ``CONTAINER=echo``: the build commands are printed, nothing is built)."""
    printed = subprocess.run(
        ["make", "-s", "images", "CONTAINER=echo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    builds: dict[str, dict[str, str]] = {}
    for line in printed.splitlines():
        if line.startswith("build "):
            assert " -f deploy/images/Dockerfile " in line, line
            arguments = dict(a.split("=", 1) for a in re.findall(r"--build-arg (\S+)", line))
            builds[arguments["SERVICE"]] = arguments
    return builds


def dockerfile(name: str) -> str:
    """The image template (deploy/images/Dockerfile) as the build of service ``name`` reads it."""
    text = (ROOT / "deploy" / "images" / "Dockerfile").read_text()
    for argument, value in image_builds()[name].items():
        text = text.replace("${" + argument + "}", value)
    return text


OPERATOR_GROUPS = {"kafka.strimzi.io", "postgresql.cnpg.io", "monitoring.coreos.com", "barmancloud.cnpg.io"}
OPERATOR_GROUPS |= {"external-secrets.io"}
SECRET_ENV = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|_KEY$|DSN$", re.IGNORECASE)

Doc = dict[str, Any]


# ---------------------------------------------------------------------------------------------- rendering


def test_the_overlays_are_dev_and_prod() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


def by_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod_specs(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        if doc["kind"] in {"Deployment", "Job", "StatefulSet", "DaemonSet"}:
            yield doc, doc["spec"]["template"]["spec"]


def is_ours(doc: Doc) -> bool:
    return bool(doc["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "cheyou")


def platform_config(docs: list[Doc]) -> dict[str, str]:
    [config] = [
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("cheyou-platform")
    ]
    return dict(config["data"])


# ---------------------------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_kubernetes_object_is_valid_against_the_schemas(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    errors = []
    for doc in rendered[overlay]:
        group = doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""
        if group in OPERATOR_GROUPS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {exc.message}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_operator_objects_have_the_fields_we_rely_on(rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    kinds = {d["kind"] for d in docs}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "Database"} <= kinds
    assert {"ServiceMonitor", "PodMonitor", "PrometheusRule"} <= kinds
    for doc in docs:
        if doc["apiVersion"].split("/")[0] in OPERATOR_GROUPS:
            assert doc["apiVersion"].rsplit("/", 1)[1] in {"v1", "v1beta2"}, doc["apiVersion"]
            assert isinstance(doc.get("spec"), dict), f"{doc['kind']}/{doc['metadata']['name']} has no spec"
        if doc["kind"] in {"KafkaTopic", "KafkaNodePool"}:
            assert doc["metadata"]["labels"]["strimzi.io/cluster"] == "cheyou"
    pools = by_kind(docs, "KafkaNodePool").values()
    assert sum(p["spec"]["replicas"] for p in pools if "controller" in p["spec"]["roles"]) % 2 == 1
    assert any("broker" in p["spec"]["roles"] for p in pools)
    # the runbook execs into cheyou-broker-0: the broker pool's node ids start at 0
    broker_pool = by_kind(docs, "KafkaNodePool")["broker"]
    assert broker_pool["metadata"]["annotations"]["strimzi.io/next-node-ids"].startswith("[0-")
    assert "cheyou-broker-0" in (ROOT / "deploy" / "RUNBOOK.md").read_text()
    cluster = by_kind(docs, "Cluster")["cheyou-pg"]
    roles = {r["name"]: r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in by_kind(docs, "Database").values()}
    for service, module, _ in SERVICES:
        database = importlib.import_module(f"{module}.config").Settings.database_name
        assert databases[database]["owner"] == f"{database}_migrator"
        assert databases[database]["cluster"]["name"] == "cheyou-pg"
        assert roles[database] == f"{service}-postgres"
        assert roles[f"{database}_migrator"] == f"{service}-postgres-migrator"


# ---------------------------------------------------------------------------------------------- workloads


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_its_objects(rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    deployments, jobs = by_kind(docs, "Deployment"), by_kind(docs, "Job")
    services, accounts = by_kind(docs, "Service"), by_kind(docs, "ServiceAccount")
    pdbs, policies = by_kind(docs, "PodDisruptionBudget"), by_kind(docs, "NetworkPolicy")
    for name, module, port in SERVICES:
        deployment = deployments[name]
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"].split("@")[0].split(":")[0].endswith(f"cheyou/{name}")
        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert deployment["spec"]["template"]["spec"]["serviceAccountName"] in accounts
        migrate = jobs[f"{name}-migrate"]["spec"]["template"]["spec"]
        assert migrate["containers"][0]["command"] == ["alembic", "-c", "/app/alembic.ini", "upgrade", "head"]
        assert migrate["containers"][0]["image"] == container["image"]
        assert (
            pdbs[name]["spec"]["selector"]["matchLabels"].items()
            <= deployment["spec"]["template"]["metadata"]["labels"].items()
        )
        assert f"{name}-ingress" in policies
        # what the image runs must listen on the port the Deployment declares
        image = dockerfile(name)
        assert f"UVICORN_APP={module}.main:create_app" in image
        assert f"UVICORN_PORT={port}" in image
        assert 'CMD ["uvicorn", "--factory",' in image


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workloads_have_probes_resources_and_a_locked_down_security_context(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    for doc, spec in pod_specs(rendered[overlay]):
        where = f"{overlay}: {doc['kind']}/{doc['metadata']['name']}"
        assert spec.get("securityContext", {}).get("runAsNonRoot") is True, where
        assert spec.get("automountServiceAccountToken") is False, where
        for container in spec["containers"]:
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] or "@sha256:" in image, f"{where}: untagged image {image}"
            assert not image.endswith(":latest"), f"{where}: {image}"
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container.get("resources", {}).get(kind, {})), (
                    f"{where}: {kind}"
                )
            security = container.get("securityContext", {})
            assert security.get("readOnlyRootFilesystem") is True, where
            assert security.get("allowPrivilegeEscalation") is False, where
            assert security.get("capabilities", {}).get("drop") == ["ALL"], where
            if doc["kind"] == "Deployment":
                assert {"livenessProbe", "readinessProbe", "startupProbe"} <= set(container), where
            if is_ours(doc):
                mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
                volumes = {v["name"]: v for v in spec.get("volumes", [])}
                assert "emptyDir" in volumes[mounts["/tmp"]], f"{where}: /tmp must be an emptyDir"
        if doc["kind"] == "Deployment" and is_ours(doc):
            [container] = spec["containers"]
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            # uvicorn drains 25 s, then the consumers finish their batch and leave the group (up to 30 s)
            assert spec["terminationGracePeriodSeconds"] >= 60, where
            assert spec["topologySpreadConstraints"], where


def test_dev_runs_one_replica_and_prod_scales_with_pdbs_and_anti_affinity(
    rendered: dict[str, list[Doc]],
) -> None:
    dev, prod = rendered["dev"], rendered["prod"]
    assert not by_kind(dev, "HorizontalPodAutoscaler")
    for name, _, _ in SERVICES:
        assert by_kind(dev, "Deployment")[name]["spec"].get("replicas", 1) == 1
        hpa = by_kind(prod, "HorizontalPodAutoscaler")[name]["spec"]
        assert hpa["scaleTargetRef"]["name"] == name
        assert 2 <= hpa["minReplicas"] <= hpa["maxReplicas"]
        assert "replicas" not in by_kind(prod, "Deployment")[name]["spec"], "the HPA owns the replica count"
        assert by_kind(prod, "PodDisruptionBudget")[name]["spec"].get("minAvailable")
        affinity = by_kind(prod, "Deployment")[name]["spec"]["template"]["spec"]["affinity"]
        assert affinity["podAntiAffinity"]
    # consumers scale with partitions: more replicas than partitions would sit idle as consumers
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in by_kind(prod, "KafkaTopic").values()
    }
    for name, module, _ in SERVICES:
        if name == "gateway":
            continue
        consumed = consumed_topics(module)
        if consumed:
            assert by_kind(prod, "HorizontalPodAutoscaler")[name]["spec"]["maxReplicas"] <= min(
                partitions[t] for t in consumed
            )


def test_prod_producers_are_idempotent_with_acks_all_and_dev_keeps_the_code_default(
    rendered: dict[str, list[Doc]],
) -> None:
    prod, dev = platform_config(rendered["prod"]), platform_config(rendered["dev"])
    assert prod["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert prod["KAFKA_ACKS"] == "all"
    assert "KAFKA_ENABLE_IDEMPOTENCE" not in dev
    for config in (prod, dev):
        assert config["KAFKA_BROKER_KIND"] == "apache-kafka"
        assert config["EVENTS_CONSUMER_CREATE_AUX_TOPICS"] == "false"


# ---------------------------------------------------------------------------------------------- secrets


def referenced_secrets(docs: list[Doc]) -> set[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"secretKeyRef", "secretRef"} and isinstance(value, dict):
                    names.add(value["name"])
                elif key == "secret" and isinstance(value, dict) and "secretName" in value:
                    names.add(value["secretName"])
                elif key == "secret" and isinstance(value, dict) and "name" in value:  # a projected volume's
                    names.add(value["name"])
                elif key in {"passwordSecret", "accessKeyId", "secretAccessKey"} and isinstance(value, dict):
                    names.add(value["name"])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(docs)
    for ingress in by_kind(docs, "Ingress").values():
        names.update(tls["secretName"] for tls in ingress["spec"].get("tls", []))
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_plaintext_secrets_and_every_secret_is_documented(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    assert not [d for d in docs if d["kind"] == "Secret"], "Secrets are created by ops, never committed"
    for doc, spec in pod_specs(docs):
        for container in spec["containers"]:
            for env in container.get("env", []):
                if "value" in env and not env["name"].endswith(("_FILE", "_DIR")):  # paths
                    assert not SECRET_ENV.search(env["name"]), f"{doc['metadata']['name']}: {env['name']}"
                    assert not re.search(r"://[^$/]+:[^$/]+@", env["value"]), f"credentials in {env['name']}"
    for config in by_kind(docs, "ConfigMap").values():
        for key, value in config.get("data", {}).items():
            if not key.endswith("_FILE") and not key.endswith(".json") and not key.endswith(".yaml"):
                assert not SECRET_ENV.search(key), f"{config['metadata']['name']}: {key}"
            assert not re.search(r"://[^$/\s]+:[^$/\s]+@", value), f"credentials in {key}"
    secrets = referenced_secrets(docs)
    assert secrets
    undocumented = sorted(name for name in secrets if f"`{name}`" not in README)
    assert not undocumented, f"secrets referenced but not in deploy/k8s/README.md: {undocumented}"


SECRET_SETTING = re.compile(r"(secret|pii_key|pii_hash_key|_token|secret_access_key)$")


def secret_settings(module: str) -> dict[str, str]:
    """A service's settings that hold a secret: field name → the environment variable it is read from."""
    settings = importlib.import_module(f"{module}.config").Settings
    prefix = settings.model_config.get("env_prefix", "")
    found = {}
    for name, field in settings.model_fields.items():
        if SECRET_SETTING.search(name):
            alias = field.validation_alias
            found[name] = alias if isinstance(alias, str) else f"{prefix}{name}".upper()
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_setting_of_a_service_comes_from_a_secret(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    """Unset, these fall back to development values (or, for the gateway's token key, a key per process:
    a token signed by one replica would be refused by the others)."""
    deployments = by_kind(rendered[overlay], "Deployment")
    for name, module, _ in SERVICES:
        pod = deployments[name]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        from_secrets = {
            e["name"] for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})
        }
        from_secrets |= set(secret_files(pod))  # test_secret_files.py: mounted where the settings read them
        missing = {field: env for field, env in secret_settings(module).items() if env not in from_secrets}
        assert not missing, f"{name}: settings without a Secret: {missing}"
    assert secret_settings("gateway")["access_token_secret"] == "GATEWAY_ACCESS_TOKEN_SECRET"


# ---------------------------------------------------------------------------------------------- Kafka


def consumed_topics(module: str) -> set[str]:
    return set(importlib.import_module(f"{module}.main").subscriptions.topics())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_the_code_uses_is_a_kafka_topic(rendered: dict[str, list[Doc]], overlay: str) -> None:
    from cheyou_events.topics import TOPICS, dlq_topic, retry_topic

    topics = {t["spec"]["topicName"]: t["spec"] for t in by_kind(rendered[overlay], "KafkaTopic").values()}
    for name, partitions in TOPICS.items():
        assert name in topics, f"{name} has no KafkaTopic"
        assert topics[name]["partitions"] >= partitions
    for group, module, _ in SERVICES:
        assert consumed_topics(module) <= set(topics)
        assert {retry_topic(group), dlq_topic(group)} <= set(topics), f"{group}: retry/DLQ topics"
        dlq, retry = topics[dlq_topic(group)], topics[retry_topic(group)]
        assert dlq["config"]["retention.ms"] > topics["member.events"]["config"]["retention.ms"]
        assert retry["config"]["retention.ms"] >= 3_600_000
    for spec in topics.values():
        assert "retention.ms" in spec["config"]
    kafka = by_kind(rendered[overlay], "Kafka")["cheyou"]["spec"]["kafka"]["config"]
    assert kafka["auto.create.topics.enable"] is False
    if overlay == "prod":
        assert kafka["min.insync.replicas"] == 2
        assert kafka["default.replication.factor"] == 3
        assert all(s["replicas"] == 3 and s["config"]["min.insync.replicas"] == 2 for s in topics.values())
        brokers = [
            p for p in by_kind(rendered[overlay], "KafkaNodePool").values() if "broker" in p["spec"]["roles"]
        ]
        assert sum(p["spec"]["replicas"] for p in brokers) == 3


# ---------------------------------------------------------------------------------------------- network


def test_only_the_gateway_is_exposed_and_services_accept_the_gateway_and_prometheus(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = rendered["prod"]
    policies = by_kind(docs, "NetworkPolicy")
    deny = policies["cheyou-default-deny"]["spec"]
    assert deny["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny
    assert "egress" not in deny
    [ingress] = by_kind(docs, "Ingress").values()
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"
    for name, _, _ in SERVICES:
        sources = policies[f"{name}-ingress"]["spec"]["ingress"][0]["from"]
        namespaces = {
            s.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
            for s in sources
        }
        pods = {
            s["podSelector"]["matchLabels"].get("app.kubernetes.io/name")
            for s in sources
            if "podSelector" in s
        }
        if name == "gateway":
            assert namespaces == {"ingress-nginx", "monitoring"}
        else:
            assert namespaces == {None, "monitoring"}
            assert pods == {"gateway", "prometheus"}
    services = by_kind(docs, "Service")
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in services.values())


# ---------------------------------------------------------------------------------------------- observability


def exported_metrics() -> set[str]:
    """Metric names the code defines (prometheus_client adds _total to counters, _bucket/_count/_sum)."""
    names: set[str] = set()
    pattern = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
    for source in [*ROOT.glob("libs/*/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]:
        for kind, name in pattern.findall(source.read_text()):
            base = name.removesuffix("_total")
            names |= {
                "Counter": {f"{base}_total"},
                "Gauge": {name},
                "Histogram": {f"{name}_bucket", f"{name}_count", f"{name}_sum"},
                "Summary": {f"{name}_count", f"{name}_sum", name},
            }[kind]
    return names


def our_metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\b(cheyou_[a-z0-9_]+|http_request_duration_seconds_[a-z]+)\b", expr))


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text()
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


def alerts_of(docs: list[Doc]) -> list[Doc]:
    [rule] = by_kind(docs, "PrometheusRule").values()
    return [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]


# the data plane's alerts, by the exporter whose metrics they read (checked against it in test_crds.py and
# test_kafka_alerts_read_what_the_jmx_rules_produce)
DATA_PLANE_ALERTS = {
    "CheyouKafkaUnderReplicatedPartitions",
    "CheyouKafkaUnderMinIsr",
    "CheyouKafkaOfflinePartitions",
    "CheyouKafkaActiveControllerCount",
    "CheyouPostgresInstanceDown",
    "CheyouPostgresReplicationLag",
    "CheyouPostgresSyncStandbyMissing",
    "CheyouPostgresWALArchivingFailing",
    "CheyouPostgresBackupTooOld",
    "CheyouPostgresConnectionsNearLimit",
    "CheyouPoolerClientsWaiting",
    "CheyouRedisDown",
    "CheyouRedisPrimaryCount",
    "CheyouRedisMemoryHigh",
    "CheyouVolumeFilling",
}


def test_alert_rules_use_metrics_the_code_exports_and_have_runbooks(rendered: dict[str, list[Doc]]) -> None:
    exported = exported_metrics()
    assert {
        "cheyou_events_consumer_lag",
        "cheyou_events_outbox_backlog",
        "http_request_duration_seconds_count",
    } <= exported
    alerts = alerts_of(rendered["prod"])
    used: set[str] = set()
    for alert in alerts:
        used |= our_metric_names(alert["expr"])
        # every alert links to a section that exists, in this README or in deploy/RUNBOOK.md
        path, anchor = alert["annotations"]["runbook_url"].split("#")
        assert path in {"deploy/k8s/README.md", "deploy/RUNBOOK.md"}, alert["alert"]
        assert anchor in anchors(ROOT / path), f"{alert['alert']}: no section '{anchor}' in {path}"
        assert alert["labels"]["severity"] in {"critical", "warning"}, alert["alert"]
    unknown = used - exported
    assert not unknown, f"alert rules use metrics the code does not export: {sorted(unknown)}"
    wanted = {
        "CheyouConsumerLagGrowing",
        "CheyouOutboxBacklogGrowing",
        "CheyouDLQNotEmpty",
        "CheyouHigh5xxRate",
        "CheyouReadinessFlapping",
        "CheyouWebhookEndpointDisabled",
        "CheyouOutboxEventTooOld",
        "CheyouNotificationFailures",
    }
    assert wanted | DATA_PLANE_ALERTS <= {a["alert"] for a in alerts}
    assert_label_values_exist([a["expr"] for a in alerts])


def test_the_anchor_check_is_not_vacuous() -> None:
    assert slug("Lose a Kafka broker, or its volume") == "lose-a-kafka-broker-or-its-volume"
    assert slug("CheyouHigh5xxRate") == "cheyouhigh5xxrate"
    assert "no-such-section" not in anchors(ROOT / "deploy" / "RUNBOOK.md")


def jmx_name(mbean: str, rules: list[Doc]) -> str | None:
    """The metric the JMX exporter makes of an MBean attribute: the first matching rule, lower-cased."""
    for rule in rules:
        match = re.fullmatch(rule["pattern"], mbean)
        if match:
            name = str(rule["name"])
            for number, value in enumerate(match.groups(), start=1):
                name = name.replace(f"${number}", value)
            return name.lower()
    return None


# Kafka's MBeans behind the metrics the Kafka alerts read (names as the JMX exporter formats them)
KAFKA_MBEANS = {
    "kafka_server_replicamanager_underreplicatedpartitions": (
        "kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value"
    ),
    "kafka_server_replicamanager_underminisrpartitioncount": (
        "kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value"
    ),
    "kafka_controller_kafkacontroller_offlinepartitionscount": (
        "kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value"
    ),
    "kafka_controller_kafkacontroller_activecontrollercount": (
        "kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value"
    ),
}


def test_kafka_alerts_read_what_the_jmx_rules_produce(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    config = yaml.safe_load(by_kind(docs, "ConfigMap")["kafka-metrics"]["data"]["kafka-metrics-config.yml"])
    used = set().union(*(set(re.findall(r"\bkafka_[a-z_]+\b", a["expr"])) for a in alerts_of(docs)))
    used -= {
        "kafka_consumergroup_lag",
        "kafka_topic_partition_current_offset",
        "kafka_topic_partition_oldest_offset",
    }
    assert used == set(KAFKA_MBEANS), "every broker metric an alert reads has its MBean here"
    for metric, mbean in KAFKA_MBEANS.items():
        assert jmx_name(mbean, config["rules"]) == metric
    assert jmx_name("kafka.server<type=Nope><>Count", config["rules"]) is None


# label values that only the owning service's code writes; a rule matching a value it never writes is silent
OUTCOMES = {
    "cheyou_webhook_deliveries_total": "services/merchant-svc/src",
    "cheyou_notifications_sent_total": "services/notify-svc/src",
}


def assert_label_values_exist(exprs: list[str]) -> None:
    for metric, source in OUTCOMES.items():
        code = "\n".join(path.read_text() for path in (ROOT / source).rglob("*.py"))
        for expr in exprs:
            for values in re.findall(metric + r'\{outcome=~?"([^"]+)"', expr):
                for value in values.split("|"):
                    assert f'"{value}"' in code, f"{metric}: no code writes outcome {value!r}"


def test_dashboard_queries_use_exported_metrics(rendered: dict[str, list[Doc]]) -> None:
    [dashboards] = [d for d in rendered["prod"] if d["metadata"]["name"].startswith("cheyou-dashboards")]
    dashboard = json.loads(dashboards["data"]["cheyou-platform.json"])
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    used = set().union(*(our_metric_names(e) for e in exprs))
    assert not used - exported_metrics()
    # everything the platform is watched by has a panel: rate/latency/errors per route, lag per partition,
    # outbox backlog and age, DLQ depth, webhooks per merchant, notifications per channel
    assert {
        "http_request_duration_seconds_count",
        "http_request_duration_seconds_bucket",
        "cheyou_events_consumer_lag",
        "cheyou_events_outbox_backlog",
        "cheyou_events_outbox_oldest_age_seconds",
        "cheyou_events_dlq_depth",
        "cheyou_events_dead_lettered_total",
        "cheyou_webhook_deliveries_total",
        "cheyou_webhook_endpoint_disabled",
        "cheyou_notifications_sent_total",
    } <= used
    assert any("route" in e and 'status=~"[45]..' in e for e in exprs), "errors per route"
    assert_label_values_exist(exprs)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_the_otel_collector_receives_what_the_services_send(
    rendered: dict[str, list[Doc]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cheyou_kit.observability import span_exporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    docs = rendered["prod"]
    config = platform_config(docs)
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    # the services' exporter, built from exactly these variables, is the OTLP/HTTP one
    for key, value in config.items():
        if key.startswith("OTEL_"):
            monkeypatch.setenv(key, value)
    exporter = span_exporter()
    assert isinstance(exporter, OTLPSpanExporter)
    exporter.shutdown()  # type: ignore[no-untyped-call]  # the OTLP exporter leaves shutdown() unannotated
    [collector_config] = [d for d in docs if d["metadata"]["name"].startswith("otel-collector-config")]
    collector = yaml.safe_load(collector_config["data"]["config.yaml"])
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    assert collector["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]
    ports = {p["port"] for p in by_kind(docs, "Service")["otel-collector"]["spec"]["ports"]}
    assert 4318 in ports


# ---------------------------------------------------------------------------------------------- images


@pytest.mark.parametrize(("name", "module", "port"), SERVICES)
def test_dockerfile(name: str, module: str, port: int) -> None:
    assert image_builds()[name] == {"SERVICE": name, "MODULE": module, "PORT": str(port)}
    text = dockerfile(name)
    assert "${" not in text.replace("${PYTHON_IMAGE}", "").replace("$PATH", ""), "every build argument given"
    instructions = [line.split()[0] for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions.count("FROM") == 2, "multi-stage: build, then a runtime without build tools"
    assert "HEALTHCHECK" not in instructions, "Kubernetes probes the service"
    assert re.search(r"^USER 10001", text, re.MULTILINE), "runs as a non-root numeric user"
    assert f"./libs/events ./libs/kit ./services/{name}" in text  # the supply chain: test_images.py
    assert f"COPY services/{name}/alembic.ini /app/alembic.ini" in text
    assert f"COPY services/{name}/migrations /app/migrations" in text
    assert "PYTHONDONTWRITEBYTECODE=1" in text
    assert f"EXPOSE {port}" in text
    assert (ROOT / "services" / name / "alembic.ini").exists()


def test_dockerignore_keeps_the_context_small_and_helm_values_parse() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert lines.index("**") < lines.index("!constraints.txt"), "exclude everything, then re-include"
    for values in (ROOT / "deploy" / "k8s" / "redis").glob("*.yaml"):
        assert isinstance(yaml.safe_load(values.read_text()), dict)
    assert "**/tests" in lines

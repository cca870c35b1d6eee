"""Production readiness in the manifests (issue 23), checked offline on the rendered overlays:

- the Postgres connection budget: pods × pool ≤ pooler ≤ ``max_connections``, computed from the HPA maxima,
  the rollout surge, the pool settings, the pooler's parameters and the roles' connection limits, and equal to
  the table in deploy/k8s/README.md; request traffic through the pooler, the relay and migrations direct;
- zones: Postgres instances by zone (required), Kafka pools, the pooler, the services and Redis spread with
  ``DoNotSchedule``, zonal storage bound on first consumer;
- migrations: Argo CD sync waves (ConfigMaps → migration Jobs → Deployments), the migrator role;
- Pod Security ``restricted`` enforced, every pod we render meeting it; a namespace-wide default deny, DNS
  through kube-dns or NodeLocal DNSCache, and who may talk to whom;
- images by digest from one internal registry; backups immediate, encrypted, to a configurable endpoint.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any

import pytest
import yaml

from .conftest import OVERLAYS
from .mounted_secrets import file_env, secret_files
from .test_k8s import ROOT, SERVICES, by_kind, pod_specs

Doc = dict[str, Any]
K8S = ROOT / "deploy" / "k8s"
README = (K8S / "README.md").read_text()
REDIS_VALUES = yaml.safe_load((K8S / "redis" / "values.yaml").read_text())

PREFIXES = {
    "gateway": "GATEWAY_",
    "member-svc": "MEMBER_",
    "privilege-svc": "PRIVILEGE_",
    "merchant-svc": "MERCHANT_",
    "claims-svc": "CLAIMS_",
    "notify-svc": "NOTIFY_",
}
DATABASES = {
    "gateway": "gateway",
    "member-svc": "member",
    "privilege-svc": "privilege",
    "merchant-svc": "merchant",
    "claims-svc": "claims",
    "notify-svc": "notify",
}
# the kit's settings (libs/kit/README.md, "Settings for production"), behind each service's prefix
POOL_SIZE, MAX_OVERFLOW = "DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW"
STATEMENT_CACHE = "DATABASE_STATEMENT_CACHE_SIZE"
DIRECT_URL, MIGRATION_URL = "DATABASE_DIRECT_URL", "MIGRATION_DATABASE_URL"
DIRECT_PER_POD = {"merchant-svc": 2}
"""Connections a pod opens to Postgres itself: the outbox relay; merchant-svc's webhook worker LISTENs too
(libs/kit/README.md, "Settings for production")."""
OPERATOR_RESERVE = 30
"""Connections kept for the operator, monitoring, the pooler's auth user and superusers (README)."""
ZONE = "topology.kubernetes.io/zone"


def env_of(docs: list[Doc], pod: Doc) -> dict[str, str]:
    """The settings of a pod's container: its environment as Kubernetes builds it (ConfigMaps, then its own
    values with $(VAR)), and the settings its secret files hold (``mounted_secrets.py``)."""
    [container] = pod["containers"]
    config_maps = by_kind(docs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = re.sub(
                r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), item["value"]
            )
        elif "secretKeyRef" in item.get("valueFrom", {}):
            env[item["name"]] = f"<{item['valueFrom']['secretKeyRef']['name']}>"
    return env | file_env(docs, pod)


def app_pod(docs: list[Doc], name: str) -> Doc:
    return dict(by_kind(docs, "Deployment")[name]["spec"]["template"]["spec"])


def migrate_pod(docs: list[Doc], name: str) -> Doc:
    return dict(by_kind(docs, "Job")[f"{name}-migrate"]["spec"]["template"]["spec"])


def host_of(url: str) -> str:
    return url.split("@", 1)[1].split(":", 1)[0]


def user_of(url: str) -> str:
    return url.split("://", 1)[1].split(":", 1)[0]


def surge_pods(deployment: Doc, replicas: int) -> int:
    """The most pods a rollout runs at ``replicas`` (maxSurge on top, rounded up as Kubernetes does)."""
    surge = str(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"])
    extra = math.ceil(replicas * int(surge[:-1]) / 100) if surge.endswith("%") else int(surge)
    return replicas + extra


# ------------------------------------------------------------------------------ the connection budget


def budget(docs: list[Doc]) -> dict[str, int]:
    """The numbers of the budget, from the rendered objects (README, "Postgres connection budget")."""
    deployments, hpas = by_kind(docs, "Deployment"), by_kind(docs, "HorizontalPodAutoscaler")
    [pooler] = by_kind(docs, "Pooler").values()
    cluster = by_kind(docs, "Cluster")["cheyou-pg"]
    parameters = pooler["spec"]["pgbouncer"]["parameters"]
    instances = pooler["spec"]["instances"]
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    pods = client = direct = 0
    for name, _, _ in SERVICES:
        deployment = deployments[name]
        replicas = (
            hpas[name]["spec"]["maxReplicas"] if name in hpas else deployment["spec"].get("replicas", 1)
        )
        at_most = surge_pods(deployment, replicas)
        env = env_of(docs, app_pod(docs, name))
        prefix = PREFIXES[name]
        per_pod = int(env[prefix + POOL_SIZE]) + int(env[prefix + MAX_OVERFLOW])
        pods += at_most
        client += at_most * per_pod
        direct += at_most * DIRECT_PER_POD.get(name, 1)
        # each runtime role may open what the pooler opens for its database, plus its pods' direct ones
        needed = instances * int(parameters["max_db_connections"]) + at_most * DIRECT_PER_POD.get(name, 1)
        assert roles[DATABASES[name]]["connectionLimit"] >= needed, name
    return {
        "pods": pods,
        "client": client,
        "capacity": max(1, instances - 1) * int(parameters["max_client_conn"]),
        "server": instances * len(SERVICES) * int(parameters["max_db_connections"]),
        "direct": direct,
        "limits": sum(r["connectionLimit"] for r in roles.values()) + OPERATOR_RESERVE,
        "max_connections": int(cluster["spec"]["postgresql"]["parameters"]["max_connections"]),
    }


@pytest.mark.parametrize("overlay", ["dev", "prod"])  # prod-restore renders prod's (test_restore.py)
def test_the_connection_budget_holds_at_the_hpa_maxima(rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    numbers = budget(docs)
    [pooler] = by_kind(docs, "Pooler").values()
    parameters = pooler["spec"]["pgbouncer"]["parameters"]
    cluster = by_kind(docs, "Cluster")["cheyou-pg"]

    # pods × (pool + overflow) ≤ what the pooler accepts with one of its instances down
    assert numbers["client"] <= numbers["capacity"]
    # the pooler's pools fit its per-database cap
    assert int(parameters["default_pool_size"]) + int(parameters["reserve_pool_size"]) <= int(
        parameters["max_db_connections"]
    )
    # every login role is capped, and the caps together fit Postgres
    assert all(r.get("connectionLimit", -1) > 0 for r in cluster["spec"]["managed"]["roles"] if r["login"])
    assert numbers["server"] + numbers["direct"] + OPERATOR_RESERVE <= numbers["limits"]
    assert numbers["limits"] <= numbers["max_connections"]
    # and the README says the same numbers
    row = next(line for line in README.splitlines() if line.startswith(f"| {overlay} |"))
    cells = [int(c.strip().replace(",", "")) for c in row.strip("|").split("|")[1:]]
    expected = ["pods", "client", "capacity", "server", "direct", "limits", "max_connections"]
    assert cells == [numbers[key] for key in expected], f"README budget row for {overlay}: {numbers}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_requests_go_through_the_pooler_and_sessions_go_direct(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    [pooler] = by_kind(docs, "Pooler").values()
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    assert pooler["spec"]["cluster"]["name"] == "cheyou-pg"
    assert pooler["spec"]["type"] == "rw"
    # asyncpg's prepared statements: tracked by PgBouncer, and no statement cached per client connection
    assert int(pooler["spec"]["pgbouncer"]["parameters"]["max_prepared_statements"]) > 0
    for name, _, _ in SERVICES:
        prefix = PREFIXES[name]
        env = env_of(docs, app_pod(docs, name))
        assert host_of(env[prefix + "DATABASE_URL"]) == pooler["metadata"]["name"], name
        assert host_of(env[prefix + DIRECT_URL]) == "cheyou-pg-rw", name
        assert env[prefix + STATEMENT_CACHE] == "0", name
        job = env_of(docs, migrate_pod(docs, name))
        assert host_of(job[prefix + MIGRATION_URL]) == "cheyou-pg-rw", name
        assert job[prefix + "DATABASE_URL"] == job[prefix + MIGRATION_URL], name  # nothing falls back
        for url in (env[prefix + "DATABASE_URL"], env[prefix + DIRECT_URL], job[prefix + MIGRATION_URL]):
            assert url.rsplit("/", 1)[1] == DATABASES[name], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_as_the_migrator_and_the_services_as_the_runtime_role(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    cluster = by_kind(docs, "Cluster")["cheyou-pg"]
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in by_kind(docs, "Database").values()}
    for name, _, _ in SERVICES:
        database = DATABASES[name]
        assert databases[database]["owner"] == f"{database}_migrator"
        runtime = roles[database]
        assert not any(runtime.get(flag) for flag in ("superuser", "createdb", "createrole", "bypassrls"))
        migrator_secret = roles[f"{database}_migrator"]["passwordSecret"]["name"]

        def secrets(pod: Doc) -> set[str]:
            """The Secrets the pod's database URLs come from."""
            return {
                ref.secret for file, ref in secret_files(pod).items() if re.search(r"DATABASE_.*URL$", file)
            }

        assert secrets(migrate_pod(docs, name)) == {migrator_secret}, name
        assert secrets(app_pod(docs, name)) == {runtime["passwordSecret"]["name"]}, name
        # and the URLs connect as that role
        prefix = PREFIXES[name]
        job, env = env_of(docs, migrate_pod(docs, name)), env_of(docs, app_pod(docs, name))
        assert user_of(job[prefix + MIGRATION_URL]) == f"{database}_migrator", name
        assert user_of(env[prefix + "DATABASE_URL"]) == user_of(env[prefix + DIRECT_URL]) == database, name
        everything = str(by_kind(docs, "Deployment")[name])
        assert migrator_secret not in everything, f"{name}: a pod of the service can act as the migrator"


# ------------------------------------------------------------------------------ Argo CD order


def wave(doc: Doc) -> int:
    return int(doc["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", "0"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_argo_cd_applies_config_then_migrations_then_the_new_version(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    jobs = by_kind(docs, "Job")
    assert len(jobs) == len(SERVICES)
    for job in jobs.values():
        annotations = job["metadata"]["annotations"]
        # not PreSync: that phase runs before the sync applies the new ConfigMaps the Job reads
        assert annotations["argocd.argoproj.io/hook"] == "Sync"
        assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
        config_maps = {
            s["configMapRef"]["name"] for s in job["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        }
        for config_map in config_maps:
            assert wave(by_kind(docs, "ConfigMap")[config_map]) < wave(job)
    migrations = {wave(job) for job in jobs.values()}
    before = {"ConfigMap", "ServiceAccount", "NetworkPolicy", "Kafka", "KafkaTopic", "Cluster", "Database"}
    before |= {"Pooler", "KafkaUser", "StorageClass", "Namespace", "ExternalSecret"}
    after = {"Deployment", "HorizontalPodAutoscaler", "Ingress"}
    for doc in docs:
        if doc["kind"] in before:
            assert wave(doc) < min(migrations), f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] in after and doc["metadata"]["name"] != "otel-collector":
            assert wave(doc) > max(migrations), f"{doc['kind']}/{doc['metadata']['name']}"
    assert "PreSync" not in yaml.safe_dump_all(docs)
    script = (K8S / "deploy.sh").read_text()
    steps = [
        script.index(s) for s in ("notin (server,migration)", "component=migration'", "component=server'")
    ]
    assert steps == sorted(steps), "deploy.sh: everything else, then the migrations, then the servers"


# ------------------------------------------------------------------------------ zones


def zone_constraint(constraints: list[Doc]) -> Doc:
    [zone] = [c for c in constraints if c["topologyKey"] == ZONE]
    return zone


def test_zones_are_a_requirement_in_prod(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    cluster = by_kind(docs, "Cluster")["cheyou-pg"]["spec"]
    assert cluster["instances"] == 3
    assert cluster["affinity"] == {
        "enablePodAntiAffinity": True,
        "topologyKey": ZONE,
        "podAntiAffinityType": "required",
    }
    for pool in by_kind(docs, "KafkaNodePool").values():
        assert pool["spec"]["replicas"] >= 3
        zone = zone_constraint(pool["spec"]["template"]["pod"]["topologySpreadConstraints"])
        assert zone["whenUnsatisfiable"] == "DoNotSchedule"
        assert zone["labelSelector"]["matchLabels"]["strimzi.io/pool-name"] == pool["metadata"]["name"]
    assert by_kind(docs, "Kafka")["cheyou"]["spec"]["kafka"]["rack"]["topologyKey"] == ZONE
    [pooler] = by_kind(docs, "Pooler").values()
    zone = zone_constraint(pooler["spec"]["template"]["spec"]["topologySpreadConstraints"])
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert pooler["spec"]["instances"] >= 3
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    for name, _, _ in SERVICES:
        template = by_kind(docs, "Deployment")[name]["spec"]["template"]
        zone = zone_constraint(template["spec"]["topologySpreadConstraints"])
        assert zone["whenUnsatisfiable"] == "DoNotSchedule"
        assert zone["minDomains"] == 3
        assert zone["labelSelector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
        assert hpas[name]["spec"]["minReplicas"] >= zone["minDomains"]
    replica = REDIS_VALUES["replica"]
    assert replica["replicaCount"] >= 3
    zone = zone_constraint(replica["topologySpreadConstraints"])
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert REDIS_VALUES["sentinel"]["enabled"]
    assert REDIS_VALUES["sentinel"]["quorum"] == 2


def test_dev_prefers_zones_so_a_single_node_cluster_schedules(rendered: dict[str, list[Doc]]) -> None:
    text = yaml.safe_dump_all(rendered["dev"])
    assert "DoNotSchedule" not in text
    assert "podAntiAffinityType: required" not in text


def test_prod_volumes_bind_in_the_zone_of_their_pod(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    classes = by_kind(docs, "StorageClass")
    used = set()
    cluster = by_kind(docs, "Cluster")["cheyou-pg"]["spec"]
    used |= {cluster["storage"]["storageClass"], cluster["walStorage"]["storageClass"]}
    for pool in by_kind(docs, "KafkaNodePool").values():
        used |= {volume["class"] for volume in pool["spec"]["storage"]["volumes"]}
    used |= {REDIS_VALUES["master"]["persistence"]["storageClass"]}
    used |= {REDIS_VALUES["replica"]["persistence"]["storageClass"]}
    assert used <= set(classes), used - set(classes)
    for name in used:
        assert classes[name]["volumeBindingMode"] == "WaitForFirstConsumer"
        assert classes[name]["reclaimPolicy"] == "Retain"


# ------------------------------------------------------------------------------ Pod Security "restricted"

ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim"}
ALLOWED_VOLUMES |= {"projected", "secret"}


def restricted_violations(spec: Doc) -> list[str]:
    """What the Pod Security Standard "restricted" (latest) refuses in a pod spec."""
    found = []
    pod = spec.get("securityContext", {})
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            found.append(field)
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            found.append(f"volume {volume['name']}: {sorted(kinds - ALLOWED_VOLUMES)}")
    for container in [*spec.get("initContainers", []), *spec["containers"]]:
        own = container.get("securityContext", {})
        where = container["name"]
        if own.get("privileged"):
            found.append(f"{where}: privileged")
        if own.get("allowPrivilegeEscalation") is not False:
            found.append(f"{where}: allowPrivilegeEscalation must be false")
        if own.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
            found.append(f"{where}: runAsNonRoot")
        if 0 in (own.get("runAsUser"), pod.get("runAsUser")):
            found.append(f"{where}: runAsUser 0")
        seccomp = own.get("seccompProfile", pod.get("seccompProfile", {})).get("type")
        if seccomp not in {"RuntimeDefault", "Localhost"}:
            found.append(f"{where}: seccompProfile")
        capabilities = own.get("capabilities", {})
        if "ALL" not in capabilities.get("drop", []):
            found.append(f"{where}: capabilities must drop ALL")
        if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{where}: capabilities added")
        if any("hostPort" in port for port in container.get("ports", [])):
            found.append(f"{where}: hostPort")
    return found


def test_the_restricted_check_is_not_vacuous() -> None:
    good = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": "app",
                "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
            }
        ],
    }
    assert restricted_violations(good) == []
    bad = yaml.safe_load(yaml.safe_dump(good))
    bad["volumes"] = [{"name": "host", "hostPath": {"path": "/"}}]
    bad["containers"][0]["securityContext"]["capabilities"]["add"] = ["NET_ADMIN"]
    del bad["securityContext"]["seccompProfile"]
    assert len(restricted_violations(bad)) == 3


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_namespace_enforces_restricted_and_every_pod_we_render_meets_it(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    [namespace] = by_kind(docs, "Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc, spec in pod_specs(docs):
        assert restricted_violations(spec) == [], f"{doc['kind']}/{doc['metadata']['name']}"
    # the Kafka pods: every pod and container template says so (the operator fills in what is not templated)
    container_context = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    kafka = by_kind(docs, "Kafka")["cheyou"]["spec"]
    templates = [pool["spec"]["template"] for pool in by_kind(docs, "KafkaNodePool").values()] + [
        kafka["entityOperator"]["template"],
        kafka["kafkaExporter"]["template"],
    ]
    for template in templates:
        assert template["pod"]["securityContext"] == {
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        containers = {key: value for key, value in template.items() if key != "pod"}
        assert containers
        assert all(value["securityContext"] == container_context for value in containers.values())
    # the Redis release (Helm values): every container of it
    for part in ("master", "replica", "sentinel", "metrics"):
        context = REDIS_VALUES[part]["containerSecurityContext"]
        assert {k: context[k] for k in container_context} == container_context, part


# ------------------------------------------------------------------------------ network


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    return selector.get("matchLabels", {}).items() <= labels.items() and not selector.get("matchExpressions")


def peer_matches(peer: Doc, labels: dict[str, str]) -> bool:
    """A peer in our own namespace (no namespaceSelector) matching a pod's labels."""
    return "namespaceSelector" not in peer and "podSelector" in peer and selects(peer["podSelector"], labels)


def port_matches(rules_ports: list[Doc] | None, port: int, name: str) -> bool:
    return not rules_ports or any(p.get("port") in (port, name) for p in rules_ports)


def allowed(
    policies: list[Doc], direction: str, pod: dict[str, str], peer: dict[str, str], port: int, name: str
) -> bool:
    """Whether NetworkPolicies let ``pod`` send (Egress) to or receive (Ingress) from ``peer`` on a port."""
    applying = [
        p
        for p in policies
        if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], pod)
    ]
    if not applying:
        return True
    key, side = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    return any(
        any(peer_matches(other, peer) for other in rule.get(side, []))
        and port_matches(rule.get("ports"), port, name)
        for policy in applying
        for rule in policy["spec"].get(key, [])
    )


def reachable(
    policies: list[Doc], source: dict[str, str], target: dict[str, str], port: int, name: str = ""
) -> bool:
    return allowed(policies, "Egress", source, target, port, name) and allowed(
        policies, "Ingress", target, source, port, name
    )


def pod_labels(docs: list[Doc], name: str) -> dict[str, str]:
    return dict(by_kind(docs, "Deployment")[name]["spec"]["template"]["metadata"]["labels"])


def test_the_whole_namespace_is_closed_and_opened_only_where_needed(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    policies = list(by_kind(docs, "NetworkPolicy").values())
    deny = by_kind(docs, "NetworkPolicy")["cheyou-default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    member, claims, gateway = (pod_labels(docs, n) for n in ("member-svc", "claims-svc", "gateway"))
    pooler = {"cnpg.io/poolerName": "cheyou-pg-pooler-rw", "app.kubernetes.io/name": "pgbouncer"}
    postgres = {"cnpg.io/cluster": "cheyou-pg", "cnpg.io/podRole": "instance"}
    collector = {"app.kubernetes.io/name": "otel-collector"}
    stranger = {"app.kubernetes.io/name": "debug"}  # a pod someone starts in the namespace
    kafka = {"strimzi.io/cluster": "cheyou", "strimzi.io/kind": "Kafka", "strimzi.io/pool-name": "broker"}

    assert reachable(policies, gateway, member, 8101, "http")
    assert reachable(policies, member, pooler, 5432)
    assert reachable(policies, member, postgres, 5432)  # the outbox relay, direct
    assert reachable(policies, pooler, postgres, 5432)
    assert reachable(policies, postgres, postgres, 5432)  # replication
    assert reachable(policies, member, collector, 4318)
    assert allowed(policies, "Egress", member, kafka, 9094, "")  # Strimzi writes the listener's ingress
    assert allowed(policies, "Egress", kafka, kafka, 9091, "")
    # and what must not be
    assert not reachable(policies, member, claims, 8104, "http"), "services talk through the gateway only"
    assert not reachable(policies, stranger, pooler, 5432)
    assert not reachable(policies, stranger, postgres, 5432)
    assert not reachable(policies, stranger, member, 8101, "http")
    assert not allowed(policies, "Egress", pooler, member, 8101, "http")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_dns_works_with_kube_dns_and_nodelocal_dns_cache(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    dns = by_kind(rendered[overlay], "NetworkPolicy")["cheyou-egress-dns"]["spec"]
    assert dns["podSelector"] == {}
    assert dns["policyTypes"] == ["Egress"]
    [rule] = dns["egress"]
    assert {(p["protocol"], p["port"]) for p in rule["ports"]} == {("UDP", 53), ("TCP", 53)}
    blocks = [ipaddress.ip_network(p["ipBlock"]["cidr"]) for p in rule["to"] if "ipBlock" in p]
    assert any(ipaddress.ip_address("169.254.20.10") in block for block in blocks)  # NodeLocal DNSCache
    assert all(block.prefixlen == 32 for block in blocks)
    assert any(p.get("podSelector", {}).get("matchLabels") == {"k8s-app": "kube-dns"} for p in rule["to"])


# ------------------------------------------------------------------------------ images

DIGEST = re.compile(r"^(?P<registry>[a-z0-9.-]+\.[a-z]+)/[a-z0-9./-]+@sha256:[0-9a-f]{64}$")


def all_images(docs: list[Doc]) -> list[tuple[str, str]]:
    found = []
    for doc, spec in pod_specs(docs):
        found += [
            (doc["metadata"]["name"], c["image"])
            for c in [*spec.get("initContainers", []), *spec["containers"]]
        ]
    for cluster in by_kind(docs, "Cluster").values():
        found.append(("Cluster", cluster["spec"]["imageName"]))
    kafka = by_kind(docs, "Kafka")["cheyou"]["spec"]
    found += [("Kafka", kafka["kafka"]["image"]), ("kafka-exporter", kafka["kafkaExporter"]["image"])]
    found += [
        (f"entity-{k}", v["image"])
        for k, v in kafka["entityOperator"].items()
        if isinstance(v, dict) and "image" in v
    ]
    for pooler in by_kind(docs, "Pooler").values():
        found += [("Pooler", c["image"]) for c in pooler["spec"]["template"]["spec"]["containers"]]
    return found


def test_prod_pulls_every_image_by_digest_from_one_internal_registry(rendered: dict[str, list[Doc]]) -> None:
    images = all_images(rendered["prod"])
    assert len(images) >= 15
    registries = set()
    for where, image in images:
        match = DIGEST.match(image)
        assert match, f"{where}: {image} is not <registry>/<path>@sha256:<digest>"
        registries.add(match["registry"])
    for part in ("image", "sentinel", "metrics"):
        image = REDIS_VALUES if part == "image" else REDIS_VALUES[part]
        image = image["image"]
        registries.add(image["registry"])
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", image["digest"])
    assert len(registries) == 1, f"one internal registry, set in one place: {registries}"


# ------------------------------------------------------------------------------ backups


def test_prod_backups_are_immediate_encrypted_and_go_to_a_configurable_endpoint(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = rendered["prod"]
    [scheduled] = by_kind(docs, "ScheduledBackup").values()
    assert scheduled["spec"]["immediate"] is True
    assert scheduled["spec"]["cluster"]["name"] == "cheyou-pg"
    assert scheduled["spec"]["method"] == "plugin"
    [store] = by_kind(docs, "ObjectStore").values()
    configuration = store["spec"]["configuration"]
    assert configuration["endpointURL"].startswith("https://")  # OSS, COS: their S3 endpoint
    assert configuration["wal"]["encryption"] == configuration["data"]["encryption"] == "AES256"
    assert "serverName" not in configuration  # the Cluster's plugin parameter names it
    [plugin] = by_kind(docs, "Cluster")["cheyou-pg"]["spec"]["plugins"]
    assert plugin["isWALArchiver"] is True
    assert plugin["parameters"] == {"barmanObjectName": store["metadata"]["name"], "serverName": "cheyou-pg"}
    # every key the store reads is in one documented Secret
    secrets = {ref["name"] for ref in configuration["s3Credentials"].values()}
    assert secrets == {"cheyou-pg-backup-s3"}
    assert "`cheyou-pg-backup-s3`" in README

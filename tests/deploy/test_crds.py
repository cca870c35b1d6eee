"""The operators' objects in every overlay, validated offline against the operators' own CRD schemas.

The schemas are fetched once from package registries into ``.dev/tools/crds/`` and reused:

- CloudNativePG (``Cluster``, ``Database``, ``ScheduledBackup``, ``Pooler``): the CRD YAMLs in the
  ``github.com/cloudnative-pg/cloudnative-pg`` Go module (``config/crd/bases``);
- prometheus-operator (``ServiceMonitor``, ``PodMonitor``, ``PrometheusRule``): the CRD YAMLs in the
  ``github.com/prometheus-operator/prometheus-operator`` Go module (``example/prometheus-operator-crd``);
- External Secrets Operator (``ExternalSecret``, prod): the CRD YAML in the
  ``github.com/external-secrets/external-secrets`` Go module (``config/crds/bases``);
- Strimzi (``Kafka``, ``KafkaNodePool``, ``KafkaTopic``, ``KafkaUser``): Strimzi publishes no CRD YAML in a
  package (its Maven ``io.strimzi:api`` jar holds Java classes only), so its objects go through the
  validators that the npm package ``@kubernetes-models/strimzi-kafka-operator`` generates from Strimzi's
  CRDs (run with node).

CloudNativePG, prometheus-operator and External Secrets objects are checked with ``jsonschema`` the way the
API server's strict field validation (``kubectl apply``'s default) checks them: unknown fields fail, except
under ``x-kubernetes-preserve-unknown-fields``. CEL rules (``x-kubernetes-validations``) are not evaluated.
The Barman Cloud plugin's ``ObjectStore`` (prod backups) is not covered: no version of its module could be
fetched from the Go module proxy here.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = sorted(p.name for p in (ROOT / "deploy" / "k8s" / "overlays").iterdir() if p.is_dir())
TOOLS = ROOT / ".dev" / "tools" / "crds"
GO_MODULES = {
    # module → (version, {kind: CRD file inside the module})
    "github.com/cloudnative-pg/cloudnative-pg": (
        "v1.28.0",
        {
            "Cluster": "config/crd/bases/postgresql.cnpg.io_clusters.yaml",
            "Database": "config/crd/bases/postgresql.cnpg.io_databases.yaml",
            "ScheduledBackup": "config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml",
            "Pooler": "config/crd/bases/postgresql.cnpg.io_poolers.yaml",
        },
    ),
    "github.com/prometheus-operator/prometheus-operator": (
        "v0.85.0",
        {
            "ServiceMonitor": "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
            "PodMonitor": "example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml",
            "PrometheusRule": "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
        },
    ),
    "github.com/external-secrets/external-secrets": (
        "v1.3.2",
        {"ExternalSecret": "config/crds/bases/external-secrets.io_externalsecrets.yaml"},
    ),
}
STRIMZI_PACKAGES = {
    "@kubernetes-models/strimzi-kafka-operator": "1.0.1",
    "@kubernetes-models/base": "6.0.1",
    "@kubernetes-models/apimachinery": "3.0.2",
    "@kubernetes-models/validate": "5.0.2",
}
STRIMZI_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}
"""Every kind we use; ``KafkaUser`` (the services' SCRAM users and ACLs) only in prod."""
UNCOVERED_GROUPS = {"barmancloud.cnpg.io"}

Doc = dict[str, Any]


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/local/go/bin/{name}" if name == "go" else None)
    if found is None or not Path(found).exists():
        pytest.fail(f"validating the operators' objects needs {name} (it fetches their CRD schemas)")
    return found


# ---------------------------------------------------------------------------------------------- schemas


@pytest.fixture(scope="session")
def crd_schemas() -> dict[tuple[str, str], Doc]:
    """(apiVersion, kind) → the version's openAPIV3Schema, from the operators' Go modules."""
    go = _tool("go")
    env = {
        **os.environ,
        "GOMODCACHE": str(TOOLS / "gomod"),
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
    }
    TOOLS.mkdir(parents=True, exist_ok=True)
    schemas: dict[tuple[str, str], Doc] = {}
    for module, (version, files) in GO_MODULES.items():
        out = _run([go, "mod", "download", "-json", f"{module}@{version}"], env=env, cwd=TOOLS)
        directory = Path(json.loads(out.stdout)["Dir"])
        for kind, relative in files.items():
            crd = yaml.safe_load((directory / relative).read_text())
            assert crd["spec"]["names"]["kind"] == kind
            for served in crd["spec"]["versions"]:
                if not served["served"]:
                    continue
                api_version = f"{crd['spec']['group']}/{served['name']}"
                schemas[(api_version, kind)] = served["schema"]["openAPIV3Schema"]
    return schemas


@pytest.fixture(scope="session")
def strimzi_models() -> Path:
    """``node_modules`` holding the Strimzi validators, installed once."""
    npm = _tool("npm")
    _tool("node")
    home = TOOLS / "strimzi-models"
    modules = home / "node_modules"
    marker = home / ".installed"
    wanted = json.dumps(STRIMZI_PACKAGES, sort_keys=True)
    if not marker.exists() or marker.read_text() != wanted:
        home.mkdir(parents=True, exist_ok=True)
        package = {"private": True, "type": "module", "dependencies": STRIMZI_PACKAGES}
        (home / "package.json").write_text(json.dumps(package, indent=2))
        _run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], cwd=home)
        marker.write_text(wanted)
    return modules


def strict(schema: Any) -> Any:
    """The schema with unknown fields rejected wherever Kubernetes would reject them."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return schema


def errors_of(doc: Doc, schema: Doc) -> Iterator[str]:
    validator = jsonschema.Draft4Validator(strict(schema))
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        path = "/".join(str(p) for p in error.absolute_path)
        yield f"{doc['kind']}/{doc['metadata']['name']}: {path}: {error.message}"


# ---------------------------------------------------------------------------------------------- tests


def operator_docs(docs: list[Doc], groups: set[str]) -> list[Doc]:
    return [d for d in docs if d["apiVersion"].split("/")[0] in groups]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_cloudnativepg_prometheus_operator_and_external_secrets_objects_match_their_crds(
    rendered: dict[str, list[Doc]], crd_schemas: dict[tuple[str, str], Doc], overlay: str
) -> None:
    docs = operator_docs(
        rendered[overlay], {"postgresql.cnpg.io", "monitoring.coreos.com", "external-secrets.io"}
    )
    assert {"Cluster", "Database", "ServiceMonitor", "PodMonitor", "PrometheusRule"} <= {
        d["kind"] for d in docs
    }
    assert ("ExternalSecret" in {d["kind"] for d in docs}) == overlay.startswith("prod")
    errors: list[str] = []
    for doc in docs:
        schema = crd_schemas.get((doc["apiVersion"], doc["kind"]))
        assert schema is not None, f"no CRD schema for {doc['apiVersion']} {doc['kind']}"
        errors.extend(errors_of(doc, schema))
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_strimzi_objects_match_their_crds(
    rendered: dict[str, list[Doc]], strimzi_models: Path, overlay: str
) -> None:
    docs = operator_docs(rendered[overlay], {"kafka.strimzi.io"})
    assert {d["kind"] for d in docs} == STRIMZI_KINDS - ({"KafkaUser"} if overlay == "dev" else set())
    script = Path(__file__).with_name("strimzi_validate.mjs")
    out = _run([_tool("node"), str(script), str(strimzi_models)], input=json.dumps(docs))
    results = json.loads(out.stdout)
    assert len(results) == len(docs)
    errors = [f"{r['kind']}/{r['name']}: {e['path']}: {e['message']}" for r in results for e in r["errors"]]
    assert not errors, "\n".join(errors)


def test_the_checks_catch_what_the_operators_would_refuse(
    crd_schemas: dict[tuple[str, str], Doc], strimzi_models: Path
) -> None:
    """The validators are not vacuous: a misspelt field, a wrong type, a missing required field fail."""
    cluster = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "bad"},
        "spec": {"instances": "three", "storage": {"size": "1Gi"}, "postgressql": {}},
    }
    found = list(errors_of(cluster, crd_schemas[("postgresql.cnpg.io/v1", "Cluster")]))
    assert any("spec/instances" in e for e in found)
    assert any("postgressql" in e for e in found)
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "bad"},
        "spec": {"endpoints": [{"port": "http", "intervall": "30s"}]},
    }
    found = list(errors_of(monitor, crd_schemas[("monitoring.coreos.com/v1", "ServiceMonitor")]))
    assert any("selector" in e for e in found)  # required
    assert any("intervall" in e for e in found)
    external_secret = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "bad"},
        "spec": {"target": {"name": "x"}, "data": [{"secretKey": "k", "remotRef": {"key": "cheyou/x"}}]},
    }
    found = list(errors_of(external_secret, crd_schemas[("external-secrets.io/v1", "ExternalSecret")]))
    assert any("remotRef" in e for e in found)
    assert any("remoteRef" in e for e in found)  # required
    assert ("external-secrets.io/v1beta1", "ExternalSecret") not in crd_schemas  # no longer served
    topic = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": "bad"},
        "spec": {"partitions": "24", "replicas": 3},
    }
    script = Path(__file__).with_name("strimzi_validate.mjs")
    out = _run([_tool("node"), str(script), str(strimzi_models)], input=json.dumps([topic]))
    [result] = json.loads(out.stdout)
    assert [e["path"] for e in result["errors"]] == ["/spec/partitions"]


def test_every_operator_group_is_covered_or_named_as_uncovered(rendered: dict[str, list[Doc]]) -> None:
    covered = {"postgresql.cnpg.io", "monitoring.coreos.com", "kafka.strimzi.io", "external-secrets.io"}
    groups = {d["apiVersion"].split("/")[0] for docs in rendered.values() for d in docs}
    operators = {g for g in groups if "." in g and not g.endswith(".k8s.io")}
    assert operators <= covered | UNCOVERED_GROUPS, sorted(operators - covered - UNCOVERED_GROUPS)


# ---------------------------------------------------------------------------------------------- alerts


@pytest.fixture(scope="session")
def cloudnativepg_module() -> Path:
    env = {**os.environ, "GOMODCACHE": str(TOOLS / "gomod"), "GOFLAGS": "-modcacherw", "GOTOOLCHAIN": "local"}
    module = "github.com/cloudnative-pg/cloudnative-pg"
    out = _run(
        [_tool("go"), "mod", "download", "-json", f"{module}@{GO_MODULES[module][0]}"], env=env, cwd=TOOLS
    )
    return Path(json.loads(out.stdout)["Dir"])


BARMAN_PLUGIN_METRICS = {"barman_cloud_cloudnative_pg_io_last_available_backup_timestamp"}
"""The Barman Cloud plugin's metrics (its documentation, "Observability"): not in a fetchable module."""


def test_postgres_alerts_read_what_cloudnativepg_exports(
    rendered: dict[str, list[Doc]], cloudnativepg_module: Path
) -> None:
    """Each ``cnpg_*`` metric of an alert is a column of the operator's default monitoring queries
    (``cnpg_<query>_<column>``), or a metric its documentation shows its collector or pooler exporting."""
    queries = yaml.safe_load(
        yaml.safe_load((cloudnativepg_module / "config/manager/default-monitoring.yaml").read_text())["data"][
            "queries"
        ]
    )
    exported = {
        f"cnpg_{query}_{column}"
        for query, spec in queries.items()
        for metric in spec["metrics"]
        for column, usage in metric.items()
        if usage["usage"] in {"GAUGE", "COUNTER"}
    }
    docs = "\n".join(
        (cloudnativepg_module / "docs/src" / page).read_text()
        for page in ("monitoring.md", "connection_pooling.md")
    )
    exported |= set(re.findall(r"^(cnpg_(?:collector|pgbouncer)_[a-z_]+)", docs, re.MULTILINE))
    [rule] = [d for d in rendered["prod"] if d["kind"] == "PrometheusRule"]
    exprs = [r["expr"] for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    used = set().union(*(set(re.findall(r"\b(cnpg_[a-z_]+|barman_cloud_[a-z_]+)\b", e)) for e in exprs))
    assert {"cnpg_pg_replication_lag", "cnpg_collector_sync_replicas", "cnpg_pgbouncer_pools_maxwait"} <= used
    assert used - BARMAN_PLUGIN_METRICS <= exported, sorted(used - BARMAN_PLUGIN_METRICS - exported)
    assert "cnpg_pg_nonexistent_metric" not in exported

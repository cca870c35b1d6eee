"""deploy/RUNBOOK.md, "Restore Postgres", on the rendered objects: overlays/prod-restore recreates cheyou-pg
from its own archive under its own name, and nothing else of prod changes — so the roles, their Secrets, the
Databases, the pooler, the NetworkPolicies and the services' URLs all still fit, WAL archiving goes on (into a
new folder) and the first base backup of the new timeline is taken at once.
"""

from __future__ import annotations

from typing import Any

from .test_k8s import SERVICES, by_kind
from .test_operations import DATABASES, PREFIXES, app_pod, env_of, host_of, reachable

Doc = dict[str, Any]


def without_cluster(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if d["kind"] != "Cluster"]


def test_the_restore_changes_only_how_the_cluster_is_created(rendered: dict[str, list[Doc]]) -> None:
    prod, restore = rendered["prod"], rendered["prod-restore"]
    assert without_cluster(restore) == without_cluster(prod)
    before, after = (
        by_kind(prod, "Cluster")["cheyou-pg"]["spec"],
        by_kind(restore, "Cluster")["cheyou-pg"]["spec"],
    )
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed == {"bootstrap", "externalClusters", "plugins"}
    # the roles and their passwords' Secrets, the instances, storage and parameters are the production ones
    assert after["managed"] == before["managed"]
    assert after["postgresql"] == before["postgresql"]


def test_the_restored_cluster_reads_the_old_archive_and_writes_a_new_one(
    rendered: dict[str, list[Doc]],
) -> None:
    prod, restore = rendered["prod"], rendered["prod-restore"]
    spec = by_kind(restore, "Cluster")["cheyou-pg"]["spec"]
    [store] = by_kind(restore, "ObjectStore").values()
    recovery = spec["bootstrap"]["recovery"]
    [origin] = [c for c in spec["externalClusters"] if c["name"] == recovery["source"]]
    assert origin["plugin"]["name"] == "barman-cloud.cloudnative-pg.io"
    assert origin["plugin"]["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    assert recovery["recoveryTarget"]["targetTime"]
    # it reads what prod archives to …
    [prod_plugin] = by_kind(prod, "Cluster")["cheyou-pg"]["spec"]["plugins"]
    assert origin["plugin"]["parameters"]["serverName"] == prod_plugin["parameters"]["serverName"]
    # … and keeps archiving, into a folder of its own (Barman refuses one that holds another timeline)
    [plugin] = spec["plugins"]
    assert plugin["isWALArchiver"] is True
    assert plugin["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    assert plugin["parameters"]["serverName"] != origin["plugin"]["parameters"]["serverName"]
    [scheduled] = by_kind(restore, "ScheduledBackup").values()
    assert scheduled["spec"]["cluster"]["name"] == "cheyou-pg"
    assert scheduled["spec"]["immediate"] is True


def test_the_services_reach_the_restored_cluster_as_before(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod-restore"]
    policies = list(by_kind(docs, "NetworkPolicy").values())
    [pooler] = by_kind(docs, "Pooler").values()
    assert pooler["spec"]["cluster"]["name"] == "cheyou-pg"
    instance = {"cnpg.io/cluster": "cheyou-pg", "cnpg.io/podRole": "instance"}
    pooler_pod = {"cnpg.io/poolerName": pooler["metadata"]["name"]}
    databases = {d["spec"]["name"]: d["spec"] for d in by_kind(docs, "Database").values()}
    for name, _, _ in SERVICES:
        labels = dict(by_kind(docs, "Deployment")[name]["spec"]["template"]["metadata"]["labels"])
        env = env_of(docs, app_pod(docs, name))
        assert host_of(env[PREFIXES[name] + "DATABASE_URL"]) == pooler["metadata"]["name"]
        assert host_of(env[PREFIXES[name] + "DATABASE_DIRECT_URL"]) == "cheyou-pg-rw"
        assert reachable(policies, labels, instance, 5432)
        assert reachable(policies, labels, pooler_pod, 5432)
        assert databases[DATABASES[name]]["cluster"]["name"] == "cheyou-pg"
    assert reachable(policies, pooler_pod, instance, 5432)

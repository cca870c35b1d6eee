"""What the manifests do for security issue 17, checked offline on the rendered overlays:

- ``/metrics`` and ``/readyz`` (and ``/healthz``) are not reachable through the public ingress;
- the prod overlay runs every service in production mode, and each service's settings there pass it;
- prod Kafka: no plain listener, TLS with SCRAM-SHA-512 (or client certificates), the simple authorizer,
  and one ``KafkaUser`` per service whose ACLs are exactly the topics it produces and consumes, its own
  retry/DLQ topics and its own consumer groups; the services' clients are wired to them.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from cheyou_events import catalogue
from cheyou_events.topics import dlq_topic, retry_topic
from cheyou_kit.production import production_problems

from .conftest import OVERLAYS
from .test_k8s import SERVICES, by_kind, platform_config

Doc = dict[str, Any]

PUBLIC_PATHS = {("/api", "Prefix"), ("/h5", "Prefix"), ("/console", "Prefix"), ("/docs", "Prefix")}
PUBLIC_PATHS |= {("/openapi.json", "Exact")}
INTERNAL = ["/metrics", "/readyz", "/healthz", "/metrics/", "/readyz?verbose=1"]

PRODUCES: dict[str, set[str]] = {
    "gateway": set(),
    "member-svc": {"member.events", "core.policy.events"},  # the core feed accepted over HTTP goes on
    "privilege-svc": {"privilege.events"},
    "merchant-svc": {"merchant.events"},
    "claims-svc": {"claims.events"},
    "notify-svc": {"notify.events"},
}
"""The topics each service's outbox relay writes to (its catalogue's domain)."""


def routed(paths: list[Doc], request_path: str) -> bool:
    """Whether an Ingress path list sends ``request_path`` anywhere (Kubernetes' Prefix/Exact rules)."""
    path = request_path.split("?", 1)[0]
    for rule in paths:
        if rule["pathType"] == "Exact" and path == rule["path"]:
            return True
        prefix = rule["path"].rstrip("/")
        if rule["pathType"] == "Prefix" and (prefix == "" or path == prefix or path.startswith(prefix + "/")):
            return True
    return False


# ------------------------------------------------------------------------------ ingress: no /metrics


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_metrics_and_readiness_are_not_routed_by_the_public_ingress(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    [ingress] = by_kind(rendered[overlay], "Ingress").values()
    paths = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]

    assert {(p["path"], p["pathType"]) for p in paths} == PUBLIC_PATHS
    assert not [p for p in INTERNAL if routed(paths, p)]
    assert all(routed(paths, p) for p in ["/api/v1/auth/otp", "/h5/", "/console", "/docs/assets/x.js"])
    assert "default" not in ingress["spec"].get("defaultBackend", {})  # no catch-all either


def test_the_route_check_is_not_vacuous() -> None:
    assert routed([{"path": "/", "pathType": "Prefix"}], "/metrics")
    assert not routed([{"path": "/api", "pathType": "Prefix"}], "/apimetrics")


# ------------------------------------------------------------------------------ production mode


def container_env(docs: list[Doc], deployment: Doc) -> dict[str, str]:
    """The environment the service's container starts with; each Secret value a strong stand-in."""
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    config_maps = by_kind(docs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), ""), str(item["value"]))
        elif "secretKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = f"from-secret-{ref['name']}-{ref['key']}-" + "s" * 32
    return env


def test_prod_runs_every_service_in_production_mode_and_its_settings_pass(
    rendered: dict[str, list[Doc]], monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered["prod"]
    deployments = by_kind(docs, "Deployment")
    for name, module, _ in SERVICES:
        with monkeypatch.context() as environment:  # read as the container reads it: from its environment
            for key, value in container_env(docs, deployments[name]).items():
                environment.setenv(key, value)
            settings = importlib.import_module(f"{module}.config").Settings()

        assert settings.environment == "production", name
        assert production_problems(settings) == [], name


def test_dev_is_not_production_mode(rendered: dict[str, list[Doc]]) -> None:
    assert "CHEYOU_ENV" not in platform_config(rendered["dev"])


# ------------------------------------------------------------------------------ Kafka


def consumed_topics(module: str) -> set[str]:
    handlers = getattr(importlib.import_module(f"{module}.main"), "HANDLERS", {})
    return {catalogue.topic(event_type) for event_type in handlers}


def test_prod_kafka_has_no_plain_listener_and_authorizes(rendered: dict[str, list[Doc]]) -> None:
    kafka = by_kind(rendered["prod"], "Kafka")["cheyou"]["spec"]["kafka"]
    listeners = {listener["name"]: listener for listener in kafka["listeners"]}

    assert all(listener["tls"] for listener in listeners.values())
    assert {listener["authentication"]["type"] for listener in listeners.values()} == {"scram-sha-512", "tls"}
    assert kafka["authorization"]["type"] == "simple"
    config = platform_config(rendered["prod"])
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    port = int(config["KAFKA_BOOTSTRAP_SERVERS"].rsplit(":", 1)[1])
    assert listeners["scram"]["port"] == port


def acl_set(user: Doc) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert resource.get("patternType", "literal") == "literal", resource  # no prefixes, no wildcards
        assert resource["name"] != "*"
        assert "All" not in acl["operations"]
        found.setdefault((resource["type"], resource["name"]), set()).update(acl["operations"])
    return found


def test_prod_kafka_users_may_touch_only_their_own_topics_and_groups(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    users = by_kind(docs, "KafkaUser")
    deployments = by_kind(docs, "Deployment")
    assert set(users) == {name for name, _, _ in SERVICES}
    for name, module, _ in SERVICES:
        user = users[name]
        consumed, produced = consumed_topics(module), PRODUCES[name]
        own = {retry_topic(name), dlq_topic(name)}
        expected: dict[tuple[str, str], set[str]] = {}
        for topic in consumed:
            expected.setdefault(("topic", topic), set()).update({"Read", "Describe"})
        for topic in produced:
            expected.setdefault(("topic", topic), set()).update({"Write", "Describe"})
        for topic in own:
            expected[("topic", topic)] = {"Read", "Write", "Describe"}
        expected[("group", name)] = {"Read", "Describe"}
        expected[("group", f"{name}.retry")] = {"Read", "Describe"}

        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "cheyou"
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        assert acl_set(user) == expected, name
        env = {e["name"]: e for e in deployments[name]["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["KAFKA_SASL_USERNAME"]["value"] == name
        assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": name, "key": "password"}
        volumes = {v["name"]: v for v in deployments[name]["spec"]["template"]["spec"]["volumes"]}
        assert volumes["kafka-ca"]["secret"]["secretName"] == "cheyou-cluster-ca-cert"


def test_no_service_may_read_another_services_retry_or_dlq_topic(rendered: dict[str, list[Doc]]) -> None:
    users = by_kind(rendered["prod"], "KafkaUser")
    for name, user in users.items():
        foreign = {
            resource
            for (kind, resource) in acl_set(user)
            if kind == "topic"
            and resource.endswith((".retry", ".dlq"))
            and not resource.startswith(f"{name}.")
        }
        assert not foreign, name

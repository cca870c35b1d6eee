"""What the manifests do for security issue 17, checked offline on the rendered overlays:

- ``/metrics`` and ``/readyz`` (and ``/healthz``) are not reachable through the public ingress;
- the prod overlay runs every service in production mode, and each service's settings there pass it;
- prod Kafka: no plain listener, TLS with SCRAM-SHA-512 (or client certificates), the simple authorizer,
  and one ``KafkaUser`` per service whose ACLs are exactly the topics it produces and consumes, its own
  retry/DLQ topics and its own consumer groups; the services' clients are wired to them; the producers
  outside the platform and the DLQ replay tool have users of their own, limited the same way;
- the client's address: behind the ingress, uvicorn and the gateway take the right-most hop the ingress
  wrote, never the one the client wrote itself.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import re
from pathlib import Path
from typing import Any, cast

import pytest
from cheyou_events.settings import EventsPiiSettings, KafkaSettings
from cheyou_events.topics import dlq_topic, retry_topic
from cheyou_kit.production import production_problems
from pydantic import SecretStr

from .conftest import OVERLAYS
from .mounted_secrets import SecretKey, file_env, secret_files, secrets_dirs
from .test_k8s import ROOT, SERVICES, by_kind, platform_config

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
OUTSIDE = {"core-policy-feed", "external-feed", "dlq-replay"}
"""Kafka users that are not services: the producers outside the platform, the DLQ replay tool."""


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


def lay_out_secret_files(directory: Path, files: dict[str, str]) -> None:
    """The files as the kubelet lays a projected volume out: each a symlink into ``..data``, itself a symlink
    to the timestamped directory that holds them (a rotation swaps ``..data``)."""
    payload = directory / "..2025_01_01_00_00_00.000000000"
    payload.mkdir(parents=True)
    for name, value in files.items():
        (payload / name).write_text(value + "\n")  # a value written with `kubectl create --from-file` ends so
        (directory / name).symlink_to(Path("..data") / name)
    (directory / "..data").symlink_to(payload.name)


def test_prod_runs_every_service_in_production_mode_and_its_settings_pass(
    rendered: dict[str, list[Doc]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each service's settings as its container builds them: the environment of the Deployment, and the
    secret files of its volume (the ExternalSecrets' keys, secrets stood in) where CHEYOU_SECRETS_DIR says.
    The events library's settings too: the sealer's key and the Kafka password are read by them, not only by
    the service's own settings."""
    docs = rendered["prod"]
    deployments = by_kind(docs, "Deployment")
    for name, module, _ in SERVICES:
        pod = deployments[name]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        files = file_env(docs, pod)
        mounted = tmp_path / name
        lay_out_secret_files(mounted, files)
        [directory] = secrets_dirs(container)
        with monkeypatch.context() as environment:  # read as the container reads it: its environment only
            for key in list(os.environ):  # (not this process's, e.g. the test platform's REDIS_URL)
                environment.delenv(key)
            for key, value in container_env(docs, deployments[name]).items():
                environment.setenv(key, value.replace(directory, str(mounted)))
            settings = importlib.import_module(f"{module}.config").Settings()
            events = [KafkaSettings(), EventsPiiSettings()]

        assert settings.environment == "production", name
        assert production_problems(settings) == [], name
        # every file reached each setting that reads it, the service's own and the events library's (the
        # value, not the default: a misnamed file would leave it unset)
        held: dict[str, list[object]] = {}
        for field in type(settings).model_fields:
            held.setdefault(settings.env_name(field), []).append(getattr(settings, field))
        for reader in events:
            prefix = type(reader).model_config.get("env_prefix", "")
            for field in type(reader).model_fields:
                held.setdefault(f"{prefix}{field}".upper(), []).append(getattr(reader, field))
        for variable, value in files.items():
            assert held.get(variable), f"{name}: nothing reads {variable}"
            for each in held[variable]:
                each = each.get_secret_value() if isinstance(each, SecretStr) else each
                assert str(each) == value, f"{name}: {variable}"
        # the secrets the events library reads itself: the Kafka password, and the sealer's key where the
        # service seals or unseals
        assert "KAFKA_SASL_PASSWORD" in files, name
        assert ("EVENTS_PII_KEY" in files) == ("events_pii_key" in type(settings).model_fields), name


def test_dev_is_not_production_mode(rendered: dict[str, list[Doc]]) -> None:
    assert "CHEYOU_ENV" not in platform_config(rendered["dev"])


# ------------------------------------------------------------------------------ Kafka


def consumed_topics(module: str) -> set[str]:
    return set(importlib.import_module(f"{module}.main").subscriptions.topics())


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
    assert set(users) == {name for name, _, _ in SERVICES} | set(OUTSIDE)
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
        files = secret_files(deployments[name]["spec"]["template"]["spec"])
        assert files["KAFKA_SASL_PASSWORD"] == SecretKey(name, "password", optional=False)
        volumes = {v["name"]: v for v in deployments[name]["spec"]["template"]["spec"]["volumes"]}
        assert volumes["kafka-ca"]["secret"]["secretName"] == "cheyou-cluster-ca-cert"


def test_no_service_may_read_another_services_retry_or_dlq_topic(rendered: dict[str, list[Doc]]) -> None:
    users = by_kind(rendered["prod"], "KafkaUser")
    for name, user in users.items():
        if name in OUTSIDE:
            continue
        foreign = {
            resource
            for (kind, resource) in acl_set(user)
            if kind == "topic"
            and resource.endswith((".retry", ".dlq"))
            and not resource.startswith(f"{name}.")
        }
        assert not foreign, name


def test_the_producers_outside_the_platform_may_write_their_topic_and_nothing_else(
    rendered: dict[str, list[Doc]],
) -> None:
    users = by_kind(rendered["prod"], "KafkaUser")
    for name, topic in (
        ("core-policy-feed", "core.policy.events"),
        ("external-feed", "external.feed.events"),
    ):
        user = users[name]
        assert user["spec"]["authentication"]["type"] == "tls", name  # client certificates, 9093
        assert acl_set(user) == {("topic", topic): {"Write", "Describe"}}, name
        # the producer's topic is read by the platform, and nobody else inside writes it except member-svc
        # (the feed accepted over HTTP goes on through its outbox)
        writers = {n for n, u in users.items() if "Write" in acl_set(u).get(("topic", topic), set())}
        assert writers <= {name, "member-svc", "dlq-replay"}, writers


def test_the_dlq_replay_user_reads_the_dlqs_and_writes_back_only_where_dead_letters_come_from(
    rendered: dict[str, list[Doc]],
) -> None:
    user = by_kind(rendered["prod"], "KafkaUser")["dlq-replay"]
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    consumed = set().union(*(consumed_topics(module) for _, module, _ in SERVICES))
    expected = {("topic", dlq_topic(name)): {"Read", "Describe", "Delete"} for name, _, _ in SERVICES}
    expected |= {("topic", topic): {"Write", "Describe"} for topic in consumed}
    assert acl_set(user) == expected
    assert not [resource for resource in acl_set(user) if resource[0] == "group"]  # assigns, joins no group


def test_the_dlq_replay_tool_connects_with_the_platforms_tls_and_its_own_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The tool takes TLS and SCRAM from the pod's KAFKA_* settings, and its user from the command line."""
    spec = importlib.util.spec_from_file_location("dlq_replay", ROOT / "deploy" / "dlq_replay.py")
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    ca = tmp_path / "ca.crt"
    ca.write_bytes(self_signed_ca())
    password = tmp_path / "password"
    password.write_text("replay-secret\n")
    for key, value in {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SSL_CAFILE": str(ca),
        "KAFKA_SASL_USERNAME": "member-svc",
        "KAFKA_SASL_PASSWORD": "the-services-own",
    }.items():
        monkeypatch.setenv(key, value)
    options = tool.client_options("dlq-replay", str(password))
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_plain_username"] == "dlq-replay"
    assert options["sasl_plain_password"] == "replay-secret"
    assert options["ssl_context"] is not None


# ------------------------------------------------------------------------------ the client's address


def gateway_env(docs: list[Doc]) -> dict[str, str]:
    return container_env(docs, by_kind(docs, "Deployment")["gateway"])


def test_behind_the_ingress_a_forged_x_forwarded_for_is_not_the_client(
    rendered: dict[str, list[Doc]],
) -> None:
    """Attack: a client sends ``X-Forwarded-For: <someone else>`` to dodge the per-address limits (or to
    lock someone else's address out). ingress-nginx appends the address it saw; uvicorn (with the rendered
    FORWARDED_ALLOW_IPS) and the gateway (with the rendered GATEWAY_TRUSTED_PROXIES) take that one."""
    from gateway.config import Settings as GatewaySettings
    from gateway.protection.client_address import client_address
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    env = gateway_env(rendered["prod"])
    assert env.get("FORWARDED_ALLOW_IPS", "127.0.0.1") != "*"
    with pytest.MonkeyPatch.context() as environment:  # read as the gateway reads it: from its environment
        environment.setenv("GATEWAY_TRUSTED_PROXIES", env["GATEWAY_TRUSTED_PROXIES"])
        proxies = GatewaySettings().trusted_proxies
    assert proxies
    assert all(network.prefixlen > 0 for network in proxies)
    ingress_pod = str(next(proxies[0].hosts()))
    client, forged = "203.0.113.7", "198.51.100.23"

    def seen(allow_ips: str) -> str:
        scope: dict[str, Any] = {
            "type": "http",
            "client": (ingress_pod, 41234),
            "headers": [(b"x-forwarded-for", f"{forged}, {client}".encode())],
        }
        captured: dict[str, Any] = {}

        async def app(inner: dict[str, Any], receive: Any, send: Any) -> None:
            captured.update(inner)

        middleware: Any = ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=allow_ips)
        asyncio.run(middleware(scope, None, None))
        peer = captured["client"][0]
        return client_address(peer, [h.decode() for _, h in captured["headers"]], proxies)

    assert seen(env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")) == client
    assert seen("*") == forged  # what the old FORWARDED_ALLOW_IPS=* let through


def self_signed_ca() -> bytes:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cluster-ca")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)

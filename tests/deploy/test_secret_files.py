"""Secrets as files (issue 23, item 7), checked on the rendered overlays:

- no secret reaches a pod as a ``secretKeyRef`` variable (the events library reads its own secrets,
  ``EVENTS_PII_KEY`` and ``KAFKA_SASL_PASSWORD``, from the same files as the kit);
- every pod with secret files sets ``CHEYOU_SECRETS_DIR`` to where they are mounted, read-only, mode 0440 at
  most, and every file is named like a setting its service or the events library declares (a typo would leave
  the setting at its development default);
- prod: every Secret the pods read is made by an ``ExternalSecret`` from the one ``ClusterSecretStore``
  (except those the operators make), with every key the pods read; dev: by the README's commands.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from cheyou_events import settings as events_settings
from cheyou_kit.settings import SECRETS_DIR_VARIABLE
from pydantic_settings import BaseSettings

from .conftest import OVERLAYS
from .mounted_secrets import (
    README,
    external_secret_keys,
    readme_dev_secrets,
    secret_files,
    secret_volumes,
    secrets_dirs,
)
from .test_k8s import SERVICES, by_kind, is_ours, pod_specs, referenced_secrets

Doc = dict[str, Any]
MODULES = {name: module for name, module, _ in SERVICES}
STORE = {"kind": "ClusterSecretStore", "name": "cheyou-secrets"}

MADE_BY_OPERATORS = {
    "cheyou-cluster-ca-cert": "Strimzi: the cluster CA",
    "cheyou-gateway-tls": "cert-manager: the Ingress certificate",
    **dict.fromkeys(MODULES, "Strimzi's User Operator: the service's KafkaUser password"),
}
"""Secrets a prod pod or object reads that no ExternalSecret makes."""


# ---------------------------------------------------------------------------------------------- variables


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_reaches_a_pod_as_a_variable(rendered: dict[str, list[Doc]], overlay: str) -> None:
    for doc, spec in pod_specs(rendered[overlay]):
        if not is_ours(doc):
            continue
        for container in spec["containers"]:
            variables = [e for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})]
            assert not variables, f"{doc['kind']}/{doc['metadata']['name']}: {variables}"
            assert "envFrom" not in container or all("secretRef" not in s for s in container["envFrom"])


# ---------------------------------------------------------------------------------------------- files


def variables(settings: type[BaseSettings]) -> set[str]:
    """The variables a settings class reads (its prefix, or a field's own alias)."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{prefix}{field_name}".upper())
    return names


EVENTS_SETTINGS = [
    settings
    for settings in vars(events_settings).values()
    if isinstance(settings, type)
    and issubclass(settings, events_settings.FileSecretsSettings)
    and settings is not events_settings.FileSecretsSettings
]
"""The events library's settings classes: every service reads them too (Kafka, the outbox, the sealer)."""
EVENTS_VARIABLES = set().union(*(variables(settings) for settings in EVENTS_SETTINGS))


def declared_variables(module: str) -> set[str]:
    """The variables a service reads: its Settings', and the events library's."""
    return variables(importlib.import_module(f"{module}.config").Settings) | EVENTS_VARIABLES


def secret_file_problems(docs: list[Doc]) -> list[str]:
    problems = []
    for doc, spec in pod_specs(docs):
        if not is_ours(doc):
            continue
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        volumes = secret_volumes(spec)
        service = doc["metadata"]["labels"].get("app.kubernetes.io/name", "")
        declared = declared_variables(MODULES[service]) if service in MODULES else set()
        for volume in volumes.values():
            modes = [volume["projected"].get("defaultMode", 0o644)]
            modes += [
                item["mode"]
                for source in volume["projected"]["sources"]
                for item in source.get("secret", {}).get("items", [])
                if "mode" in item
            ]
            problems += [f"{where}: mode {mode:o} of {volume['name']}" for mode in modes if mode & ~0o440]
        for name in secret_files(spec):
            if name not in declared:
                problems.append(f"{where}: the file {name} is no setting of the service")
        for container in spec["containers"]:
            mounts = {m["mountPath"]: m for m in container.get("volumeMounts", []) if m["name"] in volumes}
            directories = secrets_dirs(container)
            if set(directories) != set(mounts):
                problems.append(
                    f"{where}: {SECRETS_DIR_VARIABLE}={directories}, secret files at {sorted(mounts)}"
                )
            problems += [
                f"{where}: {path} is writable" for path, m in mounts.items() if not m.get("readOnly")
            ]
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secret_files_are_read_only_where_the_settings_look_and_named_like_settings(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    assert secret_file_problems(docs) == []
    # every service and every migration Job reads its secrets this way
    for doc, spec in pod_specs(docs):
        if is_ours(doc) and doc["metadata"]["name"] != "otel-collector":
            assert secret_files(spec), f"{doc['kind']}/{doc['metadata']['name']}"


def test_the_file_checks_catch_a_typo_a_loose_mode_a_writable_mount_and_a_wrong_directory(
    rendered: dict[str, list[Doc]],
) -> None:
    def broken(change: Any) -> list[str]:
        docs = copy.deepcopy(rendered["prod"])
        pod = by_kind(docs, "Deployment")["gateway"]["spec"]["template"]["spec"]
        change(pod)
        return secret_file_problems(docs)

    def volume(pod: Doc) -> Doc:
        [found] = [v for v in pod["volumes"] if v["name"] == "secrets"]
        return dict(found)

    def rename(pod: Doc, path: str, typo: str) -> None:
        for source in volume(pod)["projected"]["sources"]:
            for item in source["secret"]["items"]:
                if item["path"] == path:
                    item["path"] = typo

    def typo(pod: Doc) -> None:
        rename(pod, "GATEWAY_ACCESS_TOKEN_SECRET", "GATEWAY_ACCESS_TOKEN_SECRETS")

    def events_typo(pod: Doc) -> None:  # a setting of the events library, not of the service
        rename(pod, "KAFKA_SASL_PASSWORD", "KAFKA_SASL_PASSWD")

    def mode(pod: Doc) -> None:
        volume(pod)["projected"]["defaultMode"] = 0o644

    def writable(pod: Doc) -> None:
        [mount] = [m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "secrets"]
        mount["readOnly"] = False

    def directory(pod: Doc) -> None:
        [env] = [e for e in pod["containers"][0]["env"] if e["name"] == SECRETS_DIR_VARIABLE]
        env["value"] = "/etc/cheyou/secret"

    assert any("GATEWAY_ACCESS_TOKEN_SECRETS" in p for p in broken(typo))
    assert any("KAFKA_SASL_PASSWD" in p for p in broken(events_typo))
    assert any("mode 644" in p for p in broken(mode))
    assert any("writable" in p for p in broken(writable))
    assert any("/etc/cheyou/secret'" in p for p in broken(directory))


# ------------------------------------------------------------------------------------------ who makes them


def read_keys(docs: list[Doc], *, optional: bool = True) -> set[tuple[str, str]]:
    """Every (Secret, key) a pod of ours reads, as a file or a volume (without ``optional``: the ones it
    cannot start without); none as a variable (test_no_secret_reaches_a_pod_as_a_variable)."""
    keys = set()
    for doc, spec in pod_specs(docs):
        if not is_ours(doc):
            continue
        keys |= {(ref.secret, ref.key) for ref in secret_files(spec).values() if optional or not ref.optional}
        for volume in spec.get("volumes", []):
            secret = volume.get("secret")
            if secret and (optional or not secret.get("optional")):
                keys |= {(secret["secretName"], item["key"]) for item in secret.get("items", [])}
    return keys


def test_prod_secrets_are_made_by_external_secrets_from_one_store(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    external = by_kind(docs, "ExternalSecret")
    made = {es["spec"]["target"]["name"]: external_secret_keys(es) for es in external.values()}
    referenced = referenced_secrets(docs)

    for_the_redis_chart = {"cheyou-redis-auth"}
    assert referenced - set(MADE_BY_OPERATORS) == set(made) - for_the_redis_chart
    assert set(MADE_BY_OPERATORS) <= referenced
    for secret, key in read_keys(docs):
        if secret in MADE_BY_OPERATORS:
            continue
        keys = made[secret]
        if keys is None:  # every property of the entry
            continue
        assert key in keys, f"{secret} has no key {key}"
    assert f"**`{STORE['name']}`**" in README
    for name, es in external.items():
        spec = es["spec"]
        assert spec["secretStoreRef"] == STORE, name
        assert spec["refreshInterval"], name
        assert spec["target"]["name"] == name
        remote = [d["remoteRef"]["key"] for d in spec.get("data", [])]
        remote += [d["extract"]["key"] for d in spec.get("dataFrom", [])]
        assert remote, name
        assert all(key.removeprefix("cheyou/") in made for key in remote), name
    # the roles' Secrets: what CloudNativePG reads, and a change it applies at once
    for service in MODULES:
        for name in (f"{service}-postgres", f"{service}-postgres-migrator"):
            template = external[name]["spec"]["target"]["template"]
            assert template["type"] == "kubernetes.io/basic-auth"
            assert template["metadata"]["labels"]["cnpg.io/reload"] == "true"
            assert {"username", "password"} <= set(template["data"])


def test_dev_secret_keys_are_made_by_the_readme_commands(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["dev"]
    assert not by_kind(docs, "ExternalSecret")
    made = readme_dev_secrets()
    needed = read_keys(docs, optional=False)
    missing = sorted(f"{secret}: {key}" for secret, key in needed if key not in made.get(secret, {}))
    assert not missing, f"keys the pods read that no command of deploy/k8s/README.md creates: {missing}"

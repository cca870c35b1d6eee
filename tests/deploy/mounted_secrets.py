"""What a pod's secret files are, and what they hold, read from the rendered manifests (issue 23, item 7).

A service's secrets reach it as files: a projected volume of Secret keys, each file named like the setting it
holds (``GATEWAY_ACCESS_TOKEN_SECRET``), mounted read-only at the directory ``CHEYOU_SECRETS_DIR`` names
(``cheyou_kit.settings``). In prod the Secrets are made by the External Secrets Operator
(``overlays/prod/external-secrets.yaml``); in dev by the ``kubectl create secret`` commands of
deploy/k8s/README.md. Both are read here, so a test can see the value a file will hold (a stand-in for each
secret, the rest — hosts, roles, databases — as written).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from cheyou_kit.settings import SECRETS_DIR_VARIABLE

Doc = dict[str, Any]
README = (Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "README.md").read_text()
STAND_IN = "stand-in+secret/" + "s" * 32
"""A secret's value in the tests: long enough for production mode, and not URL-safe (it must be escaped)."""


class SecretKey(NamedTuple):
    secret: str
    key: str
    optional: bool


def secret_volumes(pod: Doc) -> dict[str, Doc]:
    """The pod's projected volumes of Secret keys, by volume name."""
    return {
        volume["name"]: volume
        for volume in pod.get("volumes", [])
        if any("secret" in source for source in volume.get("projected", {}).get("sources", []))
    }


def secret_files(pod: Doc) -> dict[str, SecretKey]:
    """File name → the Secret key it holds, over every projected volume of Secret keys of the pod."""
    files: dict[str, SecretKey] = {}
    for volume in secret_volumes(pod).values():
        for source in volume["projected"]["sources"]:
            secret = source.get("secret")
            if secret is None:
                continue
            for item in secret.get("items", []):
                assert item["path"] not in files, f"{item['path']} twice"
                files[item["path"]] = SecretKey(secret["name"], item["key"], bool(secret.get("optional")))
    return files


def secrets_dirs(container: Doc) -> list[str]:
    [value] = [e.get("value", "") for e in container.get("env", []) if e["name"] == SECRETS_DIR_VARIABLE] or [
        ""
    ]
    return [d for d in value.split(":") if d]


# ---------------------------------------------------------------------------------------------- values


def _expand(template: str, values: dict[str, str]) -> str:
    """An ExternalSecret template (engine v2): ``{{ .name }}`` and ``{{ .name | urlquery }}`` only."""

    def field(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        return quote(value, safe="") if match.group(2) else value

    expanded = re.sub(r"\{\{\s*\.([\w-]+)\s*(\|\s*urlquery\s*)?\}\}", field, template)
    assert "{{" not in expanded, f"a template the tests cannot expand: {template}"
    return expanded


def external_secret_keys(external_secret: Doc) -> dict[str, str] | None:
    """The keys an ExternalSecret gives its Secret, each with its value (secrets as ``STAND_IN``); ``None``
    when the keys are whatever the secret manager's entry holds (``dataFrom``)."""
    spec = external_secret["spec"]
    fetched = {item["secretKey"]: STAND_IN for item in spec.get("data", [])}
    template = spec["target"].get("template", {})
    if "data" in template:
        made = {key: _expand(value, fetched) for key, value in template["data"].items()}
        if template.get("mergePolicy", "Replace") == "Merge":
            made = {**fetched, **made}
        return made
    if spec.get("dataFrom"):
        return None
    return fetched


def readme_dev_secrets() -> dict[str, dict[str, str]]:
    """The Secrets the README's commands create (dev), each key with its value (secrets as ``STAND_IN``)."""
    section = README.split("## Secrets", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    [pairs] = re.findall(r"^for pair in (.+?); do$", block, re.MULTILINE)
    loops = [dict(zip(("svc", "role"), pair.split(":"), strict=True)) for pair in pairs.split()]
    made: dict[str, dict[str, str]] = {}
    for line in block.splitlines():
        command = re.search(r"create secret generic (\S+)(.*)", line)
        if command is None:
            continue
        name, arguments = command.groups()
        keys = dict(re.findall(r"--from-literal=([\w.-]+)=(\"[^\"]*\"|\S+)", arguments))
        keys |= {Path(path).name: "$file" for path in re.findall(r"--from-file=(\S+)", arguments)}
        for variables in loops if "$svc" in name else [{}]:

            def substitute(text: str, variables: dict[str, str] = variables) -> str:
                text = re.sub(r"\$\(.*?\)", STAND_IN, text.strip('"'))
                return re.sub(
                    r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), quote(STAND_IN, safe="")), text
                )

            made[substitute(name)] = {key: substitute(value) for key, value in keys.items()}
    return made


def secret_values(docs: list[Doc]) -> dict[tuple[str, str], str]:
    """(Secret, key) → the value the pods will read: from the ExternalSecrets where the overlay has them
    (prod), else from the README's commands (dev)."""
    external = [d for d in docs if d["kind"] == "ExternalSecret"]
    if not external:
        made = readme_dev_secrets()
        return {(name, key): value for name, keys in made.items() for key, value in keys.items()}
    values: dict[tuple[str, str], str] = {}
    for external_secret in external:
        keys = external_secret_keys(external_secret) or {}
        values |= {(external_secret["spec"]["target"]["name"], key): value for key, value in keys.items()}
    return values


def file_env(docs: list[Doc], pod: Doc) -> dict[str, str]:
    """The settings the pod's secret files give, by variable name, with the values :func:`secret_values`
    knows (a stand-in for the rest)."""
    values = secret_values(docs)
    return {
        name: values.get((ref.secret, ref.key), f"{STAND_IN}-{ref.secret}-{ref.key}")
        for name, ref in secret_files(pod).items()
    }

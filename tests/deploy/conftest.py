"""deploy/k8s rendered once per session with a real kustomize, for every test of this folder.

kustomize is built once from the Go module proxy (``go install``, ~30 s on a new machine) into
``.dev/tools/``; set ``KUSTOMIZE`` to use another binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").exists())
KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.8.1"


@pytest.fixture(scope="session")
def kustomize() -> str:
    explicit = os.environ.get("KUSTOMIZE")
    if explicit:
        return explicit
    tools = ROOT / ".dev" / "tools" / f"kustomize-{KUSTOMIZE_VERSION}"
    binary = tools / "kustomize"
    if binary.exists():
        return str(binary)
    go = shutil.which("go")
    if go is None:
        pytest.fail("rendering deploy/k8s needs kustomize: install Go (it builds it) or set KUSTOMIZE")
    tools.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GOBIN": str(tools), "GOTOOLCHAIN": "local", "GOFLAGS": "-modcacherw"}
    subprocess.run(
        [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"], env=env, check=True, timeout=600
    )
    return str(binary)


@pytest.fixture(scope="session")
def rendered(kustomize: str) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for overlay in OVERLAYS:
        result = subprocess.run(
            [kustomize, "build", str(K8S / "overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        out[overlay] = [doc for doc in yaml.load_all(result.stdout, Loader=KubernetesLoader) if doc]
    return out


class KubernetesLoader(yaml.SafeLoader):
    """YAML as the API server reads it: a timestamp-looking value (a recovery target time) is a string."""


KubernetesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

"""The images' supply chain, offline: base images by digest, third-party packages only by hash (from files
that agree with constraints.txt and cover every dependency and every import of the code), no pip at runtime.

deploy/images/lock.py writes the hashed files with pip's own download; nothing here downloads. The build
recipe itself (hash-checked install into a venv without pip, our wheels without an index, ``pip check``,
importing each service) was run outside Docker on Debian bookworm's glibc; see deploy/k8s/README.md, "Images".
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from packaging.utils import canonicalize_name

from .test_k8s import ROOT, SERVICES, dockerfile

REQUIREMENTS = ROOT / "deploy" / "images" / "requirements"


def lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock", ROOT / "deploy" / "images" / "lock.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pinned(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of a requirements file with hashes."""
    text = path.read_text().replace("\\\n", " ")
    found: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        name, version = requirement.split("==")
        hashes = [o.removeprefix("--hash=sha256:") for o in options]
        assert all(o.startswith("--hash=sha256:") for o in options), line
        found[canonicalize_name(name)] = (version, hashes)
    return found


@pytest.mark.parametrize(("name", "module", "port"), SERVICES)
def test_the_dockerfile_pins_its_base_installs_by_hash_and_leaves_no_pip(
    name: str, module: str, port: int
) -> None:
    text = dockerfile(name)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$", text, re.MULTILINE)
    assert [line for line in text.splitlines() if line.startswith("FROM")] == [
        "FROM ${PYTHON_IMAGE} AS build",
        "FROM ${PYTHON_IMAGE}",
    ]
    build, runtime = text.split("\nFROM ${PYTHON_IMAGE}\n")
    assert f"COPY deploy/images/requirements/build.txt deploy/images/requirements/{name}.txt ./" in build
    assert f"--require-hashes --no-deps --only-binary=:all: -r {name}.txt" in build
    assert "--require-hashes --no-deps --only-binary=:all: -r build.txt" in build
    assert "python -m venv --without-pip /opt/venv" in build
    assert "--no-deps --no-index /wheels/*.whl" in build
    assert "--python /opt/venv/bin/python check" in build
    instructions = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert "constraints.txt" not in instructions, "versions and hashes come from the hashed file only"
    # the runtime image: the venv without pip, and the base image's pip, setuptools and ensurepip removed
    assert "pip uninstall --yes pip setuptools wheel" in runtime
    assert "rm -rf /usr/local/lib/python3.11/ensurepip" in runtime
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "/opt/build" not in runtime


def test_every_service_image_is_built_from_the_one_template_and_its_base_digest() -> None:
    assert not list((ROOT / "services").glob("*/Dockerfile")), "one template: deploy/images/Dockerfile"
    template = (ROOT / "deploy" / "images" / "Dockerfile").read_text()
    assert len(set(re.findall(r"@(sha256:[0-9a-f]{64})", template))) == 1


def test_the_hashed_requirements_agree_with_constraints_and_name_no_address() -> None:
    pins = lock().constraints()
    for path in REQUIREMENTS.glob("*.txt"):
        text = path.read_text()
        assert "://" not in text, f"{path.name}: no download addresses"
        assert not re.search(r"--(index-url|extra-index-url|find-links|trusted-host)", text), path.name
        for name, (version, hashes) in pinned(path).items():
            assert pins[name] == version, f"{path.name}: {name} {version}, constraints.txt says {pins[name]}"
            assert hashes, f"{path.name}: {name} has no hash"
            assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert set(pinned(REQUIREMENTS / "build.txt")) == {"setuptools"}
    assert "!deploy/images/requirements/*.txt" in (ROOT / ".dockerignore").read_text().splitlines()


@pytest.mark.parametrize(("name", "module", "port"), SERVICES)
def test_each_image_gets_exactly_what_its_service_needs(name: str, module: str, port: int) -> None:
    needed = lock().needs(name)
    assert set(pinned(REQUIREMENTS / f"{name}.txt")) == needed


def third_party_imports(sources: list[Path], ours: set[str]) -> set[str]:
    found: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - ours - {"__future__"}


@pytest.mark.parametrize(("name", "module", "port"), SERVICES)
def test_every_module_the_image_imports_is_installed_by_it(name: str, module: str, port: int) -> None:
    """A package the code imports but no pyproject declares would be missing from the image (claims-svc,
    notify-svc and privilege-svc imported httpx without declaring it: their images could not start)."""
    sources = [
        p
        for folder in ("libs/kit/src", "libs/events/src", f"services/{name}/src")
        for p in (ROOT / folder).rglob("*.py")
        if p.name != "testing.py"  # test helpers, not imported by the running service
    ]
    imports = third_party_imports(sources, {"cheyou_kit", "cheyou_events", module})
    providers = metadata.packages_distributions()
    installed = pinned(REQUIREMENTS / f"{name}.txt")
    missing = {
        top: providers.get(top, ["?"])
        for top in imports
        if not {canonicalize_name(d) for d in providers.get(top, [])} & set(installed)
    }
    assert not missing, f"{name}: imported but not in its image: {missing}"

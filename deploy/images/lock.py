"""Write deploy/images/requirements/<svc>.txt: every third-party package an image installs, pinned to the
version of constraints.txt, with the sha256 of its wheels for Linux x86-64 and arm64 (CPython 3.11).

The images install from these files with ``pip install --require-hashes --no-deps --only-binary=:all:``, so a
build gets exactly these files or fails. Run after changing constraints.txt or a package's dependencies::

    .venv/bin/python deploy/images/lock.py

What each service needs: the dependencies its pyproject.toml (and those of libs/kit and libs/events) declare,
then recursively the installed metadata of each (``make install``), with the environment markers evaluated
for Linux and Python 3.11. The wheels
are fetched by pip itself (``pip download``, from the index pip is configured with) and hashed here; the files
name no download address. ``tests/deploy/test_images.py`` checks the files against constraints.txt and the
metadata without downloading anything.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "requirements"
SERVICES = ["gateway", "member-svc", "privilege-svc", "merchant-svc", "claims-svc", "notify-svc"]
OURS = {"cheyou-kit", "cheyou-events"}
BUILD = ["setuptools"]
"""What builds our own packages into wheels in the image's build stage (--no-build-isolation)."""
LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def platforms(arch: str) -> list[str]:
    """The tags pip on Debian bookworm (glibc 2.36) accepts, in its order of preference: the newest glibc
    first, each legacy alias right after its equivalent. The order decides which wheel pip picks."""
    tags = []
    for minor in range(36, 4, -1):
        tags.append(f"manylinux_2_{minor}_{arch}")
        if minor in LEGACY:
            tags.append(f"{LEGACY[minor]}_{arch}")
    return tags


PLATFORMS = {arch: platforms(arch) for arch in ("x86_64", "aarch64")}


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.strip()
    return pins


def environment(arch: str) -> dict[str, str]:
    env = dict(default_environment())
    env.update(
        sys_platform="linux",
        platform_system="Linux",
        os_name="posix",
        platform_machine=arch,
        python_version="3.11",
        python_full_version="3.11.0",
        implementation_name="cpython",
        platform_python_implementation="CPython",
    )
    return env


OUR_PROJECTS = {
    "cheyou-kit": ROOT / "libs" / "kit",
    "cheyou-events": ROOT / "libs" / "events",
    **{service: ROOT / "services" / service for service in SERVICES},
}


def requires(name: str) -> list[str]:
    """A distribution's requirements: ours from their pyproject.toml (the source the image is built from),
    third-party ones from the installed metadata (their versions are those of constraints.txt)."""
    if name in OUR_PROJECTS:
        project = tomllib.loads((OUR_PROJECTS[name] / "pyproject.toml").read_text())["project"]
        return list(project.get("dependencies", []))
    return metadata.requires(name) or []


def closure(distribution: str, arch: str = "x86_64") -> set[str]:
    """The canonical names of every distribution ``distribution`` needs, itself included."""
    env = environment(arch)
    seen: set[str] = set()
    todo = [(canonicalize_name(distribution), frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        key = name if not extras else f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for text in requires(name):
            requirement = Requirement(text)
            marker = requirement.marker
            wanted = marker is None or any(
                marker.evaluate({**env, "extra": extra}) for extra in (extras or {""})
            )
            if wanted:
                todo.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return {key.split("[", 1)[0] for key in seen}


def needs(service: str) -> set[str]:
    return (closure(service, "x86_64") | closure(service, "aarch64")) - OURS - {canonicalize_name(service)}


def download(requirements: Iterable[str], arch: str, directory: Path) -> None:
    tags = [option for tag in PLATFORMS[arch] for option in ("--platform", tag)]
    abis = ["--abi", "cp311", "--abi", "abi3", "--abi", "none"]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.11", "--implementation", "cp", *abis,
         *tags, "--dest", str(directory), *requirements],
        check=True,
    )  # fmt: skip


def hashes(directory: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for wheel in directory.glob("*.whl"):
        name, _, _, _ = parse_wheel_filename(wheel.name)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        found.setdefault(canonicalize_name(name), set()).add(digest)
    return found


def write(
    path: Path, names: Iterable[str], pins: dict[str, str], digests: dict[str, set[str]], why: str
) -> None:
    lines = [
        f"# {why}",
        "# Generated by deploy/images/lock.py from constraints.txt; installed with --require-hashes.",
    ]
    for name in sorted(names):
        lines.append(f"{name}=={pins[name]} \\")
        lines += [f"    --hash=sha256:{digest} \\" for digest in sorted(digests[name])]
        lines[-1] = lines[-1].removesuffix(" \\")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    pins = constraints()
    wanted = {service: needs(service) for service in SERVICES}
    every = set().union(*wanted.values()) | {canonicalize_name(n) for n in BUILD}
    missing = sorted(name for name in every if name not in pins)
    if missing:
        sys.exit(f"not pinned in constraints.txt: {missing}")
    digests: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for arch in PLATFORMS:
            directory = Path(tmp) / arch
            download([f"{name}=={pins[name]}" for name in sorted(every)], arch, directory)
            for name, found in hashes(directory).items():
                digests.setdefault(name, set()).update(found)
    OUT.mkdir(exist_ok=True)
    for service, names in wanted.items():
        write(
            OUT / f"{service}.txt", names, pins, digests, f"{service}: the third-party packages of its image"
        )
    write(OUT / "build.txt", [canonicalize_name(n) for n in BUILD], pins, digests, "the build stage's tools")
    sys.stderr.write(f"wrote {len(wanted) + 1} files to {OUT.relative_to(ROOT)}\n")


if __name__ == "__main__":
    sys.exit(main())

"""Apache Kafka's jars, fetched once with Maven into a per-user cache and reused by every start."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

from cheyou_devinfra._process import InfraError, file_lock

log = logging.getLogger("cheyou_devinfra")

DEFAULT_VERSION = "4.4.0"
FALLBACK_VERSION = "4.1.1"
# Kafka logs through slf4j 1.7 and ships no binding: slf4j-simple writes to stderr (our log file).
SLF4J_VERSION = "1.7.36"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

POM = """<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>cheyou.devinfra</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>{slf4j}</version>
    </dependency>
  </dependencies>
</project>
"""


def cache_root() -> Path:
    return Path(os.environ.get("CHEYOU_KAFKA_CACHE", "~/.cache/cheyou")).expanduser()


def tools_available() -> bool:
    return shutil.which("java") is not None and shutil.which("mvn") is not None


def _fetch(version: str, home: Path) -> Path:
    libs = home / "libs"
    home.mkdir(parents=True, exist_ok=True)
    with file_lock(home / ".lock"):
        if (libs / ".complete").exists():
            return libs  # another process fetched them while we waited for the lock
        staging = home / f"libs.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        pom = home / "pom.xml"
        pom.write_text(POM.format(version=version, slf4j=SLF4J_VERSION))
        log.info("kafka: fetching Apache Kafka %s jars with Maven into %s (once)", version, libs)
        started = time.monotonic()
        result = subprocess.run(
            [
                "mvn", "-B", "-q", "-Dstyle.color=never", "-f", str(pom),
                f"{DEPENDENCY_PLUGIN}:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )  # fmt: skip
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise InfraError(
                f"mvn could not fetch Kafka {version}:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
            )
        seconds = time.monotonic() - started
        jars = list(staging.glob("*.jar"))
        size = sum(jar.stat().st_size for jar in jars)
        (staging / ".complete").write_text(
            json.dumps({"version": version, "seconds": round(seconds, 2), "bytes": size, "jars": len(jars)})
        )
        shutil.rmtree(libs, ignore_errors=True)
        staging.replace(libs)
        log.info("kafka: %d jars, %.1f MB in %.1fs", len(jars), size / 1e6, seconds)
        return libs


def kafka_libs(version: str | None = None) -> Path:
    """The directory holding Kafka's runtime classpath, fetching it on first use.

    Version: the argument, else ``CHEYOU_KAFKA_VERSION``, else 4.4.0 — falling back to 4.1.1 when
    the default does not resolve. Two concurrent first starts fetch once (a file lock).
    """
    explicit = version or os.environ.get("CHEYOU_KAFKA_VERSION")
    candidates = [explicit] if explicit else [DEFAULT_VERSION, FALLBACK_VERSION]
    error: InfraError | None = None
    for candidate in candidates:
        home = cache_root() / f"kafka-{candidate}"
        if (home / "libs" / ".complete").exists():
            return home / "libs"
        try:
            return _fetch(candidate, home)
        except InfraError as exc:
            log.warning("kafka: %s", exc)
            error = exc
    assert error is not None
    raise error


def fetch_report(libs: Path) -> dict[str, object]:
    """What the fetch recorded: version, seconds, bytes, jar count."""
    try:
        report: dict[str, object] = json.loads((libs / ".complete").read_text())
    except (OSError, ValueError):
        return {}
    return report

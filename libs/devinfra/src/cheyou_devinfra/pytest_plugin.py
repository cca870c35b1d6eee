"""Session fixtures for any test suite (registered through the ``pytest11`` entry point).

- ``infra`` → :class:`Infra`: from ``POSTGRES_DSN``/``REDIS_URL``/``KAFKA_BOOTSTRAP_SERVERS`` when set
  (so ``make test`` starts infrastructure once for every package), else started for the session on
  free ports in a temporary state dir and stopped at the end.
- ``infra_manager`` → the :class:`InfraManager` behind ``infra``, for fault injection
  (``infra_manager.kafka.kill()``; env-provided components are not ``controllable``).
- ``tansu_bootstrap`` → ``"127.0.0.1:<port>"`` of a Tansu broker of its own, started on first use.
- ``apache_kafka_bootstrap`` → an Apache Kafka broker: the environment's when ``KAFKA_BROKER_KIND`` is
  ``apache-kafka``, else one of its own (skips when ``java``/``mvn`` are missing).

Fixtures are sync and return plain values, so they work with any event loop scope.

It also makes every test directory with a ``conftest.py`` a suite (:class:`Suite`): fixtures that its
conftest declares with ``scope="package"`` end when pytest leaves the directory, as they would in a
Python package — a service suite's app stops with its suite (``cheyou_kit.testing``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cheyou_devinfra.manager import Infra, InfraManager


def temporary_state_dir(prefix: str) -> Path:
    """A fresh state dir others can traverse: Postgres runs as an unprivileged user when we are root,
    and pytest's own ``tmp_path`` lives under a 0700 directory."""
    path = Path(tempfile.mkdtemp(prefix=f"cheyou-{prefix}-"))
    path.chmod(0o755)
    return path


class Suite(pytest.Package):
    """A test directory with a ``conftest.py`` and no ``__init__.py``, collected as a package.

    pytest scopes a ``scope="package"`` fixture to the :class:`pytest.Package` node of its conftest's
    directory; a directory without ``__init__.py`` is a plain ``Dir``, and there such a fixture silently
    lives until the whole session ends. The services' ``tests`` folders cannot all be Python packages:
    with ``--import-mode=importlib`` each would be the package ``tests`` and their ``tests.conftest``
    modules would collide. Collected as a :class:`Suite`, the directory is the package of its conftest's
    fixtures: they are set up on the first test under it and torn down after its last one, before pytest
    moves on to the next directory.
    """

    def setup(self) -> None:
        """Nothing to set up: a package runs its ``__init__.py``'s ``setup_module``, a suite has none."""


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if (path / "conftest.py").is_file() and not (path / "__init__.py").is_file():
        return Suite.from_parent(parent, path=path)
    return None  # pytest's own: a Package with __init__.py, else a Dir


@pytest.fixture(scope="session")
def infra_manager() -> Iterator[InfraManager]:
    state = temporary_state_dir("infra")
    manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0)
    try:
        yield manager
    finally:
        manager.stop()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def infra(infra_manager: InfraManager) -> Infra:
    return infra_manager.start()


@pytest.fixture(scope="session")
def tansu_bootstrap() -> Iterator[str]:
    from cheyou_devinfra.components import Tansu

    state = temporary_state_dir("tansu")
    broker = Tansu(state)
    try:
        yield broker.start()
    finally:
        broker.stop()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def apache_kafka_bootstrap() -> Iterator[str]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("KAFKA_BROKER_KIND") == "apache-kafka":
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    from cheyou_devinfra.components import ApacheKafka
    from cheyou_devinfra.kafka_jars import tools_available

    if not tools_available():
        pytest.skip("Apache Kafka needs java and mvn on PATH")
    state = temporary_state_dir("kafka")
    broker = ApacheKafka(state)
    try:
        yield broker.start()
    finally:
        broker.stop()
        shutil.rmtree(state, ignore_errors=True)

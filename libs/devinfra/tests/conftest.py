from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cheyou_devinfra import Infra, InfraManager
from cheyou_devinfra.pytest_plugin import temporary_state_dir


@pytest.fixture(scope="session")
def state_dir() -> Iterator[Path]:
    path = temporary_state_dir("devinfra-tests")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def manager(state_dir: Path) -> Iterator[InfraManager]:
    """Our own infrastructure, whatever the environment says: these tests are about starting it."""
    manager = InfraManager(state_dir, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
    manager.start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def local_infra(manager: InfraManager) -> Infra:
    return manager.start()

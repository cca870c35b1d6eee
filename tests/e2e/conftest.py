"""The platform as real processes, started by the same launcher as ``make up``, on free ports."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from cheyou_devinfra import Infra
from cheyou_devinfra.platform import FAKES, SERVICES, Service, start_platform, stop_services
from cheyou_devinfra.pytest_plugin import temporary_state_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def platform(infra: Infra) -> Iterator[Path]:
    """Every service running as its own uvicorn process against the session's infrastructure."""
    state = temporary_state_dir("platform")
    saved = dict(os.environ)
    os.environ.update(infra.env())
    os.environ.update({f"{service.env_prefix}PORT": str(_free_port()) for service in SERVICES})
    os.environ.update({f"CHEYOU_FAKE_{fake.name.upper()}_PORT": str(_free_port()) for fake in FAKES})
    try:
        start_platform(state)
        yield state
    finally:
        stop_services(state)
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def services(platform: Path) -> dict[str, Service]:
    return {service.name: service for service in SERVICES}

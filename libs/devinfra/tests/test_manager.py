from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cheyou_devinfra import Infra, InfraManager
from cheyou_devinfra.components import LocalProcess, Redis
from cheyou_devinfra.pytest_plugin import temporary_state_dir


def _pids(manager: InfraManager) -> list[int | None]:
    return [c.pid if isinstance(c, LocalProcess) else None for c in manager.components]


def test_a_second_manager_on_the_same_state_dir_reuses_the_running_processes(
    manager: InfraManager, local_infra: Infra, state_dir: Path
) -> None:
    second = InfraManager(state_dir, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)

    assert second.start() == local_infra
    assert _pids(second) == _pids(manager)
    assert not any(c.owned for c in second.components)

    second.stop()  # stops only what it started: nothing
    assert all(isinstance(c, LocalProcess) and c.running() for c in manager.components)


def test_concurrent_starts_share_one_process() -> None:
    state = temporary_state_dir("concurrent")
    servers = [Redis(state), Redis(state)]
    urls: list[str] = []
    threads = [threading.Thread(target=lambda s=s: urls.append(s.start())) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert urls[0] == urls[1]
        assert servers[0].pid == servers[1].pid
        assert [s.owned for s in servers].count(True) == 1
    finally:
        InfraManager(state, use_env=False).down()
        shutil.rmtree(state, ignore_errors=True)


def test_the_environment_wins_and_is_never_stopped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POSTGRES_DSN", "postgresql://u:p@db.example:5432/postgres")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setenv("KAFKA_BROKER_KIND", "apache-kafka")

    manager = InfraManager(tmp_path)
    infra = manager.start()

    assert infra == Infra.from_env()
    assert infra.env()["KAFKA_BROKER_KIND"] == "apache-kafka"
    assert not any(c.controllable for c in manager.components)
    manager.stop()


def test_cli_up_runs_in_the_background_until_down() -> None:
    state = temporary_state_dir("cli")
    cli = [sys.executable, "-m", "cheyou_devinfra"]
    ports = ["--postgres-port", "0", "--redis-port", "0", "--kafka-port", "0", "--broker", "tansu"]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("POSTGRES_DSN", "REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [*cli, *args, "--state-dir", str(state)], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        run("up", *ports)  # returns; the processes outlive it
        exports = run("env")
        assert "export KAFKA_BROKER_KIND=tansu" in exports
        assert run("status").count("healthy") == 3
        second = run("up", *ports)
        assert "ready" in second
        assert run("env") == exports  # reused, not restarted
        run("down")
        assert "healthy" not in run("status")
        assert subprocess.run([*cli, "env", "--state-dir", str(state)], capture_output=True).returncode == 1
    finally:
        InfraManager(state, use_env=False).down()
        shutil.rmtree(state, ignore_errors=True)

"""Child processes: spawning in their own process group, tying them to this process, stopping them.

Every child is started with ``start_new_session=True`` (own session and process group, so a signal to
the group also reaches e.g. Postgres backends) and, unless detached, with ``PR_SET_PDEATHSIG`` so the
kernel signals it when we die. The parent-death signal fires when the *thread* that forked the child
exits (prctl(2)), so all children are forked from one long-lived daemon thread: the tie is to the
process, not to whichever thread happened to call ``start()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import psutil

log = logging.getLogger("cheyou_devinfra")

T = TypeVar("T")
HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


class InfraError(RuntimeError):
    """A component could not be started, or did not become healthy."""


# --- spawning ---------------------------------------------------------------------------------------


def _pdeathsig_preexec(sig: int, parent: int) -> Callable[[], None]:
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        # Runs in the child after setsid/setuid: a credential change would clear the setting.
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return preexec


class _Spawner:
    """One daemon thread that forks every tied child (see the module docstring)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _run(self) -> None:
        while True:
            job, future = self._jobs.get()
            try:
                future.set_result(job())
            except BaseException as exc:
                future.set_exception(exc)

    def call(self, job: Callable[[], T]) -> T:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cheyou-devinfra-spawner", daemon=True)
                self._thread.start()
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future.result()


_spawner = _Spawner()


def spawn(
    argv: list[str],
    *,
    log_file: Path,
    tie_to_parent: bool,
    death_signal: int = signal.SIGTERM,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    user: int | None = None,
    group: int | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own process group with stdout/stderr appended to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    out: IO[bytes] = log_file.open("ab")

    def job() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=[] if user is not None else None,
            preexec_fn=_pdeathsig_preexec(death_signal, os.getpid()) if tie_to_parent else None,
        )

    try:
        return _spawner.call(job) if tie_to_parent else job()
    finally:
        out.close()


# --- identity and stopping ---------------------------------------------------------------------------


def create_time(pid: int) -> float | None:
    try:
        started: float = psutil.Process(pid).create_time()
        return started
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def is_alive(pid: int, started: float | None) -> bool:
    """True if ``pid`` runs and is the same process (same start time) that we recorded."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or abs(process.create_time() - started) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def wait_exit(pid: int, timeout: float, popen: subprocess.Popen[bytes] | None = None) -> bool:
    if popen is not None:
        try:
            popen.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        psutil.Process(pid).wait(timeout)
    except psutil.NoSuchProcess:
        return True
    except psutil.TimeoutExpired:
        return False
    return True


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_group(
    pid: int,
    *,
    sig: int = signal.SIGTERM,
    timeout: float = 30.0,
    popen: subprocess.Popen[bytes] | None = None,
) -> None:
    """Signal the process group led by ``pid``; SIGKILL the group if the leader outlives ``timeout``."""
    _signal_group(pid, sig)
    if not wait_exit(pid, timeout, popen):
        log.warning("pid %d did not stop within %.0fs after %s; sending SIGKILL", pid, timeout, sig)
        _signal_group(pid, signal.SIGKILL)
        wait_exit(pid, 10.0, popen)
    _signal_group(pid, signal.SIGKILL)  # stragglers left in the group (e.g. orphaned backends)


def kill_group(pid: int, popen: subprocess.Popen[bytes] | None = None) -> None:
    _signal_group(pid, signal.SIGKILL)
    wait_exit(pid, 10.0, popen)


# --- ports -------------------------------------------------------------------------------------------


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_port_free(port: int, timeout: float, host: str = HOST) -> bool:
    deadline = time.monotonic() + timeout
    while not port_is_free(port, host):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def accepts_connections(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --- state files -------------------------------------------------------------------------------------


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``: serialises starts across threads and processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class Record:
    """What ``<state>/<component>/process.json`` holds: the running instance, and the ports it used."""

    kind: str
    port: int
    pid: int | None = None
    started: float | None = None
    detached: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Record | None:
        try:
            raw = json.loads(path.read_text())
            return cls(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)

    def alive(self) -> bool:
        return self.pid is not None and is_alive(self.pid, self.started)


# --- misc --------------------------------------------------------------------------------------------


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even when the caller's thread runs a loop."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(factory())
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="cheyou-devinfra-probe", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    result: T = box["result"]
    return result


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.1,
    abort: Callable[[], str | None] | None = None,
) -> bool:
    """Poll ``check`` until it is true; ``abort`` returning a message raises InfraError early."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if abort is not None and (reason := abort()) is not None:
            raise InfraError(reason)
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

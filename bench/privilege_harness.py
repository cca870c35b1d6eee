"""What privilege-svc's benchmarks share: infrastructure, the service as a real uvicorn process on its
own database, members with points, signed identities, its results file (the rest is ``harness``).

Not a benchmark itself; ``privilege_flash_sale.py`` and ``privilege_redemption_vs_pgbench.py`` import it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import harness
import httpx
from cheyou_devinfra import Infra, ensure_database, ensure_topics
from cheyou_events import TOPICS
from cheyou_events.catalogue.fields import Tier
from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role, generate_keypair
from cheyou_kit.migrations import upgrade
from harness import free_port
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "privilege-svc"
RESULTS = ROOT / "bench" / "results" / "privilege-svc.md"


@contextmanager
def infrastructure() -> Iterator[Infra]:
    """The environment's Postgres/Redis/Kafka when all are set, else our own on free ports."""
    if (infra := Infra.from_env()) is not None:
        yield infra
        return
    from cheyou_devinfra import InfraManager

    state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
    os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
    manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
    try:
        yield manager.start()
    finally:
        manager.stop()
        shutil.rmtree(state, ignore_errors=True)


@dataclass
class Service:
    url: str
    database_url: str
    signer: IdentitySigner
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the service's processes have used so far."""
        import psutil

        root = psutil.Process(self.pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def member_headers(self, member_id: str, method: str, path: str) -> dict[str, str]:
        """The member's identity for one request line (a token is bound to its method and path)."""
        principal = Principal(subject=f"member-{member_id}", role=Role.MEMBER, member_id=uuid.UUID(member_id))
        return {IDENTITY_HEADER: self.signer.sign(principal, "privilege-svc", method=method, path=path)}

    def ops_headers(self, method: str, path: str) -> dict[str, str]:
        principal = Principal(subject="ops1", role=Role.OPS, staff_id="ops1")
        return {IDENTITY_HEADER: self.signer.sign(principal, "privilege-svc", method=method, path=path)}


@asynccontextmanager
async def running_service(infra: Infra, workers: int = 1, **env: str) -> AsyncIterator[Service]:
    """privilege-svc on a fresh, migrated database, as uvicorn with ``workers`` processes (1 = a pod)."""
    dsn = await ensure_database(infra.postgres_dsn, f"privilege_bench_{uuid.uuid4().hex[:8]}")
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    await upgrade(SERVICE_ROOT, url)
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    keys = Path(tempfile.mkdtemp(prefix="cheyou-bench-keys-"))
    private, public = generate_keypair(keys)
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
        [sys.executable, "-m", "uvicorn", "privilege_svc.main:create_app", "--factory", "--port", str(port),
         "--log-level", "warning", "--no-access-log", "--backlog", "4096", "--timeout-keep-alive", "300",
         "--workers", str(workers)],
        env={
            **os.environ,
            **infra.env(),
            "PRIVILEGE_DATABASE_URL": url,
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public),
            "LOG_LEVEL": "WARNING",
            "OTEL_ENABLED": "false",
            **env,
        },
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("privilege-svc did not start")
        yield Service(base, url, IdentitySigner(private.read_bytes(), ttl_seconds=3600), process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(keys, ignore_errors=True)


async def seed_members(database_url: str, n: int, points_each: int, tier: Tier = Tier.ORDINARY) -> list[str]:
    """n members privilege-svc knows at ``tier``, each with ``points_each`` points (through the service's
    own functions, in one transaction)."""
    from privilege_svc.member_projection import service as members
    from privilege_svc.points import service as points

    engine = create_async_engine(database_url)
    ids = [str(uuid.uuid4()) for _ in range(n)]
    async with async_sessionmaker(engine)() as session, session.begin():
        for member_id in ids:
            await members.project_tier(session, member_id, tier, datetime.now(UTC) - timedelta(days=1))
            await points.credit(session, member_id, points_each, "adjustment", note="bench funds")
    await engine.dispose()
    return ids


def write_section(title: str, body: str) -> None:
    """Replace (or add) one ``## title`` section of bench/results/privilege-svc.md."""
    harness.write_section(RESULTS, f"## {title}\n{body}", title="privilege-svc benchmark results")


def now_s() -> float:
    return time.perf_counter()


class RawConnection:
    """One keep-alive HTTP/1.1 connection spoken by hand over asyncio streams.

    httpx's connection pool looks connections up linearly, which makes thousands of concurrent requests
    through one client cost the client more CPU than the service; a connection per simulated member keeps
    the client out of the measurement.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        assert self._reader is not None
        assert self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}", f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self._writer.drain()
        status = int((await self._reader.readline()).split()[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


async def open_connections(url: str, n: int) -> list[RawConnection]:
    host, port = url.removeprefix("http://").split(":")
    connections = [RawConnection(host, int(port)) for _ in range(n)]
    for i in range(0, n, 200):  # in waves: the listen backlog is finite
        await asyncio.gather(*(c.open() for c in connections[i : i + 200]))
    return connections

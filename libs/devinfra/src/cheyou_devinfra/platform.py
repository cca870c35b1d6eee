"""The platform launcher behind ``make dev``, ``make up``, ``make down`` and ``make test``.

It brings up the infrastructure (see :mod:`cheyou_devinfra`), creates each service's database and the
topics, runs every service's migrations, then starts each service as its own uvicorn process and waits
for its ``/readyz``. State lives under ``.dev/`` so a second start reuses the data the first one left.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
from sqlalchemy.engine import make_url

from cheyou_devinfra import (
    Infra,
    InfraManager,
    components,
    ensure_database,
    ensure_service_roles,
    ensure_topics,
)

ROOT = Path(__file__).resolve().parents[4]
STATE = ROOT / ".dev"


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    env_prefix: str
    database: str
    default_port: int

    @property
    def root(self) -> Path:
        return ROOT / "services" / self.name

    @property
    def port(self) -> int:
        return int(os.environ.get(f"{self.env_prefix}PORT", self.default_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_name(self) -> str:
        """Its database on the shared server; ``CHEYOU_DATABASE_SUFFIX`` gives a run databases of its own."""
        return self.database + os.environ.get("CHEYOU_DATABASE_SUFFIX", "")


SERVICES = (
    Service("member-svc", "member_svc", "MEMBER_", "member", 8101),
    Service("privilege-svc", "privilege_svc", "PRIVILEGE_", "privilege", 8102),
    Service("merchant-svc", "merchant_svc", "MERCHANT_", "merchant", 8103),
    Service("claims-svc", "claims_svc", "CLAIMS_", "claims", 8104),
    Service("notify-svc", "notify_svc", "NOTIFY_", "notify", 8105),
    Service("gateway", "gateway", "GATEWAY_", "gateway", 8080),
)


@dataclass(frozen=True)
class Fake:
    """A local stand-in for a third-party provider, speaking its HTTP contract (``libs/fakes``)."""

    name: str
    url_setting: str
    default_port: int

    @property
    def port(self) -> int:
        return int(os.environ.get(f"CHEYOU_FAKE_{self.name.upper()}_PORT", self.default_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


FAKES = (
    Fake("wechat", "WECHAT_API_BASE_URL", 8190),
    Fake("sms", "SMS_API_BASE_URL", 8191),
    Fake("wechatpay", "PRIVILEGE_WECHATPAY_API_BASE_URL", 8192),
)

app = typer.Typer(add_completion=False, help=__doc__)


def _infra_manager(state: Path, *, test: bool = False, detach: bool = True) -> InfraManager:
    # detach: the infrastructure outlives this process (`make up` returns; `make down` stops it).
    # Without it, the children die with this process (what `make test` wants).
    if test:  # each run its own folder: concurrent runs must not stop each other's brokers
        folder = state / "test-infra" / str(os.getpid())
        return InfraManager(folder, postgres_port=0, redis_port=0, kafka_port=0, detach=detach)
    return InfraManager(
        state / "infra",
        detach=detach,
        broker=os.environ.get("CHEYOU_BROKER", "auto"),
        postgres_port=int(os.environ.get("CHEYOU_POSTGRES_PORT", 5432)),
        redis_port=int(os.environ.get("CHEYOU_REDIS_PORT", 6379)),
        kafka_port=int(os.environ.get("CHEYOU_KAFKA_PORT", 9092)),
    )


def _keys(state: Path) -> dict[str, str]:
    from cheyou_kit.identity import generate_keypair

    directory = state / "keys"
    private, public = directory / "internal-token.key", directory / "internal-token.pub"
    if not private.exists():
        private, public = generate_keypair(directory)
    # The gateway's own access-token key, kept so that restarting `make dev` does not sign everyone out.
    access = directory / "gateway-access-token.secret"
    if not access.exists():
        access.write_text(secrets.token_urlsafe(32))
        access.chmod(0o600)
    return {
        "INTERNAL_TOKEN_PRIVATE_KEY_FILE": str(private),
        "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public),
        "GATEWAY_ACCESS_TOKEN_SECRET": access.read_text(),
    }


def _role_passwords(state: Path, services: tuple[Service, ...]) -> dict[str, str]:
    """Each service's migrator and runtime role and its password, kept under ``state/keys`` so that a
    restart of one process (or of the platform) finds the password its role has."""
    path = state / "keys" / "postgres-roles.json"
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = [f"{s.database_name}_{kind}" for s in services for kind in ("migrator", "runtime")]
    if any(role not in known for role in wanted):
        known.update({role: secrets.token_urlsafe(18) for role in wanted if role not in known})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known, indent=1))
        path.chmod(0o600)
    return known


async def _prepare(infra: Infra, services: tuple[Service, ...], state: Path) -> dict[str, str]:
    """Databases, roles, topics and migrations: everything a service expects before it starts.

    Each database gets a migrator role (owns the schema; the migrations run as it) and a runtime role
    (rows only: the service runs as it), as in production; returns the services' database settings."""
    from cheyou_events.topics import TOPICS
    from cheyou_kit.migrations import upgrade

    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    passwords = _role_passwords(state, services)
    env: dict[str, str] = {}
    for service in services:
        await ensure_database(infra.postgres_dsn, service.database_name)
        migrator, runtime = (f"{service.database_name}_{kind}" for kind in ("migrator", "runtime"))
        migrator_dsn, runtime_dsn = await ensure_service_roles(
            infra.postgres_dsn,
            service.database_name,
            migrator=(migrator, passwords[migrator]),
            runtime=(runtime, passwords[runtime]),
        )
        await upgrade(service.root, _asyncpg(migrator_dsn))
        env[f"{service.env_prefix}DATABASE_URL"] = _asyncpg(runtime_dsn)
        env[f"{service.env_prefix}MIGRATION_DATABASE_URL"] = _asyncpg(migrator_dsn)
    return env


def _asyncpg(dsn: str) -> str:
    return make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


ONE_CLIENT_LIMITS = {
    "GATEWAY_RATE_LIMIT_PER_IP": "1000000000",
    "GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "1000000000",
    "GATEWAY_LOGIN_RATE_LIMIT_PER_IP": "1000000",
    "GATEWAY_OTP_PER_IP_HOUR": "1000000",
    # Members registered by staff sign in by SMS code to bind WeChat, and may sign in again at once.
    "GATEWAY_OTP_RESEND_SECONDS": "0",
    "GATEWAY_OTP_PER_PHONE_HOUR": "1000",
    # Staff sign in once per run (argon2 is slow on purpose): their tokens outlive a long run.
    "GATEWAY_ACCESS_TOKEN_TTL_SECONDS": "7200",
}
"""The gateway's limits lifted for a load that comes from this one address through a few principals:
the e2e suite, the soak, the benchmarks and ``make up BULK=1`` for ``make demo-2014``. The limits
themselves have their own tests in the gateway; production keeps them."""


def _environment(
    infra: Infra, state: Path, databases: dict[str, str], *, bulk_load: bool = False
) -> dict[str, str]:
    env = {**os.environ, **infra.env(), **_keys(state)}
    if bulk_load:
        for name, value in ONE_CLIENT_LIMITS.items():
            env.setdefault(name, value)
    # Locally, merchants' webhook receivers run on this machine: allow loopback (production allows no
    # private network; cloud metadata addresses are refused even here).
    env.setdefault("MERCHANT_WEBHOOK_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]')
    env.setdefault("GATEWAY_SEED_DEMO_STAFF", "true")  # the demo staff accounts of the README (idempotent)
    # The demo loader signs in hundreds of members from this one address: per-address limits of a
    # developer's machine, not production's (per-principal limits stay as configured).
    env.setdefault("GATEWAY_LOGIN_RATE_LIMIT_PER_IP", "600")
    env.setdefault("GATEWAY_RATE_LIMIT_PER_IP", "20000")
    # Each demo member texts one code (to bind WeChat after ops registered them) from this address.
    env.setdefault("GATEWAY_OTP_PER_IP_HOUR", "100000")
    # The front ends are served by this gateway: WeChat comes back to it, JS-SDK pages live on it, and a
    # manager's invite QR opens its join page.
    gateway = next(service for service in SERVICES if service.name == "gateway")
    origins = [
        gateway.url,
        f"http://localhost:{gateway.port}",
        "http://127.0.0.1:5173",
        "http://localhost:5173",
    ]
    env.setdefault("GATEWAY_PUBLIC_BASE_URLS", json.dumps(origins))  # 5173: `make web-dev`
    env.setdefault("MEMBER_REGISTRATION_URL", f"{gateway.url}/h5/join")
    env.setdefault("NOTIFY_PUBLIC_BASE_URL", gateway.url)  # the links in WeChat messages and texts
    env.setdefault("NOTIFY_INVITATION_UNSUBSCRIBE_URL", f"{gateway.url}/h5/unsubscribe")
    for service in SERVICES:
        env.setdefault(f"{service.env_prefix}URL", service.url)
    env.update(databases)  # each service as its runtime role, on its own database
    return env


def _spawn(name: str, command: list[str], env: dict[str, str], state: Path) -> subprocess.Popen[bytes]:
    """A child in its own session, logging to ``state/logs/<name>.log``, its pid in ``state/run``."""
    logs, run = state / "logs", state / "run"
    logs.mkdir(parents=True, exist_ok=True)
    run.mkdir(parents=True, exist_ok=True)
    log = (logs / f"{name}.log").open("ab")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (run / f"{name}.pid").write_text(str(process.pid))
    return process


def _start_service(service: Service, env: dict[str, str], state: Path) -> subprocess.Popen[bytes]:
    """One uvicorn for the service; ``CHEYOU_SERVICE_WORKERS`` worker processes under it (default 1; the
    benchmarks run 2 where Kubernetes would run two one-CPU replicas)."""
    command = [
        sys.executable, "-m", "uvicorn", f"{service.module}.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(service.port),
        "--workers", env.get("CHEYOU_SERVICE_WORKERS", "1"),
        "--no-access-log", "--timeout-graceful-shutdown", "20",
        # As in the image: idle connections kept longer than any client keeps them (see the Dockerfile).
        "--timeout-keep-alive", "75",
    ]  # fmt: skip
    return _spawn(service.name, command, env, state)


def _start_fakes(env: dict[str, str], state: Path) -> None:
    """The fake WeChat, SMS and WeChat Pay providers, for whichever the environment does not name."""
    for fake in FAKES:
        if env.get(fake.url_setting):
            continue
        command = [sys.executable, "-m", "cheyou_fakes", fake.name, "--port", str(fake.port)]
        if fake.name == "wechatpay":
            # The merchant's keys and the fake's platform key, generated here on the first start.
            command += ["--keys", str(state / "keys" / "wechatpay")]
            env.setdefault("WECHATPAY_NOTIFY_RETRY_SCALE", "0.02")  # WeChat Pay's 15 s back-off → 0.3 s
        _spawn(f"fake-{fake.name}", command, env, state)
        env[fake.url_setting] = fake.url
        _wait_listening(fake.port)
        if fake.name == "sms":
            env.setdefault("NOTIFY_SMS_RECEIPT_TOKEN", secrets.token_urlsafe(16))
        if fake.name == "wechatpay":
            env.update(_wechatpay_settings(state / "keys" / "wechatpay"))


def _wechatpay_settings(keys: Path) -> dict[str, str]:
    """privilege-svc's WeChat Pay settings for the keys the fake generated (``credentials.json``), and the
    notification URL: the gateway's public route, as WeChat Pay reaches it."""
    credentials = json.loads((keys / "credentials.json").read_text())
    gateway = next(service for service in SERVICES if service.name == "gateway")
    return {
        "PRIVILEGE_WECHATPAY_MCHID": credentials["mchid"],
        "PRIVILEGE_WECHATPAY_APPID": credentials["appid"],
        "PRIVILEGE_WECHATPAY_MERCHANT_SERIAL": credentials["merchant_serial"],
        "PRIVILEGE_WECHATPAY_MERCHANT_PRIVATE_KEY_FILE": credentials["merchant_private_key_file"],
        "PRIVILEGE_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE": credentials["platform_public_key_file"],
        "PRIVILEGE_WECHATPAY_PLATFORM_KEY_SERIAL": credentials["platform_key_serial"],
        "PRIVILEGE_WECHATPAY_APIV3_KEY": Path(credentials["apiv3_key_file"]).read_text().strip(),
        "PRIVILEGE_WECHATPAY_NOTIFY_URL": f"{gateway.url}/api/v1/payments/wechatpay/notifications",
    }


def _connect_fakes(env: dict[str, str]) -> None:
    """Tell the fake SMS provider where to push delivery receipts and upstream replies (notify-svc's
    callbacks), as an operator configures it in the real provider's console."""
    sms = next(fake for fake in FAKES if fake.name == "sms")
    if env.get(sms.url_setting) != sms.url:
        return  # a provider we did not start
    notify = next(service for service in SERVICES if service.name == "notify-svc")
    callback = f"{notify.url}/api/v1/sms-receipts"  # the token goes in a header, never in the URL
    headers = {"X-Receipt-Token": env["NOTIFY_SMS_RECEIPT_TOKEN"]}
    httpx.post(
        f"{sms.url}/_fake/receipt-url", json={"url": callback, "headers": headers}, timeout=5
    ).raise_for_status()
    # Upstream replies (a TD to opt out) go to notify-svc too, with the same token.
    httpx.post(
        f"{sms.url}/_fake/reply-url",
        json={"url": f"{notify.url}/api/v1/sms-replies", "headers": headers},
        timeout=5,
    ).raise_for_status()


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s (see .dev/logs/)")


def _wait_ready(services: tuple[Service, ...], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(services)
    with httpx.Client(timeout=2.0) as client:
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                try:
                    if client.get(f"{service.url}/readyz").status_code == 200:
                        pending.remove(service)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
    if pending:
        names = ", ".join(s.name for s in pending)
        raise SystemExit(f"not ready after {timeout:.0f}s: {names} (see .dev/logs/)")


def stop_services(state: Path) -> None:
    """SIGTERM every service recorded in ``state/run`` (SIGKILL after 25 s), leaving the infrastructure."""
    run = state / "run"
    pids = {}
    for pid_file in sorted(run.glob("*.pid")) if run.exists() else []:
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
            pids[pid] = pid_file
        except ProcessLookupError:
            pid_file.unlink()
    deadline = time.monotonic() + 25
    while pids and time.monotonic() < deadline:
        for pid, pid_file in list(pids.items()):
            try:
                # A service started by this very process (tests run the launcher in-process) stays a
                # zombie until reaped, and a zombie answers kill(0) until the SIGKILL 25 s later.
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                os.kill(pid, 0)
            except ProcessLookupError:
                pid_file.unlink(missing_ok=True)
                del pids[pid]
        time.sleep(0.2)
    for pid, pid_file in pids.items():
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink(missing_ok=True)


def start_platform(state: Path = STATE, *, bulk_load: bool = False) -> Infra:
    started = time.monotonic()
    infra = _infra_manager(state).start()
    typer.echo(
        f"infrastructure: postgres {infra.postgres_dsn} · redis {infra.redis_url} · "
        f"{infra.broker} at {infra.kafka_bootstrap}"
    )
    databases = asyncio.run(_prepare(infra, SERVICES, state))
    env = _environment(infra, state, databases, bulk_load=bulk_load)
    stop_services(state)
    _start_fakes(env, state)
    for service in SERVICES:
        _start_service(service, env, state)
    _wait_ready(SERVICES)
    _connect_fakes(env)
    typer.echo(f"ready in {time.monotonic() - started:.1f}s")
    for service in SERVICES:
        typer.echo(f"  {service.name:<14} {service.url}   (docs {service.url}/docs)")
    for fake in FAKES:
        typer.echo(f"  {'fake ' + fake.name:<14} {env[fake.url_setting]}")
    return infra


@app.command()
def up(
    bulk_load: Annotated[
        bool,
        typer.Option(
            "--bulk-load",
            help="lift the gateway's per-address and per-principal limits for a load from this machine "
            "(make demo-2014)",
        ),
    ] = False,
) -> None:
    """Start the platform in the background; return once every /readyz answers 200."""
    start_platform(bulk_load=bulk_load)
    typer.echo("logs in .dev/logs/ · stop with `make down`")


def stop_platform(state: Path = STATE) -> None:
    """What ``make down`` does: stop the services, then the infrastructure recorded under ``state``."""
    stop_services(state)
    _infra_manager(state).stop()


def running_broker(state: Path = STATE) -> components.Service:
    """The broker the launcher runs for ``state``, for fault injection: ``kill()`` then ``start()``
    crashes it and starts it again on the same port (Tansu comes back empty)."""
    broker = _infra_manager(state).kafka
    broker.start()  # reuses the running broker and so learns its port, which a restart keeps
    return broker


@app.command()
def down() -> None:
    """Stop the services, then the infrastructure this launcher started."""
    stop_platform()
    typer.echo("stopped")


def _load_demo_once(state: Path = STATE) -> None:
    """The first `make dev` loads the seed's 2014 world at ``CHEYOU_DEMO_SCALE`` (1 %) in the background.

    The loader drops a marker when it is done, so later starts skip it; 0 turns it off.
    """
    scale = os.environ.get("CHEYOU_DEMO_SCALE", "0.01")
    marker = state / "demo-loaded.json"
    if float(scale) <= 0 or marker.exists():
        return
    gateway = next(s for s in SERVICES if s.name == "gateway")
    wechat = next(f for f in FAKES if f.name == "wechat")
    command = [sys.executable, "-m", "cheyou_demo", "--scale", scale, "--once", str(marker)]
    command += ["--gateway", gateway.url, "--wechat", wechat.url]
    _spawn("demo", command, dict(os.environ), state)
    typer.echo(f"loading the demo world (scale {scale}) in the background: .dev/logs/demo.log")


@app.command()
def dev() -> None:
    """Run the platform in the foreground, following the services' logs; Ctrl-C stops everything."""
    start_platform()
    _load_demo_once()
    typer.echo("following logs; Ctrl-C stops the platform")
    logs = [STATE / "logs" / f"{name}.log" for name in [*(s.name for s in SERVICES), "demo"]]
    tail = subprocess.Popen(["tail", "-n", "0", "-F", *map(str, logs)])
    stop = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop:
        time.sleep(0.2)
    tail.terminate()
    typer.echo("\nstopping…")
    down()


@app.command()
def status() -> None:
    """Show each service's readiness."""
    with httpx.Client(timeout=2.0) as client:
        for service in SERVICES:
            try:
                answer = client.get(f"{service.url}/readyz").json()
            except httpx.HTTPError as exc:
                answer = f"down ({type(exc).__name__})"
            typer.echo(f"{service.name:<14} {service.url}  {answer}")


@app.command("test", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_tests(
    ctx: typer.Context, keep: Annotated[bool, typer.Option(help="leave test infra running")] = False
) -> None:
    """Start test infrastructure once (free ports, its own state), run pytest on every package, stop it."""
    manager = _infra_manager(STATE, test=True, detach=keep)
    infra = manager.start()
    typer.echo(
        f"test infrastructure: {infra.broker} at {infra.kafka_bootstrap}, postgres {infra.postgres_dsn}"
    )
    env = {**os.environ, **infra.env()}
    try:
        code = subprocess.call([sys.executable, "-m", "pytest", *ctx.args], cwd=ROOT, env=env)
    finally:
        if not keep:
            manager.stop()
            shutil.rmtree(manager.state_dir, ignore_errors=True)
    raise typer.Exit(code)


if __name__ == "__main__":
    app()

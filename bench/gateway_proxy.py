"""Requests/s and latency through the gateway vs straight to the service, side by side in one run.

    python bench/gateway_proxy.py [--seconds 8] [--concurrency 1,32]

Three targets, the same load generator (wrk, keep-alive, N connections; ``apt-get install wrk``), the same
upstream (a minimal FastAPI app answering ``GET /api/v1/bench/ping`` with a small JSON body, one uvicorn
process):
- direct: client → upstream;
- gateway bare: client → gateway → upstream, the segment public (no credentials) and rate limits off:
  routing, forwarding, body and header handling, security headers;
- gateway full: a staff access token, per-address and per-principal rate limits and the revocation check
  in Redis, the internal identity token signed per request.
Each runs as its own uvicorn process (one worker); all run at once and take the load in turn, in short
interleaved rounds, so background load on the machine falls on all three alike. Uses
POSTGRES_DSN / REDIS_URL / KAFKA_BOOTSTRAP_SERVERS when set; otherwise starts them through cheyou_devinfra.
Per target also the CPU milliseconds per request of its process (the upstream for "direct", the gateway
for the others; ``/proc`` deltas): the gateway's own cost of a forwarded request, target ≤ 1 ms.
Figures go to their section of bench/results/gateway.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import wrk_harness
from harness import free_port, machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "gateway.md"
PATH = "/api/v1/bench/ping"
ROUNDS = 4


def upstream_app() -> object:
    from cheyou_kit.auth import publish_audiences
    from fastapi import FastAPI

    app = FastAPI(title="bench-upstream")

    @app.get(PATH)
    async def ping() -> dict[str, object]:
        return {"ok": True, "items": [{"id": i, "name": "洗车"} for i in range(5)]}

    # As every service does: the gateway learns from the OpenAPI document who may reach the segment, and
    # forwards nobody's request to a segment that names no roles (the "full" gateway's staff included).
    publish_audiences(app, {})
    return app


def _wait(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *args, "--no-access-log", "--log-level", "warning"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Result:
    target: str
    concurrency: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float | None = None
    load: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


async def load(
    name: str, url: str, headers: dict[str, str], concurrency: int, seconds: float, pids: tuple[int, ...] = ()
) -> Result:
    """One round of wrk (keep-alive, ``concurrency`` connections) against ``url``; ``pids``: the gateway
    process whose CPU milliseconds per request are recorded (``/proc`` deltas)."""
    before = wrk_harness.cpu_seconds([q for pid in pids for q in wrk_harness.descendants(pid)])
    run = wrk_harness.wrk(url, connections=concurrency, seconds=seconds, headers=headers)
    used = wrk_harness.cpu_seconds([q for pid in pids for q in wrk_harness.descendants(pid)]) - before
    result = Result(name, concurrency, run.requests, run.seconds, run.p50_ms, run.p99_ms, run.errors)
    result.cpu_ms = used * 1000 / max(1, run.requests) if pids else None
    result.load = wrk_harness.load_average()
    return result


async def _prepare(postgres_dsn: str, kafka: str) -> str:
    from cheyou_devinfra import ensure_database, ensure_topics
    from cheyou_events.topics import TOPICS
    from cheyou_kit.migrations import upgrade
    from sqlalchemy.engine import make_url

    await ensure_topics(kafka, dict(TOPICS))
    dsn = await ensure_database(postgres_dsn, "gateway_bench")
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    await upgrade(ROOT / "services" / "gateway", url)
    return url


def run(seconds: float, concurrencies: list[int]) -> list[Result]:
    from cheyou_kit.identity import generate_keypair

    work = Path(tempfile.mkdtemp(prefix="cheyou-bench-gateway-"))
    work.chmod(0o755)
    manager = None
    if (
        os.environ.get("POSTGRES_DSN")
        and os.environ.get("REDIS_URL")
        and os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    ):
        infra_env = {k: os.environ[k] for k in ("POSTGRES_DSN", "REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS")}
        infra_env["KAFKA_BROKER_KIND"] = os.environ.get("KAFKA_BROKER_KIND", "external")
    else:
        from cheyou_devinfra import InfraManager

        manager = InfraManager(work / "infra", postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        infra_env = manager.start().env()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        database_url = asyncio.run(_prepare(infra_env["POSTGRES_DSN"], infra_env["KAFKA_BOOTSTRAP_SERVERS"]))
        private, public = generate_keypair(work / "keys")
        upstream_port, closed_port = free_port(), free_port()
        env = {
            **os.environ,
            **infra_env,
            "PYTHONPATH": str(ROOT / "bench"),
            "LOG_LEVEL": "WARNING",
            "LOG_JSON": "false",
            "OTEL_ENABLED": "false",
            "INTERNAL_TOKEN_PRIVATE_KEY_FILE": str(private),
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public),
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_CONSUMERS_ENABLED": "false",
            "GATEWAY_ACCESS_TOKEN_SECRET": "bench-only-access-token-key-0123456789abcdef",
            "GATEWAY_SEED_DEMO_STAFF": "true",
            "GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "1000000000",
            "GATEWAY_RATE_LIMIT_PER_IP": "1000000000",
            "MEMBER_URL": f"http://127.0.0.1:{upstream_port}",
            **{
                f"{name}_URL": f"http://127.0.0.1:{closed_port}"
                for name in ("PRIVILEGE", "MERCHANT", "CLAIMS", "NOTIFY")
            },
        }
        upstream = _spawn(
            ["gateway_proxy:upstream_app", "--factory", "--port", str(upstream_port)],
            env,
            work / "upstream.log",
        )
        processes.append(upstream)
        upstream_url = f"http://127.0.0.1:{upstream_port}"
        _wait(upstream_url + PATH)
        gateway_pids: dict[str, tuple[int, ...]] = {"direct": (upstream.pid,)}
        gateways = {
            "gateway bare": {"GATEWAY_PUBLIC_SEGMENTS": '["bench"]', "GATEWAY_RATE_LIMITS_ENABLED": "false"},
            "gateway full": {},
        }
        targets: dict[str, tuple[str, dict[str, str]]] = {"direct": (upstream_url, {})}
        for name, overrides in gateways.items():
            port = free_port()
            processes.append(
                _spawn(
                    ["gateway.main:create_app", "--factory", "--port", str(port)],
                    {**env, **overrides},
                    work / f"{name.replace(' ', '-')}.log",
                )
            )
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/readyz")
            targets[name] = (base, {})
            gateway_pids[name] = (processes[-1].pid,)
        full_base = targets["gateway full"][0]
        answer = httpx.post(
            f"{full_base}/api/v1/auth/staff/login", json={"username": "ops1", "password": "cheyou-demo-2026"}
        ).json()
        targets["gateway full"] = (full_base, {"Authorization": f"Bearer {answer['access_token']}"})
        # Every target runs all the time; the load goes to one at a time, in short interleaved rounds, so
        # that whatever else the machine does falls on all three alike.
        results: list[Result] = []
        for concurrency in concurrencies:
            rounds: dict[str, list[Result]] = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name, (base, headers) in targets.items():
                    rounds[name].append(
                        asyncio.run(
                            load(
                                name, base + PATH, headers, concurrency, seconds / ROUNDS, gateway_pids[name]
                            )
                        )
                    )
            for name, parts in rounds.items():
                result = Result(
                    name,
                    concurrency,
                    sum(p.requests for p in parts),
                    sum(p.seconds for p in parts),
                    statistics.median(p.p50_ms for p in parts),
                    statistics.median(p.p99_ms for p in parts),
                    sum(p.errors for p in parts),
                    sum(p.cpu_ms or 0.0 for p in parts) / len(parts),
                    max(p.load for p in parts),
                )
                print(  # noqa: T201
                    f"{name:<14} c={concurrency:<3} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                    f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
                )
                results.append(result)
        return results
    finally:
        for process in processes:
            _stop(process)
        if manager is not None:
            manager.stop()
        shutil.rmtree(work, ignore_errors=True)


def report(results: list[Result], seconds: float) -> str:
    by = {(r.target, r.concurrency): r for r in results}
    lines = [
        "# Gateway: through the gateway vs straight to the service (`bench/gateway_proxy.py`)",
        "",
        f"**Date** {time.strftime('%Y-%m-%d')}. **Machine** {machine()}. The load "
        "generator, the upstream, both gateways (one uvicorn worker each) and Redis share these cores.",
        "",
        f"**Reproduce**: `.venv/bin/python bench/gateway_proxy.py --seconds {seconds:g}`. Load: wrk "
        "(`apt-get install wrk`), keep-alive, N connections; the three targets run side by side and take "
        "the load in turn, "
        f"{ROUNDS} interleaved rounds each (p50/p99: median over the rounds). Upstream: a minimal "
        "FastAPI app (`GET /api/v1/bench/ping`, 5 small items).",
        "",
        "| target | concurrency | req/s | p50 | p99 | errors | CPU ms/req (its process) | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.target} | {r.concurrency} | {r.rps:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms "
        f"| {r.errors} | {r.cpu_ms or 0:.2f} | {r.load:.1f} |"
        for r in results
    ]
    load1, load5, _ = os.getloadavg()
    lines += [
        "",
        f"Load average when the run ended: {load1:.1f} (1 min), {load5:.1f} (5 min) on {os.cpu_count()} "
        "cores; "
        "anything above the core count means other work shared the machine and every figure is lower than "
        "an idle machine would give (the interleaving keeps the ratios comparable).",
        "",
        "**Against the targets**",
        "",
    ]
    concurrencies = sorted({r.concurrency for r in results})
    for c in concurrencies:
        direct, bare, full = by.get(("direct", c)), by.get(("gateway bare", c)), by.get(("gateway full", c))
        if direct and bare and full:
            lines.append(
                f"- c={c}: bare gateway {bare.rps / direct.rps:.0%} of direct (target ≥ 40%); full gateway "
                f"{full.rps / bare.rps:.0%} of bare (target ≥ 70%); added p50 bare "
                f"{bare.p50_ms - direct.p50_ms:+.2f} ms, full {full.p50_ms - direct.p50_ms:+.2f} ms "
                "(target ≤ 2 ms at low concurrency)."
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--quick", action="store_true", help="4 s per target, c=16 only")
    args = parser.parse_args()
    concurrencies = [16] if args.quick else [int(c) for c in args.concurrency.split(",")]
    if args.quick:
        args.seconds = 4.0
    results = run(args.seconds, concurrencies)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = report(results, args.seconds)
    wrk_harness.write_result(
        "gateway", "Forwarding to a trivial upstream (gateway_proxy.py)", text.splitlines()[2:]
    )
    print(text)  # noqa: T201


if __name__ == "__main__":
    main()

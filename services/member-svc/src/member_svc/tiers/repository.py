from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.members.models import Member
from member_svc.tiers.models import DowngradeNotice, EvaluationRun, TierChange, TierFloor, TierRules

RUNS_CHANNEL = "tier_evaluation_runs"
"""NOTIFYed when a run is started or resumed: the evaluation job of every replica wakes."""

TIERS = ("prospective", "ordinary", "three_star", "four_star", "five_star")
_TIER_ARRAY = "ARRAY['prospective','ordinary','three_star','four_star','five_star']"

_TODAY = "CAST(:today AS date)"  # asyncpg cannot tell `date - date` from `date - integer` otherwise

# The contribution and the tier each member should have, computed from the policy projection; shared by
# the chunked evaluation and the set-based lower bound in the benchmark.
_DECIDED = f"""
target AS (
  SELECT m.id, m.tier AS old_tier, m.contribution_fen AS old_contribution, m.downgrade_due_on,
         array_position({_TIER_ARRAY}, m.tier) - 1 AS old_rank,
         CASE WHEN m.tier_floor IS NOT NULL
                   AND (m.tier_floor_expires_on IS NULL OR m.tier_floor_expires_on >= :today)
              THEN array_position({_TIER_ARRAY}, m.tier_floor) - 1 ELSE 0 END AS floor_rank,
         COALESCE(s.has_active, false) AS has_active,
         GREATEST(0, FLOOR(
             COALESCE(s.premium, 0) * :premium_weight
             + LEAST(COALESCE(s.years, 0), :max_years) * :per_year
             + GREATEST(COALESCE(s.lines, 0) - 1, 0) * :per_line
             + LEAST(COALESCE(s.renewals, 0), :max_renewals) * :per_renewal
             - COALESCE(c.claims, 0) * :per_claim
         ))::bigint AS contribution
  FROM members m
  LEFT JOIN LATERAL (
    SELECT bool_or(p.status = 'active' AND p.ends_on >= :today) AS has_active,
           SUM(p.premium_fen) FILTER (WHERE p.status = 'active' AND p.ends_on >= :today) AS premium,
           (:today - MIN(p.starts_on)) / 365 AS years,
           COUNT(DISTINCT p.line) FILTER (WHERE p.status = 'active' AND p.ends_on >= :today) AS lines,
           COUNT(*) FILTER (WHERE p.previous_policy_no IS NOT NULL) AS renewals
    FROM policies p WHERE p.member_id = m.id
  ) s ON true
  LEFT JOIN LATERAL (
    SELECT COUNT(*) AS claims FROM settled_claims sc
    WHERE sc.member_id = m.id AND sc.settled_at >= :claims_since
  ) c ON true
  WHERE m.status = 'verified' AND {{selection}}
),
ranked AS (
  SELECT t.*, GREATEST(
    CASE WHEN NOT t.has_active THEN 0
         WHEN t.contribution >= :five THEN 4 WHEN t.contribution >= :four THEN 3
         WHEN t.contribution >= :three THEN 2 ELSE 1 END,
    t.floor_rank) AS new_rank
  FROM target t
),
decided AS (
  SELECT r.id, r.old_tier, r.contribution, r.new_rank, r.has_active,
    CASE WHEN r.new_rank > r.old_rank THEN r.new_rank
         WHEN r.new_rank < r.old_rank AND :apply_downgrades AND r.downgrade_due_on <= :today THEN r.new_rank
         ELSE r.old_rank END AS applied_rank,
    CASE WHEN r.new_rank >= r.old_rank THEN NULL
         WHEN :apply_downgrades AND r.downgrade_due_on <= :today THEN NULL
         ELSE COALESCE(r.downgrade_due_on, CAST(:grace_until AS date)) END AS due_on,
    r.old_contribution, r.downgrade_due_on AS old_due
  FROM ranked r
)"""

_EVALUATE = f"""
WITH {_DECIDED},
changed AS (
  UPDATE members m
  SET tier = ({_TIER_ARRAY})[d.applied_rank + 1], downgrade_due_on = d.due_on,
      contribution_fen = d.contribution
  FROM decided d
  WHERE m.id = d.id
    AND (({_TIER_ARRAY})[d.applied_rank + 1] <> d.old_tier
         OR d.due_on IS DISTINCT FROM d.old_due OR d.contribution <> d.old_contribution)
  RETURNING m.id, d.old_tier, m.tier, m.contribution_fen, d.due_on, d.old_due, d.new_rank, d.has_active
),
history AS (
  INSERT INTO tier_history (member_id, from_tier, to_tier, contribution_fen, reason, rules_version,
                            effective_on, changed_by, changed_at)
  SELECT id, old_tier, tier, contribution_fen, :reason, :version, :today, :changed_by, :now
  FROM changed WHERE tier <> old_tier
  RETURNING member_id, from_tier, to_tier, contribution_fen
),
-- A lower tier newly waiting for its grace period: recorded, so the member can be warned before it.
notices AS (
  INSERT INTO tier_downgrade_notices (member_id, from_tier, to_tier, contribution_fen,
                                      contribution_needed_fen, effective_on, rules_version, scheduled_at)
  SELECT id, tier, ({_TIER_ARRAY})[new_rank + 1], contribution_fen,
         CASE WHEN has_active THEN GREATEST(0, CASE tier WHEN 'three_star' THEN :three
              WHEN 'four_star' THEN :four WHEN 'five_star' THEN :five END - contribution_fen) END,
         due_on, :version, :now
  FROM changed WHERE due_on IS NOT NULL AND old_due IS NULL
  RETURNING member_id, from_tier, to_tier, contribution_fen, contribution_needed_fen, effective_on
)
SELECT 'changed', member_id, from_tier, to_tier, contribution_fen, NULL::bigint, NULL::date FROM history
UNION ALL
SELECT 'scheduled', member_id, from_tier, to_tier, contribution_fen, contribution_needed_fen, effective_on
FROM notices
""".replace(":today", _TODAY)

# The benchmark's lower bound: the same decision for every verified member in one UPDATE, with no
# chunks, history or events.
SET_BASED_UPDATE = f"""
WITH {_DECIDED.replace("{selection}", "true")}
UPDATE members m
SET tier = ({_TIER_ARRAY})[d.applied_rank + 1], downgrade_due_on = d.due_on,
    contribution_fen = d.contribution
FROM decided d
WHERE m.id = d.id
  AND (({_TIER_ARRAY})[d.applied_rank + 1] <> d.old_tier
       OR d.due_on IS DISTINCT FROM d.old_due OR d.contribution <> d.old_contribution)
""".replace(":today", _TODAY)


# The dry run: the same decision for a keyset range of members, counted by (tier now, tier the rules
# decide) with nothing written; ``waiting`` are the lower tiers that would first wait for the grace period.
_MOVES = f"""
WITH {_DECIDED}
SELECT d.old_tier, ({_TIER_ARRAY})[d.new_rank + 1] AS to_tier, COUNT(*) AS members,
       COUNT(*) FILTER (WHERE d.due_on IS NOT NULL) AS waiting
FROM decided d
GROUP BY 1, 2
""".replace(":today", _TODAY)


@dataclass(frozen=True)
class Change:
    member_id: uuid.UUID
    from_tier: str
    to_tier: str
    contribution_fen: int


@dataclass(frozen=True)
class ScheduledDowngrade:
    member_id: uuid.UUID
    from_tier: str
    to_tier: str
    contribution_fen: int
    contribution_needed_fen: int | None
    effective_on: date


@dataclass(frozen=True)
class Outcome:
    """What an evaluation did: tier changes (in the history) and newly scheduled downgrades (noticed)."""

    changes: list[Change]
    scheduled: list[ScheduledDowngrade]

    @classmethod
    def of(cls, rows: Sequence[Any]) -> Outcome:
        return cls(
            changes=[Change(*row[1:5]) for row in rows if row[0] == "changed"],
            scheduled=[ScheduledDowngrade(*row[1:]) for row in rows if row[0] == "scheduled"],
        )


def rule_parameters(rules: dict[str, Any], today: date, *, apply_downgrades: bool) -> dict[str, Any]:
    thresholds = rules["thresholds_fen"]
    return {
        "today": today,
        "premium_weight": float(rules["premium_weight"]),
        "per_year": int(rules["per_year_fen"]),
        "max_years": int(rules["max_years"]),
        "per_line": int(rules["per_extra_line_fen"]),
        "per_renewal": int(rules["per_renewal_fen"]),
        "max_renewals": int(rules["max_renewals"]),
        "per_claim": int(rules["per_claim_fen"]),
        "claims_since": datetime.combine(
            today - timedelta(days=int(rules["claims_window_days"])), time.min, UTC
        ),
        "three": int(thresholds["three_star"]),
        "four": int(thresholds["four_star"]),
        "five": int(thresholds["five_star"]),
        "grace_until": today + timedelta(days=int(rules["grace_days"])),
        "apply_downgrades": apply_downgrades,
    }


async def evaluate(
    session: AsyncSession,
    member_ids: Sequence[uuid.UUID],
    parameters: dict[str, Any],
    *,
    reason: str,
    version: int,
    changed_by: str | None,
    now: datetime,
) -> Outcome:
    """Recompute the given members in one statement (history and notices written by it too), after
    taking their row locks (see :func:`_lock`)."""
    if not member_ids:
        return Outcome([], [])
    await _lock(session, "m.id = ANY(:ids)", {"ids": list(member_ids)})
    statement = text(_EVALUATE.replace("{selection}", "m.id = ANY(:ids)"))
    result = await session.execute(
        statement,
        {
            **parameters,
            "ids": list(member_ids),
            "reason": reason,
            "version": version,
            "changed_by": changed_by,
            "now": now,
        },
    )
    return Outcome.of(result.all())


async def evaluate_range(
    session: AsyncSession,
    after: uuid.UUID | None,
    last: uuid.UUID,
    parameters: dict[str, Any],
    *,
    reason: str,
    version: int,
    now: datetime,
) -> Outcome:
    """``evaluate`` for the verified members with ``after < id <= last`` (a chunk of the batch job)."""
    selection = "m.id > :after AND m.id <= :last" if after is not None else "m.id <= :last"
    bounds: dict[str, Any] = {"last": last} if after is None else {"last": last, "after": after}
    await _lock(session, selection, bounds)
    values = {**parameters, **bounds, "reason": reason, "version": version, "changed_by": None, "now": now}
    result = await session.execute(text(_EVALUATE.replace("{selection}", selection)), values)
    return Outcome.of(result.all())


async def _lock(session: AsyncSession, selection: str, values: dict[str, Any]) -> None:
    """The members' row locks, in id order, in a statement of their own before the decision.

    The decision reads the policies and settled claims as of its statement's start. Two events of one
    member handled at once (a renewal on ``core.policy.events``, a settled claim on ``claims.events``)
    would each decide from a view without the other's row, and the later UPDATE — which waits for the
    first one's lock and then writes its own stale figures — would undo the first one's tier, with no
    history and no event (the soak on Tansu found exactly this). Locked first, the second waits here,
    and its decision's statement starts after the first committed, so it sees both."""
    await session.execute(
        text(f"SELECT m.id FROM members m WHERE {selection} ORDER BY m.id FOR UPDATE"), values
    )


@dataclass(frozen=True)
class Moves:
    """How many members of a chunk go from one tier to another (``waiting``: only after the grace)."""

    from_tier: str
    to_tier: str
    members: int
    waiting: int


async def moves_in_range(
    session: AsyncSession, after: uuid.UUID | None, last: uuid.UUID, parameters: dict[str, Any]
) -> list[Moves]:
    """What ``evaluate_range`` would decide for the verified members with ``after < id <= last``, counted
    by (tier now, tier decided); a read only."""
    selection = "m.id > :after AND m.id <= :last" if after is not None else "m.id <= :last"
    values: dict[str, Any] = {"last": last} if after is None else {"last": last, "after": after}
    result = await session.execute(text(_MOVES.replace("{selection}", selection)), {**parameters, **values})
    return [Moves(str(row[0]), str(row[1]), int(row[2]), int(row[3])) for row in result.all()]


async def current_rules(session: AsyncSession) -> TierRules:
    rules = await session.scalar(select(TierRules).order_by(TierRules.version.desc()).limit(1))
    assert rules is not None, "migration 0003 seeds version 1"
    return rules


async def rules_versions(session: AsyncSession) -> Sequence[TierRules]:
    return (await session.scalars(select(TierRules).order_by(TierRules.version.desc()))).all()


async def add_rules(session: AsyncSession, rules: dict[str, Any], note: str, created_by: str) -> TierRules:
    version = int(await session.scalar(select(func.coalesce(func.max(TierRules.version), 0))) or 0) + 1
    row = TierRules(version=version, rules=rules, note=note, created_by=created_by)
    session.add(row)
    await session.flush()
    return row


async def history(session: AsyncSession, member_id: uuid.UUID) -> Sequence[TierChange]:
    result = await session.scalars(
        select(TierChange).where(TierChange.member_id == member_id).order_by(TierChange.id.desc())
    )
    return result.all()


async def latest_notice(session: AsyncSession, member_id: uuid.UUID) -> DowngradeNotice | None:
    statement = (
        select(DowngradeNotice)
        .where(DowngradeNotice.member_id == member_id)
        .order_by(DowngradeNotice.id.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).one_or_none()


async def add_history(session: AsyncSession, change: TierChange) -> None:
    session.add(change)
    await session.flush()


async def add_floor(session: AsyncSession, floor: TierFloor) -> None:
    session.add(floor)
    await session.flush()


async def next_chunk(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> tuple[uuid.UUID | None, int]:
    """The last id and the size of the next chunk of verified members after ``after`` (keyset order)."""
    ids = select(Member.id).where(Member.status == "verified").order_by(Member.id).limit(limit)
    if after is not None:
        ids = ids.where(Member.id > after)
    chunk = ids.subquery()
    statement = select(chunk.c.id, func.count().over()).order_by(chunk.c.id.desc()).limit(1)
    row = (await session.execute(statement)).one_or_none()
    return (None, 0) if row is None else (row[0], int(row[1]))


async def count_verified(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).where(Member.status == "verified")) or 0)


async def add_run(session: AsyncSession, run: EvaluationRun) -> None:
    session.add(run)
    await session.flush()


async def get_run(
    session: AsyncSession, run_id: uuid.UUID, *, for_update: bool = False
) -> EvaluationRun | None:
    statement = select(EvaluationRun).where(EvaluationRun.id == run_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def next_running_run(session: AsyncSession) -> EvaluationRun | None:
    """The oldest running run that no other worker holds, locked (``SKIP LOCKED``): replicas share the runs,
    never a chunk."""
    statement = (
        select(EvaluationRun)
        .where(EvaluationRun.status == "running")
        .order_by(EvaluationRun.started_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def announce_runs(session: AsyncSession) -> None:
    """Wake the evaluation jobs once this transaction commits."""
    await session.execute(select(func.pg_notify(RUNS_CHANNEL, "")))


async def runs(session: AsyncSession, limit: int) -> Sequence[EvaluationRun]:
    return (
        await session.scalars(select(EvaluationRun).order_by(EvaluationRun.started_at.desc()).limit(limit))
    ).all()


async def advance_run(
    session: AsyncSession,
    run_id: uuid.UUID,
    last_member_id: uuid.UUID,
    processed: int,
    changed: int,
    now: datetime,
) -> None:
    await session.execute(
        update(EvaluationRun)
        .where(EvaluationRun.id == run_id)
        .values(
            last_member_id=last_member_id,
            processed=EvaluationRun.processed + processed,
            changed=EvaluationRun.changed + changed,
            updated_at=now,
        )
    )


async def finish_run(session: AsyncSession, run_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(EvaluationRun)
        .where(EvaluationRun.id == run_id)
        .values(status="done", finished_at=now, updated_at=now)
    )

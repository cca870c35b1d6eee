"""The tier engine: upgrades at once, downgrades only at an evaluation after the grace period, never
below a manual floor; every change goes to the tier history and out as ``member.tier_changed``, and
every downgrade it schedules is recorded and announced (``member.tier_downgrade_scheduled``) so the
member is warned before it applies."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from cheyou_events.catalogue.member import TierChanged, TierDowngradeScheduled
from cheyou_kit.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.errors import InvalidField, WrongState
from member_svc.eventing import publish
from member_svc.members.models import Member
from member_svc.tiers import repository
from member_svc.tiers.models import DowngradeNotice, EvaluationRun, TierChange, TierFloor, TierRules
from member_svc.tiers.repository import RUNS_CHANNEL as RUNS_CHANNEL  # the evaluation job listens on it
from member_svc.tiers.repository import TIERS, Change, Outcome, ScheduledDowngrade
from member_svc.tiers.schemas import DryRunRead, FloorSet, RulesCreate, RulesDocument, RunCreate, TierMove

Reason = Literal[
    "policy_issued",
    "policy_renewed",
    "policy_cancelled",
    "policy_endorsed",
    "policy_lapsed",
    "claim_settled",
    "recalculation",
    "manual",
]


async def reevaluate(
    session: AsyncSession,
    member_ids: Sequence[uuid.UUID],
    *,
    reason: Reason,
    now: datetime,
    apply_downgrades: bool = False,
    changed_by: str | None = None,
    rules: TierRules | None = None,
) -> list[Change]:
    """Recompute these members' contribution and tier; a lower tier only starts the grace period unless
    this is the evaluation (``apply_downgrades``) and the grace period is over."""
    rules = rules or await repository.current_rules(session)
    today = now.date()
    parameters = repository.rule_parameters(rules.rules, today, apply_downgrades=apply_downgrades)
    outcome = await repository.evaluate(
        session, member_ids, parameters, reason=reason, version=rules.version, changed_by=changed_by, now=now
    )
    await _announce(session, outcome, reason, now)
    return outcome.changes


async def _announce(session: AsyncSession, outcome: Outcome, reason: Reason, now: datetime) -> None:
    await publish(
        session,
        *[_tier_changed(c, reason, now) for c in outcome.changes],
        *[_downgrade_scheduled(s, now) for s in outcome.scheduled],
    )


def _downgrade_scheduled(scheduled: ScheduledDowngrade, now: datetime) -> TierDowngradeScheduled:
    return TierDowngradeScheduled.model_validate(
        {
            "member_id": str(scheduled.member_id),
            "from_tier": scheduled.from_tier,
            "to_tier": scheduled.to_tier,
            "contribution_fen": scheduled.contribution_fen,
            "contribution_needed_fen": scheduled.contribution_needed_fen,
            "effective_on": scheduled.effective_on,
            "scheduled_at": now,
        }
    )


def _tier_changed(change: Change, reason: Reason, now: datetime) -> TierChanged:
    return TierChanged(
        member_id=str(change.member_id),
        from_tier=change.from_tier,
        to_tier=change.to_tier,
        contribution_fen=change.contribution_fen,
        reason=reason,
        changed_at=now,
        effective_on=now.date(),
    )


async def set_floor(
    session: AsyncSession, member: Member, data: FloorSet, by: str, now: datetime
) -> list[Change]:
    """A manual floor with a reason and an expiry; the member is lifted to it at once."""
    if member.status != "verified":
        raise WrongState("only a verified member has a tier")
    if data.expires_on <= now.date():
        raise InvalidField("expires_on", "must be in the future")
    member.tier_floor, member.tier_floor_expires_on = data.tier, data.expires_on
    await repository.add_floor(
        session,
        TierFloor(
            member_id=member.id, tier=data.tier, reason=data.reason, expires_on=data.expires_on, set_by=by
        ),
    )
    await session.flush()
    return await reevaluate(session, [member.id], reason="manual", now=now, changed_by=by)


async def lift_floor(session: AsyncSession, member: Member, reason: str, by: str, now: datetime) -> None:
    member.tier_floor, member.tier_floor_expires_on = None, None
    await repository.add_floor(session, TierFloor(member_id=member.id, tier=None, reason=reason, set_by=by))
    await session.flush()
    await reevaluate(session, [member.id], reason="manual", now=now, changed_by=by)


async def current_rules(session: AsyncSession) -> TierRules:
    """The rules in force (the newest version)."""
    return await repository.current_rules(session)


async def rules_versions(session: AsyncSession) -> Sequence[TierRules]:
    """Every version, newest first."""
    return await repository.rules_versions(session)


async def history(session: AsyncSession, member_id: uuid.UUID) -> Sequence[TierChange]:
    """The member's tier changes, newest first."""
    return await repository.history(session, member_id)


async def pending_downgrade(session: AsyncSession, member: Member) -> DowngradeNotice | None:
    """The notice of the downgrade the member is warned of, if one is due."""
    return await repository.latest_notice(session, member.id) if member.downgrade_due_on else None


async def add_rules(session: AsyncSession, data: RulesCreate, by: str) -> TierRules:
    """A new version; the old ones stay as the audit trail. Members move at their next evaluation."""
    return await repository.add_rules(session, data.rules.model_dump(mode="json"), data.note, by)


async def dry_run(
    session: AsyncSession, rules: RulesDocument, today: date, chunk_size: int = 5000
) -> DryRunRead:
    """How many members these rules would move from each tier to each other one if they were published
    and the evaluation ran today: the evaluation's own decision (floors hold, a lower tier applies at
    once only after its grace period), over keyset chunks of members, written nowhere."""
    current = await repository.current_rules(session)
    parameters = repository.rule_parameters(rules.model_dump(mode="json"), today, apply_downgrades=True)
    cells: dict[tuple[str, str], list[int]] = {}
    after: uuid.UUID | None = None
    while True:
        last, _ = await repository.next_chunk(session, after, chunk_size)
        if last is None:
            break
        for moves in await repository.moves_in_range(session, after, last, parameters):
            cell = cells.setdefault((moves.from_tier, moves.to_tier), [0, 0])
            cell[0] += moves.members
            cell[1] += moves.waiting
        after = last
    matrix = [
        TierMove.model_validate({"from_tier": f, "to_tier": t, "members": n, "after_grace": w})
        for (f, t), (n, w) in sorted(
            cells.items(), key=lambda c: (TIERS.index(c[0][0]), TIERS.index(c[0][1]))
        )
    ]
    rank = TIERS.index
    return DryRunRead(
        rules_version=current.version,
        evaluated_on=today,
        members=sum(m.members for m in matrix),
        upgrades=sum(m.members for m in matrix if rank(m.to_tier) > rank(m.from_tier)),
        downgrades=sum(m.members for m in matrix if rank(m.to_tier) < rank(m.from_tier)),
        downgrades_after_grace=sum(m.after_grace for m in matrix),
        unchanged=sum(m.members for m in matrix if m.to_tier == m.from_tier),
        moves=matrix,
    )


async def start_run(session: AsyncSession, data: RunCreate, by: str, today: date) -> EvaluationRun:
    rules = await repository.current_rules(session)
    run = EvaluationRun(
        status="running",
        rules_version=rules.version,
        evaluated_on=today,
        chunk_size=data.chunk_size,
        total=await repository.count_verified(session),
        started_by=by,
    )
    await repository.add_run(session, run)
    await repository.announce_runs(session)
    return run


async def resume_run(session: AsyncSession, run_id: uuid.UUID) -> EvaluationRun:
    """Have the evaluation job look for the run again now (a run whose process stopped also continues from
    its checkpoint at the job's next poll)."""
    run = await get_run(session, run_id)
    await repository.announce_runs(session)
    return run


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> EvaluationRun:
    run = await repository.get_run(session, run_id)
    if run is None:
        raise NotFound(f"evaluation run {run_id} is not known")
    return run


async def latest_runs(session: AsyncSession, limit: int) -> Sequence[EvaluationRun]:
    """The latest evaluation runs with their progress."""
    return await repository.runs(session, limit)


async def evaluate_next_chunk(session: AsyncSession, now: datetime) -> bool:
    """Evaluate the next chunk of the oldest running run and move its checkpoint in the same transaction
    (a run with nothing left is marked done); False when no run is waiting. The run's row lock keeps two
    workers from evaluating the same chunk."""
    run = await repository.next_running_run(session)
    if run is None:
        return False
    last, size = await repository.next_chunk(session, run.last_member_id, run.chunk_size)
    if last is None:
        await repository.finish_run(session, run.id, now)
        return True
    rules = await repository.current_rules(session)
    if rules.version != run.rules_version:
        rules = next(r for r in await repository.rules_versions(session) if r.version == run.rules_version)
    evaluated_at = datetime.combine(run.evaluated_on, now.timetz())
    parameters = repository.rule_parameters(rules.rules, run.evaluated_on, apply_downgrades=True)
    outcome = await repository.evaluate_range(
        session,
        run.last_member_id,
        last,
        parameters,
        reason="recalculation",
        version=rules.version,
        now=evaluated_at,
    )
    await _announce(session, outcome, "recalculation", evaluated_at)
    await repository.advance_run(session, run.id, last, size, len(outcome.changes), now)
    return True

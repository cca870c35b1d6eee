"""The verification queue: claim under a lease, callbacks with retries, approve, reject, return for a fix."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from cheyou_events import sealing
from cheyou_events.fieldcrypt import DecryptionError
from cheyou_kit.auth import Principal, Role
from cheyou_kit.errors import NotFound
from cheyou_kit.masking import mask_phone
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.errors import IdNumberHeldElsewhere, TaskHeldElsewhere, WrongState
from member_svc.members import service as members_service
from member_svc.members.models import Member
from member_svc.pii import PiiCipher
from member_svc.policies import service as policies_service
from member_svc.policies.models import Policy
from member_svc.verification import repository
from member_svc.verification.errors import QueueEmpty
from member_svc.verification.models import VerificationCallback, VerificationTask
from member_svc.verification.repository import APPROVED, CLAIMED, QUEUED, REJECTED, RETURNED
from member_svc.verification.schemas import (
    CallbackCreate,
    CallbackRead,
    CoreRecordCheck,
    Figures,
    FixRequest,
    PolicyEvidence,
    ReviewerDay,
    TaskRead,
)


async def claim(session: AsyncSession, reviewer: str, lease_minutes: int, now: datetime) -> VerificationTask:
    task = await repository.claim_next(session, reviewer, now + timedelta(minutes=lease_minutes), now)
    if task is None:
        raise QueueEmpty("no application is waiting")
    return task


async def page(
    session: AsyncSession, status: str | None, cursor: str | None, limit: int
) -> Slice[VerificationTask]:
    """A page of applications in queue order, optionally of one status."""
    return await repository.page(session, status, cursor, limit)


async def enqueue(session: AsyncSession, member_id: uuid.UUID, now: datetime) -> None:
    """Queue the member's application (a new one, or again after a rejection)."""
    await repository.enqueue(session, member_id, now)


async def requeue(session: AsyncSession, member_id: uuid.UUID, now: datetime) -> None:
    """Put an application that was returned for a fix back in the queue."""
    await repository.requeue(session, member_id, now)


async def held_by(session: AsyncSession, member_id: uuid.UUID, reviewer: str) -> bool:
    """Whether this reviewer holds the member's application now."""
    return await repository.held_by(session, member_id, reviewer)


async def waiting(session: AsyncSession, now: datetime) -> int:
    """Applications a reviewer could take now."""
    return await repository.waiting(session, now)


async def in_progress(session: AsyncSession, now: datetime) -> int:
    """Applications held by a reviewer under a live lease."""
    return await repository.in_progress(session, now)


async def callbacks_per_reviewer_day(
    session: AsyncSession, since: date, until: date
) -> list[tuple[str, date, int]]:
    """(reviewer, day, callbacks) per reviewer per day (China time)."""
    return await repository.callbacks_per_reviewer_day(session, since, until)


async def decisions_per_reviewer_day(
    session: AsyncSession, since: date, until: date
) -> list[tuple[str, date, int, int]]:
    """(reviewer, day, approved, rejected) per reviewer per day (China time)."""
    return await repository.decisions_per_reviewer_day(session, since, until)


async def application_of(session: AsyncSession, member_id: uuid.UUID) -> VerificationTask | None:
    """The member's application, if they made one."""
    return await repository.by_member(session, member_id)


async def get(session: AsyncSession, task_id: uuid.UUID) -> VerificationTask:
    task = await repository.get(session, task_id)
    if task is None:
        raise NotFound(f"application {task_id} is not known")
    return task


def holds(task: VerificationTask, reviewer: str, now: datetime) -> bool:
    return (
        task.status == CLAIMED
        and task.claimed_by == reviewer
        and task.lease_expires_at is not None
        and task.lease_expires_at > now
    )


async def _held(session: AsyncSession, task_id: uuid.UUID, reviewer: str, now: datetime) -> VerificationTask:
    task = await repository.get(session, task_id, for_update=True)
    if task is None:
        raise NotFound(f"application {task_id} is not known")
    if holds(task, reviewer, now):
        return task
    if task.status == CLAIMED and task.lease_expires_at is not None and task.lease_expires_at > now:
        raise TaskHeldElsewhere(f"application {task_id} is being worked by another reviewer")
    raise WrongState(f"claim application {task_id} first (it is {task.status})")


async def view(
    session: AsyncSession, pii: PiiCipher, principal: Principal, task: VerificationTask, now: datetime
) -> TaskRead:
    """The task with the application; full data (audited) only for the reviewer holding it."""
    member = await members_service.find(session, task.member_id)
    assert member is not None
    full = None
    if principal.role == Role.REVIEWER and holds(task, principal.actor_id, now):
        await members_service.audit_pii_read(session, principal, member.id, f"verification task {task.id}")
        full = members_service.decrypt(pii, member)
    plates = {v.plate for v in member.vehicles}
    # By the number the applicant gave, also when another member holds it (a contested application):
    # the callback then goes to the insurer's number for the holder, never to the applicant's.
    policies = await policies_service.for_holder(session, members_service.holder_id_hash(pii, member))
    contested = members_service.is_contested(pii, member)
    core_record = core_record_check(pii, member, policies, full=full is not None, contested=contested)
    return TaskRead(
        task_id=task.id,
        member_id=task.member_id,
        status=task.status,
        claimed_by=task.claimed_by,
        lease_expires_at=task.lease_expires_at,
        not_before=task.not_before,
        attempts=task.attempts,
        fix_fields=list(task.fix_fields),
        message=task.message,
        decided_by=task.decided_by,
        decided_at=task.decided_at,
        created_at=task.created_at,
        member=members_service.to_read(member, principal, full_read=full is not None),
        full=full,
        policies=[
            PolicyEvidence(
                policy_no=p.policy_no,
                line=p.line,
                plate=p.plate,
                status=p.status,
                ends_on=p.ends_on,
                plate_matches_application=p.plate is not None and p.plate in plates,
            )
            for p in policies
        ],
        core_record=core_record,
        callbacks=[CallbackRead.model_validate(c) for c in await repository.callbacks(session, task.id)],
    )


def _unseal(policy: Policy, field: str, sealed: str | None) -> str | None:
    if sealed is None:
        return None
    try:
        return sealing.unseal(sealed, partition_key=policy.customer_no, field=field)
    except DecryptionError:
        return None  # sealed under a key no longer configured: as if the feed gave none


def core_record_check(
    pii: PiiCipher, member: Member, policies: Sequence[Policy], *, full: bool, contested: bool = False
) -> CoreRecordCheck:
    """Name and phone against the newest core record that has them; the number to call back is the
    insurer's whenever it has one — an applicant who typed someone else's ID number and their own phone
    must not be the one who answers the reviewer's call."""
    name = pii.decrypt(member.id, "name", member.name_enc)
    phone = pii.decrypt(member.id, "phone", member.phone_enc)
    core_name = next(
        (n for p in policies if (n := _unseal(p, "holder_name", p.holder_name_sealed)) is not None), None
    )
    core_phone = next(
        (n for p in policies if (n := _unseal(p, "holder_phone", p.holder_phone_sealed)) is not None), None
    )
    name_matches = None if core_name is None else _same_name(core_name, name)
    phone_matches = None if core_phone is None else core_phone == phone
    mismatches = []
    if contested:
        mismatches.append(
            "another member already holds this ID-card number: call the insurer's number, then reject "
            "(an application for a held number cannot be approved)"
        )
    if not policies:
        mismatches.append("the insurer holds no policy for this ID-card number")
    if name_matches is False:
        mismatches.append("the name is not the policyholder's name on the insurer's record")
    if phone_matches is False:
        mismatches.append("the phone is not the one the insurer holds: call the insurer's number")
    callback = core_phone or phone
    return CoreRecordCheck(
        id_number_known=bool(policies),
        name_matches=name_matches,
        phone_matches=phone_matches,
        callback_phone_source="insurer" if core_phone is not None else "application",
        callback_phone_masked=mask_phone(callback),
        callback_phone=callback if full else None,
        id_number_contested=contested,
        mismatches=mismatches,
    )


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


async def record_callback(
    session: AsyncSession, task_id: uuid.UUID, reviewer: str, data: CallbackCreate, now: datetime
) -> VerificationTask:
    task = await _held(session, task_id, reviewer, now)
    await repository.add_callback(
        session,
        VerificationCallback(task_id=task.id, reviewer_id=reviewer, outcome=data.outcome, notes=data.notes),
    )
    task.attempts += 1
    task.updated_at = now
    if data.retry_at is not None:
        task.status, task.claimed_by, task.lease_expires_at, task.not_before = (
            QUEUED,
            None,
            None,
            data.retry_at,
        )
    await session.flush()
    return task


async def _member(session: AsyncSession, task: VerificationTask) -> Member:
    member = await members_service.find(session, task.member_id, for_update=True)
    assert member is not None
    return member


def _decide(task: VerificationTask, status: str, reviewer: str, now: datetime) -> None:
    task.status, task.decided_by, task.decided_at, task.updated_at = status, reviewer, now, now
    task.lease_expires_at = None


async def approve(
    session: AsyncSession, pii: PiiCipher, task_id: uuid.UUID, reviewer: str, now: datetime
) -> VerificationTask:
    task = await _held(session, task_id, reviewer, now)
    member = await _member(session, task)
    if members_service.is_contested(pii, member):
        raise IdNumberHeldElsewhere(
            "another member holds this ID-card number; reject the application (if the holder applied "
            "from a new phone, ops changes the phone of the existing membership)"
        )
    _decide(task, APPROVED, reviewer, now)
    await members_service.mark_verified(session, pii, member, reviewer, now)
    return task


async def reject(
    session: AsyncSession, task_id: uuid.UUID, reviewer: str, reason: str, now: datetime
) -> VerificationTask:
    task = await _held(session, task_id, reviewer, now)
    _decide(task, REJECTED, reviewer, now)
    task.message = reason
    await members_service.mark_rejected(session, await _member(session, task), reviewer, reason, now)
    return task


async def return_for_fix(
    session: AsyncSession, task_id: uuid.UUID, reviewer: str, data: FixRequest, now: datetime
) -> VerificationTask:
    """Incomplete or mismatching data: back to the applicant with what to fix; their fix requeues it."""
    task = await _held(session, task_id, reviewer, now)
    task.status, task.claimed_by, task.lease_expires_at, task.updated_at = RETURNED, None, None, now
    task.fix_fields, task.message = list(data.fields), data.message
    await members_service.mark_needs_fix(session, await _member(session, task), now)
    return task


async def release(
    session: AsyncSession, task_id: uuid.UUID, reviewer: str, now: datetime
) -> VerificationTask:
    task = await _held(session, task_id, reviewer, now)
    task.status, task.claimed_by, task.lease_expires_at, task.updated_at = QUEUED, None, None, now
    await session.flush()
    return task


async def figures(session: AsyncSession, since: date, until: date, now: datetime) -> Figures:
    approved, rejected = await repository.decisions(session, since, until)
    return Figures(
        waiting=await repository.waiting(session, now),
        in_progress=await repository.in_progress(session, now),
        callbacks=[
            ReviewerDay(reviewer_id=r, day=d, callbacks=n)
            for r, d, n in await repository.callbacks_per_reviewer_day(session, since, until)
        ],
        approved=approved,
        rejected=rejected,
        approval_rate=round(approved / (approved + rejected), 4) if approved + rejected else None,
    )


__all__ = ["APPROVED", "QUEUED", "REJECTED", "RETURNED"]

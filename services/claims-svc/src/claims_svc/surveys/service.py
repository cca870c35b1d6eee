"""The photo survey: uploads slot by slot, submission, and the surveyors' queue (take, confirm, re-shoot);
a claim routed on site waits in the same queue for a surveyor on site."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cheyou_events.catalogue.claims import (
    ReshootRequested,
    SurveyConfirmed,
    SurveyPhotoUploaded,
    SurveySubmitted,
    SurveyTaken,
)
from cheyou_kit.pagination import Slice
from prometheus_client import Histogram
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.claims import service as claims
from claims_svc.claims.lifecycle import ClaimStatus
from claims_svc.claims.models import Claim
from claims_svc.config import Settings
from claims_svc.documents import service as documents
from claims_svc.service_hours import expected_surveyor_time
from claims_svc.storage import FileStorage
from claims_svc.storage.transactions import delete_after_commit, put_for_transaction
from claims_svc.surveys import repository
from claims_svc.surveys.errors import (
    NotYourSurvey,
    PhotoNotFound,
    SlotTaken,
    SurveyAlreadyTaken,
    SurveyClosed,
    SurveyIncomplete,
    SurveyNotFound,
    UnknownSlot,
)
from claims_svc.surveys.models import SurveyPhoto, SurveyReview, SurveyTask
from claims_svc.surveys.shot_list import Slot, shot_list, slot_of
from claims_svc.uploads import EXTENSIONS, distance_km, inspect_image

S = ClaimStatus

QUEUE_SECONDS = Histogram(
    "claims_survey_queue_seconds",
    "Time a submitted survey waited in the queue until a surveyor took it.",
    buckets=(30, 60, 180, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600),
)
HANDLING_SECONDS = Histogram(
    "claims_survey_handling_seconds",
    "Time from a surveyor taking a survey to their decision (confirm or re-shoot).",
    buckets=(30, 60, 120, 180, 300, 600, 1800, 3600),
)

UPLOADABLE = frozenset(
    {S.REPORTED, S.LIABILITY_PENDING, S.LIABILITY_AGREED, S.SURVEY_PENDING, S.RESHOOT_REQUESTED}
)
"""The member may take the photos from the report on, until they submit them."""
GPS_TOLERANCE_KM = 5.0


def hours(settings: Settings, now: datetime) -> tuple[bool, datetime]:
    return expected_surveyor_time(now, settings.service_opens, settings.service_closes, settings.timezone)


def service_hours_text(settings: Settings) -> str:
    return f"{settings.service_opens:%H:%M}–{settings.service_closes:%H:%M}"


async def route_on_site(
    session: AsyncSession, claim: Claim, reasons: Sequence[str], *, settings: Settings, at: datetime
) -> None:
    """Take the claim out of self-service and queue it for a surveyor on site, saying why."""
    if await claims.escalate_on_site(session, claim, reasons, at=at):
        _, expected_by = hours(settings, at)
        await repository.enqueue(
            session, claim.id, claim.member_id, kind="on_site", at=at, expected_by=expected_by
        )


# --- the member's side ----------------------------------------------------------------------------


async def current_photos(session: AsyncSession, claim: Claim) -> Sequence[SurveyPhoto]:
    return await repository.current_photos(session, claim.id)


async def task_of(session: AsyncSession, claim: Claim) -> SurveyTask | None:
    return await repository.get_task(session, claim.id)


def missing_required(claim: Claim, photos: Sequence[SurveyPhoto]) -> list[Slot]:
    have = {p.slot for p in photos}
    return [slot for slot in shot_list(claim.accident_type) if slot.required and slot.code not in have]


async def upload_photo(
    session: AsyncSession,
    storage: FileStorage,
    claim: Claim,
    *,
    slot_code: str,
    data: bytes,
    settings: Settings,
    now: datetime,
) -> SurveyPhoto:
    """One photo into one slot: validated by content, EXIF time and GPS kept, suspicious ones flagged."""
    slot = slot_of(claim.accident_type, slot_code)
    if slot is None:
        raise UnknownSlot(f"{slot_code!r} is not in the {claim.accident_type} shot list", field="slot")
    if S(claim.status) not in UPLOADABLE:
        raise SurveyClosed(f"a claim that is {claim.status} takes no photos", claim_status=claim.status)
    task = await repository.get_task(session, claim.id)
    if claim.status == S.RESHOOT_REQUESTED and (task is None or slot_code not in task.reshoot_slots):
        raise SurveyClosed(f"the surveyor asked to re-shoot {', '.join(task.reshoot_slots) if task else ''}")
    facts = await inspect_image(data, limits=settings.image_limits, timezone=settings.timezone)
    flags = _flags(claim, facts.taken_at, facts.gps, settings, now)
    photo_id = uuid.uuid4()
    photo = SurveyPhoto(
        id=photo_id,
        claim_id=claim.id,
        slot=slot_code,
        round=task.round + 1 if task is not None else 1,
        storage_key=f"claims/{claim.id}/photos/{photo_id}.{EXTENSIONS[facts.content_type]}",
        content_type=facts.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=facts.width,
        height=facts.height,
        taken_at=facts.taken_at,
        gps_latitude=facts.gps[0] if facts.gps else None,
        gps_longitude=facts.gps[1] if facts.gps else None,
        flags=flags,
        uploaded_at=now,
    )
    try:
        async with session.begin_nested():
            repository.add_photo(session, photo)
    except IntegrityError:
        raise SlotTaken(f"slot {slot_code} already has a photo; delete it first", field="slot") from None
    # the row is in; the file follows and is deleted again if this transaction does not commit
    await put_for_transaction(session, storage, photo.storage_key, data, photo.content_type)
    claims.record_step(session, claim, "photo_uploaded", f"已上传照片：{slot.label}。", now)
    await claims.emit(
        session,
        SurveyPhotoUploaded(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            photo_id=str(photo.id),
            slot=slot_code,
            uploaded_at=now,
        ),
    )
    return photo


def _flags(
    claim: Claim,
    taken_at: datetime | None,
    gps: tuple[float, float] | None,
    settings: Settings,
    now: datetime,
) -> list[str]:
    flags = []
    if taken_at is None:
        flags.append("no_capture_time")
    elif taken_at < claim.loss_at - timedelta(hours=settings.photo_stale_hours):
        flags.append("taken_long_before_loss")
    elif taken_at > now + timedelta(minutes=10):
        flags.append("capture_time_in_future")
    if gps is not None and distance_km(gps, (claim.latitude, claim.longitude)) > GPS_TOLERANCE_KM:
        flags.append("far_from_loss_location")
    return flags


async def delete_photo(
    session: AsyncSession, storage: FileStorage, claim: Claim, photo_id: uuid.UUID
) -> None:
    """The member takes a photo back before submitting (the file goes once the deletion commits)."""
    if S(claim.status) not in UPLOADABLE:
        raise SurveyClosed(
            f"a claim that is {claim.status} takes no photo changes", claim_status=claim.status
        )
    photo = await repository.get_photo(session, claim.id, photo_id)
    if photo is None or photo.replaced_at is not None:
        raise PhotoNotFound()
    await repository.delete_photo(session, photo)
    delete_after_commit(session, storage, photo.storage_key)


async def photo_content(
    session: AsyncSession, storage: FileStorage, claim: Claim, photo_id: uuid.UUID
) -> tuple[SurveyPhoto, bytes]:
    photo = await repository.get_photo(session, claim.id, photo_id)
    if photo is None:
        raise PhotoNotFound()
    try:
        return photo, (await storage.get(photo.storage_key)).data
    except FileNotFoundError:
        raise PhotoNotFound("the photo's file is gone") from None


async def submit(
    session: AsyncSession, claim: Claim, *, settings: Settings, now: datetime
) -> SurveySubmitted:
    """Hand the photos to the surveyors; outside service hours the member learns when to expect one."""
    photos = await repository.current_photos(session, claim.id)
    missing = missing_required(claim, photos)
    task = await repository.get_task(session, claim.id, for_update=True)
    if claim.status == S.RESHOOT_REQUESTED and task is not None:
        have = {p.slot for p in photos}
        missing += [
            s for s in shot_list(claim.accident_type) if s.code in task.reshoot_slots and s.code not in have
        ]
    if missing:
        raise SurveyIncomplete(
            "still to shoot: " + "、".join(s.label for s in missing), missing=[s.code for s in missing]
        )
    within, expected_by = hours(settings, now)
    event = SurveySubmitted(
        claim_id=str(claim.id),
        member_id=str(claim.member_id),
        photos=len(photos),
        within_service_hours=within,
        expected_by=expected_by,
        submitted_at=now,
    )
    if within:
        text = "照片已提交，在线查勘员会尽快审核，请留意消息。"
    else:
        text = (
            f"照片已提交。现在是非服务时间（每日{service_hours_text(settings)}），"
            f"查勘员将于{_local(expected_by, settings)}起为您审核，请留意消息。"
        )
    await claims.move(session, claim, S.SURVEY_SUBMITTED, text=text, at=now, event=event)
    if task is not None and task.surveyor_id is not None:
        # a re-shoot goes back to the surveyor who asked for it
        task.status = "taken"
        task.round += 1
        task.queued_at = now
        task.taken_at = now
        task.expected_by = expected_by
    else:
        await repository.enqueue(
            session, claim.id, claim.member_id, kind="remote", at=now, expected_by=expected_by
        )
    return event


def _local(at: datetime, settings: Settings) -> str:
    local = at.astimezone(ZoneInfo(settings.timezone))
    return f"{local.month}月{local.day}日 {local:%H:%M}"


# --- the surveyor's side --------------------------------------------------------------------------


async def take(session: AsyncSession, claim: Claim, surveyor_id: str, *, now: datetime) -> SurveyTask:
    """Take one particular survey from the queue (picked from the list)."""
    task = await repository.take_next(session, kind=None, claim_id=claim.id)
    if task is None:
        raise SurveyAlreadyTaken()
    return await _taken(session, task, claim, surveyor_id, now)


async def take_next(
    session: AsyncSession, surveyor_id: str, *, kind: str | None, now: datetime
) -> SurveyTask | None:
    """The oldest waiting survey, now this surveyor's; two surveyors never get the same one."""
    task = await repository.take_next(session, kind=kind)
    if task is None:
        return None
    # not locked: the member's own steps lock the claim first and the task second
    claim = await claims.find(session, task.claim_id)
    assert claim is not None
    return await _taken(session, task, claim, surveyor_id, now)


async def _taken(
    session: AsyncSession, task: SurveyTask, claim: Claim, surveyor_id: str, now: datetime
) -> SurveyTask:
    task.status = "taken"
    task.surveyor_id = surveyor_id
    task.taken_at = now
    queue_seconds = (now - task.queued_at).total_seconds()
    QUEUE_SECONDS.observe(queue_seconds)
    text = (
        "查勘员已开始审核您的照片。" if task.kind == "remote" else "查勘员已接单，将尽快与您联系并赶赴现场。"
    )
    claims.record_step(session, claim, "survey_taken", text, now)
    await claims.emit(
        session,
        SurveyTaken(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            surveyor_id=surveyor_id,
            queue_seconds=queue_seconds,
            taken_at=now,
        ),
    )
    return task


async def assigned_task(
    session: AsyncSession, claim: Claim, surveyor_id: str, *, for_update: bool = False
) -> SurveyTask:
    task = await repository.get_task(session, claim.id, for_update=for_update)
    if task is None:
        raise SurveyNotFound()
    if task.status != "taken" or task.surveyor_id != surveyor_id:
        raise NotYourSurvey(
            f"the survey is {task.status}" + (f" by {task.surveyor_id}" if task.surveyor_id else "")
        )
    return task


async def confirm(
    session: AsyncSession,
    claim: Claim,
    surveyor_id: str,
    *,
    amount_fen: int,
    note: str | None,
    now: datetime,
) -> None:
    """The surveyor confirms the loss with an amount; the member is asked for the claim documents next."""
    task = await assigned_task(session, claim, surveyor_id, for_update=True)
    _decide(
        session,
        task,
        claim,
        surveyor_id,
        outcome="confirmed",
        amount_fen=amount_fen,
        slots=[],
        note=note,
        now=now,
    )
    claim.confirmed_loss_fen = amount_fen
    await claims.move(
        session,
        claim,
        S.LOSS_CONFIRMED,
        text=f"查勘员已确认损失，核定损失金额 {amount_fen // 100:,}.{amount_fen % 100:02d} 元。",
        at=now,
        event=SurveyConfirmed(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            surveyor_id=surveyor_id,
            estimated_loss_fen=amount_fen,
            confirmed_at=now,
        ),
    )
    await repository.remove(session, claim.id)
    await documents.ask_for_documents(session, claim, now=now)


async def request_reshoot(
    session: AsyncSession,
    claim: Claim,
    surveyor_id: str,
    *,
    slots: Sequence[str],
    note: str,
    now: datetime,
) -> None:
    """Ask the member to shoot some slots again; the old photos stay on file, marked replaced."""
    unknown = [s for s in slots if slot_of(claim.accident_type, s) is None]
    if unknown:
        raise UnknownSlot(f"not in the shot list: {', '.join(unknown)}", field="slots")
    task = await assigned_task(session, claim, surveyor_id, for_update=True)
    if task.kind != "remote":
        raise NotYourSurvey("an on-site survey has no photos to re-shoot")
    ordered = list(dict.fromkeys(slots))
    _decide(
        session,
        task,
        claim,
        surveyor_id,
        outcome="reshoot",
        amount_fen=None,
        slots=ordered,
        note=note,
        now=now,
    )
    task.status = "awaiting_reshoot"
    task.reshoot_slots = ordered
    task.reshoot_note = note
    labels = "、".join(slot.label for code in ordered if (slot := slot_of(claim.accident_type, code)))
    await claims.move(
        session,
        claim,
        S.RESHOOT_REQUESTED,
        text=f"查勘员请您重新拍摄：{labels}。说明：{note}",
        at=now,
        event=ReshootRequested(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            surveyor_id=surveyor_id,
            slots=ordered,
            reason=note,
            requested_at=now,
        ),
    )
    await repository.replace_slots(session, claim.id, ordered, now)


def _decide(
    session: AsyncSession,
    task: SurveyTask,
    claim: Claim,
    surveyor_id: str,
    *,
    outcome: str,
    amount_fen: int | None,
    slots: list[str],
    note: str | None,
    now: datetime,
) -> None:
    assert task.taken_at is not None
    queue_seconds = (task.taken_at - task.queued_at).total_seconds()
    handling_seconds = (now - task.taken_at).total_seconds()
    HANDLING_SECONDS.observe(handling_seconds)
    repository.add_review(
        session,
        SurveyReview(
            claim_id=claim.id,
            round=task.round,
            surveyor_id=surveyor_id,
            outcome=outcome,
            amount_fen=amount_fen,
            slots=slots,
            note=note,
            queued_at=task.queued_at,
            taken_at=task.taken_at,
            decided_at=now,
            queue_seconds=queue_seconds,
            handling_seconds=handling_seconds,
        ),
    )


async def queue_page(
    session: AsyncSession,
    surveyor_id: str,
    *,
    mine: bool,
    cursor: str | None,
    limit: int,
) -> Slice[SurveyTask]:
    return await repository.page_for_surveyor(session, surveyor_id, mine=mine, cursor=cursor, limit=limit)

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, File, Form, Response, UploadFile, status

from claims_svc.auth import ClaimReaderDep, MemberDep, SurveyorDep
from claims_svc.claims import service as claims
from claims_svc.claims.schemas import ClaimRead
from claims_svc.config import SettingsDep
from claims_svc.storage import StorageDep
from claims_svc.surveys import service
from claims_svc.surveys.errors import SurveyNotFound
from claims_svc.surveys.schemas import (
    ConfirmationCreate,
    PhotoRead,
    ReshootCreate,
    SlotRead,
    SurveyCaseRead,
    SurveyRead,
    SurveyTaskRead,
)
from claims_svc.surveys.shot_list import shot_list
from claims_svc.uploads import read_limited

member_router = APIRouter(prefix="/claims/{claim_id}/survey", tags=["surveys"])
router = APIRouter(prefix="/surveys", tags=["surveys"])


@member_router.get("", response_model=SurveyRead)
async def get_survey(
    claim_id: uuid.UUID, session: SessionDep, principal: ClaimReaderDep, settings: SettingsDep
) -> SurveyRead:
    """The guided shot list with what is done, and when a surveyor will look."""
    claim = await claims.get_visible(session, claim_id, principal)
    photos = {p.slot: p for p in await service.current_photos(session, claim)}
    task = await service.task_of(session, claim)
    reshoot = set(task.reshoot_slots) if task and claim.status == "reshoot_requested" else set()
    within, expected_by = service.hours(settings, datetime.now(UTC))
    return SurveyRead(
        claim_id=claim.id,
        claim_status=claim.status,
        accident_type=claim.accident_type,
        slots=[
            SlotRead(
                code=slot.code,
                label=slot.label,
                instruction=slot.instruction,
                required=slot.required,
                reshoot_requested=slot.code in reshoot,
                photo=PhotoRead.model_validate(photos[slot.code]) if slot.code in photos else None,
            )
            for slot in shot_list(claim.accident_type)
        ],
        missing_required=[s.code for s in service.missing_required(claim, list(photos.values()))],
        reshoot_note=task.reshoot_note if reshoot and task else None,
        service_hours=service.service_hours_text(settings),
        within_service_hours=within,
        expected_by=task.expected_by if task else expected_by,
    )


@member_router.post("/photos", response_model=PhotoRead, status_code=status.HTTP_201_CREATED)
async def upload_photo(
    claim_id: uuid.UUID,
    slot: Annotated[str, Form(min_length=1, max_length=32)],
    file: Annotated[UploadFile, File(description="JPEG or PNG, as taken (EXIF kept).")],
    session: SessionDep,
    principal: MemberDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> PhotoRead:
    """One photo for one slot of the shot list (multipart: slot, file)."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    data = await read_limited(file, settings.photo_max_bytes)
    photo = await service.upload_photo(
        session, storage, claim, slot_code=slot, data=data, settings=settings, now=datetime.now(UTC)
    )
    return PhotoRead.model_validate(photo)


@member_router.delete("/photos/{photo_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_photo(
    claim_id: uuid.UUID, photo_id: uuid.UUID, session: SessionDep, principal: MemberDep, storage: StorageDep
) -> None:
    """Take a photo back before submitting, to shoot the slot again."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    await service.delete_photo(session, storage, claim, photo_id)


@member_router.get("/photos/{photo_id}/content", response_class=Response)
async def get_photo_content(
    claim_id: uuid.UUID,
    photo_id: uuid.UUID,
    session: SessionDep,
    principal: ClaimReaderDep,
    storage: StorageDep,
) -> Response:
    """The photo's bytes (the member, the surveyor on the case, claims staff)."""
    claim = await claims.get_visible(session, claim_id, principal)
    photo, data = await service.photo_content(session, storage, claim, photo_id)
    return Response(content=data, media_type=photo.content_type, headers={"Cache-Control": "private"})


@member_router.post("/submission", response_model=ClaimRead)
async def submit_survey(
    claim_id: uuid.UUID, session: SessionDep, principal: MemberDep, settings: SettingsDep
) -> ClaimRead:
    """Hand the photos to the surveyors (every required slot must be filled)."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    await service.submit(session, claim, settings=settings, now=datetime.now(UTC))
    return ClaimRead.of(claim)


@router.get("", response_model=Page[SurveyTaskRead])
async def list_surveys(
    session: SessionDep,
    principal: SurveyorDep,
    view: Literal["queue", "mine"] = "queue",
    cursor: CursorQuery = None,
    limit: LimitQuery = 20,
) -> Page[SurveyTaskRead]:
    """The waiting queue, oldest first, or the surveys this surveyor has taken."""
    tasks = await service.queue_page(
        session, principal.actor_id, mine=view == "mine", cursor=cursor, limit=limit
    )
    return tasks.page(SurveyTaskRead.model_validate)


@router.post("/next", response_model=SurveyTaskRead, responses={204: {"description": "The queue is empty."}})
async def take_next_survey(
    session: SessionDep, principal: SurveyorDep, kind: Literal["remote", "on_site"] | None = None
) -> SurveyTaskRead | Response:
    """Take the oldest waiting survey (never the same one as another surveyor)."""
    task = await service.take_next(session, principal.actor_id, kind=kind, now=datetime.now(UTC))
    if task is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return SurveyTaskRead.model_validate(task)


@router.post("/{claim_id}/assignment", response_model=SurveyTaskRead)
async def take_survey(claim_id: uuid.UUID, session: SessionDep, principal: SurveyorDep) -> SurveyTaskRead:
    """Take this survey from the queue (409 if another surveyor has it)."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    task = await service.take(session, claim, principal.actor_id, now=datetime.now(UTC))
    return SurveyTaskRead.model_validate(task)


@router.get("/{claim_id}", response_model=SurveyCaseRead)
async def get_survey_case(claim_id: uuid.UUID, session: SessionDep, principal: SurveyorDep) -> SurveyCaseRead:
    """A survey in the queue or taken by this surveyor, with its photos."""
    claim = await claims.get_visible(session, claim_id, principal)
    task = await service.task_of(session, claim)
    if task is None:
        raise SurveyNotFound()
    return SurveyCaseRead(
        task=SurveyTaskRead.model_validate(task),
        claim_no=claim.claim_no,
        claim_status=claim.status,
        accident_type=claim.accident_type,
        loss_at=claim.loss_at,
        address=claim.address,
        latitude=claim.latitude,
        longitude=claim.longitude,
        estimated_loss_fen=claim.estimated_loss_fen,
        on_site_reasons=list(claim.on_site_reasons),
        photos=[PhotoRead.model_validate(p) for p in await service.current_photos(session, claim)],
    )


@router.post("/{claim_id}/confirmation", response_model=ClaimRead)
async def confirm_loss(
    claim_id: uuid.UUID, body: ConfirmationCreate, session: SessionDep, principal: SurveyorDep
) -> ClaimRead:
    """Confirm the loss with an amount (the surveyor who took the survey)."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    await service.confirm(
        session, claim, principal.actor_id, amount_fen=body.amount_fen, note=body.note, now=datetime.now(UTC)
    )
    return ClaimRead.of(claim)


@router.post("/{claim_id}/reshoot-request", response_model=ClaimRead)
async def request_reshoot(
    claim_id: uuid.UUID, body: ReshootCreate, session: SessionDep, principal: SurveyorDep
) -> ClaimRead:
    """Ask the member to shoot some slots again, with a note."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    await service.request_reshoot(
        session, claim, principal.actor_id, slots=body.slots, note=body.note, now=datetime.now(UTC)
    )
    return ClaimRead.of(claim)

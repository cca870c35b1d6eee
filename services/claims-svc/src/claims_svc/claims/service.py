"""Claims: registering a report (FNOL) with the cover check and duplicate flag, the reasons that route it on
site; the state machine and timeline; adjudication and settlement. Stateless functions taking the session
first; never commit. What also touches another domain's rows (queueing a surveyor, the liability
assessment) is ``claims_svc.flows``' or that domain's, which build on this module."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cheyou_events import Event
from cheyou_events.catalogue.claims import (
    ClaimAdjudicated,
    ClaimClosed,
    ClaimReopened,
    ClaimReported,
    ClaimRoutedOnSite,
    ClaimSettled,
)
from cheyou_kit.auth import Principal, Role
from cheyou_kit.errors import BadRequest, Forbidden
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc import pii
from claims_svc.claims import repository, timeline
from claims_svc.claims.errors import (
    AmountOverApproved,
    ClaimNotEditable,
    ClaimNotFound,
    LossInFuture,
    NoCover,
    NotPolicyHolder,
    OtherPartyPhoneFrozen,
    OutsideServiceArea,
    PlateMismatch,
)
from claims_svc.claims.lifecycle import (
    DETAILS_EDITABLE,
    ClaimStatus,
    ensure_transition,
)
from claims_svc.claims.models import Claim, ClaimStep
from claims_svc.claims.schemas import ClaimCreate, ClaimDetails
from claims_svc.config import Settings
from claims_svc.cover import service as cover
from claims_svc.eventing import publish

S = ClaimStatus


async def emit(session: AsyncSession, payload: Event) -> None:
    """Write the event to the outbox, in the transaction of the change it reports."""
    await publish(session, payload)


def record_step(session: AsyncSession, claim: Claim, code: str, text: str, at: datetime) -> None:
    repository.add_step(
        session, ClaimStep(claim_id=claim.id, at=at, code=code, status=claim.status, text=text)
    )


async def move(
    session: AsyncSession,
    claim: Claim,
    to: ClaimStatus,
    *,
    text: str,
    at: datetime,
    event: Event | None = None,
    code: str | None = None,
) -> None:
    """One step of the state machine: refused with 409 unless allowed, then the timeline and the event."""
    ensure_transition(S(claim.status), to)
    claim.status = to.value
    claim.updated_at = at
    record_step(session, claim, code or to.value, text, at)
    if event is not None:
        await emit(session, event)


# --- the report -----------------------------------------------------------------------------------


def routing_reasons(claim: Claim, settings: Settings) -> list[str]:
    """Why the claim cannot be handled by self-service (MPS Order 146 §13, Fuzhou's 10,000-yuan pilot)."""
    reasons = {
        "injury_or_death": claim.injury_or_death,
        "not_drivable": not claim.vehicles_drivable,
        "drink_driving_suspected": claim.drink_driving_suspected,
        "no_valid_licence": not claim.driver_licence_valid,
        "no_plate": claim.plate_missing,
        "party_left": claim.other_party_left,
        "third_party_property": claim.third_party_property,
        "over_fast_claim_limit": (claim.estimated_loss_fen or 0) > settings.fast_claim_limit_fen,
    }
    return [code for code, applies in reasons.items() if applies]


def _apply_details(claim: Claim, details: ClaimDetails, settings: Settings) -> None:
    cipher = pii.cipher_for(settings.pii_key.get_secret_value())
    for field, value in details.model_dump(exclude_unset=True, exclude_none=True).items():
        if field in ClaimCreate.model_fields and field not in ClaimDetails.model_fields:
            continue
        if field == "other_party":
            value = pii.seal_other_party(cipher, claim.id, value)
        elif field == "driver":
            value = pii.seal_driver(cipher, claim.id, value)
        setattr(claim, field, value)


async def register(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    data: ClaimCreate,
    settings: Settings,
    now: datetime,
    staff_id: str | None = None,
) -> Claim:
    """Register a first notice of loss: holder and cover checked, numbered, flagged if a duplicate.

    A member reports only on a policy they hold; claims staff (``staff_id``) report for the member they
    name, having identified the caller themselves. A claim with :func:`routing_reasons` is left for the
    caller to route on site (``flows.report``); a single-vehicle one without goes on to the survey.
    """
    if data.loss_at > now + timedelta(seconds=settings.loss_time_tolerance_seconds):
        raise LossInFuture(f"the loss time {data.loss_at.isoformat()} is after now", field="loss_at")
    location = data.location
    area = next(
        (a for a in settings.service_areas if a.contains(location.latitude, location.longitude)), None
    )
    if area is None:
        raise OutsideServiceArea(
            "online claims are handled in " + "、".join(a.name for a in settings.service_areas),
            field="location",
        )
    plate = cover.normalise_plate(data.plate)
    field = "policy_no" if data.policy_no is not None else "plate"
    held: set[str] | None = None
    if staff_id is None:
        # before the cover check, so a member cannot probe which plates are insured
        held = await cover.held_policy_nos(
            session, member_id, policy_no=data.policy_no, plate=plate, at=data.loss_at
        )
        if not held:
            raise NotPolicyHolder(
                "none of your policies is "
                + (f"policy {data.policy_no}" if data.policy_no is not None else f"on plate {plate}")
                + "; a policy bought or renewed today may take a few minutes to appear",
                field=field,
            )
    loss_day = data.loss_at.astimezone(ZoneInfo(settings.timezone)).date()
    policies = await cover.motor_cover_at(
        session, policy_no=data.policy_no, plate=plate, at=data.loss_at, on=loss_day
    )
    if held is not None:
        policies = [p for p in policies if p.policy_no in held]
    if not policies:
        raise NoCover(f"no motor policy in force on {loss_day.isoformat()}", field=field)
    policy = policies[0]
    if plate is not None and policy.plate is not None and policy.plate != plate:
        raise PlateMismatch(f"policy {policy.policy_no} insures another vehicle", field="plate")
    plate = plate or policy.plate

    await repository.lock_vehicle(session, [policy.policy_no, *([plate] if plate else [])])
    duplicate = await repository.overlapping(
        session,
        policy_no=policy.policy_no,
        plate=plate,
        loss_at=data.loss_at,
        window=timedelta(minutes=settings.duplicate_window_minutes),
    )
    number = await repository.next_claim_number(session)
    local_now = now.astimezone(ZoneInfo(settings.timezone))
    claim = Claim(
        id=uuid.uuid4(),
        claim_no=f"{settings.branch_code}{local_now:%Y%m%d}{number:07d}",
        member_id=member_id,
        policy_no=policy.policy_no,
        plate=plate,
        vin=policy.vin,
        status=S.REPORTED.value,
        handling="self_service",
        on_site_reasons=[],
        duplicate_of=duplicate.id if duplicate else None,
        accident_type=data.accident_type,
        loss_at=data.loss_at,
        reported_at=now,
        updated_at=now,
        latitude=location.latitude,
        longitude=location.longitude,
        address=location.address,
        city_code=area.code,
        injury_or_death=False,
        vehicles_drivable=True,
        police_called=False,
        third_party_property=False,
        drink_driving_suspected=False,
        driver_licence_valid=True,
        plate_missing=False,
        other_party_left=False,
    )
    _apply_details(claim, data, settings)
    repository.add(session, claim)
    await session.flush()
    record_step(
        session, claim, "reported", timeline.reported(claim.claim_no, claim.loss_at, claim.address), now
    )
    if staff_id is not None:
        record_step(session, claim, "reported_by_staff", timeline.reported_by_staff(staff_id), now)
    reasons = routing_reasons(claim, settings)
    await emit(
        session,
        ClaimReported(
            claim_id=str(claim.id),
            member_id=str(member_id),
            policy_no=claim.policy_no,
            has_injury=claim.injury_or_death,
            city_code=claim.city_code,
            accident_at=claim.loss_at,
            reported_at=now,
            claim_no=claim.claim_no,
            plate=claim.plate,
            handling="on_site" if reasons else "self_service",
            duplicate_of=str(duplicate.id) if duplicate else None,
            catastrophe_code=claim.catastrophe_code,
        ),
    )
    if duplicate is not None:
        record_step(session, claim, "duplicate_suspected", timeline.duplicate(duplicate.claim_no), now)
    if not reasons and claim.accident_type == "single_vehicle":
        # no other party: nothing to split, the survey comes next
        await move(session, claim, S.SURVEY_PENDING, text=timeline.take_photos(), at=now)
    return claim


async def escalate_on_site(
    session: AsyncSession, claim: Claim, reasons: Sequence[str], *, at: datetime
) -> bool:
    """Take the claim out of self-service, saying why. True when it has just left self-service, so a
    surveyor is to be queued (``surveys.service.route_on_site`` does both); new reasons on a claim already
    on site are only recorded (False)."""
    new = [r for r in reasons if r not in claim.on_site_reasons]
    if not new:
        return False
    claim.on_site_reasons = [*claim.on_site_reasons, *new]
    claim.handling = "on_site"
    claim.updated_at = at
    event = ClaimRoutedOnSite(
        claim_id=str(claim.id),
        member_id=str(claim.member_id),
        reasons=claim.on_site_reasons,
        routed_at=at,
    )
    if claim.status == S.ESCALATED_ON_SITE:
        record_step(session, claim, "routed_on_site", timeline.routed_on_site(new), at)
        await emit(session, event)
        return False
    await move(
        session,
        claim,
        S.ESCALATED_ON_SITE,
        text=timeline.routed_on_site(claim.on_site_reasons),
        at=at,
        event=event,
        code="routed_on_site",
    )
    return True


def update_details(
    claim: Claim,
    details: ClaimDetails,
    *,
    other_party_asked_at: datetime | None,
    settings: Settings,
    now: datetime,
) -> Claim:
    """Complete the report as the member goes (the caller routes it on site if a new reason applies:
    ``flows.complete_report``). ``other_party_asked_at``: when the other party was asked to confirm the
    liability split, which freezes their phone."""
    if S(claim.status) not in DETAILS_EDITABLE | {S.ESCALATED_ON_SITE}:
        raise ClaimNotEditable(f"a claim that is {claim.status} cannot be changed", claim_status=claim.status)
    if details.other_party is not None and other_party_asked_at is not None:
        _keep_frozen_phone(claim, details, other_party_asked_at, settings)
    _apply_details(claim, details, settings)
    claim.updated_at = now
    return claim


def _keep_frozen_phone(claim: Claim, details: ClaimDetails, asked_at: datetime, settings: Settings) -> None:
    """Once the other party was asked to confirm (or answered), their phone stays what it was: another
    number is refused (409), and one left out is kept."""
    assert details.other_party is not None
    cipher = pii.cipher_for(settings.pii_key.get_secret_value())
    recorded = pii.other_party_phone(cipher, claim.id, claim.other_party)
    if details.other_party.phone is None:
        details.other_party.phone = recorded
    elif details.other_party.phone != recorded:
        raise OtherPartyPhoneFrozen(
            f"asked to confirm at {asked_at.isoformat()}",
            field="other_party.phone",
        )


# --- reading --------------------------------------------------------------------------------------


async def find(session: AsyncSession, claim_id: uuid.UUID, *, for_update: bool = False) -> Claim | None:
    """The claim whoever asks, or None: for the steps that decide visibility themselves."""
    return await repository.get(session, claim_id, for_update=for_update)


async def get_visible(
    session: AsyncSession,
    claim_id: uuid.UUID,
    principal: Principal,
    *,
    for_update: bool = False,
    documents: bool = False,
) -> Claim:
    """The claim if the caller may see it; 404 otherwise (someone else's claim does not exist for you).

    A surveyor sees a claim waiting in the surveyors' queue or assigned to them; its ``documents`` (ID card,
    bank card, licences) only once it is assigned to them: picking from the queue needs none of those.
    """
    claim = await repository.get(session, claim_id, for_update=for_update)
    if claim is None or not await _may_see(session, claim, principal, documents=documents):
        raise ClaimNotFound(f"no claim {claim_id}")
    return claim


async def _may_see(session: AsyncSession, claim: Claim, principal: Principal, *, documents: bool) -> bool:
    if principal.role == Role.MEMBER:
        return claim.member_id is not None and claim.member_id == principal.member_id
    if principal.role == Role.SURVEYOR:
        return bool(principal.staff_id) and await repository.surveyor_may_see(
            session, claim.id, str(principal.staff_id), queued=not documents
        )
    return principal.role in {Role.OPS, Role.ADMIN, Role.SERVICE}


async def list_for(
    session: AsyncSession,
    principal: Principal,
    *,
    member_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Claim]:
    """A member's claims, newest first: a member lists their own; ops and the gateway name the member."""
    if principal.role == Role.MEMBER:
        if member_id is not None and member_id != principal.member_id:
            raise Forbidden("a member lists only their own claims", field="member_id")
        member_id = principal.member_id
    if member_id is None:
        raise BadRequest("name the member whose claims to list", field="member_id")
    return await repository.page_of_member(session, member_id, cursor=cursor, limit=limit)


async def steps(session: AsyncSession, claim: Claim, *, cursor: str | None, limit: int) -> Slice[ClaimStep]:
    return await repository.steps(session, claim.id, cursor=cursor, limit=limit)


# --- adjudication and settlement (adjusters: ops) -------------------------------------------------


async def adjudicate(
    session: AsyncSession,
    claim: Claim,
    *,
    adjuster_id: str,
    decision: str,
    amount_fen: int | None,
    reason: str | None,
    now: datetime,
) -> None:
    if claim.status == S.REOPENED:
        await move(session, claim, S.ADJUDICATING, text="案件重新进入理算审核。", at=now)
    event = ClaimAdjudicated(
        claim_id=str(claim.id),
        member_id=str(claim.member_id),
        adjuster_id=adjuster_id,
        decision=decision,
        amount_fen=amount_fen,
        reason=reason,
        adjudicated_at=now,
    )
    if decision == "approved":
        assert amount_fen is not None
        claim.approved_amount_fen = amount_fen
        text = f"理赔审核通过，赔款金额 {timeline.yuan(amount_fen)} 元，将支付到您登记的银行卡。"
        await move(session, claim, S.APPROVED, text=text, at=now, event=event)
    else:
        text = f"很抱歉，您的案件未通过审核（原因：{reason}）。如有疑问，请联系您的客户经理。"
        await move(session, claim, S.REJECTED, text=text, at=now, event=event)


async def pay(session: AsyncSession, claim: Claim, *, amount_fen: int, now: datetime) -> None:
    if claim.approved_amount_fen is not None and amount_fen > claim.approved_amount_fen:
        raise AmountOverApproved(
            f"approved {claim.approved_amount_fen} fen, asked to pay {amount_fen}", field="amount_fen"
        )
    ensure_transition(S(claim.status), S.PAID)
    claim.paid_amount_fen = amount_fen
    if claim.settled_at is None:
        claim.settled_at = now
    await move(
        session,
        claim,
        S.PAID,
        text=f"赔款 {timeline.yuan(amount_fen)} 元已支付到您的银行卡，请注意查收。",
        at=now,
        event=ClaimSettled(
            claim_id=str(claim.id), member_id=str(claim.member_id), amount_fen=amount_fen, settled_at=now
        ),
    )


async def close(session: AsyncSession, claim: Claim, *, now: datetime) -> None:
    await move(
        session,
        claim,
        S.CLOSED,
        text="案件已结案，感谢您对我们的信任。",
        at=now,
        event=ClaimClosed(claim_id=str(claim.id), member_id=str(claim.member_id), closed_at=now),
    )


async def reopen(
    session: AsyncSession, claim: Claim, *, adjuster_id: str, reason: str, now: datetime
) -> None:
    await move(
        session,
        claim,
        S.REOPENED,
        text=f"案件已重新开启（{reason}），我们会继续为您处理。",
        at=now,
        event=ClaimReopened(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            adjuster_id=adjuster_id,
            reason=reason,
            reopened_at=now,
        ),
    )

"""The liability assistant: scenarios → proposed split → both parties confirm, or the claim escalates.

The reporting member answers for themself. The other party proves their answer one of two ways: the code
sent by SMS to the phone recorded for them (typed into the member's phone), or by answering from their
own member account when its phone is that number. Once a code has been requested the phone is frozen.
A dispute, or a split not agreed by ``confirm_by``, goes to a surveyor on site.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cheyou_events.catalogue.claims import (
    LiabilityAssessed,
    LiabilityConfirmationRequested,
    LiabilityConfirmed,
    LiabilityDisputed,
    LiabilityProposed,
    LiabilityUnconfirmed,
)
from cheyou_kit.auth import Principal, Role
from cheyou_kit.errors import Unprocessable
from cheyou_kit.masking import mask_phone
from cheyou_kit.pagination import Slice
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc import pii
from claims_svc.claims import service as claims
from claims_svc.claims import timeline
from claims_svc.claims.errors import ClaimNotFound
from claims_svc.claims.lifecycle import ClaimStatus, ensure_transition
from claims_svc.claims.models import Claim
from claims_svc.config import Settings
from claims_svc.contacts import service as contacts
from claims_svc.liability import codes, repository
from claims_svc.liability.errors import (
    AlreadyAnswered,
    CodeExhausted,
    CodeRateLimited,
    CodeRequired,
    NoOtherParty,
    NoOtherPartyPhone,
    NoProposal,
    NotAwaitingAnswers,
    NotYourParty,
    OwnPhoneAsOtherParty,
    UnknownScenario,
    WrongCode,
)
from claims_svc.liability.models import LiabilityAssessment, LiabilityCode, LiabilityScenario
from claims_svc.sms import SmsSender
from claims_svc.surveys import service as surveys

S = ClaimStatus
Party = Literal["member", "other_party"]
Proof = Literal["member_session", "sms_code", "member_account"]


def split(member_conduct: int, other_conduct: int) -> tuple[str, str]:
    """(member's share, other party's share) from how much listed conduct each party has.

    One party with listed conduct and the other without → full / none; comparable conduct (as many
    scenarios each) → equal; otherwise the party with more conduct has the main share, the other the minor.
    """
    if member_conduct and not other_conduct:
        return "full", "none"
    if other_conduct and not member_conduct:
        return "none", "full"
    if member_conduct == other_conduct:
        return "equal", "equal"
    return ("major", "minor") if member_conduct > other_conduct else ("minor", "major")


async def scenarios(session: AsyncSession, *, cursor: str | None, limit: int) -> Slice[LiabilityScenario]:
    return await repository.scenarios(session, cursor=cursor, limit=limit)


async def assessment_of(session: AsyncSession, claim: Claim) -> LiabilityAssessment:
    assessment = await repository.assessment(session, claim.id)
    if assessment is None:
        raise NoProposal()
    return assessment


async def confirmation_requested_at(session: AsyncSession, claim: Claim) -> datetime | None:
    """When the other party was first asked to confirm the split (None: not asked, or no split yet)."""
    assessment = await repository.assessment(session, claim.id)
    return assessment.confirmation_requested_at if assessment is not None else None


async def open_code(session: AsyncSession, claim: Claim) -> LiabilityCode | None:
    return await repository.open_code(session, claim.id)


# --- who is asking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    claim: Claim
    party: Party
    """``member``: the reporting member (or claims staff reading); ``other_party``: the other party,
    signed in as a member whose phone is the one recorded for them."""
    member_id: uuid.UUID | None = None


async def claim_for_party(
    session: AsyncSession,
    claim_id: uuid.UUID,
    principal: Principal,
    *,
    settings: Settings,
    for_update: bool = False,
) -> Caller:
    """The claim, for its reader or for the other party's own account; 404 for anyone else."""
    if principal.role == Role.MEMBER:
        claim = await claims.find(session, claim_id, for_update=for_update)
        if claim is not None and claim.member_id != principal.member_id:
            if await _is_other_party(session, claim, principal, settings):
                return Caller(claim, "other_party", principal.member_id)
            raise ClaimNotFound(f"no claim {claim_id}")
    claim = await claims.get_visible(session, claim_id, principal, for_update=for_update)
    return Caller(claim, "member")


async def _is_other_party(
    session: AsyncSession, claim: Claim, principal: Principal, settings: Settings
) -> bool:
    """The member signed in is the other party: member-svc's phone of theirs is the one recorded."""
    if principal.member_id is None or claim.accident_type == "single_vehicle":
        return False
    cipher = pii.cipher_for(settings.pii_key.get_secret_value())
    recorded = pii.other_party_phone(cipher, claim.id, claim.other_party)
    if recorded is None:
        return False
    return await contacts.phone_of(session, principal.member_id, settings) == recorded


# --- the proposal -----------------------------------------------------------------------------------


async def propose(
    session: AsyncSession,
    claim: Claim,
    *,
    member_scenarios: list[str],
    other_scenarios: list[str],
    settings: Settings,
    now: datetime,
) -> LiabilityAssessment | None:
    """Propose the split; manual scenarios, or no conduct on either side, send the claim on site (None).

    A new proposal clears both answers and voids any code sent for the old one; the deadline stays.
    """
    if claim.accident_type == "single_vehicle":
        raise NoOtherParty()
    ensure_transition(S(claim.status), S.LIABILITY_PENDING)
    known = await repository.scenarios_by_code(session, [*member_scenarios, *other_scenarios])
    unknown = [c for c in (*member_scenarios, *other_scenarios) if c not in known]
    if unknown:
        raise UnknownScenario(f"unknown: {', '.join(unknown)}", field="scenarios", unknown=unknown)
    if any(known[c].manual for c in known) or not (member_scenarios or other_scenarios):
        await repository.close_codes(session, claim.id, at=now, reason="lapsed")
        await surveys.route_on_site(session, claim, ["liability_manual"], settings=settings, at=now)
        return None
    member_share, other_share = split(len(member_scenarios), len(other_scenarios))
    assessment = await repository.assessment(session, claim.id)
    if assessment is None:
        assessment = LiabilityAssessment(claim_id=claim.id)
        repository.add(session, assessment)
    else:
        await repository.close_codes(session, claim.id, at=now, reason="reproposed")
    assessment.member_scenarios = member_scenarios
    assessment.other_scenarios = other_scenarios
    assessment.member_liability = member_share
    assessment.other_liability = other_share
    assessment.proposed_at = now
    if assessment.confirm_by is None:
        assessment.confirm_by = now + timedelta(minutes=settings.liability_confirm_within_minutes)
    assessment.member_confirmed_at = assessment.other_confirmed_at = None
    assessment.other_confirmed_by = None
    assessment.other_party_member_id = None
    assessment.disputed_by = assessment.disputed_at = None
    await claims.move(
        session,
        claim,
        S.LIABILITY_PENDING,
        text=(
            f"根据您选择的事故情形，建议责任划分为：您方{timeline.LIABILITY[member_share]}，"
            f"对方{timeline.LIABILITY[other_share]}。请双方核对后确认：对方可用发送到其手机的确认码，"
            "或登录自己的会员账号确认。"
        ),
        at=now,
        event=LiabilityProposed(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            member_scenarios=member_scenarios,
            other_scenarios=other_scenarios,
            liability=member_share,
            proposed_at=now,
        ),
        code="liability_proposed",
    )
    return assessment


def _awaiting(claim: Claim, assessment: LiabilityAssessment) -> None:
    if claim.status != S.LIABILITY_PENDING:
        raise NotAwaitingAnswers(
            f"a claim that is {claim.status} takes no liability answers", claim_status=claim.status
        )
    if assessment.disputed_at is not None:
        raise NotAwaitingAnswers("the split is disputed", claim_status=claim.status)


# --- the code for the other party -------------------------------------------------------------------


async def request_confirmation(
    session: AsyncSession,
    sms: SmsSender,
    claim: Claim,
    *,
    settings: Settings,
    now: datetime,
) -> tuple[LiabilityAssessment, LiabilityCode, str]:
    """Send a code to the other party's phone, within the limits; the phone is frozen from now on.

    The message says what the other party would agree to. The SMS goes last: a refused send rolls back
    the code, the limits' count and the freeze alike. Returns the phone masked, with the rest.
    """
    assessment = await assessment_of(session, claim)
    _awaiting(claim, assessment)
    if assessment.other_confirmed_at is not None:
        raise AlreadyAnswered("the other party already agreed")
    pii_key = settings.pii_key.get_secret_value()
    phone = pii.other_party_phone(pii.cipher_for(pii_key), claim.id, claim.other_party)
    if phone is None:
        raise NoOtherPartyPhone(field="other_party.phone")
    if await contacts.phone_of(session, claim.member_id, settings) == phone:
        raise OwnPhoneAsOtherParty(
            "the code must go to the other party's phone, not yours", field="other_party.phone"
        )
    phone_index = pii.blind_index_for(pii_key).digest(f"phone:{phone}")
    await repository.lock_phone(session, phone_index)
    await _within_limits(session, claim, phone_index, settings, now)
    await repository.close_codes(session, claim.id, at=now, reason="replaced")
    code = codes.new_code()
    row = LiabilityCode(
        id=uuid.uuid4(),
        claim_id=claim.id,
        phone_index=phone_index,
        sent_at=now,
        expires_at=now + timedelta(seconds=settings.liability_code_ttl_seconds),
    )
    row.digest = codes.digest(pii_key, row.id, code)
    repository.add_code(session, row)
    if assessment.confirmation_requested_at is None:
        assessment.confirmation_requested_at = now
    assert assessment.confirm_by is not None
    masked = mask_phone(phone)
    claims.record_step(
        session,
        claim,
        "liability_confirmation_requested",
        f"确认码已发送至对方手机 {masked}，请对方核对责任划分后将确认码告知您"
        "（对方手机号码已锁定，不能再修改）。",
        now,
    )
    await claims.emit(
        session,
        LiabilityConfirmationRequested(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            channel="sms",
            requested_at=now,
            expires_at=row.expires_at,
            confirm_by=assessment.confirm_by,
        ),
    )
    await session.flush()
    await sms.send(
        phone,
        settings.liability_sms_template_code,
        {
            "claim_no": claim.claim_no,
            "plate": claim.plate or "",
            "liability": timeline.LIABILITY[assessment.other_liability],
            "code": code,
            "minutes": str(settings.liability_code_ttl_seconds // 60),
        },
    )
    return assessment, row, masked


async def _within_limits(
    session: AsyncSession, claim: Claim, phone_index: str, settings: Settings, now: datetime
) -> None:
    last = await repository.last_code(session, claim.id)
    if last is not None:
        wait = settings.liability_code_resend_seconds - (now - last.sent_at).total_seconds()
        if wait > 0:
            raise CodeRateLimited(
                "a code was sent for this claim moments ago", retry_after=max(int(wait + 0.999), 1)
            )
    if await repository.codes_of_claim(session, claim.id) >= settings.liability_codes_per_claim:
        raise CodeRateLimited(
            f"this claim has sent its {settings.liability_codes_per_claim} codes; a surveyor will settle "
            "the liability if the other party cannot confirm",
            limit="claim",
        )
    for window, limit, name in (
        (timedelta(hours=1), settings.liability_codes_per_phone_hour, "phone-hour"),
        (timedelta(days=1), settings.liability_codes_per_phone_day, "phone-day"),
    ):
        if await repository.codes_to_phone(session, phone_index, since=now - window) >= limit:
            raise CodeRateLimited("this phone has received too many codes; try later", limit=name)


# --- the answers ------------------------------------------------------------------------------------


async def answer(
    session: AsyncSession,
    redis: Redis,
    caller: Caller,
    *,
    party: Party | None,
    agree: bool,
    code: str | None,
    settings: Settings,
    now: datetime,
) -> LiabilityAssessment:
    """A party agrees or disputes, with its proof; both agreeing settles it, a dispute escalates the claim.

    The reporting member answers for themself (``member``) or types the other party's code
    (``other_party`` + ``code``); the other party's own account answers as ``other_party``, no code.
    """
    claim = caller.claim
    assessment = await assessment_of(session, claim)
    proof: Proof
    if caller.party == "other_party":
        if party == "member":
            raise NotYourParty(field="party")
        if code is not None:
            raise Unprocessable("answering from your own account needs no code", field="code")
        party, proof = "other_party", "member_account"
    elif party == "other_party" or (party is None and code is not None):
        if code is None:
            raise CodeRequired(field="code")
        party, proof = "other_party", "sms_code"
    else:
        if code is not None:
            raise Unprocessable("a code is the other party's proof, not yours", field="code")
        party, proof = "member", "member_session"
    _awaiting(claim, assessment)
    answered = assessment.member_confirmed_at if party == "member" else assessment.other_confirmed_at
    if answered is not None:
        raise AlreadyAnswered(f"the {party} already agreed")
    if proof == "sms_code":
        assert code is not None
        await _check_code(session, redis, claim, code, settings, now)
    if not agree:
        await _dispute(session, claim, assessment, party, proof, settings, now)
        return assessment
    if party == "member":
        assessment.member_confirmed_at = now
    else:
        assessment.other_confirmed_at = now
        assessment.other_confirmed_by = proof
        if proof == "member_account":
            assessment.other_party_member_id = caller.member_id
            if assessment.confirmation_requested_at is None:  # their phone is now what they answered with
                assessment.confirmation_requested_at = now
    how = {"member_session": "", "sms_code": "（短信确认码验证）", "member_account": "（会员账号登录确认）"}[
        proof
    ]
    who = "您已" if party == "member" else "对方已"
    claims.record_step(session, claim, f"liability_confirmed_by_{party}", f"{who}确认责任划分{how}。", now)
    await claims.emit(
        session,
        LiabilityConfirmed(
            claim_id=str(claim.id), member_id=str(claim.member_id), party=party, proof=proof, confirmed_at=now
        ),
    )
    if assessment.member_confirmed_at and assessment.other_confirmed_at:
        claim.liability = assessment.member_liability
        await claims.move(
            session,
            claim,
            S.LIABILITY_AGREED,
            text=f"双方已确认责任：您方{timeline.LIABILITY[assessment.member_liability]}。",
            at=now,
            event=LiabilityAssessed(
                claim_id=str(claim.id),
                member_id=str(claim.member_id),
                liability=assessment.member_liability,
                assessed_at=now,
            ),
        )
        await claims.move(session, claim, S.SURVEY_PENDING, text=timeline.take_photos(), at=now)
    return assessment


async def _check_code(
    session: AsyncSession, redis: Redis, claim: Claim, code: str, settings: Settings, now: datetime
) -> None:
    row = await repository.open_code(session, claim.id)
    if row is None or row.expires_at <= now:
        raise WrongCode(
            "no code is waiting for this claim, or it has expired: ask for a new one", field="code"
        )
    tries = await codes.count_try(redis, row.id, lifetime_seconds=settings.liability_code_ttl_seconds)
    limit = settings.liability_code_max_attempts
    if tries > limit:
        raise CodeExhausted(field="code")
    if not codes.matches(settings.pii_key.get_secret_value(), row.id, code, row.digest):
        if tries >= limit:
            raise CodeExhausted(field="code")
        raise WrongCode(field="code", attempts_remaining=limit - tries)
    row.closed_at, row.closed_reason = now, "used"


async def _dispute(
    session: AsyncSession,
    claim: Claim,
    assessment: LiabilityAssessment,
    party: Party,
    proof: Proof,
    settings: Settings,
    now: datetime,
) -> None:
    assessment.disputed_by = party
    assessment.disputed_at = now
    await repository.close_codes(session, claim.id, at=now, reason="lapsed")
    await claims.move(
        session,
        claim,
        S.LIABILITY_DISPUTED,
        text=("您方" if party == "member" else "对方") + "对责任划分有异议，案件将转交交警或查勘员现场处理。",
        at=now,
        event=LiabilityDisputed(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            disputed_by=party,
            disputed_at=now,
            proof=proof,
        ),
    )
    await surveys.route_on_site(session, claim, ["liability_disputed"], settings=settings, at=now)


# --- the deadline -----------------------------------------------------------------------------------


async def escalate_overdue(
    session: AsyncSession, *, settings: Settings, now: datetime, limit: int = 100
) -> int:
    """Splits not agreed by both parties by their deadline go to a surveyor on site; how many did."""
    due = await repository.overdue(session, now=now, limit=limit)
    for claim, assessment in due:
        assert assessment.confirm_by is not None
        await repository.close_codes(session, claim.id, at=now, reason="lapsed")
        claims.record_step(
            session,
            claim,
            "liability_unconfirmed",
            "责任划分未在规定时间内得到双方确认，案件将转交查勘员现场处理。",
            now,
        )
        await claims.emit(
            session,
            LiabilityUnconfirmed(
                claim_id=str(claim.id),
                member_id=str(claim.member_id),
                confirm_by=assessment.confirm_by,
                escalated_at=now,
            ),
        )
        await surveys.route_on_site(session, claim, ["liability_unconfirmed"], settings=settings, at=now)
    return len(due)

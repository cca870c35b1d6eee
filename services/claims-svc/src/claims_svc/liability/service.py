"""The liability assistant: scenarios → proposed split → both parties confirm, or the claim escalates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cheyou_events.catalogue.claims import LiabilityAssessed, LiabilityDisputed, LiabilityProposed
from cheyou_kit.errors import Conflict, NotFound, Unprocessable
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.claims import service as claims
from claims_svc.claims import timeline
from claims_svc.claims.lifecycle import ClaimStatus, ensure_transition
from claims_svc.claims.models import Claim
from claims_svc.config import Settings
from claims_svc.liability import repository
from claims_svc.liability.models import LiabilityAssessment, LiabilityScenario

S = ClaimStatus


class UnknownScenario(Unprocessable):
    slug = "unknown-scenario"
    title = "Not a scenario of the standard list"


class NoOtherParty(Conflict):
    slug = "no-other-party"
    title = "A single-vehicle accident has no liability split"


class NoProposal(NotFound):
    slug = "no-liability-proposal"
    title = "No liability has been proposed for this claim"


class AlreadyAnswered(Conflict):
    slug = "liability-already-answered"
    title = "This party has already answered"


class OtherPartyNotConfirmed(Unprocessable):
    slug = "other-party-not-confirmed"
    title = "The other party's confirmation does not match the phone recorded for them"


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


async def scenarios(session: AsyncSession, *, after: int | None, limit: int) -> Sequence[LiabilityScenario]:
    return await repository.scenarios(session, after=after, limit=limit)


async def assessment_of(session: AsyncSession, claim: Claim) -> LiabilityAssessment:
    assessment = await repository.assessment(session, claim.id)
    if assessment is None:
        raise NoProposal()
    return assessment


async def propose(
    session: AsyncSession,
    claim: Claim,
    *,
    member_scenarios: list[str],
    other_scenarios: list[str],
    settings: Settings,
    now: datetime,
) -> LiabilityAssessment | None:
    """Propose the split; manual scenarios, or no conduct on either side, send the claim on site (None)."""
    if claim.accident_type == "single_vehicle":
        raise NoOtherParty()
    ensure_transition(S(claim.status), S.LIABILITY_PENDING)
    known = await repository.scenarios_by_code(session, [*member_scenarios, *other_scenarios])
    unknown = [c for c in (*member_scenarios, *other_scenarios) if c not in known]
    if unknown:
        raise UnknownScenario(f"unknown: {', '.join(unknown)}", field="scenarios", unknown=unknown)
    if any(known[c].manual for c in known) or not (member_scenarios or other_scenarios):
        await claims.route_on_site(session, claim, ["liability_manual"], settings=settings, at=now)
        return None
    member_share, other_share = split(len(member_scenarios), len(other_scenarios))
    assessment = await repository.assessment(session, claim.id)
    if assessment is None:
        assessment = LiabilityAssessment(claim_id=claim.id)
        repository.add(session, assessment)
    assessment.member_scenarios = member_scenarios
    assessment.other_scenarios = other_scenarios
    assessment.member_liability = member_share
    assessment.other_liability = other_share
    assessment.proposed_at = now
    assessment.member_confirmed_at = assessment.other_confirmed_at = None
    assessment.disputed_by = assessment.disputed_at = None
    await claims.move(
        session,
        claim,
        S.LIABILITY_PENDING,
        text=(
            f"根据您选择的事故情形，建议责任划分为：您方{timeline.LIABILITY[member_share]}，"
            f"对方{timeline.LIABILITY[other_share]}。请双方核对后确认。"
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


async def answer(
    session: AsyncSession,
    claim: Claim,
    *,
    party: str,
    agree: bool,
    phone_last4: str | None,
    settings: Settings,
    now: datetime,
) -> LiabilityAssessment:
    """A party agrees or disputes; both agreeing settles liability, a dispute escalates the claim."""
    assessment = await assessment_of(session, claim)
    if claim.status != S.LIABILITY_PENDING:
        ensure_transition(S(claim.status), S.LIABILITY_AGREED)
    if party == "other_party":
        other = claim.other_party or {}
        recorded = other.get("phone_last4") or (other.get("phone") or "")[-4:]  # older claims: the number
        if not recorded or phone_last4 != recorded:
            raise OtherPartyNotConfirmed(field="phone_last4")
    answered = assessment.member_confirmed_at if party == "member" else assessment.other_confirmed_at
    if answered is not None:
        raise AlreadyAnswered(f"the {party} already agreed")
    if not agree:
        assessment.disputed_by = party
        assessment.disputed_at = now
        await claims.move(
            session,
            claim,
            S.LIABILITY_DISPUTED,
            text=("您方" if party == "member" else "对方")
            + "对责任划分有异议，案件将转交交警或查勘员现场处理。",
            at=now,
            event=LiabilityDisputed(
                claim_id=str(claim.id),
                member_id=str(claim.member_id),
                disputed_by=party,
                disputed_at=now,
            ),
        )
        await claims.route_on_site(session, claim, ["liability_disputed"], settings=settings, at=now)
        return assessment
    if party == "member":
        assessment.member_confirmed_at = now
    else:
        assessment.other_confirmed_at = now
    who = "您已" if party == "member" else "对方已"
    claims.record_step(session, claim, f"liability_confirmed_by_{party}", f"{who}确认责任划分。", now)
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

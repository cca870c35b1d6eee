"""The claim's states and the transitions allowed between them; anything else is refused (409)."""

from __future__ import annotations

from enum import StrEnum

from claims_svc.claims.errors import IllegalTransition


class ClaimStatus(StrEnum):
    REPORTED = "reported"
    LIABILITY_PENDING = "liability_pending"
    LIABILITY_AGREED = "liability_agreed"
    LIABILITY_DISPUTED = "liability_disputed"
    SURVEY_PENDING = "survey_pending"
    SURVEY_SUBMITTED = "survey_submitted"
    RESHOOT_REQUESTED = "reshoot_requested"
    ESCALATED_ON_SITE = "escalated_on_site"
    LOSS_CONFIRMED = "loss_confirmed"
    DOCUMENTS_PENDING = "documents_pending"
    ADJUDICATING = "adjudicating"
    APPROVED = "approved"
    PAID = "paid"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REOPENED = "reopened"


S = ClaimStatus

TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.REPORTED: frozenset({S.LIABILITY_PENDING, S.SURVEY_PENDING, S.ESCALATED_ON_SITE, S.WITHDRAWN}),
    S.LIABILITY_PENDING: frozenset(
        {S.LIABILITY_PENDING, S.LIABILITY_AGREED, S.LIABILITY_DISPUTED, S.ESCALATED_ON_SITE, S.WITHDRAWN}
    ),
    S.LIABILITY_AGREED: frozenset({S.SURVEY_PENDING, S.ESCALATED_ON_SITE, S.WITHDRAWN}),
    S.LIABILITY_DISPUTED: frozenset({S.ESCALATED_ON_SITE, S.WITHDRAWN}),
    S.SURVEY_PENDING: frozenset({S.SURVEY_SUBMITTED, S.ESCALATED_ON_SITE, S.WITHDRAWN}),
    S.SURVEY_SUBMITTED: frozenset({S.RESHOOT_REQUESTED, S.LOSS_CONFIRMED, S.ESCALATED_ON_SITE, S.WITHDRAWN}),
    S.RESHOOT_REQUESTED: frozenset({S.SURVEY_SUBMITTED, S.ESCALATED_ON_SITE, S.WITHDRAWN}),
    S.ESCALATED_ON_SITE: frozenset({S.LOSS_CONFIRMED, S.WITHDRAWN, S.REJECTED}),
    S.LOSS_CONFIRMED: frozenset({S.DOCUMENTS_PENDING, S.WITHDRAWN}),
    S.DOCUMENTS_PENDING: frozenset({S.ADJUDICATING, S.WITHDRAWN}),
    # from here on the member can only *ask* to withdraw; an adjuster approves (see service.withdraw)
    S.ADJUDICATING: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.PAID, S.WITHDRAWN}),
    S.PAID: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REJECTED: frozenset({S.REOPENED}),
    S.WITHDRAWN: frozenset(),
    S.REOPENED: frozenset({S.DOCUMENTS_PENDING, S.ADJUDICATING, S.WITHDRAWN}),
}

MEMBER_MAY_WITHDRAW = frozenset(
    {
        S.REPORTED,
        S.LIABILITY_PENDING,
        S.LIABILITY_AGREED,
        S.LIABILITY_DISPUTED,
        S.SURVEY_PENDING,
        S.SURVEY_SUBMITTED,
        S.RESHOOT_REQUESTED,
        S.ESCALATED_ON_SITE,
        S.LOSS_CONFIRMED,
        S.DOCUMENTS_PENDING,
        S.REOPENED,
    }
)
"""States a member may withdraw from on their own: everything before adjudication."""

WITHDRAWAL_NEEDS_APPROVAL = frozenset({S.ADJUDICATING, S.APPROVED})
"""Under adjudication the member's withdrawal is a request an adjuster approves."""

OPEN = frozenset(S) - {S.CLOSED, S.REJECTED, S.WITHDRAWN}
"""States of a claim that is still being handled (duplicates are looked for among these)."""

DETAILS_EDITABLE = frozenset(
    {S.REPORTED, S.LIABILITY_PENDING, S.LIABILITY_AGREED, S.SURVEY_PENDING, S.RESHOOT_REQUESTED}
)
"""States in which the member may still complete the report."""


def ensure_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"a claim that is {current.value} cannot become {target.value}",
            current_status=current.value,
            requested_status=target.value,
        )

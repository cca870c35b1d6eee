"""Claims events (``claims.events``): every step of an online claim, shown in the member's timeline."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id
from cheyou_events.event import Event


class ClaimsEvent(Event):
    """A step of one claim: every claims event names the claim and its member (the partition key)."""

    topic: ClassVar[str] = "claims.events"

    claim_id: Id
    member_id: Id


class ClaimReported(ClaimsEvent):
    """First notice of loss (一键报案)."""

    event_type: ClassVar[str] = "cheyou.claims.reported.v1"

    policy_no: Id
    has_injury: bool
    city_code: Id
    accident_at: AwareDatetime
    reported_at: AwareDatetime
    claim_no: str | None = None
    """The readable claim number the member quotes (branch + date + sequence)."""
    plate: str | None = None
    handling: Literal["self_service", "on_site"] = "self_service"
    duplicate_of: str | None = None
    """Set when a claim of the same plate or policy has an overlapping loss time (a suspected duplicate)."""
    catastrophe_code: str | None = None


class ClaimRoutedOnSite(ClaimsEvent):
    """The claim left self-service: a surveyor handles it on site, for the reasons given."""

    event_type: ClassVar[str] = "cheyou.claims.routed_on_site.v1"

    reasons: list[
        Literal[
            "injury_or_death",
            "not_drivable",
            "drink_driving_suspected",
            "no_valid_licence",
            "no_plate",
            "party_left",
            "third_party_property",
            "over_fast_claim_limit",
            "liability_disputed",
            "liability_manual",
            "liability_unconfirmed",
        ]
    ]
    routed_at: AwareDatetime


class LiabilityProposed(ClaimsEvent):
    """The liability assistant proposed a split from the scenarios picked; both parties must confirm."""

    event_type: ClassVar[str] = "cheyou.claims.liability_proposed.v1"

    member_scenarios: list[Id]
    other_scenarios: list[Id]
    liability: Literal["full", "major", "equal", "minor", "none"]
    """The member's proposed share."""
    proposed_at: AwareDatetime


class LiabilityDisputed(ClaimsEvent):
    """A party rejected the proposed split; the claim goes to police or on-site handling."""

    event_type: ClassVar[str] = "cheyou.claims.liability_disputed.v1"

    disputed_by: Literal["member", "other_party"]
    disputed_at: AwareDatetime
    proof: Literal["member_session", "sms_code", "member_account"] | None = None
    """How the disputing party proved who they are (see ``LiabilityConfirmed``); absent before v1.1."""


class LiabilityConfirmationRequested(ClaimsEvent):
    """A one-time code was sent by SMS to the phone recorded for the other party, who proves their
    agreement with it; from now on that phone can no longer be changed."""

    event_type: ClassVar[str] = "cheyou.claims.liability_confirmation_requested.v1"

    channel: Literal["sms"]
    requested_at: AwareDatetime
    expires_at: AwareDatetime
    """When the code stops working."""
    confirm_by: AwareDatetime
    """When an unconfirmed split goes to a surveyor on site."""


class LiabilityConfirmed(ClaimsEvent):
    """A party agreed to the proposed split, and how they proved who they are."""

    event_type: ClassVar[str] = "cheyou.claims.liability_confirmed.v1"

    party: Literal["member", "other_party"]
    proof: Literal["member_session", "sms_code", "member_account"]
    """``member_session``: the reporting member, signed in; ``sms_code``: the code sent to the other
    party's phone; ``member_account``: the other party signed in as a member with that phone."""
    confirmed_at: AwareDatetime


class LiabilityUnconfirmed(ClaimsEvent):
    """The other party did not confirm the split in time; a surveyor determines liability on site."""

    event_type: ClassVar[str] = "cheyou.claims.liability_unconfirmed.v1"

    confirm_by: AwareDatetime
    escalated_at: AwareDatetime


class LiabilityAssessed(ClaimsEvent):
    """The liability assistant (辅助定责) settled the member's share of liability."""

    event_type: ClassVar[str] = "cheyou.claims.liability_assessed.v1"

    liability: Literal["full", "major", "equal", "minor", "none", "undetermined"]
    assessed_at: AwareDatetime


class SurveyPhotoUploaded(ClaimsEvent):
    """The member uploaded a photo for one slot of the guided survey."""

    event_type: ClassVar[str] = "cheyou.claims.survey_photo_uploaded.v1"

    photo_id: Id
    slot: Id
    uploaded_at: AwareDatetime


class SurveySubmitted(ClaimsEvent):
    """The member submitted the survey photos; ``expected_by`` is when a surveyor will look at them."""

    event_type: ClassVar[str] = "cheyou.claims.survey_submitted.v1"

    photos: int
    within_service_hours: bool
    expected_by: AwareDatetime
    submitted_at: AwareDatetime


class SurveyTaken(ClaimsEvent):
    """A surveyor took the claim's survey from the queue."""

    event_type: ClassVar[str] = "cheyou.claims.survey_taken.v1"

    surveyor_id: Id
    queue_seconds: float
    taken_at: AwareDatetime


class SurveyConfirmed(ClaimsEvent):
    """A surveyor accepted the photos and estimated the loss."""

    event_type: ClassVar[str] = "cheyou.claims.survey_confirmed.v1"

    surveyor_id: Id
    estimated_loss_fen: Fen
    confirmed_at: AwareDatetime


class ReshootRequested(ClaimsEvent):
    """A surveyor asked the member to shoot some slots again."""

    event_type: ClassVar[str] = "cheyou.claims.reshoot_requested.v1"

    surveyor_id: Id
    slots: list[Id]
    reason: str
    requested_at: AwareDatetime


class DocumentsCompleted(ClaimsEvent):
    """Every document the claim needs has been received."""

    event_type: ClassVar[str] = "cheyou.claims.documents_completed.v1"

    completed_at: AwareDatetime


class DocumentUploaded(ClaimsEvent):
    """The member uploaded a claim document (ID card, bank card, invoice, ...)."""

    event_type: ClassVar[str] = "cheyou.claims.document_uploaded.v1"

    document_id: Id
    kind: Id
    missing: list[Id]
    """Kinds the checklist still lacks after this upload."""
    uploaded_at: AwareDatetime


class ClaimAdjudicated(ClaimsEvent):
    """An adjuster approved (with an amount) or rejected the claim."""

    event_type: ClassVar[str] = "cheyou.claims.adjudicated.v1"

    adjuster_id: Id
    decision: Literal["approved", "rejected"]
    amount_fen: Fen | None = None
    reason: str | None = None
    adjudicated_at: AwareDatetime


class ClaimSettled(ClaimsEvent):
    """The claim was paid; the member's manager gets a follow-up task."""

    event_type: ClassVar[str] = "cheyou.claims.settled.v1"

    amount_fen: Fen
    settled_at: AwareDatetime


class ClaimWithdrawn(ClaimsEvent):
    """The member withdrew the claim."""

    event_type: ClassVar[str] = "cheyou.claims.withdrawn.v1"

    reason: str
    withdrawn_at: AwareDatetime


class ClaimClosed(ClaimsEvent):
    """The claim file was closed after payment."""

    event_type: ClassVar[str] = "cheyou.claims.closed.v1"

    closed_at: AwareDatetime


class ClaimReopened(ClaimsEvent):
    """A closed or rejected claim was reopened by an adjuster."""

    event_type: ClassVar[str] = "cheyou.claims.reopened.v1"

    adjuster_id: Id
    reason: str
    reopened_at: AwareDatetime


class WithdrawalRequested(ClaimsEvent):
    """The member asked to withdraw a claim already under adjudication; an adjuster decides."""

    event_type: ClassVar[str] = "cheyou.claims.withdrawal_requested.v1"

    reason: str
    requested_at: AwareDatetime


class WithdrawalDeclined(ClaimsEvent):
    """An adjuster declined the member's withdrawal request; the claim goes on."""

    event_type: ClassVar[str] = "cheyou.claims.withdrawal_declined.v1"

    adjuster_id: Id
    reason: str
    declined_at: AwareDatetime


class AppointmentBooked(ClaimsEvent):
    """The member booked an injury-mediation appointment (人伤调解预约)."""

    event_type: ClassVar[str] = "cheyou.claims.appointment_booked.v1"

    appointment_id: Id
    site_code: Id
    site_name: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    booked_at: AwareDatetime


class AppointmentRescheduled(ClaimsEvent):
    """The member moved an injury-mediation appointment to another slot."""

    event_type: ClassVar[str] = "cheyou.claims.appointment_rescheduled.v1"

    appointment_id: Id
    site_code: Id
    site_name: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    previous_starts_at: AwareDatetime
    rescheduled_at: AwareDatetime


class AppointmentCancelled(ClaimsEvent):
    """An injury-mediation appointment was cancelled (by the member, or with the claim's withdrawal)."""

    event_type: ClassVar[str] = "cheyou.claims.appointment_cancelled.v1"

    appointment_id: Id
    starts_at: AwareDatetime
    cancelled_at: AwareDatetime

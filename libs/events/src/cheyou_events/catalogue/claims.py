"""Claims events (``claims.events``): every step of an online claim, shown in the member's timeline."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id
from cheyou_events.event import Event


class ClaimsEvent(Event):
    topic: ClassVar[str] = "claims.events"


class ClaimReported(ClaimsEvent):
    """First notice of loss (一键报案)."""

    event_type: ClassVar[str] = "cheyou.claims.reported.v1"

    claim_id: Id
    member_id: Id
    policy_no: Id
    has_injury: bool
    city_code: Id
    accident_at: AwareDatetime
    reported_at: AwareDatetime


class LiabilityAssessed(ClaimsEvent):
    """The liability assistant (辅助定责) settled the member's share of liability."""

    event_type: ClassVar[str] = "cheyou.claims.liability_assessed.v1"

    claim_id: Id
    member_id: Id
    liability: Literal["full", "major", "equal", "minor", "none", "undetermined"]
    assessed_at: AwareDatetime


class SurveyPhotoUploaded(ClaimsEvent):
    """The member uploaded a photo for one slot of the guided survey."""

    event_type: ClassVar[str] = "cheyou.claims.survey_photo_uploaded.v1"

    claim_id: Id
    member_id: Id
    photo_id: Id
    slot: Id
    uploaded_at: AwareDatetime


class SurveyConfirmed(ClaimsEvent):
    """A surveyor accepted the photos and estimated the loss."""

    event_type: ClassVar[str] = "cheyou.claims.survey_confirmed.v1"

    claim_id: Id
    member_id: Id
    surveyor_id: Id
    estimated_loss_fen: Fen
    confirmed_at: AwareDatetime


class ReshootRequested(ClaimsEvent):
    """A surveyor asked the member to shoot some slots again."""

    event_type: ClassVar[str] = "cheyou.claims.reshoot_requested.v1"

    claim_id: Id
    member_id: Id
    surveyor_id: Id
    slots: list[Id]
    reason: str
    requested_at: AwareDatetime


class DocumentsCompleted(ClaimsEvent):
    """Every document the claim needs has been received."""

    event_type: ClassVar[str] = "cheyou.claims.documents_completed.v1"

    claim_id: Id
    member_id: Id
    completed_at: AwareDatetime


class ClaimSettled(ClaimsEvent):
    """The claim was paid; the member's manager gets a follow-up task."""

    event_type: ClassVar[str] = "cheyou.claims.settled.v1"

    claim_id: Id
    member_id: Id
    amount_fen: Fen
    settled_at: AwareDatetime


class ClaimWithdrawn(ClaimsEvent):
    """The member withdrew the claim."""

    event_type: ClassVar[str] = "cheyou.claims.withdrawn.v1"

    claim_id: Id
    member_id: Id
    reason: str
    withdrawn_at: AwareDatetime

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, Self

from cheyou_kit.masking import mask_phone, mask_tail
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from claims_svc.claims import timeline

AccidentType = Literal["two_vehicle", "single_vehicle", "multi_vehicle"]
LossCause = Literal["collision", "scrape", "flood", "fire", "theft", "hail", "falling_object", "other"]
Weather = Literal["sunny", "cloudy", "rain", "heavy_rain", "typhoon", "fog", "snow", "other"]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    address: str = Field(min_length=1, max_length=200)


class OtherParty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, pattern=r"^1[3-9]\d{9}$")
    plate: str | None = Field(default=None, min_length=2, max_length=16)
    insurer: str | None = Field(default=None, max_length=60)
    policy_no: str | None = Field(default=None, max_length=64)


class Driver(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=40)
    licence_no: str | None = Field(default=None, max_length=32)
    licence_class: str | None = Field(default=None, max_length=8)


class ClaimDetails(BaseModel):
    """What the member adds as they go; every field may come later (PATCH)."""

    model_config = ConfigDict(extra="forbid")

    loss_cause: LossCause | None = None
    weather: Weather | None = None
    description: str | None = Field(default=None, max_length=2000)
    injury_or_death: bool | None = None
    vehicles_drivable: bool | None = None
    police_called: bool | None = None
    third_party_property: bool | None = None
    drink_driving_suspected: bool | None = None
    driver_licence_valid: bool | None = None
    plate_missing: bool | None = None
    other_party_left: bool | None = None
    estimated_loss_fen: int | None = Field(default=None, ge=0, le=10_000_000_000)
    catastrophe_code: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    other_party: OtherParty | None = None
    driver: Driver | None = None


class ClaimCreate(ClaimDetails):
    """The one-click report: the policy or the plate, when and where; the rest may follow."""

    policy_no: str | None = Field(default=None, min_length=1, max_length=64)
    plate: str | None = Field(default=None, min_length=2, max_length=16)
    loss_at: AwareDatetime
    location: Location
    accident_type: AccidentType = "two_vehicle"
    member_id: uuid.UUID | None = Field(
        default=None, description="Claims staff reporting on a member's behalf name the member."
    )

    @model_validator(mode="after")
    def _policy_or_plate(self) -> Self:
        if self.policy_no is None and self.plate is None:
            raise ValueError("give the policy number or the plate")
        return self


class ClaimUpdate(ClaimDetails):
    pass


class ClaimRead(BaseModel):
    id: uuid.UUID
    claim_no: str
    member_id: uuid.UUID
    policy_no: str
    plate: str | None
    status: str
    handling: Literal["self_service", "on_site"]
    on_site_reasons: list[str]
    on_site_reason_text: str | None
    duplicate_suspect: bool
    duplicate_of: uuid.UUID | None
    accident_type: str
    loss_at: datetime
    reported_at: datetime
    location: Location
    city_code: str
    loss_cause: str | None
    weather: str | None
    description: str | None
    injury_or_death: bool
    vehicles_drivable: bool
    police_called: bool
    third_party_property: bool
    drink_driving_suspected: bool
    driver_licence_valid: bool
    plate_missing: bool
    other_party_left: bool
    estimated_loss_fen: int | None
    catastrophe_code: str | None
    other_party: dict[str, Any] | None = Field(description="Phone masked.")
    driver: dict[str, Any] | None = Field(description="Licence number masked.")
    liability: str | None
    confirmed_loss_fen: int | None
    approved_amount_fen: int | None
    paid_amount_fen: int | None
    withdrawal_requested: bool

    @classmethod
    def of(cls, claim: Any) -> ClaimRead:
        other = dict(claim.other_party) if claim.other_party else None
        if other is not None:
            # stored sealed (claims_svc.pii); claims from before that kept the number itself
            phone = other.pop("phone", None)
            other["phone"] = other.pop("phone_masked", None) or (mask_phone(phone) if phone else phone)
            other.pop("phone_encrypted", None)
            other.pop("phone_last4", None)
        driver = dict(claim.driver) if claim.driver else None
        if driver is not None:
            masked = driver.pop("licence_no_masked", None)
            licence_no = driver.get("licence_no")
            driver["licence_no"] = masked or (mask_tail(licence_no) if licence_no else licence_no)
            driver.pop("licence_no_encrypted", None)
        return cls(
            id=claim.id,
            claim_no=claim.claim_no,
            member_id=claim.member_id,
            policy_no=claim.policy_no,
            plate=claim.plate,
            status=claim.status,
            handling=claim.handling,
            on_site_reasons=list(claim.on_site_reasons),
            on_site_reason_text=timeline.reasons(claim.on_site_reasons) if claim.on_site_reasons else None,
            duplicate_suspect=claim.duplicate_of is not None,
            duplicate_of=claim.duplicate_of,
            accident_type=claim.accident_type,
            loss_at=claim.loss_at,
            reported_at=claim.reported_at,
            location=Location(latitude=claim.latitude, longitude=claim.longitude, address=claim.address),
            city_code=claim.city_code,
            loss_cause=claim.loss_cause,
            weather=claim.weather,
            description=claim.description,
            injury_or_death=claim.injury_or_death,
            vehicles_drivable=claim.vehicles_drivable,
            police_called=claim.police_called,
            third_party_property=claim.third_party_property,
            drink_driving_suspected=claim.drink_driving_suspected,
            driver_licence_valid=claim.driver_licence_valid,
            plate_missing=claim.plate_missing,
            other_party_left=claim.other_party_left,
            estimated_loss_fen=claim.estimated_loss_fen,
            catastrophe_code=claim.catastrophe_code,
            other_party=other,
            driver=driver,
            liability=claim.liability,
            confirmed_loss_fen=claim.confirmed_loss_fen,
            approved_amount_fen=claim.approved_amount_fen,
            paid_amount_fen=claim.paid_amount_fen,
            withdrawal_requested=claim.withdrawal_requested_at is not None,
        )


class ClaimStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    code: str
    status: str
    text: str


class WithdrawalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class WithdrawalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str = Field(default="", max_length=500)


class WithdrawalRead(BaseModel):
    outcome: Literal["withdrawn", "requested"]
    claim: ClaimRead


class AdjudicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approved", "rejected"]
    amount_fen: int | None = Field(default=None, ge=0, le=10_000_000_000)
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _amount_when_approved(self) -> Self:
        if self.decision == "approved" and self.amount_fen is None:
            raise ValueError("an approval needs amount_fen")
        if self.decision == "rejected" and not self.reason:
            raise ValueError("a rejection needs a reason")
        return self


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: int = Field(ge=0, le=10_000_000_000)


class ReopeningCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)

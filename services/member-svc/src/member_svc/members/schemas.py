from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from member_svc import china_time
from member_svc.identifiers import IdCardNumber, MobileNumber, PlateNumber, Vin

Interest = Literal[
    "photography", "self_drive", "sports", "family", "travel", "food", "yoga", "badminton", "basketball",
    "charity", "cars", "movies", "lectures", "fishing",
]  # fmt: skip
Gender = Literal["male", "female"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=32)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[1-8][0-9]{5}$")]
"""A 6-digit administrative division code (GB/T 2260), e.g. 350102."""
Openid = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=64)]
Tier = Literal["prospective", "ordinary", "three_star", "four_star", "five_star"]
MemberStatus = Literal["invited", "pending", "needs_fix", "verified", "rejected"]
JoinChannel = Literal["web", "wechat", "manager_invite", "import"]


VehicleKind = Literal["household_car", "commercial_vehicle", "motorcycle", "other"]


class VehicleIn(BaseModel):
    plate: PlateNumber
    vin: Vin | None = None
    registered_on: date | None = Field(
        default=None,
        description="First registration date (行驶证注册日期); annual inspections are due from it.",
    )
    kind: VehicleKind = "household_car"

    @field_validator("registered_on")
    @classmethod
    def _not_in_the_future(cls, value: date | None) -> date | None:
        if value is not None and not date(1950, 1, 1) <= value <= china_time.today():
            raise ValueError("must be a past date (a vehicle's first registration)")
        return value


class VehicleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    plate: str
    vin: str | None
    registered_on: date | None
    kind: VehicleKind


class MemberCreate(BaseModel):
    """A self-registration (web or WeChat), possibly through a manager's invite code."""

    name: Name
    id_number: IdCardNumber
    phone: MobileNumber
    gender: str | None = Field(default=None, description="Checked against the ID-card number when given.")
    region_code: RegionCode | None = None
    interests: list[Interest] = Field(default_factory=list, max_length=14)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=5)
    channel: Literal["web", "wechat"] = "web"
    manager_code: str | None = Field(
        default=None, max_length=16, description="The code of a manager's invite QR."
    )
    openid: Openid | None = Field(
        default=None,
        description="Only from the gateway, which proved it with a WeChat authorization code; a member "
        "binds WeChat after joining (POST /api/v1/auth/wechat-binding).",
    )
    referral_code: str | None = Field(
        default=None, max_length=16, description="The referral code of the member who referred this one."
    )


class MemberUpdate(BaseModel):
    """What a member may change; name and ID only while the application is returned for a fix."""

    name: Name | None = None
    id_number: IdCardNumber | None = None
    phone: MobileNumber | None = Field(
        default=None,
        description="Refused here (403): the sign-in phone changes with a code sent to the new number, "
        "POST /api/v1/auth/phone-change.",
    )
    region_code: RegionCode | None = None
    interests: list[Interest] | None = Field(default=None, max_length=14)
    vehicles: list[VehicleIn] | None = Field(default=None, max_length=5)


class MemberRead(BaseModel):
    """A member, masked. A view carries the ID number's last four or the profile (birth year, gender,
    region), never both: together they narrow the number down to a few dozen candidates. The member,
    their manager and the gateway get the last four; reviewers, ops and admin the profile; the reviewer
    holding the application, who reads the full data anyway (audited), both."""

    member_id: uuid.UUID
    status: MemberStatus
    tier: str
    name_masked: str
    phone_masked: str
    id_number_masked: str | None = Field(
        description="The ID-card number's last four (`**************012X`): for the member, their manager "
        "and the reviewer holding the application; null for other staff."
    )
    gender: str | None = Field(
        description="From the ID-card number: for reviewers, ops and admin; null for the member and managers."
    )
    birth_year: int | None = Field(
        description="From the ID-card number: for reviewers, ops and admin; null for the member and managers."
    )
    region_code: str | None = Field(
        description="Where the member lives (6-digit code): for reviewers, ops and admin; null for the "
        "member and managers."
    )
    interests: list[str]
    needs: list[str] = Field(default_factory=list, description="Services the member wants (征集令 answers).")
    join_channel: str
    manager_id: str | None
    referral_code: str | None = Field(description="Given on verification: share it to refer others.")
    referred_by_member_id: uuid.UUID | None
    wechat_bound: bool
    vehicles: list[VehicleRead]
    joined_at: datetime
    verified_at: datetime | None


class MemberPii(BaseModel):
    """The full real-name data; every read is written to the audit trail."""

    member_id: uuid.UUID
    name: str
    id_number: str
    phone: str


class IdentifyRequest(BaseModel):
    phone: MobileNumber | None = None
    openid: Openid | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.phone is None) == (self.openid is None):
            raise ValueError("give exactly one of phone and openid")
        return self


class Identified(BaseModel):
    member_id: uuid.UUID
    status: MemberStatus


class OpenidBinding(BaseModel):
    openid: Openid


class ApplicationReceived(BaseModel):
    """An applicant's registration: the same answer whatever became of it (who is a member is not told)."""

    status: Literal["received"] = "received"
    message: str = Field(
        default="Application received. Sign in with the phone you proved to follow it; a reviewer "
        "will phone the policyholder before the membership starts."
    )


class PhoneChange(BaseModel):
    """A new sign-in phone the gateway proved with a code sent to it."""

    phone: MobileNumber


class PhoneChanged(BaseModel):
    member: MemberRead
    previous_phone: str = Field(description="The number replaced, for the notice the gateway texts to it.")


class CardCodeCheck(BaseModel):
    code: str = Field(max_length=128)


class PiiReadRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    actor: str
    role: str
    fields: str
    purpose: str
    read_at: datetime

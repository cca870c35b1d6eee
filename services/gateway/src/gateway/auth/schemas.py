from __future__ import annotations

import uuid
from typing import Literal

from cheyou_kit.identity import Role
from pydantic import BaseModel, Field

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
# No control characters (Postgres refuses NUL in text, and none belongs in a name).
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]+$"


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=1, max_length=256)


class OtpRequest(BaseModel):
    phone: str = Field(min_length=11, max_length=20, examples=["13800138000"])


class OtpSent(BaseModel):
    expires_in: int
    resend_after: int


class OtpLogin(BaseModel):
    phone: str = Field(min_length=11, max_length=20)
    code: str = Field(pattern=r"^\d{6}$")


class PhoneProofRead(BaseModel):
    """The right code for a phone no member has: join with it (``X-Phone-Proof`` on POST /members)."""

    phone_proof: str = Field(description="Opaque; send it as X-Phone-Proof, then to POST /auth/phone-proof.")
    expires_in: int


class PhoneProofLogin(BaseModel):
    phone_proof: str = Field(min_length=16, max_length=128)


class PhoneChangeRequest(BaseModel):
    phone: str = Field(min_length=11, max_length=20, description="The new number (a code was sent to it).")
    code: str = Field(pattern=r"^\d{6}$", description="The code texted to the new number.")


class WeChatBinding(BaseModel):
    code: str = Field(min_length=1, max_length=256, description="The `code` WeChat put on the redirect URL.")
    state: str = Field(pattern=r"^[0-9a-f]{32}$", description="The `state` from the redirect URL.")
    verifier: str = Field(
        min_length=16, max_length=128, description="The verifier of GET /auth/wechat/authorize-url."
    )


class AccountRead(BaseModel):
    """The member's sign-in details after a change, masked."""

    member_id: uuid.UUID
    status: str
    phone_masked: str
    wechat_bound: bool


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    refresh_token: str
    role: Role
    subject: str
    member_id: uuid.UUID | None = None
    staff_id: str | None = None


class PrincipalRead(BaseModel):
    subject: str
    role: Role
    member_id: uuid.UUID | None = None
    staff_id: str | None = None
    merchant_id: uuid.UUID | None = None
    merchant_user_id: uuid.UUID | None = None
    merchant_role: str | None = None


class StaffCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=USERNAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=100, pattern=PRINTABLE_PATTERN)
    role: Literal[Role.REVIEWER, Role.MANAGER, Role.SURVEYOR, Role.OPS, Role.ADMIN]
    password: str = Field(min_length=10, max_length=256)


class StaffUpdate(BaseModel):
    disabled: bool


class StaffRead(BaseModel):
    model_config = {"from_attributes": True}

    username: str
    display_name: str
    role: Role
    disabled: bool


class StaffPage(BaseModel):
    items: list[StaffRead]
    next_cursor: str | None

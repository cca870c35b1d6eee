from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from merchant_svc.users.models import MerchantRole, MerchantUserStatus

Phone = Annotated[str, Field(pattern=r"^1[3-9][0-9]{9}$", description="Mainland mobile number, 11 digits.")]


class MerchantUserCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    phone: Phone | None = None
    role: MerchantRole


class MerchantUserUpdate(BaseModel):
    role: MerchantRole | None = None
    status: MerchantUserStatus | None = None
    phone: Phone | None = Field(default=None, description="The number the user signs in with (SMS code).")


class MerchantUserRead(BaseModel):
    """A merchant user as shown anywhere: name and phone masked."""

    id: uuid.UUID
    merchant_id: uuid.UUID
    name: str = Field(description="Masked: the family name only.")
    phone: str | None = Field(description="Masked: ``138****8000``.")
    role: MerchantRole
    status: MerchantUserStatus
    created_by: str
    created_at: datetime


class StaffLookup(BaseModel):
    phone: Phone


class MerchantUserStanding(BaseModel):
    """Whether a merchant user may act now (the gateway: staff sign-in and every request of their session)."""

    user_id: uuid.UUID
    merchant_id: uuid.UUID
    role: MerchantRole
    status: MerchantUserStatus
    merchant_status: str
    active: bool = Field(description="The user is active and the merchant is active.")

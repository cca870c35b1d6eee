from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from gateway.auth.schemas import TokenRead


class MerchantOtpRequest(BaseModel):
    phone: str = Field(min_length=11, max_length=20, examples=["13800138000"])


class MerchantOtpLogin(BaseModel):
    phone: str = Field(min_length=11, max_length=20)
    code: str = Field(pattern=r"^\d{6}$")


class MerchantTokenRead(TokenRead):
    merchant_id: uuid.UUID
    merchant_user_id: uuid.UUID
    merchant_role: str = Field(description="merchant_admin, dispatcher, technician or integration.")

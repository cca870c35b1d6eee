from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchant_svc.merchants.models import Category, MerchantStatus
from merchant_svc.users.models import MerchantRole

CityCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="GB/T 2260 city code, e.g. 350100")]
PrivilegeId = Annotated[str, Field(min_length=1, max_length=64)]


class MerchantCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    category: Category
    contact_name: Annotated[str | None, Field(max_length=80)] = None
    contact_phone: Annotated[str | None, Field(max_length=32)] = None
    city_codes: Annotated[list[CityCode], Field(min_length=1)]


class MerchantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    category: Category
    status: MerchantStatus
    status_reason: str | None
    contact_name: str | None = Field(description="Masked: the family name only.")
    contact_phone: str | None = Field(description="Masked: ``138****8000``.")
    city_codes: list[str]
    score: float
    created_at: datetime


class MerchantStatusChange(BaseModel):
    status: MerchantStatus
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ContractCreate(BaseModel):
    privilege_ids: Annotated[list[PrivilegeId], Field(min_length=1)]
    city_codes: Annotated[list[CityCode], Field(min_length=1)]
    unit_price_fen: Annotated[int, Field(ge=0)]
    starts_on: date
    ends_on: date
    accept_within_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 15
    complete_within_minutes: Annotated[int, Field(ge=1, le=30 * 24 * 60)] = 240
    max_open_orders: Annotated[int, Field(ge=1, le=100_000)] = 50

    @model_validator(mode="after")
    def _term(self) -> ContractCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ContractRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    privilege_ids: list[str]
    city_codes: list[str]
    unit_price_fen: int
    starts_on: date
    ends_on: date
    accept_within_minutes: int
    complete_within_minutes: int
    max_open_orders: int


class ApiKeyCreate(BaseModel):
    label: Annotated[str, Field(min_length=1, max_length=80)]


class MerchantApiKeyCreate(ApiKeyCreate):
    merchant_user_id: uuid.UUID | None = Field(
        default=None, description="Whose key it is; without it, the merchant's integration user's."
    )


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    merchant_user_id: uuid.UUID | None
    label: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyIssued(ApiKeyRead):
    key: str = Field(description="The key itself: shown this once, only its hash is kept.")


class ApiKeyVerify(BaseModel):
    key: Annotated[str, Field(min_length=1, max_length=200)]


class ApiKeyIdentity(BaseModel):
    """What the gateway learns from a key (it reads ``merchant_id``, ``status`` and ``subject``)."""

    merchant_id: uuid.UUID
    name: str
    status: MerchantStatus
    api_key_id: uuid.UUID
    merchant_user_id: uuid.UUID | None
    user_role: MerchantRole | None
    subject: str = Field(description="The principal's subject: ``merchant-key:<api_key_id>``.")
    expires_at: datetime | None = Field(
        default=None,
        description="When the key stops working (a rotated key's overlap ends); none: revocable.",
    )

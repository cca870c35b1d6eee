from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class PolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    policy_no: str
    customer_no: str
    previous_policy_no: str | None
    line: str
    vehicle_kind: str
    plate: str | None
    vin: str | None
    premium_fen: int
    starts_on: date
    ends_on: date
    renewal_due_on: date = Field(description="The policy ends on this day: renew before it.")
    branch_code: str
    selling_unit: str | None
    channel: str | None
    status: str
    member_id: uuid.UUID | None

    @classmethod
    def of(cls, policy: Any) -> PolicyRead:
        return cls.model_validate(
            {
                **{c: getattr(policy, c) for c in cls.model_fields if c != "renewal_due_on"},
                "renewal_due_on": policy.ends_on,
            }
        )


class FeedEvent(BaseModel):
    """One event of the core policy feed, as the Kafka feed carries it (CloudEvents attributes + data)."""

    type: str = Field(description="e.g. cheyou.policy.renewed.v1")
    id: uuid.UUID | None = Field(
        default=None, description="Send the same id again and nothing happens twice."
    )
    source: str = Field(default="core-policy", max_length=64)
    time: AwareDatetime | None = None
    data: dict[str, Any]


class FeedBatch(BaseModel):
    events: list[FeedEvent] = Field(min_length=1, max_length=1000)


class FeedAccepted(BaseModel):
    accepted: list[uuid.UUID]

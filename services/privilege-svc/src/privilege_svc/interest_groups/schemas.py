from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Interest = Literal[
    "photography", "self_drive", "sports", "family", "travel", "food", "yoga", "badminton", "basketball",
    "charity", "cars", "movies", "lectures", "fishing",
]  # fmt: skip
"""member-svc's interests (what members pick when they join or answer a needs survey), and fishing."""


class InterestGroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    description: Annotated[str, Field(max_length=1000)] = ""
    interests: Annotated[list[Interest], Field(min_length=1, max_length=14)]


class InterestGroupRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    interests: list[str]
    status: Literal["active", "archived"]
    qr_version: int
    qr_expires_at: datetime | None
    qr_available: bool
    """A QR is there and has not expired."""
    qr_updated_at: datetime | None
    created_at: datetime
    joins: int | None = None
    """Staff: members who joined (each counted once)."""
    joined: bool | None = None
    """A member: whether they joined."""


class InterestGroupJoinRead(BaseModel):
    group_id: uuid.UUID
    joined_at: datetime
    first_time: bool
    qr_expires_at: datetime | None

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchant_svc.accountability.models import Outcome


class NoteCreate(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    author: str
    text: str
    created_at: datetime


class Decision(BaseModel):
    outcome: Outcome
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    penalty_fen: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _penalty(self) -> Decision:
        if self.outcome == Outcome.PENALTY and self.penalty_fen == 0:
            raise ValueError("penalty_fen: a penalty needs an amount")
        if self.outcome != Outcome.PENALTY and self.penalty_fen:
            raise ValueError("penalty_fen: only a penalty carries an amount")
        return self


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    complaint_id: str
    merchant_id: uuid.UUID
    order_id: str
    member_id: str
    source: str
    category: str
    status: str
    outcome: Outcome | None
    penalty_fen: int
    decision_reason: str | None
    decided_by: str | None
    opened_at: datetime
    decided_at: datetime | None


class CaseDetail(CaseRead):
    notes: list[NoteRead]


class ServiceRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    order_id: str
    merchant_id: uuid.UUID
    privilege_id: str
    outcome: str
    dispatched_at: datetime
    accepted_at: datetime | None
    arrived_at: datetime | None
    started_at: datetime | None
    finished_at: datetime
    accept_sla_met: bool
    complete_sla_met: bool
    notes: str | None
    photos: list[str]
    stars: int | None
    rating_comment: str | None


class Scorecard(BaseModel):
    merchant_id: uuid.UUID
    since: datetime
    services: int = Field(description="Service records (completed or failed) in the window.")
    completed: int
    rated: int
    satisfaction: float | None = Field(description="Average stars (1–5) of rated services.")
    accept_misses: int = Field(description="Orders taken away for letting the accept window pass.")
    sla_hit_rate: float | None = Field(
        description="Share of services (and missed accept windows) that met both accept and complete SLA."
    )
    complaints: int
    complaint_rate: float | None = Field(description="Complaints per service.")
    score: float = Field(description="0–100, used to choose merchants at dispatch.")

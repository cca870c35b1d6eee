from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime


class ChecklistItem(BaseModel):
    kind: str
    label: str
    hint: str
    received: int


class ChecklistRead(BaseModel):
    """What the claim needs, what came in, and what is still missing."""

    claim_status: str
    items: list[ChecklistItem]
    missing: list[str]
    missing_text: str | None
    documents: list[DocumentRead]


class DocumentUploadRead(BaseModel):
    document: DocumentRead
    missing: list[str]
    claim_status: str

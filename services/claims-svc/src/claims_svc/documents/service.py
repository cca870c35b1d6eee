"""Claim documents: the checklist of what is still missing, uploads, and the hand-over to adjudication."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cheyou_events.catalogue.claims import DocumentsCompleted, DocumentUploaded
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.claims import service as claims
from claims_svc.claims.lifecycle import ClaimStatus
from claims_svc.claims.models import Claim
from claims_svc.config import Settings
from claims_svc.documents import repository
from claims_svc.documents.checklist import KINDS, required_kinds
from claims_svc.documents.errors import (
    DocumentNotFound,
    DocumentsClosed,
    TooManyDocuments,
    UnknownDocumentKind,
)
from claims_svc.documents.models import ClaimDocument
from claims_svc.storage import FileStorage
from claims_svc.storage.transactions import put_for_transaction
from claims_svc.uploads import EXTENSIONS, check_declared_size, require_type

S = ClaimStatus
ACCEPTED = frozenset({"image/jpeg", "image/png", "application/pdf"})
MAX_PER_KIND = 5
CLOSED_TO_DOCUMENTS = frozenset({S.ADJUDICATING, S.APPROVED, S.PAID, S.CLOSED, S.REJECTED, S.WITHDRAWN})


@dataclass(frozen=True)
class Checklist:
    required: list[str]
    received: dict[str, int]
    documents: Sequence[ClaimDocument]

    @property
    def missing(self) -> list[str]:
        return [kind for kind in self.required if not self.received.get(kind)]


async def checklist(session: AsyncSession, claim: Claim) -> Checklist:
    documents = await repository.of_claim(session, claim.id)
    received: dict[str, int] = {}
    for document in documents:
        received[document.kind] = received.get(document.kind, 0) + 1
    return Checklist(required=required_kinds(claim), received=received, documents=documents)


def labels(kinds: Sequence[str]) -> str:
    return "、".join(KINDS[k].label for k in kinds)


async def ask_for_documents(session: AsyncSession, claim: Claim, *, now: datetime) -> None:
    """After the loss is confirmed: list what is missing, or go straight on if everything is in."""
    missing = (await checklist(session, claim)).missing
    text = f"请上传理赔资料，还需要：{labels(missing)}。" if missing else "理赔资料已齐全。"
    await claims.move(session, claim, S.DOCUMENTS_PENDING, text=text, at=now)
    if not missing:
        await _complete(session, claim, now)


async def upload(
    session: AsyncSession,
    storage: FileStorage,
    claim: Claim,
    *,
    kind: str,
    data: bytes,
    settings: Settings,
    now: datetime,
) -> tuple[ClaimDocument, list[str]]:
    """Store one document; when the last missing one arrives, the claim goes to adjudication."""
    if kind not in KINDS:
        raise UnknownDocumentKind(f"one of {', '.join(KINDS)}", field="kind")
    if S(claim.status) in CLOSED_TO_DOCUMENTS:
        raise DocumentsClosed(f"a claim that is {claim.status} takes no documents", claim_status=claim.status)
    if await repository.count_of_kind(session, claim.id, kind) >= MAX_PER_KIND:
        raise TooManyDocuments(f"at most {MAX_PER_KIND} files of kind {kind}", field="kind")
    content_type = require_type(data, ACCEPTED)
    if content_type != "application/pdf":
        # stored as sent, but decoded by whoever opens it later: a bomb is refused from its header
        await asyncio.to_thread(check_declared_size, data, content_type, settings.image_limits)
    document_id = uuid.uuid4()
    document = ClaimDocument(
        id=document_id,
        claim_id=claim.id,
        kind=kind,
        storage_key=f"claims/{claim.id}/documents/{document_id}.{EXTENSIONS[content_type]}",
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=now,
    )
    repository.add(session, document)
    await session.flush()
    await put_for_transaction(session, storage, document.storage_key, data, content_type)
    missing = (await checklist(session, claim)).missing
    claims.record_step(session, claim, "document_uploaded", f"已收到资料：{KINDS[kind].label}。", now)
    await claims.emit(
        session,
        DocumentUploaded(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            document_id=str(document.id),
            kind=kind,
            missing=missing,
            uploaded_at=now,
        ),
    )
    if not missing and claim.status == S.DOCUMENTS_PENDING:
        await _complete(session, claim, now)
    return document, missing


async def _complete(session: AsyncSession, claim: Claim, now: datetime) -> None:
    await claims.move(
        session,
        claim,
        S.ADJUDICATING,
        text="理赔资料已齐全，案件进入理算审核，审核结果会第一时间通知您。",
        at=now,
        event=DocumentsCompleted(claim_id=str(claim.id), member_id=str(claim.member_id), completed_at=now),
        code="documents_completed",
    )


async def content(
    session: AsyncSession, storage: FileStorage, claim: Claim, document_id: uuid.UUID
) -> tuple[ClaimDocument, bytes]:
    document = await repository.get(session, claim.id, document_id)
    if document is None:
        raise DocumentNotFound()
    try:
        return document, (await storage.get(document.storage_key)).data
    except FileNotFoundError:
        raise DocumentNotFound("the document's file is gone") from None

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, File, Form, Response, UploadFile, status

from claims_svc.auth import ClaimReaderDep, MemberDep
from claims_svc.claims import service as claims
from claims_svc.config import SettingsDep
from claims_svc.documents import service
from claims_svc.documents.checklist import KINDS
from claims_svc.documents.schemas import ChecklistItem, ChecklistRead, DocumentRead, DocumentUploadRead
from claims_svc.storage import StorageDep
from claims_svc.uploads import read_limited

router = APIRouter(prefix="/claims/{claim_id}/documents", tags=["documents"])


@router.get("", response_model=ChecklistRead)
async def get_checklist(claim_id: uuid.UUID, session: SessionDep, principal: ClaimReaderDep) -> ChecklistRead:
    """The documents checklist of the claim: what is still missing."""
    claim = await claims.get_visible(session, claim_id, principal, documents=True)
    checklist = await service.checklist(session, claim)
    missing = checklist.missing
    return ChecklistRead(
        claim_status=claim.status,
        items=[
            ChecklistItem(
                kind=kind,
                label=KINDS[kind].label,
                hint=KINDS[kind].hint,
                received=checklist.received.get(kind, 0),
            )
            for kind in checklist.required
        ],
        missing=missing,
        missing_text=f"还需要：{service.labels(missing)}" if missing else None,
        documents=[DocumentRead.model_validate(d) for d in checklist.documents],
    )


@router.post("", response_model=DocumentUploadRead, status_code=status.HTTP_201_CREATED)
async def upload_document(
    claim_id: uuid.UUID,
    kind: Annotated[str, Form(min_length=1, max_length=32)],
    file: Annotated[UploadFile, File(description="JPEG, PNG or PDF.")],
    session: SessionDep,
    principal: MemberDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> DocumentUploadRead:
    """Upload one document of a kind on the checklist (multipart: kind, file)."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    data = await read_limited(file, settings.document_max_bytes)
    document, missing = await service.upload(
        session, storage, claim, kind=kind, data=data, settings=settings, now=datetime.now(UTC)
    )
    return DocumentUploadRead(
        document=DocumentRead.model_validate(document), missing=missing, claim_status=claim.status
    )


@router.get("/{document_id}/content", response_class=Response)
async def get_document_content(
    claim_id: uuid.UUID,
    document_id: uuid.UUID,
    session: SessionDep,
    principal: ClaimReaderDep,
    storage: StorageDep,
) -> Response:
    """The document's bytes."""
    claim = await claims.get_visible(session, claim_id, principal, documents=True)
    document, data = await service.content(session, storage, claim, document_id)
    return Response(content=data, media_type=document.content_type, headers={"Cache-Control": "private"})

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.errors import BadRequest
from fastapi import APIRouter, Query

from privilege_svc.auth import StatisticsReaderOnly
from privilege_svc.usage import service
from privilege_svc.usage.schemas import UsageRead

router = APIRouter(prefix="/privileges", tags=["privileges"])


@router.get("/usage", response_model=UsageRead, dependencies=[StatisticsReaderOnly])
async def usage(
    session: SessionDep,
    since: Annotated[datetime, Query(alias="from")],
    until: Annotated[datetime, Query(alias="to")],
) -> UsageRead:
    """Completed orders per privilege and tier, and points redemptions, in [from, to)."""
    if until <= since:
        raise BadRequest("to: must be after from", field="to")
    return await service.usage(session, since, until)

from __future__ import annotations

from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.errors import NotFound
from cheyou_kit.identity import Principal, Role, require_roles
from fastapi import APIRouter, Depends

from merchant_svc.fulfilments import service
from merchant_svc.fulfilments.schemas import FulfilmentRead

router = APIRouter(prefix="/fulfilments", tags=["fulfilments"])

OpsDep = Annotated[Principal, Depends(require_roles(Role.OPS, Role.ADMIN))]


@router.get("/{order_id}", response_model=FulfilmentRead)
async def get_fulfilment(order_id: str, session: SessionDep, _: OpsDep) -> FulfilmentRead:
    """One fulfilment and its dispatch status (ops)."""
    fulfilment = await service.get(session, order_id)
    if fulfilment is None:
        raise NotFound(f"order {order_id} is not known")
    return FulfilmentRead.model_validate(fulfilment)

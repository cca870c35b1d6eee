from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page, next_cursor
from fastapi import APIRouter, Depends, Query, Request, status

from merchant_svc.auth import OpsDep, ensure_merchant_access, merchant_scope
from merchant_svc.config import SettingsDep
from merchant_svc.pii import CipherDep
from merchant_svc.users.auth import WebhookManagerDep
from merchant_svc.webhooks import service
from merchant_svc.webhooks.models import Message
from merchant_svc.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointRead,
    EndpointUpdate,
    MessageDetail,
    MessageRead,
    Recover,
    Redeliver,
    Requeued,
    SecretRead,
    SecretRotate,
)
from merchant_svc.webhooks.url_policy import Destinations

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"])
messages_router = APIRouter(prefix="/webhook-messages", tags=["webhooks"])

ENDPOINT = "webhook endpoint"


async def get_destinations(request: Request) -> Destinations:
    """The address policy and resolver the app was built with (:func:`merchant_svc.main.create_app`)."""
    destinations: Destinations = request.app.state.webhook_destinations
    return destinations


DestinationsDep = Annotated[Destinations, Depends(get_destinations)]


def _message(message: Message) -> MessageRead:
    return MessageRead(
        id=message.id,
        merchant_id=message.merchant_id,
        event_type=message.event_type,
        order_id=message.order_id,
        created_at=message.created_at,
        payload=message.body.decode(),
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EndpointCreated)
async def create_endpoint(
    data: EndpointCreate,
    session: SessionDep,
    principal: WebhookManagerDep,
    settings: SettingsDep,
    destinations: DestinationsDep,
    cipher: CipherDep,
) -> EndpointCreated:
    """Register a merchant's receiver; the answer carries its signing secret."""
    ensure_merchant_access(principal, data.merchant_id)
    endpoint, secret = await service.create_endpoint(session, data, settings, destinations, cipher)
    return EndpointCreated.model_validate(
        {**EndpointRead.model_validate(endpoint).model_dump(), "secret": secret.secret}
    )


@router.get("", response_model=list[EndpointRead])
async def list_endpoints(
    session: SessionDep, principal: WebhookManagerDep, merchant_id: uuid.UUID | None = None
) -> list[EndpointRead]:
    """Endpoints of a merchant (a merchant sees only its own)."""
    merchant_id = merchant_scope(principal, merchant_id)
    return [EndpointRead.model_validate(e) for e in await service.endpoints_of(session, merchant_id)]


@router.get("/{endpoint_id}", response_model=EndpointRead)
async def get_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: WebhookManagerDep
) -> EndpointRead:
    """One endpoint with its health."""
    endpoint = await service.get_endpoint(session, endpoint_id)
    ensure_merchant_access(principal, endpoint.merchant_id, ENDPOINT)
    return EndpointRead.model_validate(endpoint)


@router.patch("/{endpoint_id}", response_model=EndpointRead)
async def update_endpoint(
    endpoint_id: uuid.UUID,
    data: EndpointUpdate,
    session: SessionDep,
    principal: WebhookManagerDep,
    destinations: DestinationsDep,
) -> EndpointRead:
    """Change the URL, the event-type filter or the concurrency limit."""
    ensure_merchant_access(
        principal, (await service.get_endpoint(session, endpoint_id)).merchant_id, ENDPOINT
    )
    return EndpointRead.model_validate(
        await service.update_endpoint(session, endpoint_id, data, destinations)
    )


@router.post("/{endpoint_id}/enable", response_model=EndpointRead)
async def enable_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: WebhookManagerDep
) -> EndpointRead:
    """Re-enable a disabled endpoint; its parked deliveries go out again."""
    ensure_merchant_access(
        principal, (await service.get_endpoint(session, endpoint_id)).merchant_id, ENDPOINT
    )
    return EndpointRead.model_validate(await service.enable_endpoint(session, endpoint_id))


@router.post("/{endpoint_id}/disable", response_model=EndpointRead)
async def disable_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: WebhookManagerDep
) -> EndpointRead:
    """Stop deliveries to an endpoint (they wait until it is enabled)."""
    ensure_merchant_access(
        principal, (await service.get_endpoint(session, endpoint_id)).merchant_id, ENDPOINT
    )
    by = principal.actor_id
    return EndpointRead.model_validate(
        await service.disable_endpoint(session, endpoint_id, f"disabled by {by}")
    )


@router.get("/{endpoint_id}/secrets", response_model=list[SecretRead])
async def list_secrets(
    endpoint_id: uuid.UUID, session: SessionDep, principal: WebhookManagerDep, cipher: CipherDep
) -> list[SecretRead]:
    """The secrets in force, newest first (two during a rotation's overlap)."""
    ensure_merchant_access(
        principal, (await service.get_endpoint(session, endpoint_id)).merchant_id, ENDPOINT
    )
    return [SecretRead.model_validate(s) for s in await service.secrets_of(session, cipher, endpoint_id)]


@router.post("/{endpoint_id}/secrets/rotate", response_model=SecretRead)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    data: SecretRotate,
    session: SessionDep,
    principal: WebhookManagerDep,
    settings: SettingsDep,
    cipher: CipherDep,
) -> SecretRead:
    """A new signing secret; the old one is also used until the overlap ends."""
    ensure_merchant_access(
        principal, (await service.get_endpoint(session, endpoint_id)).merchant_id, ENDPOINT
    )
    seconds = data.overlap_seconds if data.overlap_seconds is not None else settings.webhook_secret_overlap_s
    return SecretRead.model_validate(
        await service.rotate_secret(session, cipher, endpoint_id, timedelta(seconds=seconds))
    )


@router.post("/{endpoint_id}/recover", response_model=Requeued)
async def recover(endpoint_id: uuid.UUID, data: Recover, session: SessionDep, _: OpsDep) -> Requeued:
    """Send again everything that failed to this endpoint since a time (ops)."""
    return Requeued(requeued=await service.recover(session, endpoint_id, data.since))


@router.get("/{endpoint_id}/attempts", response_model=Page[AttemptRead])
async def list_attempts(
    endpoint_id: uuid.UUID,
    session: SessionDep,
    principal: WebhookManagerDep,
    cursor: Annotated[int | None, Query(ge=1)] = None,
    limit: LimitQuery = 50,
) -> Page[AttemptRead]:
    """The attempt log of an endpoint, newest first."""
    ensure_merchant_access(
        principal, (await service.get_endpoint(session, endpoint_id)).merchant_id, ENDPOINT
    )
    rows = await service.attempts_of_endpoint(session, endpoint_id, before_id=cursor, limit=limit)
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return Page(items=[AttemptRead.model_validate(a) for a in rows[:limit]], next_cursor=next_cursor)


@messages_router.get("", response_model=Page[MessageRead])
async def list_messages(
    session: SessionDep,
    principal: WebhookManagerDep,
    merchant_id: uuid.UUID | None = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MessageRead]:
    """Webhook messages, oldest first (a merchant sees only its own)."""
    merchant_id = merchant_scope(principal, merchant_id)
    rows = await service.list_messages(
        session, merchant_id=merchant_id, order_id=order_id, cursor=cursor, limit=limit
    )
    return Page(
        items=[_message(m) for m in rows[:limit]],
        next_cursor=next_cursor(rows, limit, lambda m: (m.created_at, m.id)),
    )


@messages_router.get("/{message_id}", response_model=MessageDetail)
async def get_message(message_id: str, session: SessionDep, principal: WebhookManagerDep) -> MessageDetail:
    """A message with its deliveries and every attempt."""
    message, deliveries, attempts = await service.message_detail(session, message_id)
    ensure_merchant_access(principal, message.merchant_id, "webhook message")
    return MessageDetail(
        **_message(message).model_dump(),
        deliveries=[DeliveryRead.model_validate(d) for d in deliveries],
        attempts=[AttemptRead.model_validate(a) for a in attempts],
    )


@messages_router.post("/{message_id}/redeliver", response_model=Requeued)
async def redeliver(message_id: str, data: Redeliver, session: SessionDep, _: OpsDep) -> Requeued:
    """Send one message again, with the same webhook-id (ops)."""
    return Requeued(requeued=await service.redeliver(session, message_id, data.endpoint_id))

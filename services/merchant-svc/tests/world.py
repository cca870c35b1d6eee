"""Scenario helpers: merchants, contracts, endpoints and orders made through the service's own API."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.privilege import PrivilegeOrderCancelled, PrivilegeOrderRequested
from cheyou_events.testing import read_topic
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from merchant_svc.config import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "merchant-svc"
FUZHOU = "350100"

T = TypeVar("T")


def new_phone() -> str:
    return f"139{secrets.randbelow(10**8):08d}"


def new_privilege() -> str:
    """A privilege id of the test's own, so no other test's merchants are eligible for it."""
    return f"test.{uuid.uuid4().hex[:12]}"


class World:
    def __init__(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.client = client
        self.identities = identities
        self.settings = settings
        self.sessions = sessions

    @property
    def ops(self) -> dict[str, str]:
        return self.identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")

    def as_merchant(self, merchant_id: uuid.UUID | str) -> dict[str, str]:
        return self.identities.headers(AUDIENCE, Role.MERCHANT, merchant_id=uuid.UUID(str(merchant_id)))

    def as_key(self, key: dict[str, Any]) -> dict[str, str]:
        """A merchant principal as the gateway names it once it passes the key on (``merchant-key:<id>``)."""
        return self.identities.headers(
            AUDIENCE,
            Role.MERCHANT,
            subject=f"merchant-key:{key['id']}",
            merchant_id=uuid.UUID(str(key["merchant_id"])),
        )

    def as_user(self, user: dict[str, Any]) -> dict[str, str]:
        """A merchant user signed in at the gateway (phone and SMS code): ``merchant-user:<id>``."""
        return self.identities.headers(
            AUDIENCE,
            Role.MERCHANT,
            subject=f"merchant-user:{user['id']}",
            merchant_id=uuid.UUID(str(user["merchant_id"])),
        )

    async def user(self, merchant_id: str, role: str, *, phone: str | None = None) -> dict[str, Any]:
        """A user of the merchant, created by ops, with a phone of their own (one user per number)."""
        response = await self.client.post(
            f"/api/v1/merchants/{merchant_id}/users",
            json={"name": "张三丰", "phone": phone or new_phone(), "role": role},
            headers=self.ops,
        )
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()
        return user

    async def key(self, user: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        """An API key of the user (issued by ops unless ``headers`` say who asks)."""
        response = await self.client.post(
            f"/api/v1/merchants/{user['merchant_id']}/users/{user['id']}/api-keys",
            json={"label": "phone app"},
            headers=headers or self.ops,
        )
        assert response.status_code == 201, response.text
        key: dict[str, Any] = response.json()
        return key

    def as_member(self, member_id: uuid.UUID | str) -> dict[str, str]:
        return self.identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.UUID(str(member_id)))

    @property
    def as_service(self) -> dict[str, str]:
        return self.identities.headers(AUDIENCE, Role.SERVICE, subject="gateway")

    async def merchant(
        self,
        privilege_id: str,
        *,
        city: str = FUZHOU,
        score: float | None = None,
        max_open_orders: int = 50,
        active: bool = True,
        category: str = "rescue",
    ) -> dict[str, Any]:
        """An active merchant contracted for ``privilege_id`` in ``city``."""
        created = await self.client.post(
            "/api/v1/merchants",
            json={"name": f"商户-{uuid.uuid4().hex[:8]}", "category": category, "city_codes": [city]},
            headers=self.ops,
        )
        assert created.status_code == 201, created.text
        merchant: dict[str, Any] = created.json()
        contract = await self.client.post(
            f"/api/v1/merchants/{merchant['id']}/contracts",
            json={
                "privilege_ids": [privilege_id],
                "city_codes": [city],
                "unit_price_fen": 5000,
                "starts_on": "2026-01-01",
                "ends_on": "2030-12-31",
                "accept_within_minutes": 15,
                "complete_within_minutes": 120,
                "max_open_orders": max_open_orders,
            },
            headers=self.ops,
        )
        assert contract.status_code == 201, contract.text
        if active:
            await self.set_status(merchant["id"], "active")
        if score is not None:
            async with self.sessions() as session, session.begin():
                await session.execute(
                    text("UPDATE merchants SET score = :score WHERE id = :id"),
                    {"score": score, "id": merchant["id"]},
                )
        return merchant

    async def set_status(self, merchant_id: str, status: str) -> None:
        response = await self.client.post(
            f"/api/v1/merchants/{merchant_id}/status",
            json={"status": status, "reason": "test"},
            headers=self.ops,
        )
        assert response.status_code == 200, response.text

    async def endpoint(self, merchant_id: str, url: str, **fields: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/webhook-endpoints",
            json={"merchant_id": merchant_id, "url": url, **fields},
            headers=self.ops,
        )
        assert response.status_code == 201, response.text
        endpoint: dict[str, Any] = response.json()
        return endpoint

    @staticmethod
    def order_request(
        privilege_id: str, *, order_id: str | None = None, member_id: str | None = None, **extra: Any
    ) -> Envelope[PrivilegeOrderRequested]:
        """privilege-svc's event for a member's new order (a new order and member unless given)."""
        event = PrivilegeOrderRequested(
            order_id=order_id or f"O{uuid.uuid4().hex[:12]}",
            member_id=member_id or str(uuid.uuid4()),
            privilege_id=privilege_id,
            price_fen=0,
            points_held=0,
            city_code=extra.pop("city_code", FUZHOU),
            requested_at=datetime.now(UTC),
            **extra,
        )
        return Envelope.new(event, source="privilege-svc")

    @staticmethod
    def order_cancellation(order_id: str, member_id: str) -> Envelope[PrivilegeOrderCancelled]:
        """privilege-svc's event for the member cancelling the order."""
        event = PrivilegeOrderCancelled(
            order_id=order_id,
            member_id=member_id,
            cancelled_by="member",
            reason="plans changed",
            cancelled_at=datetime.now(UTC),
        )
        return Envelope.new(event, source="privilege-svc")

    async def request_order(self, privilege_id: str, **extra: Any) -> str:
        order_id = f"O{uuid.uuid4().hex[:12]}"
        await self.publish(self.order_request(privilege_id, order_id=order_id, **extra))
        return order_id

    async def cancel_order(self, order_id: str, member_id: str) -> None:
        await self.publish(self.order_cancellation(order_id, member_id))

    async def publish(self, *envelopes: Envelope[Any]) -> None:
        await publish(self.settings.kafka_bootstrap_servers, *envelopes)

    async def fulfilment(self, order_id: str, *, status: str | None = None) -> dict[str, Any]:
        """The order once merchant-svc has it (in ``status``, when given)."""

        async def probe() -> dict[str, Any] | None:
            response = await self.client.get(f"/api/v1/fulfilments/{order_id}", headers=self.ops)
            if response.status_code != 200:
                return None
            found: dict[str, Any] = response.json()
            return found if status is None or found["status"] == status else None

        return await eventually(probe)

    async def dispatched(self, privilege_id: str, **extra: Any) -> dict[str, Any]:
        order_id = await self.request_order(privilege_id, **extra)
        return await self.fulfilment(order_id, status="dispatched")

    async def events(self, event_type: str, **match: str) -> list[dict[str, Any]]:
        """Payloads of ``event_type`` on ``merchant.events`` whose fields equal ``match``."""
        records = await read_topic(self.settings.kafka_bootstrap_servers, "merchant.events")
        found = []
        for record in records:
            headers = {k: v.decode() for k, v in record.headers}
            if headers.get("ce_type") != event_type:
                continue
            payload = json.loads(record.value)
            if all(payload.get(k) == v for k, v in match.items()):
                found.append(payload)
        return found

    async def event(self, event_type: str, **match: str) -> dict[str, Any]:
        """The one event matching, once the relay has published it."""

        async def probe() -> dict[str, Any] | None:
            found = await self.events(event_type, **match)
            return found[0] if found else None

        return await eventually(probe)

    async def until(self, probe: Callable[[], Awaitable[T | None]], within: float = 20.0) -> T:
        return await eventually(probe, within=within)


async def settle(seconds: float) -> None:
    """Give the worker time to do something it must NOT do (used only to check an absence)."""
    await asyncio.sleep(seconds)

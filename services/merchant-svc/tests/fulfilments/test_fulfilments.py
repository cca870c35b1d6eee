"""merchant-svc records each requested privilege order once, ready for dispatch."""

import uuid
from datetime import UTC, datetime

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.privilege import PrivilegeOrderRequested
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from merchant_svc.config import Settings


def requested(order_id: str) -> PrivilegeOrderRequested:
    return PrivilegeOrderRequested(
        order_id=order_id,
        member_id=str(uuid.uuid4()),
        privilege_id="designated-driving.after-drinking",
        price_fen=0,
        points_held=0,
        city_code="350100",
        requested_at=datetime(2026, 11, 25, 21, 30, tzinfo=UTC),
    )


class TestOrderRequested:
    async def test_a_requested_order_awaits_dispatch_once_even_if_delivered_twice(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        order_id = f"O{uuid.uuid4().hex[:10]}"
        event = Envelope.new(requested(order_id), source="privilege-svc")
        await publish(service_settings.kafka_bootstrap_servers, event, event)
        ops = identities.headers("merchant-svc", Role.OPS)

        async def fulfilment() -> dict[str, str] | None:
            response = await client.get(f"/api/v1/fulfilments/{order_id}", headers=ops)
            return response.json() if response.status_code == 200 else None

        found = await eventually(fulfilment)
        assert found["status"] == "awaiting_dispatch"
        assert found["city_code"] == "350100"

    async def test_members_cannot_read_fulfilments(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("merchant-svc", Role.MEMBER, member_id=uuid.uuid4())

        response = await client.get("/api/v1/fulfilments/O1", headers=headers)

        assert response.status_code == 403

"""notify-svc keeps its own audience projection from ``member.events``."""

import uuid
from datetime import UTC, datetime

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberRegistered, TierChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class TestAudience:
    async def test_registration_then_tier_change_shape_the_recipient(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        member_id = str(uuid.uuid4())
        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(
                MemberRegistered(member_id=member_id, channel="wechat", registered_at=AT), source="m"
            ),
            Envelope.new(
                TierChanged(
                    member_id=member_id,
                    from_tier=Tier.PROSPECTIVE,
                    to_tier=Tier.FOUR_STAR,
                    contribution_fen=900_000,
                    reason="policy_issued",
                    changed_at=AT,
                ),
                source="m",
            ),
        )
        ops = identities.headers("notify-svc", Role.OPS)

        async def four_star() -> dict[str, str] | None:
            response = await client.get(f"/api/v1/audience/{member_id}", headers=ops)
            body = response.json() if response.status_code == 200 else {}
            return body if body.get("tier") == "four_star" else None

        recipient = await eventually(four_star)
        assert recipient["join_channel"] == "wechat"

    async def test_managers_cannot_browse_the_audience(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            f"/api/v1/audience/{uuid.uuid4()}", headers=identities.headers("notify-svc", Role.MANAGER)
        )

        assert response.status_code == 403

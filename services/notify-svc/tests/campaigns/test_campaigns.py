"""Campaigns: audience preview, confirmations, a throttled run to completion with correct counts."""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events.catalogue.member import MemberProfileChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually
from notify_svc.audience import service as audience
from notify_svc.campaigns import service as campaigns
from notify_svc.campaigns.errors import CampaignStateConflict
from notify_svc.campaigns.schemas import CampaignCreate, Segment
from notify_svc.config import Settings
from notify_svc.preferences import service as preferences
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Fakes
from tests.factories import AT, contact_changed, member_id, openid, phone

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _region() -> str:
    return f"9{random.randrange(10**5):05d}"


async def _member(
    session: AsyncSession,
    settings: Settings,
    region: str,
    wx: str | None = None,
    number: str | None = None,
    **profile: Any,
) -> str:
    member = member_id()
    values: dict[str, Any] = {"interests": ["自驾"], "join_channel": "wechat", **profile}
    await audience.record_profile(
        session, MemberProfileChanged(member_id=member, region_code=region, changed_at=AT, **values)
    )
    await audience.record_contact(session, contact_changed(member, wx, number), settings.pii_cipher)
    return member


def _ops(identities: Identities) -> dict[str, str]:
    return identities.headers("notify-svc", Role.OPS, subject="ops1", staff_id="ops1")


def _campaign(region: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "春季自驾",
        "template_code": "campaign_generic",
        "variables": {"title": "春季自驾游", "content": "三月福州出发，名额有限"},
        "channels": ["wechat", "sms", "inbox"],
        "segment": {"region_codes": [region]},
        "throttle_per_second": 10,
        **changes,
    }


class TestPreviewAudience:
    async def test_counts_the_segment(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        region = _region()
        async with sessions() as session, session.begin():
            await _member(session, service_settings, region, gender="female")
            await _member(session, service_settings, region, gender="male")
        segment = {"region_codes": [region], "genders": ["female"], "interests": ["自驾", "钓鱼"]}
        response = await client.post(
            "/api/v1/campaigns/audience-preview", json={"segment": segment}, headers=_ops(identities)
        )
        assert response.json() == {"size": 1, "unbounded": False}


class TestCreateCampaign:
    async def test_unbounded_audience_needs_confirmation(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/campaigns", json=_campaign("x", segment={}), headers=_ops(identities)
        )
        assert response.status_code == 422
        assert response.json()["field"] == "confirm_unbounded"

    async def test_empty_audience_needs_confirmation(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post("/api/v1/campaigns", json=_campaign("nowhere"), headers=_ops(identities))
        assert response.status_code == 422
        assert response.json()["field"] == "confirm_empty"

    async def test_unknown_template_variable_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = _campaign("x", variables={"title": "t", "content": "c", "colour": "red"}, confirm_empty=True)
        response = await client.post("/api/v1/campaigns", json=body, headers=_ops(identities))
        assert response.status_code == 422
        assert response.json()["field"] == "variables.colour"

    async def test_members_cannot_create(self, client: httpx.AsyncClient, identities: Identities) -> None:
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member_id())
        assert (
            await client.post("/api/v1/campaigns", json=_campaign("x"), headers=headers)
        ).status_code == 403


class TestRunCampaign:
    async def test_runs_to_completion_with_correct_counts(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
        fakes: Fakes,
        service_settings: Settings,
    ) -> None:
        region = _region()
        openids = [openid() for _ in range(3)]
        async with sessions() as session, session.begin():
            for wx in openids:
                await _member(session, service_settings, region, wx=wx)
            await _member(session, service_settings, region, number=phone())
            await _member(session, service_settings, region)  # inbox only
            opted_out = await _member(session, service_settings, region, wx=openid())
            await preferences.update(
                session, opted_out, {"marketing": {"wechat": False, "sms": False, "inbox": False}}, NOW
            )
        created = await client.post("/api/v1/campaigns", json=_campaign(region), headers=_ops(identities))
        assert created.status_code == 201

        async def finished() -> dict[str, Any] | None:
            body: dict[str, Any] = (
                await client.get(f"/api/v1/campaigns/{created.json()['id']}", headers=_ops(identities))
            ).json()
            done = body["status"] == "completed" and body["progress"]["queued"] == 0
            return body if done else None

        result = await eventually(finished)
        assert {
            k: result["progress"][k] for k in ("audience", "targeted", "opted_out", "sent", "failed")
        } == {
            "audience": 6,
            "targeted": 5,
            "opted_out": 1,
            "sent": 4,
            "failed": 0,
        }
        for wx in openids:
            sent = (await fakes.wechat.get("/_fake/messages", params={"touser": wx})).json()["items"]
            assert [m["data"]["thing1"]["value"] for m in sent] == ["春季自驾游"]


class TestListCampaigns:
    async def test_newest_first_in_pages_with_the_progress_the_detail_gives(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        region = _region()
        async with sessions() as session, session.begin():
            await _member(session, service_settings, region, wx=openid())
            await _member(session, service_settings, region)
        ran = (
            await client.post("/api/v1/campaigns", json=_campaign(region), headers=_ops(identities))
        ).json()
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        later = await client.post(
            "/api/v1/campaigns",
            json=_campaign(region, name="明日自驾", scheduled_at=tomorrow),
            headers=_ops(identities),
        )

        async def completed() -> dict[str, Any] | None:
            url = f"/api/v1/campaigns/{ran['id']}"
            body: dict[str, Any] = (await client.get(url, headers=_ops(identities))).json()
            return body if body["status"] == "completed" and body["progress"]["queued"] == 0 else None

        detail = await eventually(completed)
        first = await client.get("/api/v1/campaigns", params={"limit": 1}, headers=_ops(identities))
        second = await client.get(
            "/api/v1/campaigns",
            params={"limit": 1, "cursor": first.json()["next_cursor"]},
            headers=_ops(identities),
        )

        assert first.status_code == 200
        assert [(c["id"], c["status"]) for c in first.json()["items"]] == [(later.json()["id"], "scheduled")]
        assert first.json()["items"][0]["progress"]["audience"] == 2
        assert second.json()["items"] == [detail]
        assert detail["progress"]["sent"] == 1

    async def test_members_cannot_list_and_a_forged_cursor_is_400(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = identities.headers("notify-svc", Role.MEMBER, member_id=str(uuid.uuid4()))
        forged = await client.get(
            "/api/v1/campaigns", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=_ops(identities)
        )

        assert (await client.get("/api/v1/campaigns", headers=member)).status_code == 403
        assert forged.status_code == 400


class TestAdvanceCampaign:
    async def test_chunks_resume_from_the_cursor_and_never_repeat_a_member(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        region = _region()
        members = sorted([await _member(session, service_settings, region, wx=openid()) for _ in range(5)])
        data = CampaignCreate.model_validate(_campaign(region, scheduled_at=NOW + timedelta(days=1)))
        campaign = await campaigns.create(session, service_settings, data, "ops1", NOW)

        assert await campaigns.advance(session, service_settings, campaign, 2, NOW) == 2
        assert campaign.cursor == members[1]
        assert await campaigns.advance(session, service_settings, campaign, 2, NOW) == 2
        assert await campaigns.advance(session, service_settings, campaign, 2, NOW) == 1
        assert campaign.status == "completed"
        progress = await campaigns.progress(session, campaign)
        assert (progress["targeted"], progress["queued"]) == (5, 5)


class TestPauseCampaign:
    async def test_pause_then_resume(self, session: AsyncSession, service_settings: Settings) -> None:
        region = _region()
        await _member(session, service_settings, region)
        data = CampaignCreate.model_validate(_campaign(region, scheduled_at=NOW + timedelta(days=1)))
        campaign = await campaigns.create(session, service_settings, data, "ops1", NOW)

        assert (await campaigns.pause(session, campaign.id)).status == "paused"
        assert (await campaigns.pause(session, campaign.id)).status == "paused"
        assert (await campaigns.resume(session, campaign.id)).status == "scheduled"

    async def test_a_completed_campaign_cannot_be_paused(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        region = _region()
        await _member(session, service_settings, region)
        data = CampaignCreate.model_validate(_campaign(region, scheduled_at=NOW + timedelta(days=1)))
        campaign = await campaigns.create(session, service_settings, data, "ops1", NOW)
        await campaigns.advance(session, service_settings, campaign, 10, NOW)

        with pytest.raises(CampaignStateConflict):
            await campaigns.pause(session, campaign.id)

    async def test_unknown_campaign_is_404(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await client.post(f"/api/v1/campaigns/{uuid.uuid4()}/pause", headers=_ops(identities))
        assert response.status_code == 404


class TestSegment:
    def test_no_criterion_is_unbounded(self) -> None:
        assert Segment().unbounded
        assert not Segment(tiers=["five_star"]).unbounded

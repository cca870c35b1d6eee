"""The in-app inbox over HTTP: listing, unread count, read / seen / archive, only one's own."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from notify_svc.config import Settings
from notify_svc.delivery.service import Notice, notify
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import member_id


async def _fill(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, member: str, count: int
) -> None:
    async with sessions() as session, session.begin():
        for n in range(count):
            notice = Notice(
                member_id=member,
                template_code="points_credited",
                fact_id=f"test:{uuid.uuid4()}",
                variables={"points": n + 1, "balance": 100},
                channels=("inbox",),
            )
            await notify(session, notice, datetime(2026, 11, 25, 9, n, tzinfo=UTC), settings)


@pytest.fixture
async def member(sessions: async_sessionmaker[AsyncSession], service_settings: Settings) -> str:
    member = member_id()
    await _fill(sessions, service_settings, member, 5)
    return member


def _as(identities: Identities, member: str) -> dict[str, str]:
    return identities.headers("notify-svc", Role.MEMBER, member_id=member)


class TestListInbox:
    async def test_pages_newest_first_with_a_cursor(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = _as(identities, member)
        first = (await client.get(f"/api/v1/inbox/{member}?limit=3", headers=headers)).json()
        second = (
            await client.get(f"/api/v1/inbox/{member}?limit=3&cursor={first['next_cursor']}", headers=headers)
        ).json()
        bodies = [i["body"] for i in first["items"] + second["items"]]
        assert bodies == [f"您获得{n}积分，当前积分余额100。" for n in (5, 4, 3, 2, 1)]
        assert second["next_cursor"] is None

    async def test_another_member_gets_404(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        response = await client.get(f"/api/v1/inbox/{member}", headers=_as(identities, member_id()))
        assert response.status_code == 404

    async def test_a_manager_gets_404(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = identities.headers("notify-svc", Role.MANAGER, staff_id="manager1")
        assert (await client.get(f"/api/v1/inbox/{member}", headers=headers)).status_code == 404

    async def test_bad_cursor_is_400(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        response = await client.get(f"/api/v1/inbox/{member}?cursor=zzz", headers=_as(identities, member))
        assert response.status_code == 400
        assert response.json()["field"] == "cursor"


class TestUnreadCount:
    async def test_counts_unread_items(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        response = await client.get(f"/api/v1/inbox/{member}/unread-count", headers=_as(identities, member))
        assert response.json() == {"unread": 5}

    async def test_the_gateway_as_a_service_may_ask(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = identities.headers("notify-svc", Role.SERVICE)
        assert (await client.get(f"/api/v1/inbox/{member}/unread-count", headers=headers)).json()[
            "unread"
        ] == 5


class TestMarkItems:
    async def test_bulk_mark_as_read(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = _as(identities, member)
        answer = (
            await client.post(f"/api/v1/inbox/{member}/read", json={"all": True}, headers=headers)
        ).json()
        again = (
            await client.post(f"/api/v1/inbox/{member}/read", json={"all": True}, headers=headers)
        ).json()
        assert answer == {"updated": 5, "unread": 0}
        assert again == {"updated": 0, "unread": 0}
        items = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()["items"]
        assert all(i["read_at"] and i["seen_at"] for i in items)

    async def test_archive_moves_items_out_of_the_inbox(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = _as(identities, member)
        items = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()["items"]
        await client.post(
            f"/api/v1/inbox/{member}/archive", json={"item_ids": [items[0]["id"]]}, headers=headers
        )
        inbox = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()["items"]
        archived = (await client.get(f"/api/v1/inbox/{member}?view=archived", headers=headers)).json()[
            "items"
        ]
        assert len(inbox) == 4
        assert [i["id"] for i in archived] == [items[0]["id"]]

    async def test_seen_leaves_the_item_unread(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = _as(identities, member)
        items = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()["items"]
        answer = await client.post(
            f"/api/v1/inbox/{member}/seen", json={"item_ids": [items[0]["id"]]}, headers=headers
        )
        assert answer.json() == {"updated": 1, "unread": 5}

    async def test_someone_elses_item_ids_change_nothing(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        items = (await client.get(f"/api/v1/inbox/{member}", headers=_as(identities, member))).json()["items"]
        other = member_id()
        answer = await client.post(
            f"/api/v1/inbox/{other}/read", json={"item_ids": [items[0]["id"]]}, headers=_as(identities, other)
        )
        assert answer.json()["updated"] == 0

    async def test_nothing_named_is_422(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        response = await client.post(f"/api/v1/inbox/{member}/read", json={}, headers=_as(identities, member))
        assert response.status_code == 422

    async def test_ops_cannot_mark_a_members_items(
        self, client: httpx.AsyncClient, identities: Identities, member: str
    ) -> None:
        headers = identities.headers("notify-svc", Role.OPS)
        response = await client.post(f"/api/v1/inbox/{member}/read", json={"all": True}, headers=headers)
        assert response.status_code == 404

"""Interest groups: ops create them and upload the WeChat group QR (replaced before it expires); members
whose interests match see them and join once; ops see the joins counted."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events.catalogue.member import MemberProfileChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from privilege_svc.member_projection import service as members
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
Sessions = async_sessionmaker[AsyncSession]


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")


def as_member(identities: Identities, member_id: str) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)


async def member_with(sessions: Sessions, *interests: str) -> str:
    """A member whose interests member-svc announced."""
    member_id = str(uuid.uuid4())
    async with sessions() as session, session.begin():
        await members.apply_profile(
            session,
            MemberProfileChanged(
                member_id=member_id,
                interests=list(interests),
                join_channel="wechat",
                changed_at=datetime.now(UTC),
            ),
        )
    return member_id


async def group(
    client: httpx.AsyncClient, identities: Identities, *interests: str, qr: bytes | None = PNG
) -> dict[str, Any]:
    created = await client.post(
        "/api/v1/interest-groups",
        json={
            "name": f"自驾游群 {uuid.uuid4().hex[:4]}",
            "description": "周末一起出发",
            "interests": list(interests),
        },
        headers=ops(identities),
    )
    assert created.status_code == 201, created.text
    if qr is None:
        return dict(created.json())
    uploaded = await client.put(
        f"/api/v1/interest-groups/{created.json()['id']}/qr",
        files={"file": ("qr.png", qr, "image/png")},
        headers=ops(identities),
    )
    assert uploaded.status_code == 200, uploaded.text
    return dict(uploaded.json())


class TestMembersSeeTheirGroups:
    async def test_a_member_sees_groups_of_their_interests_and_joins_once(
        self, client: httpx.AsyncClient, identities: Identities, committed: Sessions
    ) -> None:
        driving = await group(client, identities, "self_drive", "travel")
        fishing = await group(client, identities, "fishing")
        member_id = await member_with(committed, "travel", "photography")

        listed = (
            await client.get("/api/v1/interest-groups", headers=as_member(identities, member_id))
        ).json()["items"]
        assert driving["id"] in [g["id"] for g in listed]
        assert fishing["id"] not in [g["id"] for g in listed]
        mine = next(g for g in listed if g["id"] == driving["id"])
        assert (mine["joined"], mine["qr_available"], mine["joins"]) == (False, True, None)
        other = await client.get(
            f"/api/v1/interest-groups/{fishing['id']}", headers=as_member(identities, member_id)
        )
        assert other.status_code == 404
        not_mine = await client.get(
            f"/api/v1/interest-groups/{fishing['id']}/qr", headers=as_member(identities, member_id)
        )
        assert not_mine.status_code == 404

        image = await client.get(
            f"/api/v1/interest-groups/{driving['id']}/qr", headers=as_member(identities, member_id)
        )
        assert (image.status_code, image.headers["content-type"], image.content) == (200, "image/png", PNG)
        url = f"/api/v1/interest-groups/{driving['id']}/joins"
        first = await client.post(url, headers=as_member(identities, member_id))
        again = await client.post(url, headers=as_member(identities, member_id))
        assert (first.status_code, first.json()["first_time"]) == (201, True)
        assert (again.json()["first_time"], again.json()["joined_at"]) == (False, first.json()["joined_at"])

        seen = (await client.get(f"/api/v1/interest-groups/{driving['id']}", headers=ops(identities))).json()
        assert seen["joins"] == 1
        assert (
            await client.get(
                f"/api/v1/interest-groups/{driving['id']}", headers=as_member(identities, member_id)
            )
        ).json()["joined"] is True

    async def test_a_member_whose_interests_change_sees_the_group_then(
        self, client: httpx.AsyncClient, identities: Identities, committed: Sessions
    ) -> None:
        fishing = await group(client, identities, "fishing")
        member_id = await member_with(committed, "movies")
        assert (
            await client.get(
                f"/api/v1/interest-groups/{fishing['id']}", headers=as_member(identities, member_id)
            )
        ).status_code == 404
        async with committed() as session, session.begin():
            await members.apply_profile(
                session,
                MemberProfileChanged(
                    member_id=member_id,
                    interests=["movies", "fishing"],
                    join_channel="wechat",
                    changed_at=datetime.now(UTC) + timedelta(seconds=1),
                ),
            )
        assert (
            await client.get(
                f"/api/v1/interest-groups/{fishing['id']}", headers=as_member(identities, member_id)
            )
        ).status_code == 200


class TestTheQr:
    async def test_an_expired_qr_is_refused_in_words_until_ops_replace_it(
        self, client: httpx.AsyncClient, identities: Identities, committed: Sessions
    ) -> None:
        driving = await group(client, identities, "self_drive")
        member_id = await member_with(committed, "self_drive")
        async with committed() as session, session.begin():
            await session.execute(
                text("UPDATE interest_groups SET qr_expires_at = now() - interval '1 minute' WHERE id = :id"),
                {"id": driving["id"]},
            )
        expired = await client.get(
            f"/api/v1/interest-groups/{driving['id']}/qr", headers=as_member(identities, member_id)
        )
        assert expired.status_code == 410
        assert expired.json()["detail"] == "群二维码已过期，请等管理员更新后再来"
        refused = await client.post(
            f"/api/v1/interest-groups/{driving['id']}/joins", headers=as_member(identities, member_id)
        )
        assert refused.status_code == 410

        expires = (datetime.now(UTC) + timedelta(days=6)).isoformat()
        replaced = await client.put(
            f"/api/v1/interest-groups/{driving['id']}/qr",
            files={"file": ("qr.jpg", JPEG, "image/jpeg")},
            data={"expires_at": expires},
            headers=ops(identities),
        )
        assert replaced.status_code == 200, replaced.text
        assert (replaced.json()["qr_version"], replaced.json()["qr_available"]) == (2, True)
        image = await client.get(
            f"/api/v1/interest-groups/{driving['id']}/qr", headers=as_member(identities, member_id)
        )
        assert (image.headers["content-type"], image.content) == ("image/jpeg", JPEG)

    @pytest.mark.parametrize(
        ("upload", "form", "slug"),
        [
            (b"GIF89a" + b"\x00" * 10, {}, "interest-group-invalid-qr"),
            (PNG + b"\x00" * (512 * 1024), {}, "interest-group-invalid-qr"),
            (PNG, {"expires_at": "2020-01-01T00:00:00+08:00"}, "interest-group-invalid-expiry"),
            (
                PNG,
                {"expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()},
                "interest-group-invalid-expiry",
            ),
        ],
    )
    async def test_a_bad_qr_is_refused_and_the_old_one_stays(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        upload: bytes,
        form: dict[str, str],
        slug: str,
    ) -> None:
        driving = await group(client, identities, "self_drive")
        answer = await client.put(
            f"/api/v1/interest-groups/{driving['id']}/qr",
            files={"file": ("x", upload, "image/png")},
            data=form,
            headers=ops(identities),
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"].endswith(slug)
        seen = (await client.get(f"/api/v1/interest-groups/{driving['id']}", headers=ops(identities))).json()
        assert seen["qr_version"] == 1

    async def test_members_cannot_create_groups_or_upload_a_qr(
        self, client: httpx.AsyncClient, identities: Identities, committed: Sessions
    ) -> None:
        driving = await group(client, identities, "self_drive")
        member_id = await member_with(committed, "self_drive")
        created = await client.post(
            "/api/v1/interest-groups",
            json={"name": "x", "interests": ["self_drive"]},
            headers=as_member(identities, member_id),
        )
        assert created.status_code == 403
        uploaded = await client.put(
            f"/api/v1/interest-groups/{driving['id']}/qr",
            files={"file": ("qr.png", PNG, "image/png")},
            headers=as_member(identities, member_id),
        )
        assert uploaded.status_code == 403
        bad = await client.post(
            "/api/v1/interest-groups", json={"name": "x", "interests": ["skydiving"]}, headers=ops(identities)
        )
        assert bad.status_code == 422

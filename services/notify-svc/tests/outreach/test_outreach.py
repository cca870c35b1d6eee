"""Invitation outreach: an invitee of an imported list gets an SMS (and a WeChat message where an openid
is known) with a personal join link, reminders after 3 and 10 days unless joined or opted out; a reply
TD through the SMS provider's upstream-reply push, or the unsubscribe link, is honoured everywhere."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope, sealing
from cheyou_events.catalogue.member import MemberInvited, MemberRegistered
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.audience import service as audience
from notify_svc.config import Settings
from notify_svc.delivery import service as delivery
from notify_svc.outreach import repository, service
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import RECEIPT_TOKEN, Fakes
from tests.factories import contact_changed, member_id, openid, phone

JOIN_URL = "http://127.0.0.1:8080/h5/join?manager_code=MK7Q2Z9A"


def invited(member: str, number: str, token: str, wx: str | None = None) -> Envelope[Any]:
    return Envelope.new(
        MemberInvited(
            member_id=member,
            invitation_list_id="list-1",
            manager_id="manager1",
            manager_name="陈经理",
            manager_code="MK7Q2Z9A",
            consent_basis="written",
            phone_sealed=sealing.seal(number, partition_key=member, field="phone"),
            openid=wx,
            token_sealed=sealing.seal(token, partition_key=member, field="token"),
            join_url=JOIN_URL,
            invited_at=datetime.now(UTC),
        ),
        source="member-svc",
    )


async def _texts(fakes: Fakes, number: str, count: int) -> list[dict[str, Any]]:
    async def arrived() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = (await fakes.sms.get(f"/_fake/messages?phone={number}")).json()["items"]
        return items if len(items) >= count else None

    return await eventually(arrived, within=30)


async def _invite(service_settings: Settings, fakes: Fakes, wx: str | None = None) -> tuple[str, str, str]:
    member, number, token = member_id(), phone(), secrets.token_urlsafe(18)
    event = invited(member, number, token, wx)
    await publish(service_settings.kafka_bootstrap_servers, event, event)  # redelivered: once
    return member, number, token


async def _reminders(sessions: async_sessionmaker[AsyncSession], settings: Settings, at: datetime) -> int:
    async with sessions() as session, session.begin():
        return await service.send_due_reminders(session, settings, at, 100)


async def _age(sessions: async_sessionmaker[AsyncSession], member: str, by: timedelta) -> None:
    """As if the invitation had been sent ``by`` earlier."""
    async with sessions() as session, session.begin():
        invitee = await repository.get(session, member, for_update=True)
        assert invitee is not None
        invitee.invited_at -= by
        if invitee.next_reminder_at is not None:
            invitee.next_reminder_at -= by


async def _invitee(sessions: async_sessionmaker[AsyncSession], member: str) -> Any:
    async with sessions() as session:
        return await repository.get(session, member)


@pytest.mark.usefixtures("client")  # the app: consumers and sender
class TestInvitation:
    async def test_an_invitee_gets_a_personal_link_by_sms_and_reminders_after_3_and_10_days(
        self, service_settings: Settings, fakes: Fakes, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        member, number, token = await _invite(service_settings, fakes)

        [text] = await _texts(fakes, number, 1)
        assert text["template_code"] == "SMS_INVITATION"
        assert text["template_param"]["link"] == f"{JOIN_URL}&invitation={token}"
        assert text["template_param"]["unsubscribe"].endswith(f"/h5/unsubscribe?invitation={token}")
        assert text["template_param"]["manager"] == "客户经理陈经理"

        await _age(sessions, member, timedelta(days=2))
        await _reminders(sessions, service_settings, datetime.now(UTC))
        assert (await _invitee(sessions, member)).reminders_sent == 0
        await _age(sessions, member, timedelta(days=1, minutes=1))  # 3 days since the invitation
        await _reminders(sessions, service_settings, datetime.now(UTC))
        second = (await _texts(fakes, number, 2))[1]
        assert second["template_code"] == "SMS_INVITATION_REMINDER"
        await _age(sessions, member, timedelta(days=7))  # 10 days
        await _reminders(sessions, service_settings, datetime.now(UTC))
        assert (await _texts(fakes, number, 3))[2]["template_code"] == "SMS_INVITATION_REMINDER"
        await _age(sessions, member, timedelta(days=30))
        await _reminders(sessions, service_settings, datetime.now(UTC))
        assert (await _invitee(sessions, member)).next_reminder_at is None
        assert len(await _texts(fakes, number, 3)) == 3  # the event came twice: still one invitation

    async def test_a_known_openid_gets_the_wechat_message_opening_the_join_page(
        self, service_settings: Settings, fakes: Fakes
    ) -> None:
        wx = openid()
        _, number, token = await _invite(service_settings, fakes, wx)

        async def pushed() -> list[dict[str, Any]] | None:
            return (await fakes.wechat.get(f"/_fake/messages?touser={wx}")).json()["items"] or None

        [message] = await eventually(pushed, within=30)
        assert message["url"] == f"{JOIN_URL}&invitation={token}"
        assert (await fakes.sms.get(f"/_fake/messages?phone={number}")).json()["items"] == []

    async def test_an_invitee_who_applied_is_not_reminded(
        self,
        service_settings: Settings,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member, number, _ = await _invite(service_settings, fakes)
        await _texts(fakes, number, 1)
        registered = MemberRegistered(member_id=member, channel="import", registered_at=datetime.now(UTC))
        await publish(service_settings.kafka_bootstrap_servers, Envelope.new(registered, source="member-svc"))

        async def joined() -> bool | None:
            return (await _invitee(sessions, member)).status == "joined" or None

        await eventually(joined)
        await _age(sessions, member, timedelta(days=11))
        await _reminders(sessions, service_settings, datetime.now(UTC))
        assert len((await fakes.sms.get(f"/_fake/messages?phone={number}")).json()["items"]) == 1


class TestOptOut:
    async def test_a_reply_td_stops_the_reminders_and_every_marketing_text_to_the_number(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        await fakes.sms.post(
            "/_fake/reply-url",
            json={
                "url": f"{client.base_url}/api/v1/sms-replies",
                "headers": {"X-Receipt-Token": RECEIPT_TOKEN},
            },
        )
        member, number, _ = await _invite(service_settings, fakes)
        await _texts(fakes, number, 1)

        replied = (await fakes.sms.post("/_fake/replies", json={"phone": number, "content": " td。"})).json()

        assert replied["taken"] is True
        invitee = await _invitee(sessions, member)
        assert (invitee.status, invitee.opted_out_via) == ("opted_out", "sms_reply")
        await _age(sessions, member, timedelta(days=11))
        await _reminders(sessions, service_settings, datetime.now(UTC))
        # A member with the same number: marketing texts to it are not sent either.
        someone = member_id()
        async with sessions() as session, session.begin():
            await audience.record_contact(
                session, contact_changed(someone, None, number), service_settings.pii_cipher
            )
            await delivery.notify(
                session,
                delivery.Notice(
                    member_id=someone,
                    template_code="invitation",
                    fact_id=f"test:{someone}",
                    variables={"manager": "x", "join_link": "y", "unsubscribe_link": "z"},
                    channels=("sms",),
                ),
                datetime.now(UTC),
                service_settings,
            )

        async def skipped() -> dict[str, Any] | None:
            response = await client.get(
                f"/api/v1/audience/{someone}/messages", headers=identities.headers("notify-svc", Role.OPS)
            )
            items = response.json()["items"]
            return items[0] if items and items[0]["status"] == "skipped" else None

        assert (await eventually(skipped, within=30))["error"] == "opted_out"
        assert len((await fakes.sms.get(f"/_fake/messages?phone={number}")).json()["items"]) == 1

    async def test_the_unsubscribe_link_stops_the_invitation(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member, number, token = await _invite(service_settings, fakes)
        await _texts(fakes, number, 1)

        first = await client.post("/api/v1/unsubscriptions", json={"token": token})
        again = await client.post("/api/v1/unsubscriptions", json={"token": token})

        assert (first.status_code, again.status_code) == (200, 200)
        assert (await _invitee(sessions, member)).opted_out_via == "unsubscribe_link"
        await _age(sessions, member, timedelta(days=11))
        await _reminders(sessions, service_settings, datetime.now(UTC))
        assert len((await fakes.sms.get(f"/_fake/messages?phone={number}")).json()["items"]) == 1

    async def test_bad_input_is_refused_and_writes_nothing(self, client: httpx.AsyncClient) -> None:
        unknown = await client.post("/api/v1/unsubscriptions", json={"token": "A" * 24})
        malformed = await client.post("/api/v1/unsubscriptions", json={"token": "<script>"})
        forged = await client.post(
            "/api/v1/sms-replies",
            json=[{"phone_number": "13900000000", "content": "TD"}],
            headers={"X-Receipt-Token": "guess"},
        )

        assert unknown.status_code == 404
        assert unknown.headers["content-type"].startswith("application/problem+json")
        assert malformed.status_code == 422
        assert forged.status_code == 401


class TestReplies:
    def test_what_counts_as_an_opt_out(self) -> None:
        assert all(service.is_opt_out(t) for t in ("TD", "td", " T ", "退订", "N。"))
        assert not any(service.is_opt_out(t) for t in ("谢谢", "TDX", "好的"))

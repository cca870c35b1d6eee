"""Flow 1 of the platform, notify-svc's part: ``privilege.entitlements_changed`` → WeChat (or SMS) + inbox."""

from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings

from tests.conftest import RECEIPT_TOKEN, Fakes, until_known
from tests.factories import contact, entitlements, legacy_contact, member_id, openid, phone


async def _wechat_messages(fakes: Fakes, touser: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        await fakes.wechat.get("/_fake/messages", params={"touser": touser})
    ).json()["items"]
    return items


async def _sms_messages(fakes: Fakes, number: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await fakes.sms.get("/_fake/messages", params={"phone": number})).json()[
        "items"
    ]
    return items


async def _log(client: httpx.AsyncClient, identities: Identities, member: str) -> list[dict[str, Any]]:
    ops = identities.headers("notify-svc", Role.OPS)
    items: list[dict[str, Any]] = (
        await client.get(f"/api/v1/audience/{member}/messages", headers=ops)
    ).json()["items"]
    return items


class TestEntitlementsChanged:
    async def test_member_gets_a_wechat_message_and_an_inbox_entry_naming_the_privileges(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        member, wx_user = member_id(), openid()
        await publish(service_settings.kafka_bootstrap_servers, contact(member, wx_user, phone()))
        await until_known(client, identities, member)
        await publish(service_settings.kafka_bootstrap_servers, entitlements(member, "免费洗车", "道路救援"))

        sent = await eventually(lambda: _nonempty(_wechat_messages(fakes, wx_user)))
        assert sent[0]["template_id"] == "TPL_ENTITLEMENTS_CHANGED"
        assert sent[0]["data"]["thing1"] == {"value": "四星会员"}
        assert sent[0]["data"]["thing2"] == {"value": "免费洗车、道路救援"}
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        inbox = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()["items"]
        assert [i["title"] for i in inbox] == ["会员权益已更新"]
        assert "免费洗车、道路救援" in inbox[0]["body"]
        unread = (await client.get(f"/api/v1/inbox/{member}/unread-count", headers=headers)).json()
        assert unread == {"unread": 1}

    async def test_unsubscribed_member_falls_back_to_sms(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        member, wx_user, number = member_id(), openid(), phone()
        await fakes.wechat.post(f"/_fake/users/{wx_user}", json={"subscribed": False})
        await publish(
            service_settings.kafka_bootstrap_servers,
            contact(member, wx_user, number),
            entitlements(member, "洗车"),
        )

        texts = await eventually(lambda: _nonempty(_sms_messages(fakes, number)))
        assert texts[0]["template_code"] == "SMS_ENTITLEMENTS_CHANGED"
        assert texts[0]["template_param"] == {"tier": "四星会员", "count": "1"}
        log = await eventually(lambda: _delivered_sms(client, identities, member))
        wechat = next(m for m in log if m["channel"] == "wechat")
        assert wechat["status"] == "failed"
        assert wechat["log"][0]["error"] == "wechat:43004"
        assert wechat["log"][0]["fallback_to"] == "sms"

    @pytest.mark.usefixtures("client")
    async def test_refused_member_falls_back_to_sms(self, service_settings: Settings, fakes: Fakes) -> None:
        member, wx_user, number = member_id(), openid(), phone()
        await fakes.wechat.post(f"/_fake/users/{wx_user}", json={"refused": True})
        await publish(
            service_settings.kafka_bootstrap_servers,
            contact(member, wx_user, number),
            entitlements(member, "洗车"),
        )

        assert await eventually(lambda: _nonempty(_sms_messages(fakes, number)))

    async def test_the_same_event_delivered_twice_sends_once(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        member, wx_user = member_id(), openid()
        event = entitlements(member, "洗车")
        await publish(service_settings.kafka_bootstrap_servers, contact(member, wx_user, None), event, event)
        await eventually(lambda: _nonempty(_wechat_messages(fakes, wx_user)))
        follow_up = entitlements(member, "洗车", "救援")
        await publish(service_settings.kafka_bootstrap_servers, follow_up)

        sent = await eventually(lambda: _at_least(_wechat_messages(fakes, wx_user), 2))
        assert len(sent) == 2
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        inbox = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()["items"]
        assert len(inbox) == 2

    @pytest.mark.usefixtures("client")
    async def test_expired_token_is_refreshed_and_the_send_retried(
        self, service_settings: Settings, fakes: Fakes
    ) -> None:
        member, wx_user = member_id(), openid()
        await publish(service_settings.kafka_bootstrap_servers, contact(member, wx_user, None))
        await fakes.wechat.post("/_fake/expire-token")
        await publish(service_settings.kafka_bootstrap_servers, entitlements(member, "洗车"))

        assert await eventually(lambda: _nonempty(_wechat_messages(fakes, wx_user)))
        rejected = (await fakes.wechat.get("/_fake/stats")).json()["rejected"]
        assert all(r["touser"] != wx_user for r in rejected)

    async def test_member_without_contact_still_gets_the_inbox_entry(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        member = member_id()
        await publish(service_settings.kafka_bootstrap_servers, entitlements(member, "洗车"))
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)

        async def unread() -> int | None:
            count = (await client.get(f"/api/v1/inbox/{member}/unread-count", headers=headers)).json()[
                "unread"
            ]
            return count or None

        assert await eventually(unread) == 1


class TestContactPhones:
    @pytest.mark.usefixtures("client")
    async def test_a_sealed_phone_gets_its_sms(self, service_settings: Settings, fakes: Fakes) -> None:
        member, number = member_id(), phone()
        event = contact(member, None, number)
        assert event.data.phone is None
        assert number not in event.data.model_dump_json()

        await publish(service_settings.kafka_bootstrap_servers, event, entitlements(member, "洗车"))

        texts = await eventually(lambda: _nonempty(_sms_messages(fakes, number)))
        assert texts[0]["template_code"] == "SMS_ENTITLEMENTS_CHANGED"

    @pytest.mark.usefixtures("client")
    async def test_a_phone_in_clear_from_before_sealing_still_gets_its_sms(
        self, service_settings: Settings, fakes: Fakes
    ) -> None:
        member, number = member_id(), phone()
        await publish(
            service_settings.kafka_bootstrap_servers,
            legacy_contact(member, None, number),
            entitlements(member, "洗车"),
        )

        texts = await eventually(lambda: _nonempty(_sms_messages(fakes, number)))
        assert texts[0]["template_code"] == "SMS_ENTITLEMENTS_CHANGED"


class TestSmsTimeout:
    async def test_timed_out_send_is_looked_up_not_sent_twice(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        member, number = member_id(), phone()
        await fakes.sms.post("/_fake/receipt-url", json={"url": None})  # no receipt: only the lookup can tell
        await fakes.sms.post("/_fake/config", json={"slow_seconds": 6.0, "slow_count": 1})
        try:
            await publish(
                service_settings.kafka_bootstrap_servers,
                contact(member, None, number),
                entitlements(member, "洗车"),
            )
            log = await eventually(lambda: _settled_sms(client, identities, member))
        finally:
            await fakes.sms.post(
                "/_fake/receipt-url",
                json={"url": client_receipt_url(client), "headers": {"X-Receipt-Token": RECEIPT_TOKEN}},
            )

        attempts = log[0]["log"]
        assert [a["status"] for a in attempts] == ["unknown", "sent"]
        assert attempts[1]["detail"] == "found by out-id after a timeout"
        assert len(await _sms_messages(fakes, number)) == 1


class TestSmsReceipts:
    async def test_receipt_marks_the_message_delivered(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        member = member_id()
        await publish(
            service_settings.kafka_bootstrap_servers,
            contact(member, None, phone()),
            entitlements(member, "洗车"),
        )

        async def delivered() -> list[dict[str, Any]] | None:
            log = await _log(client, identities, member)
            return log if log and log[0]["status"] == "delivered" else None

        log = await eventually(delivered)
        assert any(a["detail"].startswith("receipt DELIVERED") for a in log[0]["log"] if a["detail"])
        pushes = (await fakes.sms.get("/_fake/receipts")).json()["items"]
        assert {"code": 0, "msg": "成功"} in [p["answer"] for p in pushes]

    async def test_wrong_token_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/sms-receipts", json=[], headers={"X-Receipt-Token": "nope"})
        assert response.status_code == 401

    async def test_the_right_token_in_the_url_is_refused(self, client: httpx.AsyncClient) -> None:
        # A secret in a URL reaches access logs and traces: the token is taken from the header only.
        response = await client.post(f"/api/v1/sms-receipts?token={RECEIPT_TOKEN}", json=[])
        assert response.status_code == 401

    async def test_unknown_out_ids_are_acknowledged(self, client: httpx.AsyncClient) -> None:
        receipt = {"out_id": "not-ours", "biz_id": "1", "success": True, "err_code": "DELIVERED"}
        response = await client.post(
            "/api/v1/sms-receipts", json=[receipt], headers={"X-Receipt-Token": "test-receipt-token"}
        )
        assert response.json() == {"code": 0, "msg": "成功"}


def client_receipt_url(client: httpx.AsyncClient) -> str:
    return f"{str(client.base_url).rstrip('/')}/api/v1/sms-receipts"


async def _nonempty(items: Any) -> Any:
    value = await items
    return value or None


async def _at_least(items: Any, count: int) -> Any:
    value = await items
    return value if len(value) >= count else None


async def _delivered_sms(client: httpx.AsyncClient, identities: Identities, member: str) -> Any:
    log = await _log(client, identities, member)
    return log if any(m["channel"] == "sms" for m in log) else None


async def _settled_sms(client: httpx.AsyncClient, identities: Identities, member: str) -> Any:
    log = await _log(client, identities, member)
    return log if log and log[0]["status"] in {"sent", "delivered"} else None

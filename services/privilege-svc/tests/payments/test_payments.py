"""Paying with WeChat Pay, against the fake WeChat Pay over HTTP and real Postgres and Kafka: an order is
dispatched only after WeChat Pay's verified notification; forged, stale and mismatched notifications are
refused and alerted; duplicates apply once; unpaid orders expire (closed at WeChat Pay first) and a late
payment is refunded; cancellation refunds as the terms say; points + cash; reconciliation."""

import base64
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberContactChanged
from cheyou_fakes.wechatpay import DevCredentials
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from privilege_svc.config import Settings
from privilege_svc.member_projection import service as members
from privilege_svc.payments import flows
from privilege_svc.payments.wechatpay import WechatPay
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
NewMember = Callable[..., Awaitable[str]]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]
CHINA = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.usefixtures("notifications")
WECHATPAY: DevCredentials
NOTIFY_URL: str


@pytest.fixture(autouse=True)
def _wechatpay(wechatpay_credentials: DevCredentials, notifications: str) -> None:
    global WECHATPAY, NOTIFY_URL  # the crafted notifications below sign with the run's keys
    WECHATPAY, NOTIFY_URL = wechatpay_credentials, notifications


def soon(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


CAR_WASH = {"privilege_code": "car_wash", "vehicle_plate": "闽A12345"}


class Member:
    def __init__(self, client: httpx.AsyncClient, identities: Identities, member_id: str) -> None:
        self.id = member_id
        self.client = client
        self.headers = identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)

    async def book(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/orders",
            json={**CAR_WASH, "appointment_at": soon(), **(body or {})},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def pay(self, channel: str = "jsapi", **payable: str) -> httpx.Response:
        return await self.client.post(
            "/api/v1/payments",
            json={"channel": channel, **payable},
            headers={**self.headers, "X-Forwarded-For": "203.0.113.7"},
        )

    async def order(self, order_id: str) -> dict[str, Any]:
        return dict((await self.client.get(f"/api/v1/orders/{order_id}", headers=self.headers)).json())

    async def order_when(self, order_id: str, probe: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            order = await self.order(order_id)
            return order if probe(order) else None

        return await eventually(check, within=30)


MemberAt = Callable[..., Awaitable[Member]]


@pytest.fixture
def member_at(
    client: httpx.AsyncClient,
    identities: Identities,
    new_member: NewMember,
    committed: async_sessionmaker[AsyncSession],
) -> MemberAt:
    """A member at a tier, with WeChat bound (the openid member-svc announced), able to pay by JSAPI."""

    async def make(tier: Tier = Tier.ORDINARY) -> Member:
        member_id = await new_member(tier)
        async with committed() as session, session.begin():
            await members.apply_contact(
                session,
                MemberContactChanged(
                    member_id=member_id, openid=f"o-{member_id[:12]}", changed_at=datetime.now(UTC)
                ),
            )
        return Member(client, identities, member_id)

    return make


Job = Callable[..., Awaitable[int]]


@pytest.fixture
async def payments_job(
    service_settings: Settings, committed: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Callable[[str], Awaitable[int]]]:
    """``await payments_job("expiry" | "money")``: one round of the payments job, as the app runs it."""
    client = WechatPay(service_settings)
    await client.start()

    async def run(kind: str) -> int:
        async with committed() as session, session.begin():
            now = datetime.now(UTC)
            if kind == "expiry":
                return await flows.expire_due(session, client, now=now, limit=50)
            return await flows.settle_money(session, client, now=now, limit=50)

    yield run
    await client.stop()


async def _overdue(committed: async_sessionmaker[AsyncSession], order_id: str) -> None:
    """The payment window of this order ran out a minute ago."""
    async with committed() as session, session.begin():
        await session.execute(
            text("UPDATE service_orders SET payment_due_at = now() - interval '1 minute' WHERE id = :id"),
            {"id": uuid.UUID(order_id)},
        )


def _alerts(alert: str, reason: str) -> float:
    return REGISTRY.get_sample_value("cheyou_payment_alerts_total", {"alert": alert, "reason": reason}) or 0.0


def _platform_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(WECHATPAY.platform_private_key_file.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def notification(
    resource: dict[str, Any],
    *,
    event_type: str = "TRANSACTION.SUCCESS",
    key: rsa.RSAPrivateKey | None = None,
    signed_at: float | None = None,
    notification_id: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """A notification as WeChat Pay writes one (encrypted, signed), or as a forger would."""
    nonce = secrets.token_hex(6)
    kind = "refund" if event_type.startswith("REFUND") else "transaction"
    ciphertext = AESGCM(WECHATPAY.apiv3_key.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), kind.encode()
    )
    body = json.dumps(
        {
            "id": notification_id or str(uuid.uuid4()),
            "create_time": datetime.now(CHINA).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": kind,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": kind,
                "nonce": nonce,
            },
        }
    ).encode()
    timestamp, header_nonce = str(int(signed_at or time.time())), secrets.token_hex(16)
    message = f"{timestamp}\n{header_nonce}\n".encode() + body + b"\n"
    signature = (key or _platform_key()).sign(message, padding.PKCS1v15(), hashes.SHA256())
    headers = {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": header_nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": WECHATPAY.platform_key_serial,
        "Content-Type": "application/json",
    }
    return headers, body


def transaction(out_trade_no: str, total: int, *, state: str = "SUCCESS") -> dict[str, Any]:
    return {
        "appid": WECHATPAY.appid,
        "mchid": WECHATPAY.mchid,
        "out_trade_no": out_trade_no,
        "transaction_id": f"42000{secrets.randbelow(10**23):023d}",
        "trade_type": "JSAPI",
        "trade_state": state,
        "success_time": datetime.now(CHINA).isoformat(timespec="seconds"),
        "payer": {"openid": "o-someone"},
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
    }


async def _at_least(count: Callable[[], Awaitable[int]], wanted: int) -> bool | None:
    return True if await count() >= wanted else None


async def _post(headers: dict[str, str], body: bytes) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(NOTIFY_URL, content=body, headers=headers)


class TestPayAndDispatch:
    async def test_an_ordinary_member_pays_the_discounted_car_wash_and_only_then_it_is_dispatched(
        self, member_at: MemberAt, wechatpay_fake: httpx.AsyncClient, emitted: Emitted
    ) -> None:
        member = await member_at(Tier.ORDINARY)

        order = await member.book()
        started = await member.pay(order_id=order["id"])

        assert (order["status"], order["price_fen"]) == ("awaiting_payment", 2000)
        assert order["payment_due_at"] is not None
        assert started.status_code == 201, started.text
        bridge = started.json()["bridge"]
        assert bridge["package"].startswith("prepay_id=wx")
        assert bridge["signType"] == "RSA"
        merchant = serialization.load_pem_public_key(WECHATPAY.merchant_public_key_file.read_bytes())
        assert isinstance(merchant, rsa.RSAPublicKey)
        signed = f"{bridge['appId']}\n{bridge['timeStamp']}\n{bridge['nonceStr']}\n{bridge['package']}\n"
        merchant.verify(
            base64.b64decode(bridge["paySign"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        assert (await member.order(order["id"]))[
            "status"
        ] == "awaiting_payment"  # the browser's word is nothing

        out_trade_no = uuid.UUID(started.json()["payment_id"]).hex
        (await wechatpay_fake.post(f"/_fake/transactions/{out_trade_no}/pay")).raise_for_status()

        paid = await member.order_when(order["id"], lambda o: o["status"] == "requested")
        assert paid["payment"]["status"] == "paid"
        assert paid["payment"]["paid_fen"] == 2000
        [requested] = await emitted("cheyou.privilege.order_requested.v1", member.id)
        assert (requested["order_id"], requested["price_fen"]) == (order["id"], 2000)
        [succeeded] = await emitted("cheyou.payment.succeeded.v1", member.id)
        assert (succeeded["order_id"], succeeded["amount_fen"], succeeded["channel"]) == (
            order["id"],
            2000,
            "jsapi",
        )

    async def test_a_phone_browser_pays_on_the_cashier_page(
        self, member_at: MemberAt, wechatpay_fake: httpx.AsyncClient
    ) -> None:
        member = await member_at(Tier.ORDINARY)
        order = await member.book()

        started = (await member.pay("h5", order_id=order["id"])).json()
        h5 = httpx.URL(started["h5_url"])
        back = f"http://127.0.0.1:8080/h5/orders/{order['id']}"
        confirmed = await wechatpay_fake.post(
            "/cgi-bin/mmpayweb-bin/checkmweb",
            data={"prepay_id": h5.params["prepay_id"], "package": h5.params["package"], "redirect_url": back},
        )

        assert (confirmed.status_code, confirmed.headers["location"]) == (302, back)
        await member.order_when(order["id"], lambda o: o["status"] == "requested")
        requests = (await wechatpay_fake.get("/_fake/requests")).json()["items"]
        h5_order = next(
            json.loads(r["body"])
            for r in requests
            if r["path"] == "/v3/pay/transactions/h5" and order["id"] in r["body"]
        )
        assert h5_order["scene_info"]["payer_client_ip"] == "203.0.113.7"
        assert h5_order["amount"] == {"total": 2000, "currency": "CNY"}

    async def test_a_free_order_of_a_star_member_is_dispatched_at_once(
        self, member_at: MemberAt, emitted: Emitted
    ) -> None:
        member = await member_at(Tier.THREE_STAR)

        order = await member.book()

        assert (order["status"], order["price_fen"], order["payment"]) == ("requested", 0, None)
        await emitted("cheyou.privilege.order_requested.v1", member.id)

    async def test_nobody_pays_for_someone_elses_order_and_nothing_is_paid_twice(
        self, member_at: MemberAt, wechatpay_fake: httpx.AsyncClient
    ) -> None:
        member, other = await member_at(), await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        await wechatpay_fake.post(f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/pay")
        await member.order_when(order["id"], lambda o: o["status"] == "requested")

        theirs = await other.pay(order_id=order["id"])
        again = await member.pay(order_id=order["id"])

        assert theirs.status_code == 404
        assert (again.status_code, again.json()["type"].rsplit("/", 1)[-1]) == (409, "nothing-to-pay")


class TestNotifications:
    async def test_a_forged_notification_is_refused_alerted_and_changes_nothing(
        self,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,  # noqa: ARG002 - the fake holds the order
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        before = _alerts("notification_refused", "bad_signature")

        answer = await _post(
            *notification(transaction(uuid.UUID(started["payment_id"]).hex, 2000), key=forger)
        )

        assert answer.status_code == 401
        assert answer.json()["code"] == "FAIL"
        assert _alerts("notification_refused", "bad_signature") == before + 1
        assert (await member.order(order["id"]))["status"] == "awaiting_payment"

    async def test_a_replayed_notification_signed_long_ago_is_refused(self, member_at: MemberAt) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        before = _alerts("notification_refused", "stale")

        answer = await _post(
            *notification(
                transaction(uuid.UUID(started["payment_id"]).hex, 2000), signed_at=time.time() - 600
            )
        )

        assert answer.status_code == 401
        assert _alerts("notification_refused", "stale") == before + 1
        assert (await member.order(order["id"]))["status"] == "awaiting_payment"

    async def test_a_notification_with_another_amount_is_refused_and_alerted(
        self, member_at: MemberAt
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        before = _alerts("payment_amount_mismatch", "amount_mismatch")

        answer = await _post(*notification(transaction(uuid.UUID(started["payment_id"]).hex, 1)))

        assert answer.status_code == 422
        assert answer.json()["code"] == "FAIL"
        assert _alerts("payment_amount_mismatch", "amount_mismatch") == before + 1
        assert (await member.order(order["id"]))["status"] == "awaiting_payment"

    async def test_a_notification_for_an_unknown_order_is_refused_and_alerted(self) -> None:
        before = _alerts("payment_unknown", "unknown_payment")

        answer = await _post(*notification(transaction(uuid.uuid4().hex, 2000)))

        assert answer.status_code == 422
        assert _alerts("payment_unknown", "unknown_payment") == before + 1

    async def test_the_same_notification_twice_is_applied_once(
        self, member_at: MemberAt, wechatpay_fake: httpx.AsyncClient, emitted: Emitted
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        out_trade_no = uuid.UUID(started["payment_id"]).hex

        async def answered() -> int:
            pushes = (await wechatpay_fake.get("/_fake/notifications")).json()["items"]
            return sum(1 for p in pushes if p["url"] == NOTIFY_URL and p["status"] == 204)

        before = await answered()
        (
            await wechatpay_fake.post("/_fake/config", json={"duplicate_notifications": True})
        ).raise_for_status()
        try:
            (await wechatpay_fake.post(f"/_fake/transactions/{out_trade_no}/pay")).raise_for_status()
            await eventually(lambda: _at_least(answered, before + 2), within=30)
        finally:
            await wechatpay_fake.post("/_fake/config", json={"duplicate_notifications": False})

        assert (await member.order(order["id"]))["status"] == "requested"
        assert len(await emitted("cheyou.payment.succeeded.v1", member.id)) == 1
        assert len(await emitted("cheyou.privilege.order_requested.v1", member.id)) == 1

    async def test_a_redelivered_notification_is_acknowledged_and_applied_once(
        self, member_at: MemberAt, emitted: Emitted
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        out_trade_no = uuid.UUID(started["payment_id"]).hex
        paid = transaction(out_trade_no, 2000)

        first = await _post(*notification(paid, notification_id=f"n-{out_trade_no}"))
        again = await _post(*notification(paid, notification_id=f"n-{out_trade_no}"))

        assert (first.status_code, again.status_code) == (204, 204)
        assert (await member.order(order["id"]))["status"] == "requested"
        assert len(await emitted("cheyou.payment.succeeded.v1", member.id)) == 1


class TestExpiry:
    async def test_an_unpaid_order_expires_after_its_wechat_order_is_closed(
        self,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        committed: async_sessionmaker[AsyncSession],
        payments_job: Callable[[str], Awaitable[int]],
        emitted: Emitted,
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        await _overdue(committed, order["id"])

        await payments_job("expiry")

        expired = await member.order(order["id"])
        assert expired["status"] == "expired"
        assert expired["cancel_reason"].startswith("未在规定时间内支付")
        at_wechat = {
            t["out_trade_no"]: t["trade_state"]
            for t in (await wechatpay_fake.get("/_fake/transactions")).json()["items"]
        }
        assert at_wechat[uuid.UUID(started["payment_id"]).hex] == "CLOSED"
        [closed] = await emitted("cheyou.payment.closed.v1", member.id)
        assert closed["reason"] == "expired"
        [cancelled] = await emitted("cheyou.privilege.order_cancelled.v1", member.id)
        assert cancelled["cancelled_by"] == "system"

    async def test_a_payment_that_lands_after_expiry_is_refunded_automatically(
        self,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        committed: async_sessionmaker[AsyncSession],
        payments_job: Callable[[str], Awaitable[int]],
        emitted: Emitted,
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        out_trade_no = uuid.UUID(started["payment_id"]).hex
        await _overdue(committed, order["id"])
        await wechatpay_fake.post(
            "/_fake/fail-next", json={"api": "close", "status": 500, "code": "SYSTEM_ERROR"}
        )
        await payments_job("expiry")  # WeChat Pay did not close it: the order expires all the same

        (
            await wechatpay_fake.post(f"/_fake/transactions/{out_trade_no}/pay", json={"ignore_expiry": True})
        ).raise_for_status()
        [requested] = await emitted("cheyou.payment.refund_requested.v1", member.id)
        await payments_job("money")

        assert (requested["cause"], requested["amount_fen"]) == ("late_payment", 2000)
        [refunded] = await emitted("cheyou.payment.refunded.v1", member.id)
        assert refunded["amount_fen"] == 2000
        final = await member.order_when(
            order["id"], lambda o: (o["payment"] or {}).get("status") == "refunded"
        )
        assert final["status"] == "expired"
        assert not await emitted_now(emitted, "cheyou.privilege.order_requested.v1", member.id)


async def emitted_now(emitted: Emitted, event_type: str, key: str) -> list[dict[str, Any]]:
    """What is on the topic now (no waiting for a first one)."""
    try:
        return await emitted(event_type, key, count=0)
    except TimeoutError:
        return []


class TestCancellation:
    async def test_a_paid_order_cancelled_before_acceptance_is_refunded_in_full(
        self,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        payments_job: Callable[[str], Awaitable[int]],
        emitted: Emitted,
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()
        (
            await wechatpay_fake.post(f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/pay")
        ).raise_for_status()
        await member.order_when(order["id"], lambda o: o["status"] == "requested")

        cancelled = await member.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=member.headers)
        await payments_job("money")

        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["payment"]["status"] == "refunding"
        assert cancelled.json()["cancel_reason"].endswith("已付款项将原路退回")
        [refunded] = await emitted("cheyou.payment.refunded.v1", member.id)
        assert refunded["amount_fen"] == 2000
        final = await member.order_when(order["id"], lambda o: o["payment"]["status"] == "refunded")
        assert final["payment"]["refunded_fen"] == 2000
        refunds = (await wechatpay_fake.get("/_fake/refunds")).json()["items"]
        assert [
            r["amount"]["refund"]
            for r in refunds
            if r["out_trade_no"] == uuid.UUID(started["payment_id"]).hex
        ] == [2000]

    async def test_after_a_merchant_accepted_the_terms_share_is_refunded(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        committed: async_sessionmaker[AsyncSession],
        payments_job: Callable[[str], Awaitable[int]],
        emitted: Emitted,
    ) -> None:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        terms = await client.put(
            "/api/v1/privileges/hotel_booking/terms/ordinary",
            json={
                "mode": "fixed_price",
                "price_fen": 30000,
                "refund_after_acceptance_pct": 50,
                "reason": "退订规则",
            },
            headers=ops,
        )
        assert terms.status_code == 200, terms.text
        member = await member_at()
        order = await member.book({"privilege_code": "hotel_booking", "notes": "两晚"})
        started = (await member.pay(order_id=order["id"])).json()
        (
            await wechatpay_fake.post(f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/pay")
        ).raise_for_status()
        await member.order_when(order["id"], lambda o: o["status"] == "requested")
        async with committed() as session, session.begin():
            await session.execute(
                text("UPDATE service_orders SET status = 'accepted' WHERE id = :id"),
                {"id": uuid.UUID(order["id"])},
            )

        await member.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=member.headers)
        await payments_job("money")

        [refunded] = await emitted("cheyou.payment.refunded.v1", member.id)
        assert refunded["amount_fen"] == 15000

    async def test_cancelling_an_unpaid_order_closes_its_wechat_order_first(
        self, member_at: MemberAt, wechatpay_fake: httpx.AsyncClient
    ) -> None:
        member = await member_at()
        order = await member.book()
        started = (await member.pay(order_id=order["id"])).json()

        cancelled = await member.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=member.headers)
        paying_later = await wechatpay_fake.post(
            f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/pay"
        )

        assert cancelled.json()["status"] == "cancelled"
        assert paying_later.status_code == 409


class TestSecondPayment:
    async def test_a_second_payment_for_a_paid_order_is_refunded(
        self,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        payments_job: Callable[[str], Awaitable[int]],
        emitted: Emitted,
    ) -> None:
        member = await member_at()
        order = await member.book()
        in_wechat = (await member.pay("jsapi", order_id=order["id"])).json()
        in_browser = (await member.pay("h5", order_id=order["id"])).json()
        (await wechatpay_fake.post("/_fake/config", json={"notify_delay_s": 0.5})).raise_for_status()
        try:
            for started in (in_wechat, in_browser):
                (
                    await wechatpay_fake.post(
                        f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/pay"
                    )
                ).raise_for_status()
        finally:
            await wechatpay_fake.post("/_fake/config", json={"notify_delay_s": 0})

        [requested] = await emitted("cheyou.payment.refund_requested.v1", member.id)
        await payments_job("money")

        assert (requested["cause"], requested["amount_fen"]) == ("duplicate_payment", 2000)
        await emitted("cheyou.payment.refunded.v1", member.id)
        final = await member.order_when(
            order["id"], lambda o: o["payment"]["status"] == "paid" and o["payment"]["refunding_fen"] == 0
        )
        assert (final["status"], final["payment"]["paid_fen"]) == ("requested", 2000)
        assert len(await emitted("cheyou.privilege.order_requested.v1", member.id)) == 1


class TestPointsAndCash:
    async def _reward(self, client: httpx.AsyncClient, identities: Identities) -> dict[str, Any]:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        created = await client.post(
            "/api/v1/rewards",
            json={
                "name": "车载吸尘器",
                "kind": "goods",
                "tier_prices": {"ordinary": 300},
                "cash_price_fen": 4900,
                "stock": 5,
            },
            headers=ops,
        )
        assert created.status_code == 201, created.text
        return dict(created.json())

    async def _member_with_points(
        self, client: httpx.AsyncClient, identities: Identities, member_at: MemberAt
    ) -> Member:
        member = await member_at()
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        adjusted = await client.post(
            f"/api/v1/points/{member.id}/adjustments",
            json={"points": 1000, "reason": "活动奖励"},
            headers=ops,
        )
        assert adjusted.status_code in (200, 201), adjusted.text
        return member

    async def test_points_and_cash_in_one_order_redeemed_when_paid(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        emitted: Emitted,
    ) -> None:
        reward = await self._reward(client, identities)
        member = await self._member_with_points(client, identities, member_at)

        redeemed = await client.post(
            f"/api/v1/rewards/{reward['id']}/redemptions",
            json={"delivery_address": "福州市鼓楼区五四路 1 号"},
            headers=member.headers,
        )
        started = (await member.pay(redemption_id=redeemed.json()["id"])).json()
        (
            await wechatpay_fake.post(f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/pay")
        ).raise_for_status()

        assert (redeemed.json()["status"], redeemed.json()["points"], redeemed.json()["cash_fen"]) == (
            "awaiting_payment",
            300,
            4900,
        )
        assert started["amount_fen"] == 4900

        async def redeemed_now() -> dict[str, Any] | None:
            found = (
                await client.get(
                    f"/api/v1/rewards/redemptions/{redeemed.json()['id']}", headers=member.headers
                )
            ).json()
            return found if found["status"] == "redeemed" else None

        done = await eventually(redeemed_now, within=30)
        assert done["payment"]["paid_fen"] == 4900
        [event] = await emitted("cheyou.privilege.reward_redeemed.v1", member.id)
        assert event["redemption_id"] == redeemed.json()["id"]

    async def test_a_failed_payment_gives_the_held_points_and_the_unit_back(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        committed: async_sessionmaker[AsyncSession],
        payments_job: Callable[[str], Awaitable[int]],
    ) -> None:
        reward = await self._reward(client, identities)
        member = await self._member_with_points(client, identities, member_at)
        redeemed = (
            await client.post(
                f"/api/v1/rewards/{reward['id']}/redemptions",
                json={"delivery_address": "福州市鼓楼区五四路 1 号"},
                headers=member.headers,
            )
        ).json()
        held = (await client.get(f"/api/v1/points/{member.id}", headers=member.headers)).json()["balance"]
        started = (await member.pay(redemption_id=redeemed["id"])).json()
        (
            await wechatpay_fake.post(f"/_fake/transactions/{uuid.UUID(started['payment_id']).hex}/fail")
        ).raise_for_status()
        async with committed() as session, session.begin():
            await session.execute(
                text("UPDATE redemptions SET payment_due_at = now() - interval '1 minute' WHERE id = :id"),
                {"id": uuid.UUID(redeemed["id"])},
            )

        await payments_job("expiry")

        after = (await client.get(f"/api/v1/points/{member.id}", headers=member.headers)).json()["balance"]
        found = (
            await client.get(f"/api/v1/rewards/redemptions/{redeemed['id']}", headers=member.headers)
        ).json()
        stock = (await client.get(f"/api/v1/rewards/{reward['id']}", headers=member.headers)).json()["stock"]
        assert (held, after) == (700, 1000)
        assert found["status"] == "expired"
        assert stock == 5


class TestReconciliation:
    async def test_each_planted_difference_is_found_and_alerted(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        member_at: MemberAt,
        wechatpay_fake: httpx.AsyncClient,
        payments_job: Callable[[str], Awaitable[int]],
        emitted: Emitted,
    ) -> None:
        member = await member_at()
        paid: list[str] = []
        for _ in range(4):
            order = await member.book()
            started = (await member.pay(order_id=order["id"])).json()
            out_trade_no = uuid.UUID(started["payment_id"]).hex
            (await wechatpay_fake.post(f"/_fake/transactions/{out_trade_no}/pay")).raise_for_status()
            await member.order_when(order["id"], lambda o: o["status"] == "requested")
            paid.append(out_trade_no)
        order_ids = [
            o["id"] for o in (await client.get("/api/v1/orders", headers=member.headers)).json()["items"]
        ]
        for order_id in order_ids[:2]:
            await client.post(f"/api/v1/orders/{order_id}/cancel", headers=member.headers)
        await payments_job("money")
        await emitted("cheyou.payment.refunded.v1", member.id, count=2)
        refunds = [
            r
            for r in (await wechatpay_fake.get("/_fake/refunds")).json()["items"]
            if r["out_trade_no"] in paid
        ]
        not_ours = uuid.uuid4().hex
        await wechatpay_fake.post("/_fake/bills/tamper", json={"out_trade_no": paid[0], "omit": True})
        await wechatpay_fake.post("/_fake/bills/tamper", json={"out_trade_no": paid[1], "amount_fen": 1990})
        await wechatpay_fake.post(
            "/_fake/bills/extra", json={"kind": "trade", "out_trade_no": not_ours, "amount_fen": 500}
        )
        await wechatpay_fake.post(
            "/_fake/bills/tamper", json={"out_refund_no": refunds[0]["out_refund_no"], "amount_fen": 1}
        )
        await wechatpay_fake.post(
            "/_fake/bills/tamper", json={"out_refund_no": refunds[1]["out_refund_no"], "omit": True}
        )
        before = _alerts("reconciliation_difference", "missing_ours")
        today = datetime.now(CHINA).date().isoformat()

        run = await client.post(
            "/api/v1/payments/reconciliations",
            json={"bill_date": today},
            headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1"),
        )

        assert run.status_code == 200, run.text
        found = {
            (d["subject"], d["kind"], d["out_refund_no"] or d["out_trade_no"]): (
                d["ours_fen"],
                d["theirs_fen"],
            )
            for d in run.json()["items"]
        }
        assert found[("trade", "missing_theirs", paid[0])] == (2000, None)
        assert found[("trade", "amount_mismatch", paid[1])] == (2000, 1990)
        assert found[("trade", "missing_ours", not_ours)] == (None, 500)
        assert found[("refund", "amount_mismatch", refunds[0]["out_refund_no"])] == (2000, 1)
        assert found[("refund", "missing_theirs", refunds[1]["out_refund_no"])] == (2000, None)
        assert not {paid[2], paid[3]} & {key[2] for key in found}
        assert run.json()["status"] == "differences"
        assert _alerts("reconciliation_difference", "missing_ours") >= before + 1

    async def test_a_day_after_today_is_refused_in_words_and_nothing_is_recorded(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        """Found by fuzzing: a future bill date went to WeChat Pay and its refusal came back as a 502."""
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        tomorrow = (datetime.now(CHINA).date() + timedelta(days=1)).isoformat()

        refused = await client.post(
            "/api/v1/payments/reconciliations", json={"bill_date": tomorrow}, headers=ops
        )

        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/bill-date-in-future")
        assert tomorrow in refused.json()["detail"]
        after = await client.get(f"/api/v1/payments/reconciliations/{tomorrow}", headers=ops)
        assert after.status_code == 404

    async def test_only_ops_reconcile(self, client: httpx.AsyncClient, identities: Identities) -> None:
        member = identities.headers(AUDIENCE, Role.MEMBER, member_id=str(uuid.uuid4()))

        response = await client.post(
            "/api/v1/payments/reconciliations", json={"bill_date": "2026-12-01"}, headers=member
        )

        assert response.status_code == 403

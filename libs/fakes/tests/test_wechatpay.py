"""The fake WeChat Pay against a client that signs, verifies and decrypts as API v3 says."""

import base64
import csv
import hashlib
import io
import json
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_fakes import running, wechatpay
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class Merchant:
    """The merchant side, written from the API v3 documentation (not from the fake)."""

    def __init__(self, credentials: wechatpay.DevCredentials, base_url: str) -> None:
        self.credentials = credentials
        key = serialization.load_pem_private_key(credentials.merchant_private_key_file.read_bytes(), None)
        platform = serialization.load_pem_public_key(credentials.platform_public_key_file.read_bytes())
        assert isinstance(key, rsa.RSAPrivateKey)
        assert isinstance(platform, rsa.RSAPublicKey)
        self.key, self.platform = key, platform
        self.http = httpx.Client(base_url=base_url)

    def authorization(self, method: str, target: str, body: str) -> str:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = f"{method}\n{target}\n{timestamp}\n{nonce}\n{body}\n".encode()
        signature = base64.b64encode(self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
        return (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{self.credentials.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",serial_no="{self.credentials.merchant_serial}"'
        )

    def call(self, method: str, target: str, payload: dict[str, Any] | None = None) -> httpx.Response:
        body = "" if payload is None else json.dumps(payload)
        headers = {
            "Authorization": self.authorization(method, target, body),
            "Content-Type": "application/json",
        }
        return self.http.request(method, target, content=body or None, headers=headers)

    def verified(self, headers: httpx.Headers | dict[str, str], body: bytes) -> bool:
        message = f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n{body.decode()}\n"
        try:
            self.platform.verify(
                base64.b64decode(headers["Wechatpay-Signature"]),
                message.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return False
        return headers["Wechatpay-Serial"] == self.credentials.platform_key_serial

    def decrypt(self, resource: dict[str, str]) -> dict[str, Any]:
        plain = AESGCM(self.credentials.apiv3_key.encode()).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            resource["associated_data"].encode(),
        )
        decoded: dict[str, Any] = json.loads(plain)
        return decoded


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []

    async def receive(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.answers.pop(0) if self.answers else 204)


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    with running(Starlette(routes=[Route("/notify", receiver.receive, methods=["POST"])])) as base_url:
        yield receiver, f"{base_url}/notify"


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[wechatpay.DevCredentials, str]]:
    credentials = wechatpay.DevCredentials.load_or_generate(Path(tmp_path_factory.mktemp("wechatpay")))
    with running(wechatpay.create_app(credentials, retry_scale=0.01)) as base_url:
        yield credentials, base_url


@pytest.fixture
def merchant(fake: tuple[wechatpay.DevCredentials, str], receiver: tuple[Receiver, str]) -> Merchant:
    credentials, base_url = fake
    merchant = Merchant(credentials, base_url)
    merchant.http.post("/_fake/reset")
    receiver[0].received.clear()
    receiver[0].answers.clear()
    return merchant


def _order(merchant: Merchant, notify_url: str, total: int = 2500, **extra: Any) -> dict[str, Any]:
    return {
        "appid": merchant.credentials.appid,
        "mchid": merchant.credentials.mchid,
        "description": "车友-洗车",
        "out_trade_no": uuid.uuid4().hex,
        "notify_url": notify_url,
        "amount": {"total": total, "currency": "CNY"},
        "payer": {"openid": "o-member-1"},
        **extra,
    }


def _wait(probe: Any, within: float = 10.0) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.05)
    raise AssertionError("not within the time")


class TestRequestSignatures:
    def test_an_unsigned_request_is_refused(self, merchant: Merchant) -> None:
        response = merchant.http.post("/v3/pay/transactions/jsapi", json={})

        assert response.status_code == 401
        assert response.json()["code"] == "SIGN_ERROR"

    def test_a_request_signed_by_another_key_is_refused(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        merchant.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

        response = merchant.call("POST", "/v3/pay/transactions/jsapi", _order(merchant, receiver[1]))

        assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")

    def test_answers_are_signed_with_the_platform_key(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        response = merchant.call("POST", "/v3/pay/transactions/jsapi", _order(merchant, receiver[1]))

        assert response.status_code == 200
        assert response.json()["prepay_id"].startswith("wx")
        assert merchant.verified(response.headers, response.content)


class TestOrders:
    def test_the_same_order_again_gets_the_same_prepay_id_and_another_body_is_refused(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        order = _order(merchant, receiver[1])
        first = merchant.call("POST", "/v3/pay/transactions/jsapi", order).json()
        again = merchant.call("POST", "/v3/pay/transactions/jsapi", order).json()
        other = merchant.call("POST", "/v3/pay/transactions/jsapi", {**order, "amount": {"total": 1}})

        assert first == again
        assert (other.status_code, other.json()["code"]) == (400, "INVALID_REQUEST")

    def test_a_paid_order_notifies_signed_and_encrypted_and_the_query_agrees(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        order = _order(merchant, receiver[1])
        merchant.call("POST", "/v3/pay/transactions/jsapi", order)

        merchant.http.post(f"/_fake/transactions/{order['out_trade_no']}/pay")

        headers, body = _wait(lambda: receiver[0].received and receiver[0].received[0])
        notification = json.loads(body)
        transaction = merchant.decrypt(notification["resource"])
        assert merchant.verified({k.title(): v for k, v in headers.items()}, body)
        assert notification["event_type"] == "TRANSACTION.SUCCESS"
        assert notification["resource"]["algorithm"] == "AEAD_AES_256_GCM"
        assert (transaction["out_trade_no"], transaction["trade_state"]) == (order["out_trade_no"], "SUCCESS")
        assert transaction["amount"]["total"] == 2500
        queried = merchant.call(
            "GET", f"/v3/pay/transactions/out-trade-no/{order['out_trade_no']}?mchid=1900000109"
        )
        assert queried.json()["transaction_id"] == transaction["transaction_id"]

    def test_a_notification_not_answered_2xx_comes_again_with_the_same_id(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        receiver[0].answers.extend([500, 404])
        order = _order(merchant, receiver[1])
        merchant.call("POST", "/v3/pay/transactions/jsapi", order)

        merchant.http.post(f"/_fake/transactions/{order['out_trade_no']}/pay")

        _wait(lambda: len(receiver[0].received) == 3)
        ids = {json.loads(body)["id"] for _, body in receiver[0].received}
        assert len(ids) == 1
        attempts = merchant.http.get("/_fake/notifications").json()["items"]
        assert [a["status"] for a in attempts] == [500, 404, 204]

    def test_duplicates_and_delays_are_switches(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        merchant.http.post("/_fake/config", json={"duplicate_notifications": True, "notify_delay_s": 0.3})
        order = _order(merchant, receiver[1])
        merchant.call("POST", "/v3/pay/transactions/jsapi", order)

        merchant.http.post(f"/_fake/transactions/{order['out_trade_no']}/pay")
        time.sleep(0.1)
        early = len(receiver[0].received)

        _wait(lambda: len(receiver[0].received) == 2)
        assert early == 0
        assert len({json.loads(body)["id"] for _, body in receiver[0].received}) == 1

    def test_a_closed_order_cannot_be_paid_and_a_paid_one_cannot_be_closed(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        closed, paid = _order(merchant, receiver[1]), _order(merchant, receiver[1])
        for order in (closed, paid):
            merchant.call("POST", "/v3/pay/transactions/jsapi", order)
        merchant.http.post(f"/_fake/transactions/{paid['out_trade_no']}/pay")

        closing = merchant.call(
            "POST",
            f"/v3/pay/transactions/out-trade-no/{closed['out_trade_no']}/close",
            {"mchid": "1900000109"},
        )
        paying = merchant.http.post(f"/_fake/transactions/{closed['out_trade_no']}/pay")
        closing_paid = merchant.call(
            "POST", f"/v3/pay/transactions/out-trade-no/{paid['out_trade_no']}/close", {"mchid": "1900000109"}
        )

        assert closing.status_code == 204
        assert merchant.verified(closing.headers, closing.content)
        assert paying.status_code == 409
        assert (closing_paid.status_code, closing_paid.json()["code"]) == (400, "ORDERPAID")

    def test_injected_errors_answer_and_change_nothing(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        merchant.http.post("/_fake/fail-next", json={"api": "jsapi", "status": 500, "code": "SYSTEM_ERROR"})
        order = _order(merchant, receiver[1])

        failed = merchant.call("POST", "/v3/pay/transactions/jsapi", order)
        again = merchant.call("POST", "/v3/pay/transactions/jsapi", order)

        assert (failed.status_code, failed.json()["code"]) == (500, "SYSTEM_ERROR")
        assert again.status_code == 200

    def test_an_h5_order_has_a_cashier_page_that_pays_and_goes_back(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        order = _order(
            merchant, receiver[1], scene_info={"payer_client_ip": "1.2.3.4", "h5_info": {"type": "Wap"}}
        )
        del order["payer"]
        h5_url = merchant.call("POST", "/v3/pay/transactions/h5", order).json()["h5_url"]
        back = "http://127.0.0.1:8080/h5/orders/1"

        page = merchant.http.get(h5_url + "&redirect_url=" + back)
        params = httpx.URL(h5_url).params
        form = {"prepay_id": params["prepay_id"], "package": params["package"], "redirect_url": back}
        confirmed = merchant.http.post("/cgi-bin/mmpayweb-bin/checkmweb", data=form)

        assert "¥25.00" in page.text
        assert (confirmed.status_code, confirmed.headers["location"]) == (302, back)
        _wait(lambda: receiver[0].received)


class TestRefunds:
    def _paid(self, merchant: Merchant, notify_url: str, total: int = 2500) -> dict[str, Any]:
        order = _order(merchant, notify_url, total)
        merchant.call("POST", "/v3/pay/transactions/jsapi", order)
        merchant.http.post(f"/_fake/transactions/{order['out_trade_no']}/pay")
        return order

    def test_a_refund_is_processing_then_notified_and_queried_as_success(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        order = self._paid(merchant, receiver[1])
        asked = {
            "out_trade_no": order["out_trade_no"],
            "out_refund_no": uuid.uuid4().hex,
            "reason": "会员取消",
            "notify_url": receiver[1],
            "amount": {"refund": 1000, "total": 2500, "currency": "CNY"},
        }

        started = merchant.call("POST", "/v3/refund/domestic/refunds", asked)
        again = merchant.call("POST", "/v3/refund/domestic/refunds", asked)
        too_much = merchant.call(
            "POST",
            "/v3/refund/domestic/refunds",
            {
                **asked,
                "out_refund_no": uuid.uuid4().hex,
                "amount": {"refund": 1600, "total": 2500, "currency": "CNY"},
            },
        )

        assert started.json()["status"] == "PROCESSING"
        assert again.json()["refund_id"] == started.json()["refund_id"]
        assert (too_much.status_code, too_much.json()["code"]) == (400, "INVALID_REQUEST")
        _, body = _wait(
            lambda: next(
                (r for r in receiver[0].received if json.loads(r[1])["event_type"].startswith("REFUND")), None
            )
        )
        refund = merchant.decrypt(json.loads(body)["resource"])
        assert (refund["refund_status"], refund["amount"]["refund"]) == ("SUCCESS", 1000)
        queried = merchant.call("GET", f"/v3/refund/domestic/refunds/{asked['out_refund_no']}").json()
        assert queried["status"] == "SUCCESS"

    def test_a_refund_can_end_abnormal(self, merchant: Merchant, receiver: tuple[Receiver, str]) -> None:
        merchant.http.post("/_fake/config", json={"refund_outcome": "ABNORMAL"})
        order = self._paid(merchant, receiver[1])
        out_refund_no = uuid.uuid4().hex
        merchant.call(
            "POST",
            "/v3/refund/domestic/refunds",
            {
                "out_trade_no": order["out_trade_no"],
                "out_refund_no": out_refund_no,
                "amount": {"refund": 2500, "total": 2500, "currency": "CNY"},
            },
        )

        status = _wait(
            lambda: (
                (s := merchant.call("GET", f"/v3/refund/domestic/refunds/{out_refund_no}").json()["status"])
                != "PROCESSING"
                and s
            )
        )

        assert status == "ABNORMAL"


class TestBills:
    def test_the_trade_bill_is_the_real_csv_with_its_hash(
        self, merchant: Merchant, receiver: tuple[Receiver, str]
    ) -> None:
        order = _order(merchant, receiver[1], total=1990)
        merchant.call("POST", "/v3/pay/transactions/jsapi", order)
        merchant.http.post(f"/_fake/transactions/{order['out_trade_no']}/pay")
        merchant.http.post(
            "/_fake/bills/extra", json={"kind": "trade", "out_trade_no": "not-ours-1", "amount_fen": 500}
        )
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))

        answer = merchant.call("GET", f"/v3/bill/tradebill?bill_date={today}&bill_type=ALL").json()
        target = answer["download_url"].removeprefix(str(merchant.http.base_url).rstrip("/"))
        content = merchant.call("GET", target).content
        rows = list(csv.reader(io.StringIO(content.decode())))

        assert hashlib.sha1(content).hexdigest() == answer["hash_value"]
        assert rows[0][:3] == ["交易时间", "公众账号ID", "商户号"]
        header = rows[0]
        mine = next(r for r in rows[1:-2] if r[header.index("商户订单号")] == f"`{order['out_trade_no']}")
        assert mine[header.index("订单金额")] == "`19.90"
        assert rows[-2][0] == "总交易单数"
        assert rows[-1][0] == "`2"

    def test_a_day_without_lines_has_no_statement(self, merchant: Merchant) -> None:
        response = merchant.call("GET", "/v3/bill/tradebill?bill_date=2020-01-01&bill_type=ALL")

        assert (response.status_code, response.json()["code"]) == (400, "NO_STATEMENT_EXIST")

"""WeChat Pay API v3, the calls a direct merchant makes: JSAPI and H5 orders, query, close, refunds and
their query, the day's bills; and the two checks on what WeChat Pay sends: the signature of every answer
and notification (SHA256withRSA with WeChat Pay's public key, over ``timestamp\\nnonce\\nbody\\n``) and the
AEAD_AES_256_GCM decryption of a notification's resource with the APIv3 key.

Requests are signed with our merchant private key: ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",
nonce_str="…",signature="…",timestamp="…",serial_no="…"`` over
``METHOD\\nPATH?QUERY\\ntimestamp\\nnonce\\nbody\\n``.
Amounts are integer fen both ways. An answer whose signature does not hold is treated as no answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privilege_svc.config import Settings

CHINA = ZoneInfo("Asia/Shanghai")
NOTIFICATION_MAX_AGE_S = 300
"""A notification signed longer ago than this is refused (a replay): WeChat signs each attempt afresh."""


class WechatPayError(Exception):
    """WeChat Pay answered with an error (``status``, its ``code`` and ``message``), or not at all
    (``status`` 0: the network, a timeout, an answer whose signature does not hold)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"WeChat Pay {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.code in ("SYSTEM_ERROR", "FREQUENCY_LIMITED")


class NotificationRefused(Exception):
    """A notification that is not WeChat Pay's, not fresh, or cannot be read; ``reason`` names which."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Notification:
    id: str
    event_type: str
    """``TRANSACTION.SUCCESS``, ``REFUND.SUCCESS``, ``REFUND.ABNORMAL``, ``REFUND.CLOSED``."""
    resource: dict[str, Any]
    """The decrypted resource: a transaction or a refund, as the query APIs answer them."""


def _sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


class WechatPay:
    """One merchant's client. ``configured`` is False without keys: every call then raises 503-worthy
    :class:`WechatPayError` (``NOT_CONFIGURED``) and notifications are refused."""

    def __init__(self, settings: Settings) -> None:
        self.mchid = settings.wechatpay_mchid
        self.appid = settings.wechatpay_appid
        self.notify_url = settings.wechatpay_notify_url
        self._serial = settings.wechatpay_merchant_serial
        self._platform_serial = settings.wechatpay_platform_key_serial
        self._base = settings.wechatpay_api_base_url.rstrip("/")
        self._timeout = settings.wechatpay_timeout_s
        self._apiv3_key = settings.wechatpay_apiv3_key.get_secret_value().encode()
        self._key: rsa.RSAPrivateKey | None = None
        self._platform: rsa.RSAPublicKey | None = None
        if settings.wechatpay_merchant_private_key_file and settings.wechatpay_platform_public_key_file:
            key = serialization.load_pem_private_key(
                settings.wechatpay_merchant_private_key_file.read_bytes(), password=None
            )
            platform = serialization.load_pem_public_key(
                settings.wechatpay_platform_public_key_file.read_bytes()
            )
            if not isinstance(key, rsa.RSAPrivateKey) or not isinstance(platform, rsa.RSAPublicKey):
                raise ValueError("WeChat Pay's merchant and platform keys are RSA keys")
            self._key, self._platform = key, platform
        self._http: httpx.AsyncClient | None = None

    @property
    def configured(self) -> bool:
        return self._key is not None and self._platform is not None and len(self._apiv3_key) == 32

    async def start(self) -> None:
        self._http = httpx.AsyncClient(base_url=self._base, timeout=self._timeout)

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # --- signing and verifying ---------------------------------------------------------------------

    def _authorization(self, method: str, target: str, body: str) -> str:
        assert self._key is not None
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16).upper()
        signature = _sign(self._key, f"{method}\n{target}\n{timestamp}\n{nonce}\n{body}\n")
        return (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{self.mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{self._serial}"'
        )

    def _verified(self, headers: httpx.Headers | dict[str, str], body: bytes) -> bool:
        """Whether WeChat Pay signed ``body`` (the raw bytes, before any parsing)."""
        assert self._platform is not None
        wanted = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial")
        values = {k.lower(): v for k, v in headers.items()}
        if any(not values.get(name) for name in wanted):
            return False
        if values["wechatpay-serial"] != self._platform_serial:
            return False
        message = f"{values['wechatpay-timestamp']}\n{values['wechatpay-nonce']}\n".encode() + body + b"\n"
        try:
            self._platform.verify(
                base64.b64decode(values["wechatpay-signature"], validate=True),
                message,
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    async def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None, *, signed_answer: bool = True
    ) -> httpx.Response:
        if not self.configured or self._http is None:
            raise WechatPayError(503, "NOT_CONFIGURED", "WeChat Pay is not configured on this service")
        body = "" if payload is None else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        headers = {
            "Authorization": self._authorization(method, path, body),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "cheyou-privilege-svc",
        }
        try:
            response = await self._http.request(method, path, content=body.encode() or None, headers=headers)
        except httpx.HTTPError as error:
            raise WechatPayError(0, "UNREACHABLE", repr(error)) from error
        if signed_answer and not self._verified(response.headers, response.content):
            raise WechatPayError(
                0, "ANSWER_NOT_SIGNED", f"an answer ({response.status_code}) WeChat Pay did not sign"
            )
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            raise WechatPayError(
                response.status_code, str(problem.get("code", "ERROR")), str(problem.get("message", ""))
            )
        return response

    # --- orders --------------------------------------------------------------------------------------

    def _order(
        self, out_trade_no: str, description: str, amount_fen: int, time_expire: datetime, attach: str
    ) -> dict[str, Any]:
        return {
            "appid": self.appid,
            "mchid": self.mchid,
            "description": description[:127],
            "out_trade_no": out_trade_no,
            "time_expire": time_expire.astimezone(CHINA).isoformat(timespec="seconds"),
            "attach": attach,
            "notify_url": self.notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
        }

    async def jsapi(
        self,
        out_trade_no: str,
        description: str,
        amount_fen: int,
        openid: str,
        time_expire: datetime,
        attach: str = "",
    ) -> str:
        """``POST /v3/pay/transactions/jsapi`` → the ``prepay_id``."""
        order = self._order(out_trade_no, description, amount_fen, time_expire, attach)
        response = await self._call(
            "POST", "/v3/pay/transactions/jsapi", {**order, "payer": {"openid": openid}}
        )
        return str(response.json()["prepay_id"])

    async def h5(
        self,
        out_trade_no: str,
        description: str,
        amount_fen: int,
        client_ip: str,
        time_expire: datetime,
        attach: str = "",
    ) -> str:
        """``POST /v3/pay/transactions/h5`` → the ``h5_url`` a phone browser outside WeChat goes to."""
        order = self._order(out_trade_no, description, amount_fen, time_expire, attach)
        scene = {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}}
        response = await self._call("POST", "/v3/pay/transactions/h5", {**order, "scene_info": scene})
        return str(response.json()["h5_url"])

    def bridge_parameters(self, prepay_id: str) -> dict[str, str]:
        """What the H5 passes to ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)`` / ``wx.chooseWXPay``:
        paySign is SHA256withRSA over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n`` with our merchant key."""
        assert self._key is not None
        timestamp, nonce, package = str(int(time.time())), secrets.token_hex(16), f"prepay_id={prepay_id}"
        pay_sign = _sign(self._key, f"{self.appid}\n{timestamp}\n{nonce}\n{package}\n")
        return {
            "appId": self.appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": pay_sign,
        }

    async def query(self, out_trade_no: str) -> dict[str, Any] | None:
        """The transaction by our number; None when WeChat Pay never heard of it."""
        try:
            response = await self._call(
                "GET", f"/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={self.mchid}"
            )
        except WechatPayError as error:
            if error.status == 404 and error.code == "ORDER_NOT_EXIST":
                return None
            raise
        found: dict[str, Any] = response.json()
        return found

    async def close(self, out_trade_no: str) -> bool:
        """Close an unpaid order: True when closed (or never placed), False when it was paid meanwhile."""
        try:
            await self._call(
                "POST", f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close", {"mchid": self.mchid}
            )
        except WechatPayError as error:
            if error.code == "ORDERPAID":
                return False
            if error.status == 404 and error.code == "ORDER_NOT_EXIST":
                return True
            raise
        return True

    # --- refunds -------------------------------------------------------------------------------------

    async def refund(
        self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int, reason: str
    ) -> dict[str, Any]:
        """``POST /v3/refund/domestic/refunds`` (idempotent on ``out_refund_no``): the refund as accepted."""
        response = await self._call(
            "POST",
            "/v3/refund/domestic/refunds",
            {
                "out_trade_no": out_trade_no,
                "out_refund_no": out_refund_no,
                "reason": reason[:80],
                "notify_url": self.notify_url,
                "amount": {"refund": amount_fen, "total": total_fen, "currency": "CNY"},
            },
        )
        accepted: dict[str, Any] = response.json()
        return accepted

    async def refund_status(self, out_refund_no: str) -> dict[str, Any] | None:
        try:
            response = await self._call("GET", f"/v3/refund/domestic/refunds/{out_refund_no}")
        except WechatPayError as error:
            if error.status == 404:
                return None
            raise
        found: dict[str, Any] = response.json()
        return found

    # --- bills ---------------------------------------------------------------------------------------

    async def bill(self, day: date, bill_type: str) -> bytes | None:
        """The day's trade bill (``SUCCESS``: payments; ``REFUND``: refunds) as WeChat Pay's CSV, its SHA1
        checked; None when the day has no lines (``NO_STATEMENT_EXIST``)."""
        try:
            response = await self._call(
                "GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type={bill_type}"
            )
        except WechatPayError as error:
            if error.code == "NO_STATEMENT_EXIST":
                return None
            raise
        answer = response.json()
        url = urlsplit(str(answer["download_url"]))
        target = url.path + (f"?{url.query}" if url.query else "")
        # The file itself is not signed: its hash, from the signed answer above, vouches for it.
        content = (await self._call("GET", target, signed_answer=False)).content
        if answer.get("hash_type", "SHA1").upper() == "SHA1":
            digest = hashlib.sha1(content).hexdigest()  # WeChat Pay's bill hash
            if digest != str(answer.get("hash_value", "")).lower():
                raise WechatPayError(0, "BILL_HASH_MISMATCH", "the downloaded bill does not match its hash")
        return content

    # --- notifications -------------------------------------------------------------------------------

    def read_notification(
        self, headers: dict[str, str], body: bytes, *, now: float | None = None
    ) -> Notification:
        """Verify (signature on the raw bytes, freshness) and decrypt a notification; refuse anything else."""
        if not self.configured:
            raise NotificationRefused("not_configured", "WeChat Pay is not configured on this service")
        values = {k.lower(): v for k, v in headers.items()}
        if values.get("wechatpay-serial") and values["wechatpay-serial"] != self._platform_serial:
            raise NotificationRefused("unknown_serial", "Wechatpay-Serial names a key we do not know")
        if not self._verified(values, body):
            raise NotificationRefused("bad_signature", "the Wechatpay-Signature does not hold")
        try:
            signed_at = int(values["wechatpay-timestamp"])
        except ValueError as error:
            raise NotificationRefused("bad_signature", "Wechatpay-Timestamp is not a number") from error
        if abs((now or time.time()) - signed_at) > NOTIFICATION_MAX_AGE_S:
            raise NotificationRefused("stale", "the notification was signed too long ago (a replay?)")
        try:
            notification = json.loads(body)
            resource = notification["resource"]
            if resource.get("algorithm") != "AEAD_AES_256_GCM":
                raise NotificationRefused("unreadable", "the resource is not AEAD_AES_256_GCM")
            plain = AESGCM(self._apiv3_key).decrypt(
                str(resource["nonce"]).encode(),
                base64.b64decode(resource["ciphertext"]),
                str(resource.get("associated_data") or "").encode(),
            )
            return Notification(
                id=str(notification["id"]),
                event_type=str(notification["event_type"]),
                resource=json.loads(plain),
            )
        except NotificationRefused:
            raise
        except (InvalidTag, KeyError, TypeError, ValueError) as error:
            raise NotificationRefused("unreadable", f"the notification cannot be read: {error!r}") from error

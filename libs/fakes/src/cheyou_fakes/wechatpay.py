"""A fake WeChat Pay (API v3, direct merchant): JSAPI and H5 orders, query, close, refunds, signed and
encrypted notifications, trade and refund bills.

It speaks the public contract with real cryptography, so a client that works against it works against
the real provider:

- every ``/v3`` request must carry ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
  signature="…",timestamp="…",serial_no="…"`` — SHA256withRSA over
  ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n`` with the merchant's private key, checked against
  the merchant public key registered for ``serial_no`` (401 ``SIGN_ERROR`` otherwise, and for a timestamp
  more than five minutes off);
- every answer is signed with the fake's own *platform* key (``Wechatpay-Timestamp``, ``-Nonce``,
  ``-Signature``, ``-Serial`` over ``TIMESTAMP\\nNONCE\\nBODY\\n``), as is every notification;
- a notification's ``resource`` is AEAD_AES_256_GCM-encrypted with the APIv3 key (nonce 12 characters,
  ``associated_data`` ``transaction`` or ``refund``), and it is pushed again on any answer but 2xx on the
  real schedule (15 s, 15 s, 30 s, 3 min, 10 min … about 24 h) multiplied by ``retry_scale``.

A paying member is simulated: the H5 cashier page (``h5_url``, what a phone browser outside WeChat is sent
to) has a "pay" button, and tests call ``POST /_fake/transactions/{out_trade_no}/pay``. Test controls live
under ``/_fake`` (errors, delays, duplicate notifications, refund outcomes, bill tampering).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import html
import io
import json
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_MCHID = "1900000109"
DEFAULT_APPID = "wx-cheyou-dev"
# WeChat Pay's schedule for a notification not answered 2xx (about 24 hours in all).
RETRY_SCHEDULE_S = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
CLOCK_SKEW_S = 300
OUT_NO = re.compile(r"^[0-9A-Za-z_\-|*]{6,32}$")
OUT_REFUND_NO = re.compile(r"^[0-9A-Za-z_\-|*@]{1,64}$")
AUTH = re.compile(r'(\w+)="([^"]*)"')
APIS = ("jsapi", "h5", "query", "close", "refund", "refund_query", "tradebill")
TRADE_COLUMNS = (
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
)
REFUND_COLUMNS = (
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "退款申请时间",
    "退款成功时间",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
)
SUMMARY_COLUMNS = (
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
)
FEE_RATE = Decimal("0.006")  # 0.60 %, the usual rate; the fee is rounded to the fen


def _rfc3339(at: datetime) -> str:
    return at.astimezone(CHINA).isoformat(timespec="seconds")


def _bill_time(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _pem_private(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_public(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class DevCredentials:
    """A merchant account of the fake and every key both sides need, written as files.

    The merchant's key pair (the service signs with the private half; the fake checks with the public
    half), the fake's platform key pair (the fake signs; the service checks with the public half) and the
    APIv3 key. File names say ``dev-only``: production mode refuses them (``cheyou_kit.production``).
    """

    directory: Path
    mchid: str
    appid: str
    merchant_serial: str
    platform_key_serial: str

    @property
    def merchant_private_key_file(self) -> Path:
        return self.directory / "merchant-private-key.dev-only.pem"

    @property
    def merchant_public_key_file(self) -> Path:
        return self.directory / "merchant-public-key.dev-only.pem"

    @property
    def platform_private_key_file(self) -> Path:
        return self.directory / "platform-private-key.dev-only.pem"

    @property
    def platform_public_key_file(self) -> Path:
        return self.directory / "platform-public-key.dev-only.pem"

    @property
    def apiv3_key_file(self) -> Path:
        return self.directory / "apiv3-key.dev-only.txt"

    @property
    def apiv3_key(self) -> str:
        return self.apiv3_key_file.read_text().strip()

    @classmethod
    def load_or_generate(
        cls, directory: Path, *, mchid: str = DEFAULT_MCHID, appid: str = DEFAULT_APPID
    ) -> DevCredentials:
        """The credentials kept in ``directory`` (``credentials.json``), generated on first use."""
        directory.mkdir(parents=True, exist_ok=True)
        manifest = directory / "credentials.json"
        if manifest.exists():
            saved = json.loads(manifest.read_text())
            return cls(
                directory,
                saved["mchid"],
                saved["appid"],
                saved["merchant_serial"],
                saved["platform_key_serial"],
            )
        credentials = cls(
            directory,
            mchid,
            appid,
            merchant_serial=secrets.token_hex(20).upper(),
            platform_key_serial=f"PUB_KEY_ID_{secrets.randbelow(10**28):028d}",
        )
        merchant = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        platform = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        for path, content in (
            (credentials.merchant_private_key_file, _pem_private(merchant)),
            (credentials.merchant_public_key_file, _pem_public(merchant.public_key())),
            (credentials.platform_private_key_file, _pem_private(platform)),
            (credentials.platform_public_key_file, _pem_public(platform.public_key())),
            (credentials.apiv3_key_file, secrets.token_hex(16).encode()),  # 32 characters, as WeChat asks
        ):
            path.write_bytes(content)
            path.chmod(0o600)
        manifest.write_text(json.dumps(credentials.manifest(), indent=2))
        return credentials

    def manifest(self) -> dict[str, str]:
        return {
            "mchid": self.mchid,
            "appid": self.appid,
            "merchant_serial": self.merchant_serial,
            "platform_key_serial": self.platform_key_serial,
            "merchant_private_key_file": str(self.merchant_private_key_file),
            "merchant_public_key_file": str(self.merchant_public_key_file),
            "platform_private_key_file": str(self.platform_private_key_file),
            "platform_public_key_file": str(self.platform_public_key_file),
            "apiv3_key_file": str(self.apiv3_key_file),
        }


@dataclass
class _Transaction:
    out_trade_no: str
    trade_type: str  # JSAPI or MWEB
    appid: str
    description: str
    notify_url: str
    total: int
    openid: str | None
    attach: str
    prepay_id: str
    created_at: datetime
    time_expire: datetime | None
    body: dict[str, Any]
    state: str = "NOTPAY"  # NOTPAY, SUCCESS, REFUND, CLOSED, PAYERROR
    transaction_id: str | None = None
    success_time: datetime | None = None
    refunded: int = 0
    bill_omitted: bool = False
    bill_amount: int | None = None
    base_url: str = ""
    """Where the order was placed: the cashier page of an H5 payment is served from the same host."""


@dataclass
class _Refund:
    out_refund_no: str
    refund_id: str
    out_trade_no: str
    transaction_id: str
    amount: int
    total: int
    reason: str
    notify_url: str | None
    created_at: datetime
    status: str = "PROCESSING"  # PROCESSING, SUCCESS, CLOSED, ABNORMAL
    success_time: datetime | None = None
    bill_omitted: bool = False
    bill_amount: int | None = None


@dataclass
class _Failure:
    status: int
    code: str
    message: str


@dataclass
class WechatPayState:
    mchid: str
    appid: str
    apiv3_key: bytes
    merchant_keys: dict[str, rsa.RSAPublicKey]
    platform_key: rsa.RSAPrivateKey
    platform_serial: str
    retry_scale: float = 1.0
    notify_delay_s: float = 0.0
    duplicate_notifications: bool = False
    notifications_on: bool = True
    refund_delay_s: float = 0.2
    refund_outcome: str = "SUCCESS"
    transactions: dict[str, _Transaction] = field(default_factory=dict)
    refunds: dict[str, _Refund] = field(default_factory=dict)
    bill_extras: list[dict[str, Any]] = field(default_factory=list)
    bill_tokens: dict[str, bytes] = field(default_factory=dict)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def _state(request: Request) -> WechatPayState:
    state: WechatPayState = request.app.state.wechatpay
    return state


# --- signatures --------------------------------------------------------------------------------------


def _sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _signed_headers(state: WechatPayState, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16).upper()
    message = f"{timestamp}\n{nonce}\n{body.decode()}\n"
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": _sign(state.platform_key, message),
        "Wechatpay-Serial": state.platform_serial,
        "Request-ID": str(uuid.uuid4()),
    }


def _answer(state: WechatPayState, payload: dict[str, Any] | None, status_code: int = 200) -> Response:
    """A signed answer (204 and its empty body are signed too)."""
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    headers = _signed_headers(state, body)
    if payload is None:
        return Response(status_code=status_code, headers=headers)
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")


def _error(state: WechatPayState, status_code: int, code: str, message: str) -> Response:
    return _answer(state, {"code": code, "message": message}, status_code)


async def _authenticate(request: Request) -> tuple[bytes, Response | None]:
    """The raw body, and the refusal when the merchant's signature does not hold."""
    state = _state(request)
    body = await request.body()
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.partition(" ")
    if scheme != "WECHATPAY2-SHA256-RSA2048":
        return body, _error(state, 401, "SIGN_ERROR", "Authorization 头缺失或认证类型错误")
    fields = dict(AUTH.findall(rest))
    if fields.get("mchid") != state.mchid:
        return body, _error(state, 401, "SIGN_ERROR", "商户号与签名信息不一致")
    key = state.merchant_keys.get(fields.get("serial_no", ""))
    if key is None:
        return body, _error(state, 401, "SIGN_ERROR", "商户证书序列号有误")
    try:
        timestamp = int(fields.get("timestamp", ""))
    except ValueError:
        return body, _error(state, 401, "SIGN_ERROR", "时间戳格式错误")
    if abs(time.time() - timestamp) > CLOCK_SKEW_S:
        return body, _error(state, 401, "SIGN_ERROR", "请求时间戳已过期")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    message = f"{request.method}\n{target}\n{timestamp}\n{fields.get('nonce_str', '')}\n{body.decode()}\n"
    try:
        key.verify(
            base64.b64decode(fields.get("signature", "")),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except Exception:  # any failure to verify is a bad signature
        return body, _error(state, 401, "SIGN_ERROR", "签名错误")
    state.requests.append({"method": request.method, "path": target, "body": body.decode()})
    return body, None


def _injected(state: WechatPayState, api: str) -> Response | None:
    queue = state.failures.get(api)
    if queue:
        failure = queue.pop(0)
        return _error(state, failure.status, failure.code, failure.message)
    return None


def _json(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


# --- notifications -----------------------------------------------------------------------------------


def _encrypt(state: WechatPayState, plaintext: dict[str, Any], associated_data: str) -> dict[str, str]:
    nonce = secrets.token_hex(6)  # 12 characters: WeChat's nonces are printable
    data = json.dumps(plaintext, ensure_ascii=False).encode()
    ciphertext = AESGCM(state.apiv3_key).encrypt(nonce.encode(), data, associated_data.encode())
    return {
        "original_type": associated_data,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def _notify(
    state: WechatPayState, url: str, event_type: str, summary: str, kind: str, resource: dict[str, Any]
) -> None:
    if not state.notifications_on or not url:
        return
    notification = {
        "id": str(uuid.uuid4()),
        "create_time": _rfc3339(datetime.now(UTC)),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary,
        "resource": _encrypt(state, resource, kind),
    }
    copies = 2 if state.duplicate_notifications else 1
    for copy in range(copies):
        task = asyncio.create_task(_push(state, url, notification, copy))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)


async def _push(state: WechatPayState, url: str, notification: dict[str, Any], copy: int) -> None:
    """Push until a 2xx answer, on WeChat's schedule (scaled); each attempt is signed afresh."""
    body = json.dumps(notification, ensure_ascii=False).encode()
    await asyncio.sleep(state.notify_delay_s + copy * 0.05)
    async with httpx.AsyncClient(timeout=5) as client:
        for attempt, delay in enumerate((0.0, *RETRY_SCHEDULE_S), start=1):
            await asyncio.sleep(delay * state.retry_scale)
            headers = {**_signed_headers(state, body), "Content-Type": "application/json"}
            try:
                response = await client.post(url, content=body, headers=headers)
                status: int | None = response.status_code
                answer = response.text[:500]
            except httpx.HTTPError as error:
                status, answer = None, repr(error)
            state.pushes.append(
                {
                    "id": notification["id"],
                    "event_type": notification["event_type"],
                    "url": url,
                    "attempt": attempt,
                    "copy": copy,
                    "status": status,
                    "answer": answer,
                }
            )
            if status is not None and 200 <= status < 300:
                return


def _transaction_json(state: WechatPayState, tx: _Transaction) -> dict[str, Any]:
    body: dict[str, Any] = {
        "appid": tx.appid,
        "mchid": state.mchid,
        "out_trade_no": tx.out_trade_no,
        "trade_type": tx.trade_type,
        "trade_state": tx.state,
        "trade_state_desc": {
            "NOTPAY": "未支付",
            "SUCCESS": "支付成功",
            "REFUND": "转入退款",
            "CLOSED": "已关闭",
            "PAYERROR": "支付失败",
        }[tx.state],
        "attach": tx.attach,
        "amount": {"total": tx.total, "currency": "CNY", "payer_currency": "CNY"},
        "payer": {"openid": tx.openid} if tx.openid else {},
    }
    if tx.transaction_id:
        body["transaction_id"] = tx.transaction_id
        body["bank_type"] = "OTHERS"
        body["amount"]["payer_total"] = tx.total
    if tx.success_time:
        body["success_time"] = _rfc3339(tx.success_time)
    return body


def _refund_json(refund: _Refund) -> dict[str, Any]:
    body: dict[str, Any] = {
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": refund.transaction_id,
        "out_trade_no": refund.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": _rfc3339(refund.created_at),
        "status": refund.status,
        "funds_account": "AVAILABLE",
        "amount": {
            "total": refund.total,
            "refund": refund.amount,
            "payer_total": refund.total,
            "payer_refund": refund.amount,
            "settlement_total": refund.total,
            "settlement_refund": refund.amount,
            "discount_refund": 0,
            "currency": "CNY",
            "refund_fee": 0,
        },
    }
    if refund.success_time:
        body["success_time"] = _rfc3339(refund.success_time)
    return body


def pay(state: WechatPayState, tx: _Transaction, openid: str | None = None) -> str | None:
    """The payer pays: SUCCESS and the notification; a reason when it cannot be paid."""
    if tx.state == "SUCCESS" or tx.state == "REFUND":
        return "订单已支付"
    if tx.state == "CLOSED":
        return "订单已关闭"
    tx.state = "SUCCESS"
    tx.transaction_id = f"42000{secrets.randbelow(10**23):023d}"
    tx.success_time = datetime.now(UTC)
    tx.openid = tx.openid or openid or f"o-fake-{secrets.token_hex(8)}"
    _notify(
        state, tx.notify_url, "TRANSACTION.SUCCESS", "支付成功", "transaction", _transaction_json(state, tx)
    )
    return None


# --- the merchant API ------------------------------------------------------------------------------


async def _place(request: Request, trade_type: str) -> Response:
    state = _state(request)
    body, refused = await _authenticate(request)
    if refused is not None:
        return refused
    api = "jsapi" if trade_type == "JSAPI" else "h5"
    if (failure := _injected(state, api)) is not None:
        return failure
    order = _json(body)
    if order is None:
        return _error(state, 400, "PARAM_ERROR", "请求体不是合法的 JSON")
    problem = _order_problem(state, order, trade_type)
    if problem is not None:
        return _error(state, 400, "PARAM_ERROR", problem)
    out_trade_no = order["out_trade_no"]
    existing = state.transactions.get(out_trade_no)
    if existing is not None:
        if existing.state in ("SUCCESS", "REFUND"):
            return _error(state, 400, "ORDERPAID", "该订单已支付")
        if existing.state == "CLOSED":
            return _error(state, 400, "ORDERCLOSED", "当前订单已关闭，请重新下单")
        if existing.body != order or existing.trade_type != trade_type:
            return _error(state, 400, "INVALID_REQUEST", "201 商户订单号重复")
        return _answer(state, _placed(existing))
    expire = order.get("time_expire")
    tx = _Transaction(
        out_trade_no=out_trade_no,
        trade_type=trade_type,
        appid=order["appid"],
        description=order["description"],
        notify_url=order["notify_url"],
        total=int(order["amount"]["total"]),
        openid=(order.get("payer") or {}).get("openid"),
        attach=order.get("attach") or "",
        prepay_id=f"wx{datetime.now(CHINA):%d%H%M%S}{secrets.token_hex(10)}",
        created_at=datetime.now(UTC),
        time_expire=datetime.fromisoformat(expire) if expire else None,
        body=order,
        base_url=str(request.base_url).rstrip("/"),
    )
    state.transactions[out_trade_no] = tx
    return _answer(state, _placed(tx))


def _placed(tx: _Transaction) -> dict[str, Any]:
    if tx.trade_type == "JSAPI":
        return {"prepay_id": tx.prepay_id}
    query = urlencode({"prepay_id": tx.prepay_id, "package": str(secrets.randbelow(10**10))})
    return {"h5_url": f"{tx.base_url}/cgi-bin/mmpayweb-bin/checkmweb?{query}"}


def _order_problem(state: WechatPayState, order: dict[str, Any], trade_type: str) -> str | None:
    if order.get("appid") != state.appid:
        return "appid 与商户号未绑定"
    if order.get("mchid") != state.mchid:
        return "mchid 与请求签名的商户号不一致"
    description = order.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 127:
        return "description 长度须在 1 到 127 之间"
    if not isinstance(order.get("out_trade_no"), str) or not OUT_NO.match(order["out_trade_no"]):
        return "out_trade_no 须为 6-32 位数字、字母、_-|*"
    if not isinstance(order.get("notify_url"), str) or urlsplit(order["notify_url"]).scheme not in (
        "http",
        "https",
    ):
        return "notify_url 格式错误"
    amount = order.get("amount")
    if not isinstance(amount, dict) or not isinstance(amount.get("total"), int) or amount["total"] < 1:
        return "amount.total 须为正整数（单位：分）"
    if amount.get("currency", "CNY") != "CNY":
        return "amount.currency 只支持 CNY"
    if trade_type == "JSAPI" and not isinstance((order.get("payer") or {}).get("openid"), str):
        return "JSAPI 下单须提供 payer.openid"
    if trade_type == "MWEB":
        scene = order.get("scene_info") or {}
        if not scene.get("payer_client_ip") or not (scene.get("h5_info") or {}).get("type"):
            return "H5 下单须提供 scene_info.payer_client_ip 和 scene_info.h5_info.type"
    if order.get("time_expire") is not None:
        try:
            datetime.fromisoformat(order["time_expire"])
        except (TypeError, ValueError):
            return "time_expire 须为 RFC 3339 时间"
    return None


async def jsapi(request: Request) -> Response:
    """``POST /v3/pay/transactions/jsapi`` → ``{prepay_id}``."""
    return await _place(request, "JSAPI")


async def h5(request: Request) -> Response:
    """``POST /v3/pay/transactions/h5`` → ``{h5_url}`` (the cashier page of a phone browser)."""
    return await _place(request, "MWEB")


def _expired(tx: _Transaction) -> bool:
    if tx.state == "NOTPAY" and tx.time_expire is not None and datetime.now(UTC) >= tx.time_expire:
        tx.state = "CLOSED"
    return tx.state == "CLOSED"


async def query(request: Request) -> Response:
    """``GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`` (or ``/id/{transaction_id}``)."""
    state = _state(request)
    _, refused = await _authenticate(request)
    if refused is not None:
        return refused
    if (failure := _injected(state, "query")) is not None:
        return failure
    if request.query_params.get("mchid") != state.mchid:
        return _error(state, 400, "PARAM_ERROR", "mchid 缺失或不一致")
    if "out_trade_no" in request.path_params:
        tx = state.transactions.get(request.path_params["out_trade_no"])
    else:
        wanted = request.path_params["transaction_id"]
        tx = next((t for t in state.transactions.values() if t.transaction_id == wanted), None)
    if tx is None:
        return _error(state, 404, "ORDER_NOT_EXIST", "订单不存在")
    _expired(tx)
    return _answer(state, _transaction_json(state, tx))


async def close(request: Request) -> Response:
    """``POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close {mchid}`` → 204."""
    state = _state(request)
    body, refused = await _authenticate(request)
    if refused is not None:
        return refused
    if (failure := _injected(state, "close")) is not None:
        return failure
    if (_json(body) or {}).get("mchid") != state.mchid:
        return _error(state, 400, "PARAM_ERROR", "mchid 缺失或不一致")
    tx = state.transactions.get(request.path_params["out_trade_no"])
    if tx is None:
        return _error(state, 404, "ORDER_NOT_EXIST", "订单不存在")
    if tx.state in ("SUCCESS", "REFUND"):
        return _error(state, 400, "ORDERPAID", "订单已支付")
    tx.state = "CLOSED"
    return _answer(state, None, 204)


async def refund(request: Request) -> Response:
    """``POST /v3/refund/domestic/refunds``: idempotent on ``out_refund_no``; the result comes later."""
    state = _state(request)
    body, refused = await _authenticate(request)
    if refused is not None:
        return refused
    if (failure := _injected(state, "refund")) is not None:
        return failure
    asked = _json(body)
    if asked is None:
        return _error(state, 400, "PARAM_ERROR", "请求体不是合法的 JSON")
    out_refund_no = asked.get("out_refund_no")
    if not isinstance(out_refund_no, str) or not OUT_REFUND_NO.match(out_refund_no):
        return _error(state, 400, "PARAM_ERROR", "out_refund_no 格式错误")
    if (existing := state.refunds.get(out_refund_no)) is not None:
        return _answer(state, _refund_json(existing))
    if "out_trade_no" in asked:
        tx = state.transactions.get(str(asked["out_trade_no"]))
    else:
        tx = next(
            (t for t in state.transactions.values() if t.transaction_id == asked.get("transaction_id")), None
        )
    if tx is None:
        return _error(state, 404, "RESOURCE_NOT_EXISTS", "订单不存在")
    if tx.state not in ("SUCCESS", "REFUND") or tx.transaction_id is None:
        return _error(state, 400, "INVALID_REQUEST", "订单未支付，不能退款")
    amount = asked.get("amount") or {}
    wanted, total = amount.get("refund"), amount.get("total")
    if not isinstance(wanted, int) or not isinstance(total, int) or wanted < 1:
        return _error(state, 400, "PARAM_ERROR", "amount.refund 和 amount.total 须为正整数（单位：分）")
    if total != tx.total:
        return _error(state, 400, "PARAM_ERROR", "订单金额与原订单不一致")
    if wanted > tx.total - tx.refunded:
        return _error(state, 400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
    tx.refunded += wanted
    tx.state = "REFUND"
    created = _Refund(
        out_refund_no=out_refund_no,
        refund_id=f"50{secrets.randbelow(10**27):027d}",
        out_trade_no=tx.out_trade_no,
        transaction_id=tx.transaction_id,
        amount=wanted,
        total=tx.total,
        reason=str(asked.get("reason") or ""),
        notify_url=asked.get("notify_url") or tx.notify_url,
        created_at=datetime.now(UTC),
    )
    state.refunds[out_refund_no] = created
    task = asyncio.create_task(_settle_refund(state, created, tx))
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)
    return _answer(state, _refund_json(created))


async def _settle_refund(state: WechatPayState, refund_: _Refund, tx: _Transaction) -> None:
    await asyncio.sleep(state.refund_delay_s)
    refund_.status = state.refund_outcome
    if refund_.status == "SUCCESS":
        refund_.success_time = datetime.now(UTC)
    else:
        tx.refunded -= refund_.amount  # the money never left: it can be refunded again
    resource = {
        "mchid": state.mchid,
        "out_trade_no": refund_.out_trade_no,
        "transaction_id": refund_.transaction_id,
        "out_refund_no": refund_.out_refund_no,
        "refund_id": refund_.refund_id,
        "refund_status": refund_.status,
        "user_received_account": "支付用户零钱",
        "amount": {
            "total": refund_.total,
            "refund": refund_.amount,
            "payer_total": refund_.total,
            "payer_refund": refund_.amount,
        },
    }
    if refund_.success_time:
        resource["success_time"] = _rfc3339(refund_.success_time)
    summary = {"SUCCESS": "退款成功", "CLOSED": "退款关闭", "ABNORMAL": "退款异常"}[refund_.status]
    _notify(state, refund_.notify_url or "", f"REFUND.{refund_.status}", summary, "refund", resource)


async def refund_query(request: Request) -> Response:
    """``GET /v3/refund/domestic/refunds/{out_refund_no}``."""
    state = _state(request)
    _, refused = await _authenticate(request)
    if refused is not None:
        return refused
    if (failure := _injected(state, "refund_query")) is not None:
        return failure
    found = state.refunds.get(request.path_params["out_refund_no"])
    if found is None:
        return _error(state, 404, "RESOURCE_NOT_EXISTS", "退款单不存在")
    return _answer(state, _refund_json(found))


# --- bills -------------------------------------------------------------------------------------------


def _day(at: datetime) -> date:
    return at.astimezone(CHINA).date()


def _fee(amount: int) -> int:
    return int((Decimal(amount) * FEE_RATE).quantize(Decimal("1")))


def _trade_row(state: WechatPayState, tx: _Transaction) -> dict[str, str]:
    amount = tx.bill_amount if tx.bill_amount is not None else tx.total
    assert tx.success_time is not None
    return {
        "交易时间": _bill_time(tx.success_time),
        "公众账号ID": tx.appid,
        "商户号": state.mchid,
        "特约商户号": "0",
        "设备号": "",
        "微信订单号": tx.transaction_id or "",
        "商户订单号": tx.out_trade_no,
        "用户标识": tx.openid or "",
        "交易类型": tx.trade_type,
        "交易状态": "SUCCESS",
        "付款银行": "OTHERS",
        "货币种类": "CNY",
        "应结订单金额": _yuan(amount),
        "代金券金额": "0.00",
        "微信退款单号": "0",
        "商户退款单号": "0",
        "退款金额": "0.00",
        "充值券退款金额": "0.00",
        "退款类型": "",
        "退款状态": "",
        "商品名称": tx.description,
        "商户数据包": tx.attach,
        "手续费": _yuan(_fee(amount)),
        "费率": "0.60%",
        "订单金额": _yuan(amount),
        "申请退款金额": "0.00",
        "费率备注": "",
    }


def _refund_row(state: WechatPayState, refund_: _Refund, with_times: bool) -> dict[str, str]:
    tx = state.transactions[refund_.out_trade_no]
    amount = refund_.bill_amount if refund_.bill_amount is not None else refund_.amount
    row = {
        "交易时间": _bill_time(tx.success_time or refund_.created_at),
        "公众账号ID": tx.appid,
        "商户号": state.mchid,
        "特约商户号": "0",
        "设备号": "",
        "微信订单号": refund_.transaction_id,
        "商户订单号": refund_.out_trade_no,
        "用户标识": tx.openid or "",
        "交易类型": tx.trade_type,
        "交易状态": "REFUND",
        "付款银行": "OTHERS",
        "货币种类": "CNY",
        "应结订单金额": "0.00",
        "代金券金额": "0.00",
        "微信退款单号": refund_.refund_id,
        "商户退款单号": refund_.out_refund_no,
        "退款金额": _yuan(amount),
        "充值券退款金额": "0.00",
        "退款类型": "ORIGINAL",
        "退款状态": refund_.status,
        "商品名称": tx.description,
        "商户数据包": tx.attach,
        "手续费": _yuan(-_fee(amount)),
        "费率": "0.60%",
        "订单金额": "0.00",
        "申请退款金额": _yuan(amount),
        "费率备注": "",
    }
    if with_times:
        row["退款申请时间"] = _bill_time(refund_.created_at)
        row["退款成功时间"] = _bill_time(refund_.success_time) if refund_.success_time else ""
    return row


def bill_csv(state: WechatPayState, day: date, bill_type: str) -> bytes | None:
    """The day's bill as WeChat writes it (every value after a backtick), or None when it has no lines."""
    rows: list[dict[str, str]] = []
    if bill_type in ("ALL", "SUCCESS"):
        rows += [
            _trade_row(state, tx)
            for tx in state.transactions.values()
            if tx.success_time is not None and _day(tx.success_time) == day and not tx.bill_omitted
        ]
    if bill_type in ("ALL", "REFUND"):
        rows += [
            _refund_row(state, r, with_times=bill_type == "REFUND")
            for r in state.refunds.values()
            if _day(r.created_at) == day and not r.bill_omitted
        ]
    for extra in state.bill_extras:
        if extra["day"] == day and (bill_type == "ALL" or extra["type"] == bill_type):
            rows.append(extra["row"])
    if not rows:
        return None
    columns = REFUND_COLUMNS if bill_type == "REFUND" else TRADE_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([f"`{row.get(column, '')}" for column in columns])
    settled = sum(int(Decimal(r["应结订单金额"]) * 100) for r in rows)
    refunded = sum(int(Decimal(r["退款金额"]) * 100) for r in rows)
    fees = sum(int(Decimal(r["手续费"]) * 100) for r in rows)
    ordered = sum(int(Decimal(r["订单金额"]) * 100) for r in rows)
    asked = sum(int(Decimal(r["申请退款金额"]) * 100) for r in rows)
    writer.writerow(SUMMARY_COLUMNS)
    summary = [len(rows), _yuan(settled), _yuan(refunded), "0.00", _yuan(fees), _yuan(ordered), _yuan(asked)]
    writer.writerow([f"`{value}" for value in summary])
    return out.getvalue().encode()


async def tradebill(request: Request) -> Response:
    """``GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL|SUCCESS|REFUND`` →
    ``{hash_type: "SHA1", hash_value, download_url}``; a day without lines is 400 ``NO_STATEMENT_EXIST``."""
    state = _state(request)
    _, refused = await _authenticate(request)
    if refused is not None:
        return refused
    if (failure := _injected(state, "tradebill")) is not None:
        return failure
    try:
        day = date.fromisoformat(request.query_params.get("bill_date", ""))
    except ValueError:
        return _error(state, 400, "PARAM_ERROR", "bill_date 格式须为 yyyy-MM-DD")
    bill_type = request.query_params.get("bill_type", "ALL")
    if bill_type not in ("ALL", "SUCCESS", "REFUND"):
        return _error(state, 400, "PARAM_ERROR", "bill_type 只能是 ALL、SUCCESS 或 REFUND")
    if day > datetime.now(CHINA).date():
        return _error(state, 400, "INVALID_REQUEST", "账单日期不能晚于今天")
    content = bill_csv(state, day, bill_type)
    if content is None:
        return _error(state, 400, "NO_STATEMENT_EXIST", "账单文件不存在")
    token = secrets.token_urlsafe(24)
    state.bill_tokens[token] = content
    base = str(request.base_url).rstrip("/")
    return _answer(
        state,
        {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(content).hexdigest(),  # WeChat's bill hash is SHA1
            "download_url": f"{base}/v3/billdownload/file?token={token}",
        },
    )


async def download(request: Request) -> Response:
    """``GET /v3/billdownload/file?token=``: the bill's bytes (signed request; the answer is not signed —
    the caller checks the SHA1 ``tradebill`` gave)."""
    state = _state(request)
    _, refused = await _authenticate(request)
    if refused is not None:
        return refused
    content = state.bill_tokens.get(request.query_params.get("token", ""))
    if content is None:
        return _error(state, 404, "RESOURCE_NOT_EXISTS", "账单下载链接无效或已过期")
    return Response(content, media_type="text/plain; charset=utf-8")


# --- the payer's side ------------------------------------------------------------------------------


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    document = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
 background:#ededed;color:#111}}
main{{max-width:430px;margin:0 auto;padding:32px 16px}}
h1{{font-size:17px;text-align:center;font-weight:500}} p{{text-align:center}}
.amount{{font-size:40px;font-weight:600;margin:12px 0 24px}} .note{{color:#555;font-size:13px}}
button,a.button{{display:block;box-sizing:border-box;width:100%;padding:12px;margin-top:12px;font-size:17px;border:0;
 border-radius:8px;background:#07c160;color:#fff;text-align:center;text-decoration:none}}
a.button.secondary{{background:#fff;color:#111;border:1px solid #ccc}}
</style></head><body><main>{body}</main></body></html>"""
    return HTMLResponse(document, status_code=status_code)


def _by_prepay(state: WechatPayState, prepay_id: str) -> _Transaction | None:
    return next((t for t in state.transactions.values() if t.prepay_id == prepay_id), None)


async def cashier(request: Request) -> Response:
    """``GET /cgi-bin/mmpayweb-bin/checkmweb?prepay_id=&package=&redirect_url=``: the payer's page."""
    state = _state(request)
    tx = _by_prepay(state, request.query_params.get("prepay_id", ""))
    if tx is None:
        return _page("微信支付", "<h1>订单不存在或已失效</h1>", 404)
    back = request.query_params.get("redirect_url", "")
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(request.query_params.get(name, ""))}">'
        for name in ("prepay_id", "package", "redirect_url")
    )
    if _expired(tx) or tx.state != "NOTPAY":
        word = {
            "CLOSED": "订单已关闭",
            "SUCCESS": "订单已支付",
            "REFUND": "订单已支付",
            "PAYERROR": "支付失败",
        }[tx.state]
        link = f'<a class="button secondary" href="{html.escape(back)}">返回商户</a>' if back else ""
        return _page("微信支付", f"<h1>{word}</h1>{link}")
    cancel = f'<a class="button secondary" href="{html.escape(back)}">取消支付</a>' if back else ""
    body = f"""<h1>微信支付（本地模拟）</h1>
<p class="note">{html.escape(tx.description)}</p>
<p class="amount">¥{_yuan(tx.total)}</p>
<form method="post">{hidden}<button type="submit">确认支付</button></form>
{cancel}
<p class="note">这是本地的模拟收银台：确认后订单即为已支付，
微信支付会通知商户（签名并加密），然后回到商户页面。</p>"""
    return _page("微信支付", body)


async def cashier_confirm(request: Request) -> Response:
    """The cashier's form: pay, then back to ``redirect_url`` (302), as WeChat does after an H5 payment."""
    state = _state(request)
    form = await request.form()
    tx = _by_prepay(state, str(form.get("prepay_id", "")))
    if tx is None:
        return _page("微信支付", "<h1>订单不存在或已失效</h1>", 404)
    if _expired(tx):
        return _page("微信支付", "<h1>订单已关闭</h1>", 409)
    problem = pay(state, tx)
    back = str(form.get("redirect_url", ""))
    if problem is not None and not back:
        return _page("微信支付", f"<h1>{html.escape(problem)}</h1>", 409)
    if back:
        return RedirectResponse(back, status_code=302)
    return _page("微信支付", "<h1>支付成功</h1>")


# --- test controls ---------------------------------------------------------------------------------


async def control_pay(request: Request) -> JSONResponse:
    """``POST /_fake/transactions/{out_trade_no}/pay {"openid"?, "ignore_expiry"?}``: the payer pays.

    ``ignore_expiry`` lets a payment land after ``time_expire`` (one already under way when the order
    closed): what a late payment looks like to the merchant."""
    state = _state(request)
    tx = state.transactions.get(request.path_params["out_trade_no"])
    if tx is None:
        return JSONResponse({"code": "ORDER_NOT_EXIST", "message": "订单不存在"}, status_code=404)
    body = _json(await request.body()) or {}
    if not body.get("ignore_expiry") and _expired(tx):
        return JSONResponse({"code": "ORDERCLOSED", "message": "订单已关闭"}, status_code=409)
    if body.get("ignore_expiry") and tx.state == "CLOSED":
        tx.state = "NOTPAY"
    problem = pay(state, tx, body.get("openid"))
    if problem is not None:
        return JSONResponse({"code": "INVALID_REQUEST", "message": problem}, status_code=409)
    return JSONResponse(_transaction_json(state, tx))


async def control_fail(request: Request) -> JSONResponse:
    """``POST /_fake/transactions/{out_trade_no}/fail``: the payer's payment fails (PAYERROR)."""
    tx = _state(request).transactions.get(request.path_params["out_trade_no"])
    if tx is None:
        return JSONResponse({"code": "ORDER_NOT_EXIST"}, status_code=404)
    if tx.state == "NOTPAY":
        tx.state = "PAYERROR"
    return JSONResponse({"trade_state": tx.state})


async def control_transactions(request: Request) -> JSONResponse:
    """``GET /_fake/transactions``: every order placed, with its state."""
    state = _state(request)
    items = [
        {**_transaction_json(state, tx), "prepay_id": tx.prepay_id, "notify_url": tx.notify_url}
        for tx in state.transactions.values()
    ]
    return JSONResponse({"items": items})


async def control_refunds(request: Request) -> JSONResponse:
    """``GET /_fake/refunds``."""
    return JSONResponse({"items": [_refund_json(r) for r in _state(request).refunds.values()]})


async def control_pushes(request: Request) -> JSONResponse:
    """``GET /_fake/notifications``: every push attempt, with the answer it got."""
    return JSONResponse({"items": _state(request).pushes})


async def control_requests(request: Request) -> JSONResponse:
    """``GET /_fake/requests``: every authenticated API request (method, path, body)."""
    return JSONResponse({"items": _state(request).requests})


async def control_config(request: Request) -> JSONResponse:
    """``POST /_fake/config {"notify_delay_s"?, "duplicate_notifications"?, "notifications"?, "retry_scale"?,
    "refund_delay_s"?, "refund_outcome"?: "SUCCESS"|"CLOSED"|"ABNORMAL"}``."""
    state = _state(request)
    body = _json(await request.body()) or {}
    if "notify_delay_s" in body:
        state.notify_delay_s = float(body["notify_delay_s"])
    if "duplicate_notifications" in body:
        state.duplicate_notifications = bool(body["duplicate_notifications"])
    if "notifications" in body:
        state.notifications_on = bool(body["notifications"])
    if "retry_scale" in body:
        state.retry_scale = float(body["retry_scale"])
    if "refund_delay_s" in body:
        state.refund_delay_s = float(body["refund_delay_s"])
    if "refund_outcome" in body:
        if body["refund_outcome"] not in ("SUCCESS", "CLOSED", "ABNORMAL"):
            return JSONResponse({"code": "PARAM_ERROR"}, status_code=400)
        state.refund_outcome = body["refund_outcome"]
    return JSONResponse({"ok": True})


async def control_fail_next(request: Request) -> JSONResponse:
    """``POST /_fake/fail-next {"api", "status"?: 500, "code"?: "SYSTEM_ERROR", "message"?, "count"?: 1}``:
    the next calls of that API (``jsapi``, ``h5``, ``query``, ``close``, ``refund``, ``refund_query``,
    ``tradebill``) answer this error and do nothing."""
    body = _json(await request.body()) or {}
    api = body.get("api")
    if api not in APIS:
        return JSONResponse(
            {"code": "PARAM_ERROR", "message": f"api: one of {', '.join(APIS)}"}, status_code=400
        )
    failure = _Failure(
        int(body.get("status", 500)),
        str(body.get("code", "SYSTEM_ERROR")),
        str(body.get("message", "系统错误")),
    )
    _state(request).failures.setdefault(api, []).extend([failure] * int(body.get("count", 1)))
    return JSONResponse({"ok": True})


async def control_bill(request: Request) -> JSONResponse:
    """``POST /_fake/bills/tamper {"out_trade_no"|"out_refund_no", "omit"?: true, "amount_fen"?: n}``: the
    bill leaves that line out or shows another amount; ``POST /_fake/bills/extra {"kind": "trade"|"refund",
    "out_trade_no", "amount_fen", "out_refund_no"?, "day"?}``: a line we never placed."""
    state = _state(request)
    body = _json(await request.body()) or {}
    if request.path_params["action"] == "tamper":
        target: _Transaction | _Refund | None = (
            state.refunds.get(str(body["out_refund_no"]))
            if "out_refund_no" in body
            else state.transactions.get(str(body.get("out_trade_no")))
        )
        if target is None:
            return JSONResponse({"code": "RESOURCE_NOT_EXISTS"}, status_code=404)
        target.bill_omitted = bool(body.get("omit", False))
        if "amount_fen" in body:
            target.bill_amount = int(body["amount_fen"])
        return JSONResponse({"ok": True})
    day = date.fromisoformat(body["day"]) if body.get("day") else datetime.now(CHINA).date()
    amount = int(body["amount_fen"])
    now = datetime.now(UTC)
    if body.get("kind") == "refund":
        row = {
            "交易时间": _bill_time(now),
            "公众账号ID": state.appid,
            "商户号": state.mchid,
            "特约商户号": "0",
            "微信订单号": f"42000{secrets.randbelow(10**23):023d}",
            "商户订单号": str(body["out_trade_no"]),
            "交易类型": "JSAPI",
            "交易状态": "REFUND",
            "付款银行": "OTHERS",
            "货币种类": "CNY",
            "应结订单金额": "0.00",
            "代金券金额": "0.00",
            "微信退款单号": f"50{secrets.randbelow(10**27):027d}",
            "商户退款单号": str(body.get("out_refund_no") or secrets.token_hex(8)),
            "退款金额": _yuan(amount),
            "充值券退款金额": "0.00",
            "退款类型": "ORIGINAL",
            "退款状态": "SUCCESS",
            "商品名称": "",
            "手续费": _yuan(-_fee(amount)),
            "费率": "0.60%",
            "订单金额": "0.00",
            "申请退款金额": _yuan(amount),
            "退款申请时间": _bill_time(now),
            "退款成功时间": _bill_time(now),
        }
        state.bill_extras.append({"day": day, "type": "REFUND", "row": row})
    else:
        row = {
            "交易时间": _bill_time(now),
            "公众账号ID": state.appid,
            "商户号": state.mchid,
            "特约商户号": "0",
            "微信订单号": f"42000{secrets.randbelow(10**23):023d}",
            "商户订单号": str(body["out_trade_no"]),
            "交易类型": "JSAPI",
            "交易状态": "SUCCESS",
            "付款银行": "OTHERS",
            "货币种类": "CNY",
            "应结订单金额": _yuan(amount),
            "代金券金额": "0.00",
            "微信退款单号": "0",
            "商户退款单号": "0",
            "退款金额": "0.00",
            "充值券退款金额": "0.00",
            "商品名称": "",
            "手续费": _yuan(_fee(amount)),
            "费率": "0.60%",
            "订单金额": _yuan(amount),
            "申请退款金额": "0.00",
        }
        state.bill_extras.append({"day": day, "type": "SUCCESS", "row": row})
    return JSONResponse({"ok": True})


async def control_reset(request: Request) -> JSONResponse:
    """``POST /_fake/reset``: forget orders, refunds, pushes and switches (the keys stay)."""
    state = _state(request)
    request.app.state.wechatpay = WechatPayState(
        mchid=state.mchid,
        appid=state.appid,
        apiv3_key=state.apiv3_key,
        merchant_keys=state.merchant_keys,
        platform_key=state.platform_key,
        platform_serial=state.platform_serial,
        retry_scale=state.retry_scale,
    )
    return JSONResponse({"ok": True})


def create_app(credentials: DevCredentials | None = None, *, retry_scale: float | None = None) -> Starlette:
    """The fake, for the merchant in ``credentials`` (default: ``WECHATPAY_KEYS_DIR``, generated there on
    first use, or a temporary directory). ``retry_scale`` (default ``WECHATPAY_NOTIFY_RETRY_SCALE`` or 1)
    shortens the notification back-off: 0.01 turns 15 s into 0.15 s."""
    if credentials is None:
        directory = os.environ.get("WECHATPAY_KEYS_DIR")
        if directory is None:
            import tempfile

            directory = tempfile.mkdtemp(prefix="wechatpay-fake-")
        credentials = DevCredentials.load_or_generate(
            Path(directory),
            mchid=os.environ.get("WECHATPAY_MCHID", DEFAULT_MCHID),
            appid=os.environ.get("WECHATPAY_APPID") or os.environ.get("WECHAT_APPID") or DEFAULT_APPID,
        )
    merchant_key = serialization.load_pem_public_key(credentials.merchant_public_key_file.read_bytes())
    platform_key = serialization.load_pem_private_key(
        credentials.platform_private_key_file.read_bytes(), password=None
    )
    if not isinstance(merchant_key, rsa.RSAPublicKey) or not isinstance(platform_key, rsa.RSAPrivateKey):
        raise ValueError("WeChat Pay keys are RSA keys")
    scale = (
        retry_scale if retry_scale is not None else float(os.environ.get("WECHATPAY_NOTIFY_RETRY_SCALE", "1"))
    )
    app = Starlette(
        routes=[
            Route("/v3/pay/transactions/jsapi", jsapi, methods=["POST"]),
            Route("/v3/pay/transactions/h5", h5, methods=["POST"]),
            Route("/v3/pay/transactions/out-trade-no/{out_trade_no}", query, methods=["GET"]),
            Route("/v3/pay/transactions/id/{transaction_id}", query, methods=["GET"]),
            Route("/v3/pay/transactions/out-trade-no/{out_trade_no}/close", close, methods=["POST"]),
            Route("/v3/refund/domestic/refunds", refund, methods=["POST"]),
            Route("/v3/refund/domestic/refunds/{out_refund_no}", refund_query, methods=["GET"]),
            Route("/v3/bill/tradebill", tradebill, methods=["GET"]),
            Route("/v3/billdownload/file", download, methods=["GET"]),
            Route("/cgi-bin/mmpayweb-bin/checkmweb", cashier, methods=["GET"]),
            Route("/cgi-bin/mmpayweb-bin/checkmweb", cashier_confirm, methods=["POST"]),
            Route("/_fake/transactions", control_transactions, methods=["GET"]),
            Route("/_fake/transactions/{out_trade_no}/pay", control_pay, methods=["POST"]),
            Route("/_fake/transactions/{out_trade_no}/fail", control_fail, methods=["POST"]),
            Route("/_fake/refunds", control_refunds, methods=["GET"]),
            Route("/_fake/notifications", control_pushes, methods=["GET"]),
            Route("/_fake/requests", control_requests, methods=["GET"]),
            Route("/_fake/config", control_config, methods=["POST"]),
            Route("/_fake/fail-next", control_fail_next, methods=["POST"]),
            Route("/_fake/bills/{action:str}", control_bill, methods=["POST"]),
            Route("/_fake/reset", control_reset, methods=["POST"]),
        ]
    )
    app.state.wechatpay = WechatPayState(
        mchid=credentials.mchid,
        appid=credentials.appid,
        apiv3_key=credentials.apiv3_key.encode(),
        merchant_keys={credentials.merchant_serial: merchant_key},
        platform_key=platform_key,
        platform_serial=credentials.platform_key_serial,
        retry_scale=scale,
    )
    app.state.credentials = credentials
    return app


__all__ = ["RETRY_SCHEDULE_S", "DevCredentials", "WechatPayState", "bill_csv", "create_app", "pay"]

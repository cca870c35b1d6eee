"""The demo loader's and the ops report's way into the platform: one pooled HTTP client to the gateway,
callers that sign in again when their token runs out, and the retry rules of a patient bulk client.

Retries: a 429 waits for ``Retry-After``; a 5xx or a lost connection is tried again with the same
``Idempotency-Key`` (the gateway replays a stored answer); a 4xx the caller names in ``lagging`` (a
projection that has not caught up yet: "no cover", "not offered") is tried again with a fresh key, since
a 4xx wrote nothing. A 504 is not a safe "not done" (see ``Caller.effect``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import httpx

from cheyou_demo.sign_in import ADMIN_PASSWORD, STAFF_PASSWORD, choose_on_wechat_page

REFRESH_AFTER_S = 600.0
"""Sign in again after this long; the gateway's access tokens live 15 minutes."""


class LoadError(RuntimeError):
    """The platform answered something the loader cannot go on from."""


class OutcomeUnknown(LoadError):
    """The gateway gave up on the service after it had the request (504, then 409
    ``idempotency-outcome-unknown`` for the same key): the work may or may not have been done."""


OUTCOME_UNKNOWN = "https://cheyou.dev/problems/idempotency-outcome-unknown"


class Gateway:
    """The platform's public doors: the gateway's API and the fake WeChat and SMS providers (for members
    signing in and binding WeChat)."""

    def __init__(
        self,
        gateway: str,
        wechat: str,
        *,
        sms: str | None = None,
        concurrency: int = 16,
        timeout: float = 60.0,
    ) -> None:
        limits = httpx.Limits(
            max_connections=concurrency * 2 + 8,
            max_keepalive_connections=concurrency * 2 + 8,
            keepalive_expiry=4.0,  # below uvicorn's 5 s keep-alive: never a request on a closing connection
        )
        self.api = httpx.AsyncClient(base_url=f"{gateway}/api/v1", timeout=timeout, limits=limits)
        self.wechat = httpx.AsyncClient(base_url=wechat, timeout=timeout, limits=limits)
        self.sms = httpx.AsyncClient(base_url=sms or "http://127.0.0.1:0", timeout=timeout, limits=limits)
        self.throttled = 0
        """How many 429 answers were waited out (the gateway's rate limits)."""

    async def aclose(self) -> None:
        await self.api.aclose()
        await self.wechat.aclose()
        await self.sms.aclose()

    async def bind_wechat(self, phone: str, openid: str) -> None:
        """A member registered by staff signs in with the code texted to ``phone`` and binds the WeChat
        account ``openid`` through WeChat's authorize page (no one binds WeChat by naming an openid)."""
        token = await self._otp_sign_in(phone)
        own = {"Authorization": f"Bearer {token}"}
        bound: httpx.Response | None = None
        for _ in range(3):
            started = await self._send("GET", "/auth/wechat/authorize-url", own, params={"redirect": "/h5/"})
            started.raise_for_status()
            try:
                wechat_code, state = await choose_on_wechat_page(self.wechat, started.json()["url"], openid)
            except httpx.TransportError:  # the authorize page's answer was lost: start again
                continue
            bound = await self._send(
                "POST",
                "/auth/wechat-binding",
                own,
                json={"code": wechat_code, "state": state, "verifier": started.json()["verifier"]},
            )
            # A binding whose answer was lost (5xx, reset) is sent again by _send, and its state is single
            # use: start the authorization again (binding the same openid again is a no-op).
            if not (bound.status_code == 400 and "wechat-state-invalid" in bound.text):
                break
        if bound is None:
            raise LoadError(f"WeChat's authorize page did not answer for {openid}")
        if bound.status_code != 200:
            raise LoadError(f"WeChat binding answered {bound.status_code}: {bound.text[:300]}")

    async def _otp_sign_in(self, phone: str) -> str:
        """Sign in with a code texted to ``phone``. A code is good once: when the answer to its use is
        lost (a 5xx, a dropped connection) it may be spent already, so each attempt asks for a new one."""
        for attempt in range(4):
            sent = await self._send("POST", "/auth/otp", {}, json={"phone": phone})
            if sent.status_code != 202:
                raise LoadError(f"no code for {phone[:3]}…: {sent.status_code} {sent.text[:300]}")
            sms_box = await self.provider(self.sms, "GET", "/_fake/messages", params={"phone": phone})
            # Other texts (a verification result, a reminder) may reach the same phone meanwhile: the
            # newest sign-in code is the one just asked for.
            codes = [
                m["template_param"]["code"]
                for m in sms_box.json()["items"]
                if "code" in m.get("template_param", {})
            ]
            if not codes:
                raise LoadError(f"no sign-in code texted to {phone[:3]}…")
            body = {"phone": phone, "code": codes[-1]}
            try:
                response = await self._send("POST", "/auth/otp/verify", {}, patience=0, json=body)
            except httpx.TransportError:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if response.status_code == 200:
                token: str = response.json()["access_token"]
                return token
            if response.status_code < 500:
                raise LoadError(f"sign-in by code answered {response.status_code}: {response.text[:300]}")
            await asyncio.sleep(0.5 * (attempt + 1))
        raise LoadError(f"{phone[:3]}… could not sign in by code")

    async def staff(self, username: str, password: str | None = None) -> Caller:
        caller = StaffCaller(
            self, username, password or (ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD)
        )
        await caller.sign_in()
        return caller

    def merchant(self, api_key: str) -> Caller:
        return Caller(self, {"X-Api-Key": api_key})

    async def offer_openid(self, openid: str, label: str) -> None:
        """Name a member on the fake WeChat authorize page (a real WeChat answers 404: nothing to do)."""
        with contextlib.suppress(httpx.HTTPError):
            await self.wechat.post("/_fake/openids", json={"openid": openid, "label": label})

    async def member(self, openid: str) -> MemberCaller:
        caller = MemberCaller(self, openid)
        await caller.sign_in()
        return caller

    async def _sign_in(self, path: str, body: dict[str, Any]) -> str:
        response = await self._send("POST", path, {}, json=body)
        if response.status_code != 200:
            raise LoadError(f"sign-in at {path} answered {response.status_code}: {response.text[:300]}")
        token: str = response.json()["access_token"]
        return token

    @staticmethod
    async def provider(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A read from a fake provider's page or test box, tried again when the connection is lost: a
        pooled connection the server closes as the request goes out (its keep-alive ran out) is a
        ``TransportError`` that says nothing about the provider."""
        for attempt in range(4):
            try:
                return await client.request(method, url, **kwargs)
            except httpx.TransportError:
                if attempt == 3:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _send(
        self, method: str, path: str, headers: dict[str, str], *, patience: float = 120, **kwargs: Any
    ) -> httpx.Response:
        """One request, waiting out 429s and retrying transport errors and 5xx for up to ``patience``
        seconds (0: answer the first 5xx; a lost connection then raises)."""
        delay = 0.2
        deadline = time.monotonic() + patience
        while True:
            try:
                response = await self.api.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if response.status_code == 429:
                self.throttled += 1
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")) + random.random())
                continue
            if response.status_code >= 500 and time.monotonic() < deadline:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            return response


class Caller:
    """Someone calling the API: their headers, and ``call`` with the loader's retry rules."""

    def __init__(self, gateway: Gateway, headers: dict[str, str]) -> None:
        self.gateway = gateway
        self.headers = headers

    async def refresh(self) -> bool:
        """Sign in again; False when this caller cannot (an API key)."""
        return False

    async def pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[list[dict[str, Any]]]:
        """The items of every page of a cursor-paginated list."""
        cursor: str | None = None
        while True:
            page = await self.call("GET", path, params={**params, **({"cursor": cursor} if cursor else {})})
            yield page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    async def call(
        self,
        method: str,
        path: str,
        *,
        expect: Collection[int] = (200, 201),
        lagging: Collection[int] = (),
        within: float = 120.0,
        **kwargs: Any,
    ) -> Any:
        """The JSON answer of a request answered with one of ``expect``; raises LoadError otherwise."""
        response = await self.response(method, path, expect=expect, lagging=lagging, within=within, **kwargs)
        return response.json() if response.content else None

    async def response(
        self,
        method: str,
        path: str,
        *,
        expect: Collection[int] = (200, 201),
        lagging: Collection[int] = (),
        within: float = 120.0,
        patience: float = 120.0,
        **kwargs: Any,
    ) -> httpx.Response:
        deadline = time.monotonic() + within
        delay = 0.2
        refreshed = False
        key = uuid.uuid4().hex
        while True:
            headers = dict(self.headers)
            if method != "GET":
                headers["Idempotency-Key"] = key
            response = await self.gateway._send(method, path, headers, patience=patience, **kwargs)
            if response.status_code in expect:
                return response
            if response.status_code == 401 and not refreshed and await self.refresh():
                refreshed = True
                key = uuid.uuid4().hex  # the key is scoped to the principal, which is new
                continue
            if response.status_code in lagging and time.monotonic() < deadline:
                key = uuid.uuid4().hex
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, 3.0)
                continue
            failure = f"{method} {path} answered {response.status_code}: {response.text[:500]}"
            if response.status_code == 409 and problem_type(response) == OUTCOME_UNKNOWN:
                raise OutcomeUnknown(failure)
            raise LoadError(failure)

    async def effect(
        self,
        method: str,
        path: str,
        *,
        done: Callable[[], Awaitable[bool]],
        expect: Collection[int] = (200, 201),
        ambiguous: Collection[int] = (),
        lagging: Collection[int] = (),
        within: float = 180.0,
        **kwargs: Any,
    ) -> httpx.Response | None:
        """A mutation that must happen once, whose answer may be lost: the gateway gives up on a slow
        service after its upstream timeout (504) although the service may have done the work (and
        refuses the same ``Idempotency-Key`` from then on: ``OutcomeUnknown``), so after a 5xx, a lost
        connection, an unknown outcome or an
        ``ambiguous`` answer (e.g. "already approved") ``done()`` looks whether it happened before trying
        again with a new key. Returns the answer, or None when ``done()`` found the work done."""
        deadline = time.monotonic() + within
        delay = 0.5
        while True:
            try:
                response: httpx.Response | None = await self.response(
                    method,
                    path,
                    expect=(*expect, *ambiguous, 500, 502, 503, 504),
                    lagging=lagging,
                    within=max(deadline - time.monotonic(), 1.0),
                    patience=0,
                    **kwargs,
                )
            except (httpx.TransportError, OutcomeUnknown):
                response = None
            if response is not None and response.status_code in expect:
                return response
            if await done():
                return None
            if time.monotonic() > deadline:
                answer = (
                    f"{response.status_code}: {response.text[:300]}" if response is not None else "nothing"
                )
                raise LoadError(f"{method} {path}: not done after {within:.0f}s (last answer {answer})")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def problem_type(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("type") if isinstance(body, dict) else None


class StaffCaller(Caller):
    """One staff account shared by many concurrent tasks. They sign in again one at a time, and only
    when no other task has just done it: the gateway counts each sign-in try before it checks the
    password. Thirty-two tasks whose token ran out at once would lock the account (423 for 15 min)."""

    def __init__(self, gateway: Gateway, username: str, password: str) -> None:
        super().__init__(gateway, {})
        self.username, self._password = username, password
        self._signed_in_at = 0.0
        self._signing_in = asyncio.Lock()

    async def sign_in(self) -> None:
        token = await self.gateway._sign_in(
            "/auth/staff/login", {"username": self.username, "password": self._password}
        )
        self.headers = {"Authorization": f"Bearer {token}"}
        self._signed_in_at = time.monotonic()

    async def _sign_in_unless_newer_than(self, age_s: float) -> None:
        async with self._signing_in:
            if time.monotonic() - self._signed_in_at > age_s:
                await self.sign_in()

    async def refresh(self) -> bool:
        await self._sign_in_unless_newer_than(5.0)  # a 401 to several tasks: one sign-in
        return True

    async def response(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if time.monotonic() - self._signed_in_at > REFRESH_AFTER_S:
            await self._sign_in_unless_newer_than(REFRESH_AFTER_S)
        return await super().response(method, path, **kwargs)


class MemberCaller(Caller):
    """A member signed in through WeChat web authorization (the fake provider's page hands out the code)."""

    def __init__(self, gateway: Gateway, openid: str) -> None:
        super().__init__(gateway, {})
        self.openid = openid

    async def pay(self, order_id: str) -> None:
        """Pay an order awaiting its payment as a phone browser does: an H5 payment, WeChat Pay's cashier
        page, 确认支付 (the fake provider's page). WeChat Pay's notification then confirms it to the
        platform; the browser's word counts for nothing."""
        started = await self.call("POST", "/payments", json={"order_id": order_id, "channel": "h5"})
        cashier = httpx.URL(started["h5_url"])
        page = await self.gateway.provider(self.gateway.wechat, "GET", str(cashier))
        page.raise_for_status()
        confirmed = await self.gateway.wechat.post(
            str(cashier.copy_with(query=None)),
            data={
                "prepay_id": cashier.params["prepay_id"],
                "package": cashier.params["package"],
                "redirect_url": "",
            },
        )
        confirmed.raise_for_status()

    async def sign_in(self) -> None:
        """A code and a state are good once: when the gateway's answer is lost (a 5xx, a dropped
        connection) they may be spent already, so each attempt starts again."""
        for attempt in range(5):
            try:  # a pooled connection the server has just closed is a TransportError too: try again
                started = await self.gateway._send(
                    "GET", "/auth/wechat/authorize-url", {}, patience=0, params={"redirect": "/h5/"}
                )
                started.raise_for_status()
                code, state = await choose_on_wechat_page(
                    self.gateway.wechat, started.json()["url"], self.openid
                )
                response = await self.gateway._send(
                    "POST",
                    "/auth/wechat",
                    {},
                    patience=0,
                    json={"code": code, "state": state, "verifier": started.json()["verifier"]},
                )
            except httpx.TransportError:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if response.status_code == 200:
                self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
                return
            if response.status_code < 500 and response.status_code != 401:
                break
            await asyncio.sleep(0.5 * (attempt + 1))
        raise LoadError(f"member {self.openid} could not sign in through WeChat")

    async def refresh(self) -> bool:
        await self.sign_in()
        return True

"""Pure ASGI middleware: request size limits (413) and security headers on every response."""

from __future__ import annotations

import json

from cheyou_kit.errors import PROBLEM_JSON
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import PayloadTooLarge

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Resource-Policy": "same-site",
}
# API answers are data, never documents: nothing may run or be framed. The docs page loads Swagger UI.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope["path"].startswith("/docs")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not is_docs:
                    headers.setdefault("Content-Security-Policy", API_CSP)
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


# A request carrying one of these has credentials (checked later); any other is anonymous.
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "x-phone-proof", "x-receipt-token")


class BodyLimitMiddleware:
    """Refuse bodies over the limit: at once when ``Content-Length`` says so, else while reading.

    Anonymous requests (sign-in, codes, receipts) get a small limit; only a request with credentials may
    send a JSON body up to ``max_body_bytes``, or a multipart upload up to ``max_upload_bytes``.
    (Credentials that turn out wrong are refused before the body is forwarded.)
    """

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int, max_anonymous_body_bytes: int
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes
        self.max_anonymous = max_anonymous_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_upload = headers.get("content-type", "").startswith("multipart/form-data")
        if not any(headers.get(name) for name in CREDENTIAL_HEADERS):
            limit = self.max_anonymous
        else:
            limit = self.max_upload if is_upload else self.max_body
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                await _too_large(scope, send, limit)
                return
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read it all here, up to the limit, then hand it on.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(scope, send, limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    problem = PayloadTooLarge(f"at most {limit} bytes", limit=limit).to_problem(scope["path"])
    body = json.dumps(problem).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

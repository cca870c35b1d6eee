"""Forwarding a request to the service that owns its path, with the caller's signed identity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx
from cheyou_kit.dependencies import REDIS_UNREACHABLE, DependencyUnavailable, degraded
from cheyou_kit.errors import Unauthorized
from cheyou_kit.identity import IDENTITY_HEADER, Principal, Role
from cheyou_kit.observability import METRICS_ROUTE
from fastapi import Request, Response

from gateway.auth import phone_proof
from gateway.auth import service as auth_service
from gateway.auth.authentication import authenticate, client_ip
from gateway.errors import BadGateway, ServiceUnavailable, UpstreamTimeout
from gateway.protection import idempotency
from gateway.protection.idempotency import StoredResponse
from gateway.proxy.errors import DotSegments, NoSuchRoute
from gateway.proxy.policy import authorize
from gateway.runtime import Runtime, runtime_of
from gateway.upstreams.clients import Upstream
from gateway.upstreams.routing import Operation, segment_of

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Credentials end at the gateway; the identity header is the gateway's to write, never the client's.
_NOT_FORWARDED = HOP_BY_HOP | {
    "host",
    "content-length",
    "accept-encoding",
    "authorization",
    "x-api-key",
    "cookie",
    phone_proof.HEADER,
    IDENTITY_HEADER.lower(),
}
REPLACED_PHONE_HEADER = "x-replaced-phone"
"""member-svc's answer to a manager's phone correction names the number replaced, for the notice the
gateway texts to it (``member_svc.managers.router``); it never reaches the caller."""
_NOT_RETURNED = HOP_BY_HOP | {"content-length", "content-encoding", "date", "server"}
IDEMPOTENCY_STATUS_HEADER = "Idempotency-Status"
"""``service`` on an answer forwarded while the gateway could not record the key (Redis down)."""
# Answers that mean the service did not do the work: the Idempotency-Key is released, not kept.
_NOT_DONE = frozenset({502, 503, 504})


def _upstream_headers(request: Request) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k not in _NOT_FORWARDED}
    # Only the address the gateway believes: the hops a client wrote itself prove nothing downstream either.
    headers["x-forwarded-for"] = client_ip(request)
    headers["x-forwarded-proto"] = request.url.scheme
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        headers["x-request-id"] = request_id
    return headers


def _response(upstream: httpx.Response) -> Response:
    headers = {k: v for k, v in upstream.headers.items() if k not in _NOT_RETURNED}
    return Response(content=upstream.content, status_code=upstream.status_code, headers=headers)


async def _send(
    upstream: Upstream,
    request: Request,
    principal: Principal | None,
    body: bytes | AsyncIterator[bytes],
    headers: Mapping[str, str],
) -> httpx.Response:
    # The path as the client sent it (still percent-encoded), so what reaches the service is what was asked.
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    return await upstream.request(
        request.method,
        raw_path.decode("latin-1"),
        principal=principal,
        headers=headers,
        params=request.url.query or None,
        content=body or None,
    )


async def _send_once(
    upstream: Upstream, request: Request, principal: Principal | None, headers: dict[str, str]
) -> httpx.Response:
    """Forward without an Idempotency-Key. Photos and documents go on to the service as they arrive,
    never held whole here (the size limit was checked on the way in); such a stream is sent once."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _send(upstream, request, principal, await request.body(), headers)
    if "content-length" in request.headers:
        headers["content-length"] = request.headers["content-length"]
    return await _send(upstream, request, principal, request.stream(), headers)


async def forward(request: Request) -> Response:
    runtime: Runtime = runtime_of(request)
    # A service that resolves "/members/../visits" would otherwise serve a path other than the one the
    # gateway authorized.
    if any(part in (".", "..") for part in request.url.path.split("/")):
        raise DotSegments()
    caller = await authenticate(request)
    segment = segment_of(request.url.path) or ""
    service = await runtime.routes.service_for(segment)
    if service is None:
        if runtime.routes.unreachable:
            raise ServiceUnavailable(
                "the service for this path has not answered yet", retry_after=2, path=request.url.path
            )
        raise NoSuchRoute(path=request.url.path)
    line = f"{request.method} {request.url.path.rstrip('/')}"
    public = segment in runtime.settings.public_segments or line in runtime.settings.public_operations
    principal = caller.principal if caller is not None else None
    if caller is None and f"{request.method} {request.url.path.rstrip('/')}" in runtime.settings.self_service:
        # Self-registration (the club's website, a manager's QR): the applicant has no account yet, only
        # the proof of an SMS code to their phone. The service sees a member without a member id and the
        # proven number, and registers that number only; reviewers phone the policyholder.
        proof = request.headers.get(phone_proof.HEADER)
        phone = await runtime.phone_proofs.phone(proof)
        principal = Principal(
            subject=f"applicant:{runtime.phone_proofs.tag(proof or '')}",
            role=Role.MEMBER,
            verified_phone=phone,
        )
    elif caller is None and not public:
        raise Unauthorized("sign in first (Authorization: Bearer …) or send X-Api-Key")
    operation = runtime.routes.operation(service, request.method, request.url.path)
    if operation is not None:  # count it under the service's route template, not the catch-all
        setattr(request.state, METRICS_ROUTE, operation.template)
    if principal is not None:
        authorize(principal, segment, runtime.routes.audience(segment), operation)
    proof = request.headers.get(phone_proof.HEADER)
    if principal is None or principal.role is not Role.MANAGER or not proof:
        return _without_replaced_phone(await _forward_authorized(runtime, service, request, principal))
    # A manager acting for a customer on the spot (a registration, a new phone): the customer read out the
    # code sent to their phone; the service is told the number it proves, as for an applicant. The proof is
    # held for this request and spent once the service has done what it proves (a second use is a 401).
    if request.method not in idempotency.MUTATIONS:
        principal = principal.model_copy(update={"verified_phone": await runtime.phone_proofs.phone(proof)})
        return _without_replaced_phone(await _forward_authorized(runtime, service, request, principal))
    proven = await runtime.phone_proofs.hold(proof)
    try:
        principal = principal.model_copy(update={"verified_phone": proven})
        response = await _forward_authorized(runtime, service, request, principal)
    except BaseException:
        await runtime.phone_proofs.release(proof)
        raise
    replaced = response.headers.get(REPLACED_PHONE_HEADER)
    response = _without_replaced_phone(response)
    if not 200 <= response.status_code < 300:
        await runtime.phone_proofs.release(proof)
        return response
    await runtime.phone_proofs.spend(proof)
    if replaced is not None and replaced != proven:  # as after the member's own change
        await auth_service.tell_replaced_phone(runtime, replaced, proven)
    return response


def _without_replaced_phone(response: Response) -> Response:
    """The replaced number is for the gateway's notice only, never for the caller."""
    if REPLACED_PHONE_HEADER in response.headers:
        del response.headers[REPLACED_PHONE_HEADER]
    return response


async def _forward_authorized(
    runtime: Runtime, service: str, request: Request, principal: Principal | None
) -> Response:
    operation = runtime.routes.operation(service, request.method, request.url.path)
    upstream = runtime.upstreams[service]
    headers = _upstream_headers(request)
    key = request.headers.get(idempotency.HEADER)
    if key is None or principal is None or request.method not in idempotency.MUTATIONS:
        return _response(await _send_once(upstream, request, principal, headers))
    return await _forward_once_per_key(runtime, upstream, request, principal, headers, key, operation)


async def _forward_once_per_key(
    runtime: Runtime,
    upstream: Upstream,
    request: Request,
    principal: Principal,
    headers: dict[str, str],
    key: str,
    operation: Operation | None,
) -> Response:
    """A mutation with an ``Idempotency-Key``: done once, its answer replayed for repeats."""
    # With an Idempotency-Key the body is read whole: its fingerprint decides whether this is a repeat.
    body = await request.body()

    idempotency.validate(key)
    scope = principal.subject
    fingerprint = idempotency.fingerprint(request.method, request.url.path, request.url.query, body)
    try:
        stored = await runtime.idempotency.begin(scope, key, fingerprint)
    except REDIS_UNREACHABLE as exc:
        return await _without_idempotency_record(upstream, request, principal, body, headers, operation, exc)
    if stored is not None:
        replay_headers = {"Idempotent-Replayed": "true"}
        if stored.content_type:
            replay_headers["content-type"] = stored.content_type
        return Response(content=stored.body, status_code=stored.status, headers=replay_headers)
    try:
        answer = await _send(upstream, request, principal, body, headers)
    except (UpstreamTimeout, BadGateway) as exc:
        if exc.reached_service:  # it may be done: a retry with this key must not do it again
            await runtime.idempotency.mark_unknown(scope, key, fingerprint)
        else:
            await runtime.idempotency.release(scope, key)
        raise
    except BaseException:  # the service did not get it: let the client try again
        await runtime.idempotency.release(scope, key)
        raise
    try:
        if answer.status_code in _NOT_DONE:
            await runtime.idempotency.release(scope, key)
        else:
            await runtime.idempotency.complete(
                scope,
                key,
                fingerprint,
                StoredResponse(answer.status_code, answer.headers.get("content-type"), answer.content),
            )
    except REDIS_UNREACHABLE as exc:  # the service did it: answer, though the record could not be kept
        degraded("idempotency_keys", "fail_open", exc)
    return _response(answer)


async def _without_idempotency_record(
    upstream: Upstream,
    request: Request,
    principal: Principal,
    body: bytes,
    headers: dict[str, str],
    operation: Operation | None,
    exc: BaseException,
) -> Response:
    """Redis is down, so the gateway cannot keep the key. An operation that keeps it in its own
    database (booking a privilege, redeeming points) still answers a repeat with its first result: it
    goes through, and the answer says the gateway kept no record (``Idempotency-Status: service``).
    Any other mutation is refused with 503 ``dependency-unavailable`` and nothing is done: the client
    asked for at-most-once and we cannot promise it, so it tries again later with the same key."""
    if operation is None or not operation.keeps_idempotency_key:
        raise DependencyUnavailable(
            "the Idempotency-Key cannot be kept right now; nothing was done: send the request again "
            "shortly with the same key",
            feature="idempotency_keys",
        ) from exc
    degraded("idempotency_keys", "fallback", exc)
    answer = await _send(upstream, request, principal, body, headers)
    response = _response(answer)
    response.headers[IDEMPOTENCY_STATUS_HEADER] = "service"
    return response

"""Small real FastAPI apps standing in for the other teams' services, on real HTTP ports.

Each speaks the route contracts the gateway relies on, verifies the gateway's identity token the way
every service does (``cheyou_kit.identity``), applies the object checks the real services promise (a
member reads only their own data), and records what it received so tests can look.
Besides the contract routes, every segment of a stand-in has ``/echo`` (answers what arrived),
``/flaky`` (503 for the first N calls of a test), ``/slow`` (answers late) and ``/vanishing`` (does the
work, then the connection breaks before the answer is out: a service killed between its commit and its
answer).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from cheyou_kit.auth import MEMBERS_AND_STAFF, PrincipalDep, publish_audiences
from cheyou_kit.errors import Forbidden, NotFound, Unauthorized, install_problem_handlers
from cheyou_kit.identity import IDENTITY_HEADER, STAFF_ROLES, IdentityVerifier, Principal, Role
from fastapi import APIRouter, Body, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse

SEGMENTS = {
    "member-svc": [
        "members",
        "applications",
        "policies",
        "policy-feed",
        "tier-rules",
        "managers",
        "visits",
        "targets",
        "member-reports",
    ],
    "privilege-svc": [
        "privileges",
        "entitlements",
        "orders",
        "points",
        "rewards",
        "flash-sales",
        "activities",
    ],
    "merchant-svc": [
        "merchants",
        "merchant-api-keys",
        "fulfilments",
        "webhook-endpoints",
        "webhook-messages",
        "merchant-api",
        "coupons",
        "accountability",
    ],
    "claims-svc": [
        "claims",
        "claim-reports",
        "surveys",
        "liability-scenarios",
        "appointment-slots",
        "appointments",
        "cover",
    ],
    "notify-svc": [
        "inbox",
        "templates",
        "preferences",
        "campaigns",
        "publications",
        "articles",
        "audience",
        "sms-receipts",
        "reminders",
    ],
}

# Who may reach each segment, as the real services declare it in their auth.py (the rest: members and staff).
AUDIENCES: dict[str, frozenset[Role]] = {
    **dict.fromkeys(
        (
            "policy-feed", "member-reports", "targets", "visits", "claim-reports", "merchant-api-keys",
            "templates", "campaigns", "publications", "audience", "reminders", "sms-receipts", "sms-replies",
            "feeds", "feed-webhooks",
        ),
        STAFF_ROLES,
    ),
    "merchant-api": frozenset({Role.MERCHANT}),
    "webhook-endpoints": STAFF_ROLES | {Role.MERCHANT},
    "webhook-messages": STAFF_ROLES | {Role.MERCHANT},
    **dict.fromkeys(
        ("merchants", "fulfilments", "coupons", "accountability"), MEMBERS_AND_STAFF | {Role.MERCHANT}
    ),
}  # fmt: skip


@dataclass
class World:
    """What the stand-ins know, shared with the tests (they run in another thread; plain data suffices)."""

    by_openid: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    by_phone: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    merchant_keys: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    merchant_key_expiry: dict[str, datetime] = field(default_factory=dict)  # a rotated key's overlap
    merchant_users: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)  # merchant-svc's standing
    key_verifications: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)  # by the test's X-Test-Id
    failures_left: Counter[str] = field(default_factory=Counter)  # /flaky answers 503 while > 0
    broken: set[str] = field(default_factory=set)  # services answering 500 to everything
    slow: dict[str, float] = field(default_factory=dict)  # services answering after this many seconds

    def member(
        self, *, openid: str | None = None, phone: str | None = None, status: str = "active"
    ) -> uuid.UUID:
        member_id = uuid.uuid4()
        if openid:
            self.by_openid[openid] = (member_id, status)
        if phone:
            self.by_phone[phone] = (member_id, status)
        return member_id

    def merchant_user(self, phone: str, role: str = "dispatcher") -> dict[str, Any]:
        """A merchant user who signs in with ``phone``: change ``status``/``merchant_status`` to act."""
        user_id = uuid.uuid4()
        user = {
            "user_id": user_id,
            "merchant_id": uuid.uuid4(),
            "phone": phone,
            "role": role,
            "status": "active",
            "merchant_status": "active",
        }
        self.merchant_users[user_id] = user
        return user


def _standing(user: dict[str, Any]) -> dict[str, Any]:
    active = user["status"] == "active" and user["merchant_status"] == "active"
    return {**{k: str(v) for k, v in user.items() if k != "phone"}, "active": active}


def _ops(principal: Principal) -> None:
    """The role check of every service's report endpoints."""
    if principal.role not in (Role.OPS, Role.ADMIN):
        raise Forbidden("reports are for ops")


def _own(principal: Principal, member_id: uuid.UUID) -> None:
    """The object check every service applies: a member reads only their own data."""
    if principal.role is Role.MEMBER and principal.member_id != member_id:
        raise Forbidden("not your data")
    if principal.role is not Role.MEMBER and principal.role not in STAFF_ROLES:
        raise Forbidden("not for this role")


# A valid 1×1 PNG: the stand-in's member card (member-svc draws the real QR code).
CARD_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
)


def create_stand_in(name: str, public_key: bytes, world: World) -> FastAPI:  # noqa: C901 (one route per stand-in; issue 18)
    app = FastAPI(title=name)
    install_problem_handlers(app)
    # As in the real services: a token is good only for the request line it was signed for.
    app.state.identity_verifier = IdentityVerifier(public_key, audience=name)
    router = APIRouter(prefix="/api/v1")

    @app.middleware("http")
    async def faults(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/api/v1/") and name in world.broken:
            return JSONResponse({"title": "broken on purpose", "status": 500}, status_code=500)
        if request.url.path.startswith("/api/v1/") and name in world.slow:
            await asyncio.sleep(world.slow[name])
        response: Response = await call_next(request)
        return response

    for segment in SEGMENTS[name]:

        async def echo(request: Request, principal: PrincipalDep) -> dict[str, Any]:
            test_id = request.headers.get("x-test-id", "")
            world.calls[test_id] += 1
            return {
                "service": name,
                "principal": principal.model_dump(mode="json"),
                "identity_headers": len(request.headers.getlist(IDENTITY_HEADER)),
                "authorization": request.headers.get("authorization"),
                "api_key": request.headers.get("x-api-key"),
                "forwarded_for": request.headers.get("x-forwarded-for"),
                "request_id": request.headers.get("x-request-id"),
                "method": request.method,
                "query": str(request.url.query),
                "body": (await request.body()).decode(errors="replace")[:10_000],
                "body_sha256": hashlib.sha256(await request.body()).hexdigest(),
                "content_length": request.headers.get("content-length"),
                "count": world.calls[test_id],
            }

        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            router.add_api_route(
                f"/{segment}/echo", echo, methods=[method], operation_id=f"echo_{segment}_{method.lower()}"
            )

        @router.get(f"/{segment}/flaky")
        async def flaky(request: Request, principal: PrincipalDep) -> JSONResponse:
            test_id = request.headers.get("x-test-id", "")
            world.calls[test_id] += 1
            if world.failures_left[test_id] > 0:
                world.failures_left[test_id] -= 1
                return JSONResponse({"title": "try again", "status": 503}, status_code=503)
            return JSONResponse({"ok": True, "calls": world.calls[test_id]})

        @router.post(f"/{segment}/flaky")
        async def flaky_post(request: Request, principal: PrincipalDep) -> JSONResponse:
            return await flaky(request, principal)

        async def slow(request: Request, principal: PrincipalDep, seconds: float = 1.0) -> dict[str, Any]:
            test_id = request.headers.get("x-test-id", "")
            world.calls[test_id] += 1
            await asyncio.sleep(seconds)
            return {"ok": True, "calls": world.calls[test_id]}

        router.add_api_route(f"/{segment}/slow", slow, methods=["GET"], operation_id=f"slow_{segment}_get")
        router.add_api_route(f"/{segment}/slow", slow, methods=["POST"], operation_id=f"slow_{segment}_post")

    if name == "member-svc":

        @router.post("/members/identify")
        async def identify(principal: PrincipalDep, body: Annotated[dict[str, str], Body()]) -> JSONResponse:
            if principal.role is not Role.SERVICE:
                raise Forbidden("service only")
            found = world.by_openid.get(body.get("openid", "")) or world.by_phone.get(body.get("phone", ""))
            if found is None:
                raise NotFound("no such member")
            return JSONResponse({"member_id": str(found[0]), "status": found[1]})

        @router.post("/members", status_code=202)
        async def register(
            principal: PrincipalDep, body: Annotated[dict[str, Any], Body()]
        ) -> dict[str, Any]:
            """What member-svc is told of an applicant: the principal (with the proven phone)."""
            return {"status": "received", "principal": principal.model_dump(mode="json"), "body": body}

        def _changed(member_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
            return {
                "member_id": str(member_id),
                "status": "verified",
                "phone_masked": changes.get("phone_masked", "139****0000"),
                "wechat_bound": "openid" in changes,
            }

        @router.put("/members/{member_id}/phone")
        async def change_phone(
            member_id: uuid.UUID, principal: PrincipalDep, body: Annotated[dict[str, str], Body()]
        ) -> JSONResponse:
            if principal.role is not Role.SERVICE:
                raise Forbidden("service only")
            previous = next((p for p, (m, _) in world.by_phone.items() if m == member_id), None)
            if previous is None:
                raise NotFound("no such member")
            if body["phone"] in world.by_phone and world.by_phone[body["phone"]][0] != member_id:
                return JSONResponse({"detail": "another member uses this phone"}, status_code=409)
            world.by_phone[body["phone"]] = world.by_phone.pop(previous)
            member = _changed(member_id, phone_masked=body["phone"][:3] + "****" + body["phone"][-4:])
            return JSONResponse({"member": member, "previous_phone": previous})

        @router.post("/members/{member_id}/corrections", status_code=201)
        async def correct(
            member_id: uuid.UUID, principal: PrincipalDep, body: Annotated[dict[str, str], Body()]
        ) -> JSONResponse:
            """A manager's correction of a customer's phone: member-svc names the number replaced."""
            if principal.role is not Role.MANAGER:
                raise Forbidden("managers only here")
            if len(body.get("reason", "")) < 2:
                return JSONResponse({"detail": "give a reason"}, status_code=422)
            if body.get("phone") != principal.verified_phone:
                return JSONResponse({"detail": "the new phone needs its code"}, status_code=403)
            previous = next((p for p, (m, _) in world.by_phone.items() if m == member_id), None)
            if previous is None:
                raise NotFound("no such member")
            world.by_phone[body["phone"]] = world.by_phone.pop(previous)
            answer = {"member_id": str(member_id), "fields": ["phone"], "proof": "sms_code_to_new_phone"}
            return JSONResponse(answer, status_code=201, headers={"X-Replaced-Phone": previous})

        @router.put("/members/{member_id}/openid")
        async def bind_openid(
            member_id: uuid.UUID, principal: PrincipalDep, body: Annotated[dict[str, str], Body()]
        ) -> dict[str, Any]:
            if principal.role is not Role.SERVICE:
                raise Forbidden("service only")
            world.by_openid[body["openid"]] = (member_id, "verified")
            return _changed(member_id, openid=body["openid"])

        @router.get("/members/{member_id}")
        async def member(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
            _own(principal, member_id)
            return {
                "member_id": str(member_id),
                "tier": "four_star",
                "status": "active",
                "name_masked": "张*",
                "phone_masked": "138****8000",
                "manager_id": "manager1",
                "joined_at": "2026-03-01T09:00:00+08:00",
                "referral_code": "R7KQ2M9XA",
            }

        @router.get(
            "/members/{member_id}/card",
            response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the member's QR code"}},
        )
        async def card(member_id: uuid.UUID, principal: PrincipalDep) -> Response:
            _own(principal, member_id)
            return Response(CARD_PNG, media_type="image/png")

        @router.get(
            "/policies/{policy_no}",
            openapi_extra={"x-cheyou-roles": ["reviewer", "manager", "ops", "admin"]},
        )
        async def policy(policy_no: str, principal: PrincipalDep) -> dict[str, str]:
            return {"policy_no": policy_no}

        @router.post("/applications", status_code=201)
        async def apply(request: Request, principal: PrincipalDep) -> dict[str, Any]:
            test_id = request.headers.get("x-test-id", "")
            world.calls[test_id] += 1
            return {"application_id": str(uuid.uuid4()), "count": world.calls[test_id]}

        @router.get("/member-reports/members")
        async def members_report(principal: PrincipalDep) -> dict[str, Any]:
            _ops(principal)
            rows = [
                {"tier": "prospective", "status": "verified", "members": 4},
                {"tier": "ordinary", "status": "pending", "members": 3},
                {"tier": "ordinary", "status": "verified", "members": 20},
                {"tier": "five_star", "status": "verified", "members": 1},
            ]
            return {
                "as_of": "2026-11-25T00:00:00Z",
                "rows": rows,
                "total": {"tier": "all", "status": "all", "members": 28},
            }

    if name == "privilege-svc":

        @router.get("/points/{member_id}")
        async def points(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
            _own(principal, member_id)
            return {
                "balance": 1200,
                "expiring": [
                    {"points": 200, "expires_on": "2027-03-31"},
                    {"points": 100, "expires_on": "2026-12-31"},
                ],
            }

        @router.get("/entitlements/{member_id}")
        async def entitlements(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
            _own(principal, member_id)
            return {"items": [{"privilege": "car_wash", "quota": 4, "remaining": 3, "price": "free"}]}

        @router.get("/orders")
        async def orders(member_id: uuid.UUID, principal: PrincipalDep, limit: int = 20) -> dict[str, Any]:
            _own(principal, member_id)
            items = [{"order_id": str(uuid.uuid4()), "status": "completed"} for _ in range(7)]
            return {"items": items[:limit], "next_cursor": None}

        @router.get("/privileges/usage")
        async def usage(
            principal: PrincipalDep, since: Annotated[str, Query(alias="from")]
        ) -> dict[str, Any]:
            _ops(principal)
            privileges = [
                {"privilege_code": "car_wash", "name": "洗车", "completed": 14, "by_tier": []},
                {"privilege_code": "rescue_towing", "name": "拖车", "completed": 2, "by_tier": []},
                {"privilege_code": "fuel_discount", "name": "加油", "completed": 2, "by_tier": []},
            ]
            return {"privileges": privileges, "orders_completed": 18, "points_redemptions": 11}

        @router.get("/activities/stats")
        async def activity_stats(principal: PrincipalDep) -> dict[str, Any]:
            _ops(principal)
            return {"activities": [], "participations": 26}

    if name == "claims-svc":

        @router.get("/claims")
        async def claims(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
            _own(principal, member_id)
            return {
                "items": [
                    {"claim_id": "C-1", "status": "surveying"},
                    {"claim_id": "C-0", "status": "settled"},
                ],
                "next_cursor": None,
            }

        @router.get("/claim-reports/figures")
        async def claim_figures(principal: PrincipalDep, since: Annotated[str, Query(alias="from")]) -> Any:
            _ops(principal)
            if since.startswith("2001"):  # claims-svc refuses a period it cannot count (its own rules)
                problem = {"type": "invalid-period", "status": 422, "detail": "from: before the claims' era"}
                return JSONResponse(problem, status_code=422)
            return {"total": {"key": "all", "reported": 900, "self_service": 874, "on_site": 26}}

    if name == "merchant-svc":

        @router.post("/merchant-api-keys/verify")
        async def verify(principal: PrincipalDep, body: Annotated[dict[str, str], Body()]) -> JSONResponse:
            if principal.role is not Role.SERVICE:
                raise Forbidden("service only")
            key = body.get("key", "")
            world.key_verifications[key] += 1
            found = world.merchant_keys.get(key)
            if found is None:
                raise Unauthorized("unknown key")
            merchant_id, status = found
            answer = {"merchant_id": str(merchant_id), "name": "洁车坊", "status": status}
            key_id = str(uuid.uuid5(uuid.NAMESPACE_OID, key))
            expires_at = world.merchant_key_expiry.get(key)
            return JSONResponse(
                {
                    **answer,
                    "subject": key_subject(key),
                    "api_key_id": key_id,
                    "expires_at": expires_at.isoformat() if expires_at else None,
                }
            )

        @router.post("/merchant-users/lookup")
        async def staff_lookup(principal: PrincipalDep, body: Annotated[dict[str, str], Body()]) -> Any:
            if principal.role is not Role.SERVICE:
                raise Forbidden("service only")
            found = [u for u in world.merchant_users.values() if u["phone"] == body.get("phone")]
            if not found:
                raise NotFound("no merchant user signs in with this phone")
            return _standing(found[0])

        @router.get("/merchant-users/{user_id}/standing")
        async def staff_standing(user_id: uuid.UUID, principal: PrincipalDep) -> Any:
            if principal.role is not Role.SERVICE:
                raise Forbidden("service only")
            if user_id not in world.merchant_users:
                raise NotFound("no such merchant user")
            return _standing(world.merchant_users[user_id])

        @router.get("/coupons")
        async def coupons(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, Any]:
            _own(principal, member_id)
            return {"items": [{"coupon_id": "CP-1", "title": "洗车八折"}], "next_cursor": None}

        @router.get("/merchant-api/orders")
        async def merchant_orders(principal: PrincipalDep) -> dict[str, Any]:
            if principal.role is not Role.MERCHANT:
                raise Forbidden("merchants only")
            return {"merchant_id": str(principal.merchant_id), "items": []}

    if name == "notify-svc":

        @router.get("/inbox/{member_id}/unread-count")
        async def unread(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, int]:
            _own(principal, member_id)
            return {"unread": 3}

    app.include_router(router)
    publish_audiences(
        app, {segment: roles for segment, roles in AUDIENCES.items() if segment in SEGMENTS[name]}
    )
    app.add_middleware(_VanishingAfterTheWork, world=world)
    return app


class _VanishingAfterTheWork:
    """``…/vanishing``: the work is done (counted under ``X-Test-Id``), the answer starts, and the
    connection breaks before it is whole — what the gateway sees of a service killed after its commit."""

    def __init__(self, app: Any, world: World) -> None:
        self.app, self.world = app, world

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/vanishing"):
            await self.app(scope, receive, send)
            return
        test_id = dict(scope["headers"]).get(b"x-test-id", b"").decode()
        self.world.calls[test_id] += 1
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"64")]})
        raise ConnectionAbortedError("the service died after doing the work, before its answer was out")


def key_subject(key: str) -> str:
    """The subject merchant-svc gives the principal of an API key: ``merchant-key:<the key's id>``."""
    return f"merchant-key:{uuid.uuid5(uuid.NAMESPACE_OID, key)}"

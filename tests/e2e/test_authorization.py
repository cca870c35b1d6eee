"""The authorization matrix, generated from the gateway's merged OpenAPI so new routes are covered at once.

1. Without credentials every route is 401.
2. Every route that takes an object id, called by each of ten callers — anonymous, member A, member B,
   a reviewer, A's manager, another manager, a surveyor, ops, merchant X and merchant Y — on real
   objects: A's member record, application, policy, order (dispatched to merchant X), complaint case,
   claim (with a photo and a document), redemption, activity sign-up; X's merchant record, API key,
   webhook endpoint and message; ops' templates; manager1's desk. A caller outside a route's allowed
   set never gets a 2xx; the owners and the staff whose work it is do reach their objects.

The request body of each call is a schema-valid example generated from the document (schemathesis), so a
refusal cannot hide behind a 422 for a missing field. Only callers outside a route's allowed set are sent
the mutating calls, so nothing is changed when the platform is right.
"""

import asyncio
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import schemathesis
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core import NotSet
from schemathesis.core.result import Err

METHODS = ("get", "post", "put", "patch", "delete")

Case = schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]]
"""A case drawn for any of the schema's operations (schemathesis leaves their parameter types open)."""

SIGN_IN = {
    "/auth/staff/login",
    "/auth/wechat",
    "/auth/otp",
    "/auth/otp/verify",
    "/auth/phone-proof",
    "/auth/refresh",
    # Anonymous too: WeChat's authorize URL, merchant staff codes, JS-SDK signatures (per-address limits).
    "/auth/wechat/authorize-url",
    "/auth/merchant/otp",
    "/auth/merchant/otp/verify",
    "/wechat/js-config",
}
# Forwarded without sign-in (the gateway's PUBLIC_SEGMENTS / PUBLIC_OPERATIONS): the service authenticates
# the caller with a proof of its own — the SMS provider's receipt token, the feeds' signatures, an
# invitation's personal token in its link, WeChat Pay's signature over the body. Without that proof an
# anonymous call must still get nothing: neither a 2xx nor a 5xx.
PUBLIC_SEGMENTS = {"sms-receipts", "sms-replies", "feed-webhooks", "invitations", "unsubscriptions"}
PUBLIC_OPERATIONS = {("post", "/payments/wechatpay/notifications")}
# Self-registration is no exception any more: an applicant without a phone proof is a 401 like anyone.
SELF_SERVICE: set[tuple[str, str]] = set()

ROLES = (
    "anonymous", "member A", "member B", "reviewer", "manager of A", "another manager", "surveyor",
    "ops", "merchant X", "merchant Y",
)  # fmt: skip
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
STAFF = frozenset({"reviewer", "manager of A", "another manager", "surveyor", "ops"})

# Who MAY get a 2xx from a route called on A's / X's / ops' objects (first matching pattern wins).
# Everyone else must not. The owner's side is strict; among staff, a role whose work the object is
# (a reviewer and applications, a surveyor and surveys) is allowed.
MAY: list[tuple[str, frozenset[str]]] = [
    (r"^/auth/staff/", frozenset({"ops"})),
    (r"^/members/\{member_id\}/pii$", frozenset({"ops", "reviewer"})),
    (r"^/members/\{member_id\}/(tier-floor|manager)$", frozenset({"ops", "manager of A"})),
    # Binding WeChat and changing the sign-in phone are the gateway's, after its proofs (/auth/…);
    # the member may only unbind.
    (r"^/members/\{member_id\}/(openid|phone)$", frozenset({"member A"})),
    (r"^/members/\{member_id\}", frozenset({"member A", "manager of A", "ops", "reviewer"})),
    (r"^/applications/", frozenset({"reviewer", "ops"})),
    (r"^/policies/", frozenset({"member A", "manager of A", "ops", "reviewer", "surveyor"})),
    (r"^/tier-rules/", frozenset({"ops"})),
    (r"^/managers/teams/", STAFF - {"reviewer", "surveyor"}),
    (r"^/managers/\{staff_id\}(/invite-qr\.(png|svg))?$", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/managers/\{staff_id\}", frozenset({"manager of A", "ops"})),
    (r"^/privileges/\{code\}$", SIGNED_IN),
    (r"^/privileges/", frozenset({"ops"})),
    (r"^/(entitlements|points)/", frozenset({"member A", "ops"})),
    (r"^/orders/", frozenset({"member A", "ops"})),
    (r"^/rewards/redemptions/", frozenset({"member A", "ops"})),  # a points + cash redemption the member pays
    (r"^/(rewards|flash-sales)/\{reward_id\}", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/activities/\{activity_id\}/check-ins$", STAFF),
    (r"^/activities/\{activity_id\}/signups/", frozenset({"member A", "ops"})),
    (r"^/activities/\{activity_id\}/signups$", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/activities/", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/merchant-api/", frozenset({"merchant X"})),
    # Club life (issue 21): a game, a needs survey, an interest group are for every member and staff member;
    # running them is ops' work, a game's audit and fairness any staff member's; the feeds are ops'.
    (r"^/games/\{game_id\}/(publish|close|budget-top-ups)$", frozenset({"ops"})),
    (r"^/games/\{game_id\}/(audit|fairness)", STAFF),
    (r"^/games/", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/needs-surveys/\{survey_id\}/(publish|close|results)$", frozenset({"ops"})),
    (r"^/needs-surveys/", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/interest-groups/\{group_id\}/archive$", frozenset({"ops"})),
    (r"^/interest-groups/", SIGNED_IN - {"merchant X", "merchant Y"}),
    (r"^/feeds/", frozenset({"ops"})),
    # Payments (issue 22): the member's own payment, and ops; reconciliation is ops'.
    (r"^/payments/reconciliations/", frozenset({"ops"})),
    (r"^/payments/", frozenset({"member A", "ops"})),
    (r"^/invitations/", frozenset()),  # the token in the link is the capability; this world has none
    (r"^/merchant-users/", frozenset()),  # the gateway's own look-ups (role service): no caller of the world
    (r"^/accountability/", frozenset({"merchant X", "ops", "member A"})),
    (
        r"^/(merchants|fulfilments|webhook-endpoints|webhook-messages|coupons)/",
        frozenset({"merchant X", "ops"}),
    ),
    (r"^/service-points/", frozenset({"member A", "member B", "manager of A", "another manager", "ops"})),
    (r"^/surveys/", frozenset({"surveyor", "ops"})),
    (r"^/claims/", frozenset({"member A", "ops", "surveyor"})),
    (r"^/appointments/", frozenset({"member A", "ops"})),
    (r"^/cover/", frozenset({"surveyor", "ops"})),
    (r"^/(audience|campaigns|templates|reminders)/", frozenset({"ops"})),
    (r"^/(publications|articles)/\{item_id\}$", SIGNED_IN),  # published items are for everyone signed in
    (r"^/(publications|articles)/", STAFF),  # no item of this world: random ids, nothing may succeed anyway
    (r"^/(inbox|preferences)/\{member_id\}$", frozenset({"member A", "ops"})),
    (r"^/inbox/\{member_id\}/unread-count$", frozenset({"member A", "ops"})),
    (r"^/inbox/", frozenset({"member A"})),
]

# What each caller MUST reach: its own objects, or the ones its work is about.
MUST: dict[str, list[str]] = {
    "member A": [
        "/members/{member_id}", "/members/{member_id}/tier", "/members/{member_id}/tier-history",
        "/members/{member_id}/application", "/entitlements/{member_id}", "/points/{member_id}",
        "/points/{member_id}/entries", "/inbox/{member_id}", "/inbox/{member_id}/unread-count",
        "/preferences/{member_id}", "/orders/{order_id}", "/claims/{claim_id}", "/claims/{claim_id}/timeline",
        "/claims/{claim_id}/survey", "/claims/{claim_id}/documents",
        "/claims/{claim_id}/survey/photos/{photo_id}/content",
        "/claims/{claim_id}/documents/{document_id}/content",
        "/activities/{activity_id}/signups/{signup_id}/qr", "/rewards/{reward_id}", "/policies/{policy_no}",
    ],
    "member B": ["/members/{member_b}", "/inbox/{member_b}", "/points/{member_b}"],
    "manager of A": [
        "/members/{member_id}", "/managers/{staff_id}/customers", "/managers/{staff_id}/tasks",
        "/managers/{staff_id}/visit-plan", "/managers/{staff_id}/kpis",
    ],
    "reviewer": ["/applications/{task_id}"],
    "surveyor": ["/surveys/{claim_id}", "/cover/{customer_no}?on={today}"],
    "ops": [
        "/members/{member_id}", "/points/{member_id}", "/orders/{order_id}", "/claims/{claim_id}",
        "/merchants/{merchant_id}", "/webhook-endpoints/{endpoint_id}", "/webhook-messages/{message_id}",
        "/accountability/{case_id}", "/applications/{task_id}", "/cover/{customer_no}?on={today}",
        "/audience/{member_id}", "/templates/{template_id}", "/rewards/{reward_id}",
    ],
    "merchant X": [
        "/merchant-api/orders/{order_id}", "/merchants/{merchant_id}", "/webhook-endpoints/{endpoint_id}",
        "/webhook-messages/{message_id}", "/accountability/{case_id}",
    ],
}  # fmt: skip

CITY = "350124"  # 闽清 (Minqing): merchant X is the only one contracted there


async def _operations(cheyou: Platform) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    async with httpx.AsyncClient(timeout=10) as http:
        document = (await http.get(f"{cheyou.gateway}/openapi.json")).json()
    operations = []
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method in METHODS:
            if method in item:
                operations.append((method, path.removeprefix("/api/v1")))
    assert len(operations) > 150  # the six services' routes are all published
    return document, operations


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), path)


async def test_every_route_refuses_a_request_without_credentials(cheyou: Platform) -> None:
    anonymous = cheyou.client()
    wrong, public = [], 0
    for method, path in (await _operations(cheyou))[1]:
        if path in SIGN_IN or (method, path) in SELF_SERVICE:
            continue
        response = await anonymous.request(
            method.upper(), _fill(path, {}), json={} if method != "get" else None
        )
        if path.split("/")[1] in PUBLIC_SEGMENTS or (method, path) in PUBLIC_OPERATIONS:
            public += 1
            if response.is_success or response.status_code >= 500:
                wrong.append((method, path, response.status_code))
        elif response.status_code != 401:
            wrong.append((method, path, response.status_code))
    assert wrong == []
    assert public >= 3  # the invitation link, its unsubscribe link, WeChat Pay's notifications


@dataclass
class World:
    callers: dict[str, httpx.AsyncClient]
    ids: dict[str, str]


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.is_success, f"{response.request.method} {response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


async def _merchant(
    cheyou: Platform, ops: httpx.AsyncClient, city: str
) -> tuple[str, str, httpx.AsyncClient]:
    created = await _ok(
        await ops.post(
            "/merchants",
            json={
                "name": f"福州安途代驾{uuid.uuid4().hex[:6]}",
                "category": "designated_driving",
                "city_codes": [city],
            },
        )
    )
    today = datetime.now(UTC).date()
    await _ok(
        await ops.post(
            f"/merchants/{created['id']}/contracts",
            json={
                "privilege_ids": ["after_drinking_driving"],
                "city_codes": [city],
                "unit_price_fen": 8_000,
                "starts_on": (today - timedelta(days=1)).isoformat(),
                "ends_on": (today + timedelta(days=365)).isoformat(),
            },
        )
    )
    await _ok(
        await ops.post(f"/merchants/{created['id']}/status", json={"status": "active", "reason": "签约完成"})
    )
    key = await _ok(await ops.post(f"/merchants/{created['id']}/api-keys", json={"label": "matrix"}))
    return created["id"], key["id"], await cheyou.merchant(key["key"])


async def _world(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], report: Any, photo: Callable[[], bytes]
) -> World:
    """Real objects for every kind of id, each with an owner among the callers."""
    ops, admin = staff["ops1"], staff["admin"]
    invite = (await staff["manager1"].get("/managers/manager1")).json()["invite_code"]
    a = await cheyou.register(ops, manager_code=invite)
    task = await cheyou.verify(staff["reviewer1"], a.member_id)
    b = await cheyou.member(ops, staff["reviewer1"])
    policy = cheyou.policy_issued(a, 1_500_000)
    await cheyou.feed(admin, policy)
    merchant_x, key_x, x = await _merchant(cheyou, ops, CITY)
    _, _, y = await _merchant(cheyou, ops, "350100")
    endpoint = await _ok(
        await ops.post(
            "/webhook-endpoints", json={"merchant_id": merchant_x, "url": "http://127.0.0.1:9/hooks"}
        )
    )

    async def star() -> bool | None:
        body = (await a.http.get(f"/entitlements/{a.member_id}")).json()
        return True if body.get("tier") in {"three_star", "four_star", "five_star"} else None

    await eventually(star, within=30)
    order = await _ok(
        await a.http.post(
            "/orders",
            json={
                "privilege_code": "after_drinking_driving",
                "city_code": CITY,
                "pickup_address": "闽清县梅城镇台山路1号",
                "destination_address": "福州市鼓楼区五四路158号",
                "vehicle_plate": a.plate,
            },
        )
    )

    async def dispatched() -> bool | None:
        return True if (await x.get(f"/merchant-api/orders/{order['id']}")).status_code == 200 else None

    await eventually(dispatched, within=30)
    for step, body in (("accept", {}), ("start", None), ("complete", {"notes": "安全送达"})):
        await _ok(await x.post(f"/merchant-api/orders/{order['id']}/{step}", json=body))

    async def closed() -> bool | None:
        status = (await a.http.get(f"/orders/{order['id']}")).json()["status"]
        return True if status in {"completed", "closed"} else None

    await eventually(closed, within=30)
    await _ok(
        await a.http.post(
            f"/orders/{order['id']}/complaints", json={"category": "attitude", "description": "催促"}
        )
    )

    async def case() -> str | None:
        page = (await ops.get("/accountability", params={"merchant_id": merchant_x})).json()
        return next((c["id"] for c in page["items"] if c.get("order_id") == order["id"]), None)

    case_id = await eventually(case, within=30)
    messages = (await ops.get("/webhook-messages", params={"merchant_id": merchant_x})).json()["items"]
    # A's claim, submitted and taken by the surveyor, with a document.
    claim = await report(a, policy["data"]["policy_no"], accident_type="single_vehicle", loss_cause="scrape")
    survey = (await a.http.get(f"/claims/{claim['id']}/survey")).json()
    photos = []
    for slot in survey["missing_required"]:
        photos.append(
            await _ok(
                await a.http.post(
                    f"/claims/{claim['id']}/survey/photos",
                    data={"slot": slot},
                    files={"file": ("p.jpg", photo(), "image/jpeg")},
                )
            )
        )
    await _ok(await a.http.post(f"/claims/{claim['id']}/survey/submission"))
    await _ok(await staff["surveyor1"].post(f"/surveys/{claim['id']}/assignment"))
    document = await _ok(
        await a.http.post(
            f"/claims/{claim['id']}/documents",
            data={"kind": "id_card"},
            files={"file": ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        )
    )
    # A's redemption and activity sign-up.
    reward = await _ok(
        await ops.post(
            "/rewards",
            json={
                "name": "免费洗车一次",
                "kind": "service",
                "tier_prices": dict.fromkeys(("ordinary", "three_star", "four_star", "five_star"), 1),
                "stock": 5,
            },
        )
    )

    async def redeemed() -> dict[str, Any] | None:
        response = await a.http.post(f"/rewards/{reward['id']}/redemptions", json={})
        return (
            dict(response.json()) if response.status_code == 201 else None
        )  # points arrive with verification

    redemption = await eventually(redeemed, within=30)
    starts = datetime.now(UTC) + timedelta(days=7)
    activity = await _ok(
        await ops.post(
            "/activities",
            json={
                "title": "车险知识讲座",
                "kind": "insurance_lecture",
                "place": "福州市鼓楼区五四路158号",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "capacity": 20,
            },
        )
    )
    signup = await _ok(await a.http.post(f"/activities/{activity['id']}/signups", json={"party_size": 1}))
    template = (await ops.get("/templates", params={"limit": 1})).json()["items"][0]
    callers = {
        "anonymous": cheyou.client(),
        "member A": a.http,
        "member B": b.http,
        "reviewer": staff["reviewer1"],
        "manager of A": staff["manager1"],
        "another manager": staff["manager2"],
        "surveyor": staff["surveyor1"],
        "ops": ops,
        "merchant X": x,
        "merchant Y": y,
    }
    ids = {
        "member_id": a.member_id,
        "member_b": b.member_id,
        "task_id": str(task["task_id"]),
        "policy_no": policy["data"]["policy_no"],
        "customer_no": a.customer_no,
        "staff_id": "manager1",
        "team": "fuzhou",
        "order_id": order["id"],
        "case_id": case_id,
        "merchant_id": merchant_x,
        "key_id": key_x,
        "endpoint_id": endpoint["id"],
        "message_id": messages[0]["id"] if messages else str(uuid.uuid4()),
        "claim_id": claim["id"],
        "photo_id": photos[0]["id"],
        "document_id": document["document"]["id"],
        "reward_id": reward["id"],
        "redemption_id": redemption["id"],
        "activity_id": activity["id"],
        "signup_id": signup["id"],
        "template_id": template["id"],
        "code": "after_drinking_driving",
        "tier": "three_star",
        "action": "read",
        "username": "reviewer2",
        "today": datetime.now(UTC).date().isoformat(),
    }
    return World(callers, ids)


def _allowed(path: str) -> frozenset[str]:
    for pattern, roles in MAY:
        if re.search(pattern, path):
            return roles
    raise AssertionError(f"no authorization rule in this test for {path}: add one to MAY")


def _examples(schema: schemathesis.BaseSchema) -> dict[tuple[str, str], tuple[Any, dict[str, Any]]]:
    """A schema-valid body and query for each operation (what a real client could send)."""
    examples: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        if not len(operation.body) and not len(operation.query):
            continue  # nothing to send but the path
        drawn: list[Case] = []

        @given(case=operation.as_strategy())
        @settings(
            max_examples=1,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def draw(case: Case) -> None:
            drawn.append(case)  # noqa: B023 (run at once, inside this iteration)

        draw()
        case = drawn[0]
        body = None if isinstance(case.body, NotSet) else case.body
        query = {} if isinstance(case.query, NotSet) or case.query is None else dict(case.query)
        examples[(operation.method.lower(), operation.path.removeprefix("/api/v1"))] = (body, query)
    return examples


async def _call(
    http: httpx.AsyncClient, method: str, path: str, body: Any, query: dict[str, Any], photo: bytes
) -> httpx.Response:
    if path.endswith("/survey/photos") and method == "post":
        return await http.post(path, data={"slot": "extra_1"}, files={"file": ("p.jpg", photo, "image/jpeg")})
    if path.endswith("/documents") and method == "post":
        return await http.post(
            path,
            data={"kind": "bank_card"},
            files={"file": ("s.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        )
    return await http.request(method.upper(), path, params=query, json=body)


async def test_every_object_route_answers_only_the_callers_whose_object_it_is(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], report: Any, claim_photo: Callable[[], bytes]
) -> None:
    document, operations = await _operations(cheyou)
    world = await _world(cheyou, staff, report, claim_photo)

    # The owners and the staff whose work it is reach their objects (checked first: nothing changed yet).
    unreachable = []
    for who, paths in MUST.items():
        for path in paths:
            ids = {**world.ids, "member_b": world.ids["member_b"]}
            response = await world.callers[who].get(_fill(path, ids))
            if not response.is_success:
                unreachable.append((who, path, response.status_code, response.text[:160]))
    assert unreachable == [], "\n".join(map(str, unreachable))

    examples = _examples(schemathesis.openapi.from_dict(document).include(path_regex=r"\{"))
    routes = [(m, p) for m, p in operations if "{" in p]
    assert len(routes) >= 120
    wrong: list[tuple[str, str, str, int, str]] = []
    for method, path in routes:
        body, query = examples.get((method, path), (None, {}))
        url = _fill(path, world.ids)
        # Anonymous callers are covered route by route by the test above (401 everywhere).
        denied = [who for who in ROLES if who not in _allowed(path) and who != "anonymous"]
        answers = await asyncio.gather(
            *(_call(world.callers[who], method, url, body, query, claim_photo()) for who in denied)
        )
        for who, response in zip(denied, answers, strict=True):
            if response.is_success:
                wrong.append((who, method.upper(), path, response.status_code, response.text[:120]))
    assert wrong == [], "\n".join(map(str, wrong))

"""The authorization matrix, generated from the gateway's merged OpenAPI so new routes are covered at once:
without credentials every route is 401; every role that has no business with member A's objects gets no
2xx from any route that takes A's member id."""

import re
import uuid
from typing import Any

import httpx
from cheyou_devinfra.demo import Platform

METHODS = ("get", "post", "put", "patch", "delete")
SIGN_IN = {"/auth/staff/login", "/auth/wechat", "/auth/otp", "/auth/otp/verify", "/auth/refresh"}
PUBLIC_SEGMENTS = {"sms-receipts"}  # the SMS provider's callback authenticates with its own token
SELF_SERVICE = {("post", "/members")}  # self-registration: an applicant has no account yet


async def _operations(cheyou: Platform) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(timeout=10) as http:
        document = (await http.get(f"{cheyou.gateway}/openapi.json")).json()
    operations = []
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method in METHODS:
            if method in item:
                operations.append((method, path.removeprefix("/api/v1")))
    assert len(operations) > 150  # the six services' routes are all published
    return operations


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), path)


async def test_every_route_refuses_a_request_without_credentials(cheyou: Platform) -> None:
    anonymous = cheyou.client()
    wrong = []
    for method, path in await _operations(cheyou):
        if path in SIGN_IN or path.split("/")[1] in PUBLIC_SEGMENTS or (method, path) in SELF_SERVICE:
            continue
        response = await anonymous.request(
            method.upper(), _fill(path, {}), json={} if method != "get" else None
        )
        if response.status_code != 401:
            wrong.append((method, path, response.status_code))
    assert wrong == []


async def test_nobody_without_a_reason_reaches_another_members_objects(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    ops = staff["ops1"]
    a = await cheyou.member(ops, staff["reviewer1"])
    b = await cheyou.member(ops, staff["reviewer1"])
    created = await ops.post(
        "/merchants",
        json={
            "name": f"福州好运洗车{uuid.uuid4().hex[:6]}",
            "category": "car_wash",
            "city_codes": ["350100"],
        },
    )
    assert created.status_code == 201, created.text
    key = await ops.post(f"/merchants/{created.json()['id']}/api-keys", json={"label": "matrix"})
    merchant = await cheyou.merchant(key.json()["key"])
    callers: dict[str, httpx.AsyncClient] = {
        "member B": b.http,
        "manager2 (not A's manager)": staff["manager2"],
        "surveyor": staff["surveyor1"],
        "merchant X": merchant,
    }
    values = {"member_id": a.member_id, "action": "read"}
    wrong: list[tuple[str, str, str, int, Any]] = []
    routes = [(m, p) for m, p in await _operations(cheyou) if "{member_id}" in p]
    assert len(routes) >= 20
    for who, http in callers.items():
        for method, path in routes:
            body = {"item_ids": [], "all": True} if method != "get" else None
            response = await http.request(method.upper(), _fill(path, values), json=body)
            if response.is_success:
                wrong.append((who, method, path, response.status_code, response.text[:160]))
    assert wrong == [], "\n".join(map(str, wrong))
    # Member A does reach their own member record, so the matrix above is not refusing everything.
    assert (await a.http.get(f"/members/{a.member_id}")).status_code == 200

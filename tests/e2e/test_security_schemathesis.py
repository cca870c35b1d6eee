"""Property-based, against the whole platform: whatever schemathesis derives from the gateway's merged
OpenAPI, sent as every kind of caller — an admin, each staff role (ops, reviewer, manager, surveyor), a
member, a merchant's server by API key and a merchant user signed in by SMS code — never gets a 5xx, and
every answer matches the document (status, content type, body schema). Then schemathesis' stateful phase:
sequences of calls chained by the links it infers (an id from one answer used in the next call), as an
admin, a member and a merchant.

Examples are bounded per operation so the run takes minutes, not hours, on two cores. Left out: routes
that would end the fuzzer's own session or credentials (sign-out; changing staff accounts; a merchant
revoking or rotating its own key, or disabling its own user) and the platform-wide rules (tier rules and
their batch runs, privilege terms, points rules), which would change what the tests after this one see;
each of those has tests in its service.
"""

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from cheyou_demo import Platform
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

NOT_FUZZED = (
    r"^/api/v1/auth/(logout|staff/\{username\}.*)$"
    r"|^/api/v1/tier-rules"
    r"|^/api/v1/privileges/\{code\}/terms/\{tier\}$"
    r"|^/api/v1/points/rules/\{code\}$"
    r"|^/api/v1/merchants/\{merchant_id\}/api-keys/\{key_id\}/(revoke|rotate)$"
    r"|^/api/v1/merchants/\{merchant_id\}/users/\{user_id\}$"
    r"|^/api/v1/merchants/\{merchant_id\}/status$"
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

Case = schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]]
"""A case drawn for any of the schema's operations (schemathesis leaves their parameter types open)."""


def _settings(examples: int, **more: Any) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same examples every run: a failure is reproducible, not luck
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        **more,
    )


def fuzz(
    schema: schemathesis.BaseSchema, base_url: str, headers: dict[str, str], examples: int
) -> dict[str, str]:
    """Each operation in turn (schemathesis' own pytest plugin does not run under pytest 9); returns
    what failed, by operation."""
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()

        @given(case=operation.as_strategy())
        @_settings(examples)
        def check(case: Case) -> None:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup is the latter
            failures[operation.label] = str(failure)[:1500]
    return failures


def fuzz_stateful(
    schema: schemathesis.BaseSchema, base_url: str, headers: dict[str, str], scenarios: int
) -> dict[str, str]:
    """Schemathesis' stateful phase: call sequences along the links it infers from the document."""
    workflow: Any = schema.as_state_machine()
    calls: list[str] = []

    class Workflow(workflow):  # type: ignore[misc]  # the state machine class is made at run time (Any)
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            calls.append(case.operation.label)
            return {"base_url": base_url, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Case, *_: Any, **__: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    try:
        Workflow.run(settings=_settings(scenarios, stateful_step_count=6))
    except (Exception, BaseExceptionGroup) as failure:
        return {"stateful": str(failure)[:3000]}
    if len(set(calls)) < 5:  # the phase must have walked somewhere, not passed by doing nothing
        return {"stateful": f"only {len(calls)} calls to {sorted(set(calls))}"}
    return {}


def _token(http: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": http.headers["Authorization"]}


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


async def _merchant_callers(cheyou: Platform, ops: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """A merchant of its own (active, contracted): its server's API key, and its admin signed in by code."""
    city = "350100"
    merchant = await _ok(
        await ops.post(
            "/merchants",
            json={
                "name": f"福州洁车坊{uuid.uuid4().hex[:6]}",
                "category": "designated_driving",
                "city_codes": [city],
            },
        )
    )
    today = datetime.now(UTC).date()
    await _ok(
        await ops.post(
            f"/merchants/{merchant['id']}/contracts",
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
        await ops.post(f"/merchants/{merchant['id']}/status", json={"status": "active", "reason": "签约完成"})
    )
    key = await _ok(await ops.post(f"/merchants/{merchant['id']}/api-keys", json={"label": "fuzz"}))
    phone = f"137{random.randrange(10**8):08d}"
    await _ok(
        await ops.post(
            f"/merchants/{merchant['id']}/users",
            json={"name": "模糊测试", "phone": phone, "role": "merchant_admin"},
        )
    )
    async with httpx.AsyncClient(base_url=cheyou.gateway, timeout=10) as http:
        sent = await http.post("/api/v1/auth/merchant/otp", json={"phone": phone})
        assert sent.status_code < 300, sent.text
        messages = (await http.get(f"{cheyou.sms}/_fake/messages", params={"phone": phone})).json()["items"]
        from cheyou_demo import otp_code  # the fake SMS message's code, as the demo reads it

        verified = await _ok(
            await http.post(
                "/api/v1/auth/merchant/otp/verify", json={"phone": phone, "code": otp_code(messages[-1])}
            )
        )
    return {
        "merchant by API key": {"X-Api-Key": key["key"]},
        "merchant user signed in": {"Authorization": f"Bearer {verified['access_token']}"},
    }


@pytest.fixture
def api_schema(cheyou: Platform) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{cheyou.gateway}/openapi.json").exclude(path_regex=NOT_FUZZED)


@pytest.mark.timeout(
    1200
)  # 230 operations as 8 callers, then 3 stateful runs: 2 min alone, more on a busy box
async def test_fuzzing_as_every_role_finds_no_server_error_and_no_answer_off_the_document(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], api_schema: schemathesis.BaseSchema
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    merchants = await _merchant_callers(cheyou, staff["ops1"])
    users: dict[str, tuple[dict[str, str], int]] = {
        "admin": (_token(staff["admin"]), 3),
        **{
            username: (_token(staff[username]), 1)
            for username in ("ops1", "reviewer1", "manager1", "surveyor1")
        },
        "member": (_token(member.http), 1),
        **{who: (headers, 1) for who, headers in merchants.items()},
    }
    failures: dict[str, Any] = {}
    for who, (headers, examples) in users.items():
        found = await asyncio.to_thread(fuzz, api_schema, cheyou.gateway, headers, examples)
        failures.update({f"{who}: {label}": text for label, text in found.items()})
    for who in ("admin", "member", "merchant user signed in"):
        found = await asyncio.to_thread(fuzz_stateful, api_schema, cheyou.gateway, users[who][0], 15)
        failures.update({f"{who}: {label}": text for label, text in found.items()})

    assert failures == {}, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())

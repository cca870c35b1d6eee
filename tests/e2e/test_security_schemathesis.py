"""Property-based, against the whole platform: whatever schemathesis derives from the gateway's merged
OpenAPI, sent with a signed-in admin's token and with a member's, never gets a 5xx, and every answer
matches the document (status, content type, body schema).

Examples are bounded per operation so the run takes a couple of minutes on two cores. Left out: routes
that would end the fuzzer's own session (logout, changing staff accounts) and the platform-wide rules
(tier rules and their batch runs, privilege terms, points rules), which would change what the tests
after this one see; each of those has tests in its service.
"""

from typing import Any

import httpx
import pytest
import schemathesis
from cheyou_devinfra.demo import Platform
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

NOT_FUZZED = (
    r"^/api/v1/auth/(logout|staff/\{username\}.*)$"
    r"|^/api/v1/tier-rules"
    r"|^/api/v1/privileges/\{code\}/terms/\{tier\}$"
    r"|^/api/v1/points/rules/\{code\}$"
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def fuzz(
    schema: schemathesis.BaseSchema, base_url: str, headers: dict[str, str], examples: int
) -> dict[str, str]:
    """Each operation in turn (schemathesis' own pytest plugin does not run under pytest 9); returns
    what failed, by operation."""
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            derandomize=True,  # the same examples every run: a failure is reproducible, not luck
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup is the latter
            failures[operation.label] = str(failure)[:1500]
    return failures


def _token(http: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": http.headers["Authorization"]}


@pytest.fixture
def api_schema(cheyou: Platform) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{cheyou.gateway}/openapi.json").exclude(path_regex=NOT_FUZZED)


async def test_fuzzing_as_an_admin_and_as_a_member_finds_no_server_error_and_no_answer_off_the_document(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], api_schema: schemathesis.BaseSchema
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    users: dict[str, tuple[dict[str, str], int]] = {
        "admin": (_token(staff["admin"]), 3),
        "member": (_token(member.http), 1),
    }
    failures: dict[str, Any] = {}
    for who, (headers, examples) in users.items():
        found = await _in_thread(fuzz, api_schema, cheyou.gateway, headers, examples)
        failures.update({f"{who}: {label}": text for label, text in found.items()})

    assert failures == {}, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())


async def _in_thread(function: Any, *args: Any) -> Any:
    """schemathesis calls are blocking; the platform's clients in this loop must keep their loop."""
    import asyncio

    return await asyncio.to_thread(function, *args)

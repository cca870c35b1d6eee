"""Property-based: whatever schemathesis sends to the merged OpenAPI, no 5xx, and answers match it.

The gateway runs as a real HTTP server (uvicorn in a thread) in front of the stand-in services; every
request carries an admin's token, so most operations get past authentication to their validation.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from cheyou_fakes import running
from gateway.config import Settings
from gateway.main import create_app
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from .sign_in import ADMIN_PASSWORD
from .stand_ins import World


@pytest.fixture(scope="module")
def live_gateway(base_settings: dict[str, Any], client: httpx.AsyncClient) -> Iterator[str]:
    gateway = create_app(
        Settings.model_validate({**base_settings, "consumers_enabled": False, "seed_demo_staff": False})
    )
    with running(gateway) as url:
        yield url


@pytest.fixture(scope="module")
def admin_headers(live_gateway: str) -> dict[str, str]:
    answer = httpx.post(
        f"{live_gateway}/api/v1/auth/staff/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    ).json()
    return {"Authorization": f"Bearer {answer['access_token']}"}


Case = schemathesis.Case[schemathesis.APIOperation[Any, Any, Any, Any]]
"""A case drawn for any of the schema's operations (schemathesis leaves their parameter types open)."""


@pytest.fixture(scope="module")
def api_schema(live_gateway: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_gateway}/openapi.json")


def fuzz(schema: schemathesis.BaseSchema, base_url: str, headers: dict[str, str]) -> dict[str, str]:
    """Each operation in turn (schemathesis' own pytest plugin does not run under pytest 9); returns
    what failed, by operation."""
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: Case) -> None:
            response = case.call(base_url=base_url, headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
            )

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup is the latter
            failures[operation.label] = str(failure)[:2000]
    return failures


# Not fuzzed: the stand-ins' own test routes (/echo, /flaky, /slow: no contract of anyone's); logout and
# disabling staff, which would end the admin session the fuzzer runs with (both have tests of their own).
NOT_FUZZED = r"/(echo|flaky|slow)$|^/api/v1/auth/logout$|^/api/v1/auth/staff/\{username\}$"


class TestFuzzing:
    def test_no_server_errors_and_answers_match_the_document(
        self, api_schema: schemathesis.BaseSchema, live_gateway: str, admin_headers: dict[str, str]
    ) -> None:
        failures = fuzz(api_schema.exclude(path_regex=NOT_FUZZED), live_gateway, admin_headers)

        assert failures == {}

    def test_the_fuzzer_catches_a_server_error(
        self,
        api_schema: schemathesis.BaseSchema,
        live_gateway: str,
        admin_headers: dict[str, str],
        world: World,
    ) -> None:
        world.broken.add("claims-svc")
        try:
            failures = fuzz(api_schema.include(path_regex=r"^/api/v1/claims$"), live_gateway, admin_headers)
        finally:
            world.broken.discard("claims-svc")

        assert list(failures) == ["GET /api/v1/claims"]
        assert "Server error" in failures["GET /api/v1/claims"]

"""The internal identity token opens one request line only, and needs no Redis (security issue 17, Low).

The attack: a token copied off the wire, out of a log or a trace, sent to the same service for another
path (another member's claim), with another method (a DELETE where a GET was signed) or another query
(another page, another filter). Each is refused. Verifying needs nothing but the public key: a service
whose Redis is down still authenticates every request (issue 23).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import httpx
import jwt
import pytest
from cheyou_devinfra.manager import Infra
from cheyou_kit.app import create_service_app
from cheyou_kit.auth import PrincipalDep
from cheyou_kit.errors import install_problem_handlers
from cheyou_kit.identity import IDENTITY_HEADER, ISSUER, IdentityVerifier, Role
from cheyou_kit.settings import ServiceSettings
from cheyou_kit.testing import Identities, app_client
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, FastAPI
from pydantic_settings import SettingsConfigDict

router = APIRouter()


@router.get("/claims")
async def list_claims(principal: PrincipalDep) -> dict[str, str]:
    return {"subject": principal.subject}


@router.get("/claims/{claim_id}")
async def read_claim(claim_id: str, principal: PrincipalDep) -> dict[str, str]:
    return {"subject": principal.subject, "claim": claim_id}


@router.delete("/claims/{claim_id}")
async def withdraw_claim(claim_id: str, principal: PrincipalDep) -> dict[str, str]:
    return {"subject": principal.subject, "withdrawn": claim_id}


@pytest.fixture
def identities(tmp_path: Path) -> Identities:
    return Identities(tmp_path)


@pytest.fixture
async def service(identities: Identities) -> AsyncIterator[httpx.AsyncClient]:
    """The routes behind the kit's verifier, and a client that sends exactly the headers it is given."""
    app = FastAPI()
    install_problem_handlers(app)
    app.state.identity_verifier = IdentityVerifier(
        identities.public_key_file.read_bytes(), audience="claims-svc"
    )
    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        yield client


def misdirected(response: httpx.Response) -> bool:
    return response.status_code == 401 and response.json()["type"].endswith("/identity-token-misdirected")


class TestACapturedToken:
    async def test_opens_the_request_it_was_signed_for(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        token = identities.token("claims-svc", Role.MEMBER, "member:1", method="GET", path="/claims/c-1")

        answer = await service.get("/claims/c-1", headers={IDENTITY_HEADER: token})

        assert answer.status_code == 200
        assert answer.json() == {"subject": "member:1", "claim": "c-1"}

    async def test_replayed_on_another_path_is_refused(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        token = identities.token("claims-svc", Role.MEMBER, "member:1", method="GET", path="/claims/c-1")

        answer = await service.get("/claims/c-2", headers={IDENTITY_HEADER: token})

        assert misdirected(answer), answer.text

    async def test_replayed_with_another_method_is_refused(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        token = identities.token("claims-svc", Role.MEMBER, "member:1", method="GET", path="/claims/c-1")

        answer = await service.delete("/claims/c-1", headers={IDENTITY_HEADER: token})

        assert misdirected(answer), answer.text

    async def test_replayed_with_another_query_string_is_refused(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        token = identities.token(
            "claims-svc", Role.MANAGER, "manager1", method="GET", path="/claims", query=b"status=open"
        )

        kept = await service.get("/claims?status=open", headers={IDENTITY_HEADER: token})
        changed = await service.get("/claims?status=open&member=m-2", headers={IDENTITY_HEADER: token})
        dropped = await service.get("/claims", headers={IDENTITY_HEADER: token})

        assert kept.status_code == 200
        assert misdirected(changed), changed.text
        assert misdirected(dropped), dropped.text

    async def test_for_another_service_is_refused(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        token = identities.token("member-svc", Role.ADMIN, "admin", method="GET", path="/claims/c-1")

        answer = await service.get("/claims/c-1", headers={IDENTITY_HEADER: token})

        assert answer.status_code == 401

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({}, id="bound-to-nothing"),
            pytest.param({"htm": "GET", "htp": "/claims/c-1", "hqs": "", "exp_offset": -120}, id="expired"),
        ],
    )
    async def test_unbound_or_expired_is_refused(
        self, service: httpx.AsyncClient, identities: Identities, claims: dict[str, object]
    ) -> None:
        key = serialization.load_pem_private_key(
            identities.public_key_file.with_name("internal-token.key").read_bytes(), password=None
        )
        now = int(time.time())
        offset = int(str(claims.pop("exp_offset", 60)))
        body = {
            "iss": ISSUER,
            "aud": "claims-svc",
            "iat": now,
            "exp": now + offset,
            "subject": "x",
            "role": "admin",
        }
        token = jwt.encode({**body, **claims}, key, algorithm="EdDSA")  # type: ignore[arg-type]

        answer = await service.get("/claims/c-1", headers={IDENTITY_HEADER: token})

        assert answer.status_code == 401


class StandaloneSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BOUND_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "claims-svc"
    database_name: ClassVar[str] = "postgres"
    default_port: ClassVar[int] = 8998


def nothing_listens() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestWithoutRedis:
    async def test_a_service_authenticates_every_request_without_a_word_to_redis(
        self, infra: Infra, identities: Identities, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A service built by the kit, on the session's Postgres, whose Redis hangs (it accepts
        connections and never answers, as in a failover) and whose Kafka is gone: tokens are verified as
        ever, a misdirected one is still refused, and no request opens a connection to Redis."""
        connections = 0

        async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            await reader.read()  # until the client gives up
            writer.close()

        hung_redis = await asyncio.start_server(hang, "127.0.0.1", 0)
        port = hung_redis.sockets[0].getsockname()[1]
        monkeypatch.setenv("POSTGRES_DSN", infra.postgres_dsn)
        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
        monkeypatch.setenv("REDIS_SOCKET_TIMEOUT_SECONDS", "0.5")
        monkeypatch.setenv("DEPENDENCY_PROBE_INTERVAL_SECONDS", "3600")  # the start-up probe only
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{nothing_listens()}")
        monkeypatch.setenv("INTERNAL_TOKEN_PUBLIC_KEY_FILE", str(identities.public_key_file))
        monkeypatch.setenv("OTEL_ENABLED", "false")
        app = create_service_app(StandaloneSettings(consumers_enabled=False), routers=[router])
        member = identities.headers("claims-svc", Role.MEMBER, "member:1")  # signed per request by the client
        stolen = identities.token(
            "claims-svc", Role.MEMBER, "member:1", method="GET", path="/api/v1/claims/c-1"
        )

        async with hung_redis, app_client(app) as http:
            after_start = connections
            answers = [
                await http.get("/api/v1/claims/c-1", headers=member),
                await http.get("/api/v1/claims", params={"status": "open", "q": "闽A 1"}, headers=member),
                await http.delete("/api/v1/claims/c-1", headers=member),
            ]
            replayed = await http.delete("/api/v1/claims/c-1", headers={IDENTITY_HEADER: stolen})
            during_requests = connections - after_start

        assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
        assert misdirected(replayed), replayed.text
        assert during_requests == 0

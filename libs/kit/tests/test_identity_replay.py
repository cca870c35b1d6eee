"""The internal identity token is good for one request (security issue 17, Low): a copied token is refused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from cheyou_devinfra.manager import Infra
from cheyou_kit.errors import install_problem_handlers
from cheyou_kit.identity import IDENTITY_HEADER, ISSUER, IdentityVerifier, PrincipalDep, Role
from cheyou_kit.testing import Identities
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from redis.asyncio import Redis


@pytest.fixture
def identities(tmp_path: Path) -> Identities:
    return Identities(tmp_path)


@pytest.fixture
async def service(infra: Infra, identities: Identities) -> AsyncIterator[httpx.AsyncClient]:
    """A service as the kit builds it: the verifier keeps the tokens it has seen in Redis."""
    redis = Redis.from_url(infra.redis_url)
    app = FastAPI()
    install_problem_handlers(app)
    app.state.identity_verifier = IdentityVerifier(
        identities.public_key_file.read_bytes(), audience="claims-svc", redis=redis
    )

    @app.post("/claims")
    async def report(principal: PrincipalDep) -> dict[str, str]:
        return {"subject": principal.subject}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        yield client
    await redis.aclose()


class TestReplay:
    async def test_a_token_sent_twice_is_refused_the_second_time(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        token = identities.token("claims-svc", Role.MEMBER, subject="member:1")

        first = await service.post("/claims", headers={IDENTITY_HEADER: token})
        replayed = await service.post("/claims", headers={IDENTITY_HEADER: token})

        assert first.status_code == 200
        assert replayed.status_code == 401
        assert replayed.json()["type"].endswith("/identity-token-reused")

    async def test_a_retry_with_a_new_token_goes_through(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("claims-svc", Role.MEMBER, subject="member:2")  # signed anew per read

        answers = [await service.post("/claims", headers=headers) for _ in range(3)]

        assert [answer.status_code for answer in answers] == [200, 200, 200]

    async def test_a_token_without_a_jti_is_refused(
        self, service: httpx.AsyncClient, identities: Identities
    ) -> None:
        key = serialization.load_pem_private_key(
            identities.public_key_file.with_name("internal-token.key").read_bytes(), password=None
        )
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": "claims-svc",
            "iat": now,
            "exp": now + 60,
            "subject": "x",
            "role": "member",
        }
        token = jwt.encode(claims, key, algorithm="EdDSA")  # type: ignore[arg-type]

        answers = [
            (await service.post("/claims", headers={IDENTITY_HEADER: token})).status_code for _ in range(2)
        ]

        assert answers == [401, 401]

"""The launched platform answers, and one policy event reaches two services through the real broker."""

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from cheyou_devinfra.platform import Service
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import PolicyIssued, PolicyLine, VehicleKind
from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role
from cheyou_kit.testing import eventually, publish


async def test_every_service_is_ready(services: dict[str, Service]) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for service in services.values():
            response = await http.get(f"{service.url}/readyz")

            assert response.status_code == 200, service.name
            checks = response.json()["checks"]  # a service may check more (claims-svc: its file storage)
            assert checks["database"] == "ok"
            # Kafka and Redis are no readiness conditions (an outage of either must not empty the
            # Services): they are metrics — test_outages.py
            assert "redis" not in checks
            assert "broker" not in checks
            assert set(checks.values()) == {"ok"}
            for dependency in ("kafka", "redis"):
                up = f'cheyou_dependency_up{{dependency="{dependency}",service="{service.name}"}} 1.0'

                async def reported(url: str = service.url, line: str = up) -> bool:
                    # A probe every few seconds, not a readiness condition: right after another test
                    # restarted Redis or Kafka the gauge may still hold the last probe's 0.
                    return line in (await http.get(f"{url}/metrics")).text

                await eventually(reported, within=30, what=f"{service.name} to report {dependency} up")


async def test_a_service_refuses_requests_that_bypass_the_gateway(services: dict[str, Service]) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(f"{services['member-svc'].url}/api/v1/policies/P1")

    assert response.status_code == 401


async def test_a_policy_from_the_core_feed_reaches_member_svc_and_claims_svc(
    platform_kafka: str, platform: Path, services: dict[str, Service]
) -> None:
    customer, policy = f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:8]}"
    event = PolicyIssued(
        policy_no=policy,
        customer_no=customer,
        line=PolicyLine.COMMERCIAL,
        vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
        premium_fen=412_000,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        branch_code="350100",
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    await publish(platform_kafka, Envelope.new(event, source="core-policy-system"))
    signer = IdentitySigner((platform / "keys" / "internal-token.key").read_bytes())

    def as_ops(audience: str, path: str, query: bytes = b"") -> dict[str, str]:
        """As the gateway would sign it: for this service, this GET and this query only."""
        principal = Principal(subject="ops-1", role=Role.OPS)
        return {IDENTITY_HEADER: signer.sign(principal, audience, method="GET", path=path, query=query)}

    async with httpx.AsyncClient(timeout=5) as http:

        async def in_member_svc() -> dict[str, object] | None:
            path = f"/api/v1/policies/{policy}"
            response = await http.get(
                f"{services['member-svc'].url}{path}", headers=as_ops("member-svc", path)
            )
            return response.json() if response.status_code == 200 else None

        async def in_claims_svc() -> list[dict[str, object]] | None:
            path = f"/api/v1/cover/{customer}"
            response = await http.get(
                f"{services['claims-svc'].url}{path}",
                params={"on": "2026-07-01"},
                headers=as_ops("claims-svc", path, b"on=2026-07-01"),
            )
            return response.json() or None

        assert (await eventually(in_member_svc, within=30))["premium_fen"] == 412_000
        assert [c["policy_no"] for c in await eventually(in_claims_svc, within=30)] == [policy]

"""member-svc's test data and steps: valid, unique real-name data (check digits computed, never hard-coded),
registration and verification through the API, and reading ``member.events``."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from typing import Any

import httpx
from cheyou_events.catalogue.policy import PolicyIssued, PolicyLine, VehicleKind
from cheyou_events.testing import read_topic
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually
from member_svc.config import Settings
from member_svc.identifiers import vin_check_digit
from member_svc.pii import PiiCipher
from stdnum.cn import ric

_rng = random.Random()


def id_number(gender: str = "male") -> str:
    born = date(1960 + _rng.randrange(40), 1 + _rng.randrange(12), 1 + _rng.randrange(28))
    sequence = _rng.randrange(100) * 10 + (
        _rng.choice([1, 3, 5, 7, 9]) if gender == "male" else _rng.choice([0, 2, 4, 6, 8])
    )
    body = f"350102{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def phone() -> str:
    return f"139{_rng.randrange(10**8):08d}"


def vin() -> str:
    chars = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    body = "LSV" + "".join(_rng.choice(chars) for _ in range(14))
    return body[:8] + vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]


def plate() -> str:
    return "闽A" + "".join(_rng.choice("0123456789") for _ in range(5))


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "林小明",
        "id_number": id_number(),
        "phone": phone(),
        "region_code": "350102",
        "interests": ["photography", "self_drive"],
        "vehicles": [{"plate": plate(), "vin": vin()}],
        "channel": "wechat",
        **overrides,
    }


ISSUED_AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def policy_issued(customer_no: str, policy_no: str, **fields: Any) -> PolicyIssued:
    """The core system's ``PolicyIssued`` for a commercial household-car policy of 2026, issued at
    ``ISSUED_AT``; ``fields`` add or override the rest (``holder_id_hash``, ``premium_fen``, ``plate``…)."""
    return PolicyIssued.model_validate(
        {
            "policy_no": policy_no,
            "customer_no": customer_no,
            "line": PolicyLine.COMMERCIAL,
            "vehicle_kind": VehicleKind.HOUSEHOLD_CAR,
            "premium_fen": 356_000,
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
            "branch_code": "350100",
            "issued_at": ISSUED_AT,
            **fields,
        }
    )


def holder_hash(settings: Settings, id_no: str) -> str:
    """The ``holder_id_hash`` the core system sends for this ID number."""
    return PiiCipher.from_settings(settings).lookup_hash(id_no)


async def register(client: httpx.AsyncClient, identities: Identities, **overrides: Any) -> dict[str, Any]:
    body = registration(**overrides)
    response = await client.post(
        "/api/v1/members", json=body, headers=identities.headers("member-svc", Role.SERVICE)
    )
    assert response.status_code == 201, response.text
    return {**body, **response.json()}


async def verify(
    client: httpx.AsyncClient,
    identities: Identities,
    member_id: str,
    reviewer_id: str = "reviewer1",
    callbacks: int = 0,
) -> None:
    """Claim tasks until this member's comes up, record ``callbacks`` reached calls and approve it (other
    tasks are released)."""
    reviewer = identities.headers("member-svc", Role.REVIEWER, subject=reviewer_id, staff_id=reviewer_id)
    seen: list[str] = []
    while True:
        response = await client.post("/api/v1/applications/claim", headers=reviewer)
        assert response.status_code == 200, response.text
        task = response.json()
        if task["member_id"] == member_id:
            break
        seen.append(task["task_id"])
    for _ in range(callbacks):
        called = await client.post(
            f"/api/v1/applications/{task['task_id']}/callbacks", json={"outcome": "reached"}, headers=reviewer
        )
        assert called.status_code == 201, called.text
    approved = await client.post(f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer)
    assert approved.status_code == 200, approved.text
    for task_id in seen:
        await client.post(f"/api/v1/applications/{task_id}/release", headers=reviewer)


async def member_events(
    bootstrap: str, member_id: str, event_type: str, count: int = 1
) -> list[dict[str, Any]]:
    """The events of ``event_type`` for this member on ``member.events``, once ``count`` are there."""

    async def probe() -> list[Any] | None:  # records of this member's events
        found = []
        for record in await read_topic(bootstrap, "member.events"):
            headers = {k: v.decode() for k, v in record.headers}
            if headers.get("ce_type") == event_type and record.key == member_id.encode():
                found.append(record)
        return found if len(found) >= count else None

    records = await eventually(probe)
    return [json.loads(r.value) for r in records]

"""When a claim was settled: its first payment, kept through a reopening; claims paid before the column
existed get it from their timeline (migration 0007)."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.migrations import downgrade, upgrade
from cheyou_kit.testing import migrated_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ..conftest import Arrange  # noqa: TID252

SERVICE_ROOT = Path(__file__).parents[2]
PDF = b"%PDF-1.4\n%%EOF\n"
BASICS = ["id_card", "driving_licence", "vehicle_licence", "bank_card", "repair_invoice"]


async def paid_claim(client: httpx.AsyncClient, arrange: Arrange, member: uuid.UUID) -> str:
    claim = await arrange.confirmed(member)
    for kind in BASICS:
        await client.post(
            f"/api/v1/claims/{claim['id']}/documents",
            data={"kind": kind},
            files={"file": ("scan.pdf", PDF, "application/pdf")},
            headers=arrange.member(member),
        )
    ops = arrange.staff(Role.OPS)
    url = f"/api/v1/claims/{claim['id']}"
    await client.post(f"{url}/adjudication", json={"decision": "approved", "amount_fen": 8000}, headers=ops)
    assert (await client.post(f"{url}/payment", json={"amount_fen": 8000}, headers=ops)).status_code == 200
    return str(claim["id"])


async def test_a_claim_paid_again_after_reopening_keeps_its_first_settlement(
    client: httpx.AsyncClient, arrange: Arrange
) -> None:
    ops = arrange.staff(Role.OPS)
    start = datetime.now(UTC)
    claim_id = await paid_claim(client, arrange, uuid.uuid4())
    url = f"/api/v1/claims/{claim_id}"
    await client.post(f"{url}/closure", headers=ops)
    await client.post(f"{url}/reopening", json={"reason": "漏报了后备箱的损失"}, headers=ops)
    await client.post(f"{url}/adjudication", json={"decision": "approved", "amount_fen": 9500}, headers=ops)
    again = await client.post(f"{url}/payment", json={"amount_fen": 1500}, headers=ops)
    assert again.json()["status"] == "paid"
    end = datetime.now(UTC) + timedelta(microseconds=1)

    figures = await client.get(
        "/api/v1/claim-reports/figures",
        params={"from": start.isoformat(), "to": end.isoformat()},
        headers=ops,
    )

    steps = (await client.get(f"{url}/timeline", params={"limit": 100}, headers=ops)).json()["items"]
    payments = [datetime.fromisoformat(s["at"]) for s in steps if s["code"] == "paid"]
    reported_at = datetime.fromisoformat(again.json()["reported_at"])
    assert len(payments) == 2
    assert figures.json()["total"]["settled"] == 1
    assert figures.json()["total"]["mean_seconds_to_settlement"] == pytest.approx(
        (payments[0] - reported_at).total_seconds(), abs=1e-3
    )


async def test_the_migration_takes_the_settlement_of_earlier_claims_from_their_timeline(infra: Any) -> None:
    url = await migrated_database(infra, SERVICE_ROOT, "claims_settled_at")
    await downgrade(SERVICE_ROOT, url, "0006")
    reported = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    paid, reopened, paid_again = (reported + timedelta(days=d) for d in (5, 9, 12))
    settled, unsettled = uuid.uuid4(), uuid.uuid4()
    engine = create_async_engine(url)
    insert_claim = text(
        "INSERT INTO claims (id, claim_no, member_id, policy_no, status, handling, on_site_reasons,"
        " accident_type, loss_at, reported_at, updated_at, latitude, longitude, address, city_code)"
        " VALUES (:id, :no, :member, 'PDAA1', :status, 'self_service', '{}', 'single_vehicle',"
        " :reported, :reported, :reported, 26.07, 119.3, '福州市鼓楼区', '350100')"
    )
    async with engine.begin() as connection:
        for n, claim_id in enumerate((settled, unsettled)):
            await connection.execute(
                insert_claim,
                {
                    "id": claim_id,
                    "no": f"35012026030200000{n}{uuid.uuid4().hex[:2]}",
                    "member": uuid.uuid4(),
                    "status": "paid" if claim_id == settled else "adjudicating",
                    "reported": reported,
                },
            )
        steps = [
            (settled, reported, "reported"),
            (settled, paid, "paid"),
            (settled, reopened, "reopened"),
            (settled, paid_again, "paid"),
            (unsettled, reported, "reported"),
        ]
        for claim_id, at, code in steps:
            await connection.execute(
                text(
                    "INSERT INTO claim_steps (claim_id, at, code, status, text)"
                    " VALUES (:claim, :at, :code, :code, '')"
                ),
                {"claim": claim_id, "at": at, "code": code},
            )

    await upgrade(SERVICE_ROOT, url)

    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT id, settled_at FROM claims"))
        rows: dict[uuid.UUID, datetime | None] = {row.id: row.settled_at for row in result}
    await engine.dispose()
    assert rows == {settled: paid, unsettled: None}

"""Invitation outreach from imported lists: consent per row, the ``member.invited`` event notify-svc
sends from, the personal link, opt-outs, and the conversion per list and per manager."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from cheyou_events import Envelope, sealing
from cheyou_events.catalogue.notify import InvitationOptedOut
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from member_svc.config import Settings

from ..factories import id_number, member_events, phone, registration, verify  # noqa: TID252

HEADER = "name,id_number,phone,region_code,plate,vin,manager_id,consent_basis,consent_ref,openid\n"


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.OPS, staff_id="ops1")


async def _import(client: httpx.AsyncClient, identities: Identities, rows: list[str]) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/members/imports", content=(HEADER + "\n".join(rows) + "\n").encode(), headers=ops(identities)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _report(client: httpx.AsyncClient, identities: Identities, by: str, key: str) -> dict[str, Any]:
    rows = (await client.get(f"/api/v1/member-reports/invitations?by={by}", headers=ops(identities))).json()
    return next(r for r in rows["rows"] if r["key"] == key)


class TestInvitations:
    async def test_a_row_with_consent_is_invited_and_converts_when_verified(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        invitee_id, invitee_phone = id_number(), phone()
        imported = await _import(
            client,
            identities,
            [
                f"郑一,{invitee_id},{invitee_phone},350102,,,manager1,written,FORM-0001,o-wx-invitee-{uuid.uuid4().hex[:6]}",
                f"郑二,{id_number()},{phone()},350102,,,manager1,,,",
            ],
        )
        [invited, silent] = imported["report"]
        assert (invited["status"], invited["contacted"]) == ("created", True)
        assert (silent["status"], silent["contacted"]) == ("created", False)

        [event] = await member_events(
            service_settings.kafka_bootstrap_servers, invited["member_id"], "cheyou.member.invited.v1"
        )
        data = event
        assert data["invitation_list_id"] == imported["id"]
        assert data["manager_id"] == "manager1"
        assert data["manager_code"] == "MK7Q2Z9A"
        assert data["consent_basis"] == "written"
        assert invitee_phone not in str(event)  # sealed, never in clear
        assert data["join_url"].endswith("?manager_code=MK7Q2Z9A")
        token = sealing.unseal(data["token_sealed"], partition_key=invited["member_id"], field="token")
        assert sealing.unseal(data["phone_sealed"], partition_key=invited["member_id"], field="phone") == (
            invitee_phone
        )

        opened = await client.get(f"/api/v1/invitations/{token}")  # no credentials: the token is the key
        assert opened.status_code == 200
        assert opened.json()["manager"]["display_name"]
        assert opened.json()["manager_code"] == "MK7Q2Z9A"
        assert opened.json()["name_masked"].startswith("郑")
        assert opened.json()["status"] == "open"

        applied = await client.post(
            "/api/v1/members",
            json=registration(id_number=invitee_id, phone=invitee_phone, manager_code="MK7Q2Z9A"),
            headers=identities.headers("member-svc", Role.SERVICE),
        )
        assert applied.status_code == 201
        await verify(client, identities, invited["member_id"])

        by_list = await _report(client, identities, "list", imported["id"])
        assert {k: by_list[k] for k in ("invited", "opened", "applied", "verified", "opted_out")} == {
            "invited": 1,
            "opened": 1,
            "applied": 1,
            "verified": 1,
            "opted_out": 0,
        }
        assert by_list["conversion"] == 1.0
        assert by_list["filename"] == "invitations.csv"
        kpis = (
            await client.get(
                "/api/v1/managers/manager1/kpis",
                headers=identities.headers(
                    "member-svc", Role.MANAGER, subject="manager1", staff_id="manager1"
                ),
            )
        ).json()
        assert kpis["invited"] >= 1
        assert kpis["invitations_verified"] >= 1
        assert (await client.get(f"/api/v1/invitations/{token}")).json()["status"] == "taken_up"

    async def test_an_opt_out_from_notify_svc_is_counted(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        imported = await _import(client, identities, [f"郑三,{id_number()},{phone()},,,,manager1,online,,"])
        member_id = imported["report"][0]["member_id"]
        opted = InvitationOptedOut(member_id=member_id, via="sms_reply", opted_out_at=datetime.now(UTC))
        event = Envelope.new(opted, source="notify-svc")

        await publish(service_settings.kafka_bootstrap_servers, event, event)

        async def counted() -> dict[str, Any] | None:
            row = await _report(client, identities, "list", imported["id"])
            return row if row["opted_out"] == 1 else None

        assert (await eventually(counted))["invited"] == 1

    async def test_an_unknown_or_malformed_link_is_refused(self, client: httpx.AsyncClient) -> None:
        unknown = await client.get(f"/api/v1/invitations/{'A' * 24}")
        malformed = await client.get("/api/v1/invitations/bad$token")

        assert unknown.status_code == 404
        assert malformed.status_code == 422

    async def test_an_unknown_consent_basis_is_an_invalid_row_that_writes_nothing(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        imported = await _import(client, identities, [f"郑四,{id_number()},{phone()},,,,,because,,"])

        assert imported["report"][0]["status"] == "invalid"
        assert imported["report"][0]["errors"][0]["field"] == "consent_basis"
        assert imported["created"] == 0

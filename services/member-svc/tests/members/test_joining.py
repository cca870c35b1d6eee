"""Identity at join (security issue 17, High 1, Medium 3 and 4), at member-svc: an applicant is whoever
proved a phone, registers that phone only, gets the same answer whoever holds the ID number, sees no
one's policies before a reviewer verifies them; the reviewer calls the number the insurer holds; the
sign-in phone and the WeChat binding change only through the gateway's proofs."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events.testing import read_topic
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually
from member_svc.config import Settings

from ..factories import holder_hash, id_number, phone, register, registration, verify  # noqa: TID252


def applicant(identities: Identities, proven: str) -> dict[str, str]:
    """What the gateway sends for someone with a phone proof: a member without a member id."""
    return identities.headers(
        "member-svc", Role.MEMBER, subject=f"applicant:{uuid.uuid4().hex[:8]}", verified_phone=proven
    )


def reviewer(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.REVIEWER, subject="reviewer1", staff_id="reviewer1")


def policy_issued(customer_no: str, policy_no: str, holder: str, **contact: str) -> dict[str, Any]:
    """A core policy event as a core system posts it over HTTP (the holder's contact in clear)."""
    return {
        "type": "cheyou.policy.issued.v1",
        "id": str(uuid.uuid4()),
        "data": {
            "policy_no": policy_no,
            "customer_no": customer_no,
            "line": "commercial",
            "vehicle_kind": "household_car",
            "premium_fen": 456_000,
            "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=364)).isoformat(),
            "branch_code": "350100",
            "issued_at": datetime.now(UTC).isoformat(),
            "holder_id_hash": holder,
            "plate": "闽A88888",
            **contact,
        },
    }


async def feed(client: httpx.AsyncClient, identities: Identities, *events: dict[str, Any]) -> None:
    response = await client.post(
        "/api/v1/policy-feed",
        json={"events": list(events)},
        headers=identities.headers("member-svc", Role.SERVICE),
    )
    assert response.status_code == 202, response.text


async def held(client: httpx.AsyncClient, identities: Identities, policy_no: str) -> dict[str, Any]:
    """The policy once the feed has reached the projection (as the admin reads it)."""
    admin = identities.headers("member-svc", Role.ADMIN)

    async def probe() -> dict[str, Any] | None:
        response = await client.get(f"/api/v1/policies/{policy_no}", headers=admin)
        return response.json() if response.status_code == 200 else None

    found: dict[str, Any] = await eventually(probe)
    return found


async def claimed_task(client: httpx.AsyncClient, identities: Identities, member_id: str) -> dict[str, Any]:
    """The reviewer claims until this member's application comes up (others are approved, as a queue
    worked in order would)."""
    for _ in range(100):
        response = await client.post("/api/v1/applications/claim", headers=reviewer(identities))
        assert response.status_code == 200, response.text
        task: dict[str, Any] = response.json()
        if task["member_id"] == member_id:
            return task
        await client.post(f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer(identities))
    raise AssertionError("the application never came up")


async def identify(client: httpx.AsyncClient, identities: Identities, number: str) -> httpx.Response:
    return await client.post(
        "/api/v1/members/identify",
        json={"phone": number},
        headers=identities.headers("member-svc", Role.SERVICE),
    )


class TestAStrangerWithALeakedIdNumber:
    async def test_joins_as_an_applicant_and_reads_none_of_the_holders_policies(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        victim_id, victim_phone, attacker_phone = id_number(), phone(), phone()
        customer, policy_no = f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:10]}"
        await feed(
            client,
            identities,
            policy_issued(
                customer,
                policy_no,
                holder_hash(service_settings, victim_id),
                holder_name="陈受害",
                holder_phone=victim_phone,
            ),
        )
        await held(client, identities, policy_no)

        joined = await client.post(
            "/api/v1/members",
            json=registration(id_number=victim_id, phone=attacker_phone, name="王冒名"),
            headers=applicant(identities, attacker_phone),
        )
        member_id = (await identify(client, identities, attacker_phone)).json()["member_id"]
        own = identities.headers("member-svc", Role.MEMBER, member_id=member_id)
        listed = await client.get("/api/v1/policies", headers=own)
        one = await client.get(f"/api/v1/policies/{policy_no}", headers=own)
        by_id = await client.get(f"/api/v1/policies?member_id={member_id}", headers=own)

        assert joined.status_code == 202, joined.text
        assert listed.status_code == 200
        assert listed.json()["items"] == []
        assert one.status_code == 404
        assert by_id.json()["items"] == []
        assert (await held(client, identities, policy_no))["member_id"] is None

    async def test_the_reviewer_calls_the_number_the_insurer_holds_and_sees_the_name_mismatch(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        victim_id, victim_phone, attacker_phone = id_number(), phone(), phone()
        customer, policy_no = f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:10]}"
        await feed(
            client,
            identities,
            policy_issued(
                customer,
                policy_no,
                holder_hash(service_settings, victim_id),
                holder_name="陈受害",
                holder_phone=victim_phone,
            ),
        )
        await held(client, identities, policy_no)
        await client.post(
            "/api/v1/members",
            json=registration(id_number=victim_id, phone=attacker_phone, name="王冒名"),
            headers=applicant(identities, attacker_phone),
        )
        member_id = (await identify(client, identities, attacker_phone)).json()["member_id"]

        task = await claimed_task(client, identities, member_id)

        record = task["core_record"]
        assert record["callback_phone_source"] == "insurer"
        assert record["callback_phone"] == victim_phone
        assert record["callback_phone_masked"] == victim_phone[:3] + "****" + victim_phone[-4:]
        assert record["id_number_known"] is True
        assert record["name_matches"] is False
        assert record["phone_matches"] is False
        assert len(record["mismatches"]) == 2

    async def test_without_an_insurer_record_the_reviewer_is_told_the_number_proves_nothing(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)

        task = await claimed_task(client, identities, member["member_id"])

        record = task["core_record"]
        assert record["callback_phone_source"] == "application"
        assert record["id_number_known"] is False
        assert record["name_matches"] is None
        assert record["mismatches"] == ["the insurer holds no policy for this ID-card number"]

    async def test_policies_attach_at_verification_by_the_id_number_the_reviewer_verified(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        first_id, second_id = id_number(), id_number()
        first_policy, second_policy = f"P{uuid.uuid4().hex[:10]}", f"P{uuid.uuid4().hex[:10]}"
        await feed(
            client,
            identities,
            policy_issued(f"C{uuid.uuid4().hex[:8]}", first_policy, holder_hash(service_settings, first_id)),
            policy_issued(
                f"C{uuid.uuid4().hex[:8]}", second_policy, holder_hash(service_settings, second_id)
            ),
        )
        await held(client, identities, first_policy)
        await held(client, identities, second_policy)
        member = await register(client, identities, id_number=first_id)
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        task = await claimed_task(client, identities, member["member_id"])
        await client.post(
            f"/api/v1/applications/{task['task_id']}/return",
            json={"fields": ["id_number"], "message": "please check the ID-card number"},
            headers=reviewer(identities),
        )

        switched = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"id_number": second_id}, headers=own
        )
        while_pending = await client.get("/api/v1/policies", headers=own)
        await verify(client, identities, member["member_id"])
        after = await client.get("/api/v1/policies", headers=own)

        assert switched.status_code == 200, switched.text
        assert while_pending.json()["items"] == []
        assert [p["policy_no"] for p in after.json()["items"]] == [second_policy]
        assert (await held(client, identities, first_policy))["member_id"] is None

    async def test_the_holders_contact_is_sealed_on_the_topic(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        holder_phone, customer, policy_no = phone(), f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:10]}"
        await feed(
            client,
            identities,
            policy_issued(
                customer, policy_no, holder_hash(service_settings, id_number()), holder_phone=holder_phone
            ),
        )
        await held(client, identities, policy_no)

        records = await read_topic(service_settings.kafka_bootstrap_servers, "core.policy.events")
        ours = [r for r in records if policy_no.encode() in r.value]

        assert ours
        assert all(holder_phone.encode() not in r.value for r in ours)
        assert all(b"holder_phone_sealed" in r.value for r in ours)


class TestSelfRegistration:
    async def test_without_a_proven_phone_nothing_is_looked_up(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration()
        unproven = identities.headers("member-svc", Role.MEMBER, subject="applicant:x")

        response = await client.post("/api/v1/members", json=body, headers=unproven)

        assert response.status_code == 401
        assert response.json()["type"].endswith("/phone-proof-required")
        assert (await identify(client, identities, body["phone"])).status_code == 404

    async def test_only_the_proven_phone_is_registered(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration()

        response = await client.post("/api/v1/members", json=body, headers=applicant(identities, phone()))

        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "phone_not_proven"
        assert (await identify(client, identities, body["phone"])).status_code == 404

    async def test_an_existing_members_id_number_makes_an_application_like_any_other_and_changes_nothing(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        """The oracle: were nothing made for a held number, the applicant would find no application to
        sign in to (the gateway's ``POST /auth/phone-proof``) — and know the number is a member's."""
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        fresh_phone, probe_phone = phone(), phone()

        fresh = await client.post(
            "/api/v1/members",
            json=registration(phone=fresh_phone),
            headers=applicant(identities, fresh_phone),
        )
        probe = await client.post(
            "/api/v1/members",
            json=registration(id_number=member["id_number"], phone=probe_phone),
            headers=applicant(identities, probe_phone),
        )
        taken_phone = await client.post(
            "/api/v1/members",
            json=registration(phone=member["phone"]),
            headers=applicant(identities, member["phone"]),
        )

        assert (fresh.status_code, probe.status_code, taken_phone.status_code) == (202, 202, 202)
        assert fresh.json() == probe.json() == taken_phone.json()
        seen = []
        for proven in (fresh_phone, probe_phone):
            found = await identify(client, identities, proven)
            assert found.status_code == 200, found.text
            assert found.json()["status"] == "pending"
            own = identities.headers("member-svc", Role.MEMBER, member_id=found.json()["member_id"])
            me = (await client.get(f"/api/v1/members/{found.json()['member_id']}", headers=own)).json()
            application = await client.get(f"/api/v1/members/{me['member_id']}/application", headers=own)
            seen.append(
                (sorted(me), me["status"], me["tier"], me["id_number_masked"] is not None, application.json())
            )
        assert seen[0] == seen[1]  # the applicant's own view: nothing tells the two apart
        found = await identify(client, identities, member["phone"])
        assert (found.json()["member_id"], found.json()["status"]) == (member["member_id"], "verified")

    async def test_an_invitation_is_taken_up_only_from_the_invited_phone(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        invited_id, invited_phone, attacker_phone = id_number(), phone(), phone()
        ops = identities.headers("member-svc", Role.OPS, staff_id="ops1")
        header = "name,id_number,phone,region_code,plate,vin,manager_id\n"
        rows = f"{header}周邀请,{invited_id},{invited_phone},,,,\n"
        await client.post("/api/v1/members/imports", content=rows.encode(), headers=ops)

        stolen = await client.post(
            "/api/v1/members",
            json=registration(id_number=invited_id, phone=attacker_phone),
            headers=applicant(identities, attacker_phone),
        )
        invitation = await identify(client, identities, invited_phone)
        taken_up = await client.post(
            "/api/v1/members",
            json=registration(id_number=invited_id, phone=invited_phone),
            headers=applicant(identities, invited_phone),
        )

        assert stolen.status_code == 202
        contested = await identify(client, identities, attacker_phone)  # an application of its own
        assert contested.json()["member_id"] != invitation.json()["member_id"]
        assert invitation.json()["status"] == "invited"
        assert taken_up.status_code == 202
        after = await identify(client, identities, invited_phone)
        assert (after.json()["member_id"], after.json()["status"]) == (
            invitation.json()["member_id"],
            "pending",
        )

    async def test_a_rejected_application_may_be_made_again_without_its_old_wechat_binding(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        openid = f"o{uuid.uuid4().hex}"
        member = await register(client, identities, openid=openid)
        task = await claimed_task(client, identities, member["member_id"])
        await client.post(
            f"/api/v1/applications/{task['task_id']}/reject",
            json={"reason": "not the policyholder"},
            headers=reviewer(identities),
        )
        again_phone = phone()

        again = await client.post(
            "/api/v1/members",
            json=registration(id_number=member["id_number"], phone=again_phone),
            headers=applicant(identities, again_phone),
        )
        found = await identify(client, identities, again_phone)
        by_openid = await client.post(
            "/api/v1/members/identify",
            json={"openid": openid},
            headers=identities.headers("member-svc", Role.SERVICE),
        )

        assert again.status_code == 202
        assert (found.json()["member_id"], found.json()["status"]) == (member["member_id"], "pending")
        assert by_openid.status_code == 404

    async def test_one_id_number_is_tried_a_few_times_a_day_whatever_the_phone(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        target = id_number()
        answers = []
        for _ in range(service_settings.registrations_per_id_day + 1):
            proven = phone()
            response = await client.post(
                "/api/v1/members",
                json=registration(id_number=target, phone=proven),
                headers=applicant(identities, proven),
            )
            answers.append(response.status_code)

        assert answers[:-1] == [202] * service_settings.registrations_per_id_day
        assert answers[-1] == 429

    async def test_one_phone_registers_a_few_times_a_day_whatever_the_id_number(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        proven = phone()
        answers = [
            (
                await client.post(
                    "/api/v1/members",
                    json=registration(phone=proven),
                    headers=applicant(identities, proven),
                )
            ).status_code
            for _ in range(service_settings.registrations_per_phone_day + 1)
        ]

        assert answers[-1] == 429
        assert set(answers[:-1]) == {202}


class TestContestedApplications:
    """An application that gives an ID number another member holds: kept (so the applicant cannot tell),
    shown to the reviewer as contested, phoned at the insurer's number, never approved."""

    async def test_the_reviewer_sees_the_contest_calls_the_insurers_number_and_cannot_approve(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        holder_id, holder_phone, attacker_phone = id_number(), phone(), phone()
        policy_no = f"P{uuid.uuid4().hex[:10]}"
        await feed(
            client,
            identities,
            policy_issued(
                f"C{uuid.uuid4().hex[:8]}",
                policy_no,
                holder_hash(service_settings, holder_id),
                holder_phone=holder_phone,
            ),
        )
        await held(client, identities, policy_no)
        holder = await register(client, identities, id_number=holder_id, phone=holder_phone)
        await verify(client, identities, holder["member_id"])
        await client.post(
            "/api/v1/members",
            json=registration(id_number=holder_id, phone=attacker_phone, name="王冒名"),
            headers=applicant(identities, attacker_phone),
        )
        contested_id = (await identify(client, identities, attacker_phone)).json()["member_id"]

        task = await claimed_task(client, identities, contested_id)
        approved = await client.post(
            f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer(identities)
        )
        rejected = await client.post(
            f"/api/v1/applications/{task['task_id']}/reject",
            json={"reason": "the policyholder is already a member and did not apply again"},
            headers=reviewer(identities),
        )

        record = task["core_record"]
        assert record["callback_phone_source"] == "insurer"
        assert record["callback_phone"] == holder_phone
        assert any("another member already holds" in m for m in record["mismatches"])
        assert record["id_number_contested"] is True
        assert task["policies"][0]["policy_no"] == policy_no  # the evidence of the number given
        assert approved.status_code == 409
        assert approved.json()["type"].endswith("/id-number-held-by-another-member")
        assert rejected.status_code == 200, rejected.text
        still = await identify(client, identities, holder_phone)
        assert (still.json()["member_id"], still.json()["status"]) == (holder["member_id"], "verified")
        assert (await held(client, identities, policy_no))["member_id"] == holder["member_id"]

    async def test_an_applicant_correcting_to_a_held_id_number_is_not_told_but_staff_are(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        holder = await register(client, identities)
        await verify(client, identities, holder["member_id"])
        member = await register(client, identities)
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        task = await claimed_task(client, identities, member["member_id"])
        await client.post(
            f"/api/v1/applications/{task['task_id']}/return",
            json={"fields": ["id_number", "name"], "message": "please check the ID-card number"},
            headers=reviewer(identities),
        )
        ops = identities.headers("member-svc", Role.OPS, staff_id="ops1")

        by_ops = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"id_number": holder["id_number"]}, headers=ops
        )
        by_applicant = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"id_number": holder["id_number"]}, headers=own
        )
        requeued = await claimed_task(client, identities, member["member_id"])

        assert by_ops.status_code == 409
        assert by_ops.json()["type"].endswith("/member-exists")
        assert by_applicant.status_code == 200, by_applicant.text
        assert by_applicant.json()["status"] == "pending"
        assert any("another member already holds" in m for m in requeued["core_record"]["mismatches"])
        approved = await client.post(
            f"/api/v1/applications/{requeued['task_id']}/approve", headers=reviewer(identities)
        )
        assert approved.status_code == 409


class TestContactChanges:
    async def test_a_member_cannot_change_the_sign_in_phone_by_naming_it(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        ops = identities.headers("member-svc", Role.OPS, staff_id="ops1")
        new = phone()

        by_member = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"phone": new}, headers=own
        )
        by_ops = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"phone": new}, headers=ops
        )
        direct = await client.put(
            f"/api/v1/members/{member['member_id']}/phone", json={"phone": new}, headers=own
        )

        assert by_member.status_code == 403
        assert by_member.json()["type"].endswith("/phone-change-needs-proof")
        assert by_ops.status_code == 403
        assert direct.status_code == 403
        assert (await identify(client, identities, new)).status_code == 404

    @pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN, Role.OPS])
    async def test_no_client_binds_wechat_by_naming_an_openid(
        self, client: httpx.AsyncClient, identities: Identities, role: Role
    ) -> None:
        member = await register(client, identities)
        caller = identities.headers("member-svc", role, member_id=member["member_id"], staff_id="someone")
        openid = f"o{uuid.uuid4().hex}"

        response = await client.put(
            f"/api/v1/members/{member['member_id']}/openid", json={"openid": openid}, headers=caller
        )

        assert response.status_code == 403
        found = await client.post(
            "/api/v1/members/identify",
            json={"openid": openid},
            headers=identities.headers("member-svc", Role.SERVICE),
        )
        assert found.status_code == 404

    async def test_staff_cannot_register_someone_with_an_openid(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        ops = identities.headers("member-svc", Role.OPS, staff_id="ops1")

        response = await client.post(
            "/api/v1/members", json=registration(openid=f"o{uuid.uuid4().hex}"), headers=ops
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "openid_needs_proof"

    async def test_the_gateway_changes_the_phone_and_learns_the_number_to_warn(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        new = phone()

        changed = await client.put(
            f"/api/v1/members/{member['member_id']}/phone",
            json={"phone": new},
            headers=identities.headers("member-svc", Role.SERVICE),
        )

        assert changed.status_code == 200, changed.text
        assert changed.json()["previous_phone"] == member["phone"]
        assert (await identify(client, identities, new)).json()["member_id"] == member["member_id"]
        assert (await identify(client, identities, member["phone"])).status_code == 404

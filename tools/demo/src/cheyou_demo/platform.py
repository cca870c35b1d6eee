"""The driver the e2e suite, the browser journeys and the benchmarks share: the running platform's
public doors — sign in as anyone, register and verify members, feed the core system's policies."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from cheyou_demo.core_system import holder_id_hash
from cheyou_demo.people import id_number, phone_number, plate
from cheyou_demo.sign_in import ADMIN_PASSWORD, STAFF_PASSWORD, choose_on_wechat_page, otp_code


async def decide(reviewer: httpx.AsyncClient, task_id: str) -> httpx.Response:
    """Approve a claimed application — or reject it when another member holds its ID number (a contested
    application, which cannot be approved), as the reviewer does after calling the insurer's number."""
    approved = await reviewer.post(f"/applications/{task_id}/approve")
    if approved.status_code == 409 and approved.json().get("type", "").endswith(
        "/id-number-held-by-another-member"
    ):
        reason = {"reason": "保单持有人已是会员，未再次申请"}
        return await reviewer.post(f"/applications/{task_id}/reject", json=reason)
    return approved


@dataclass
class Member:
    member_id: str
    name: str
    id_number: str
    phone: str
    openid: str
    plate: str
    customer_no: str
    http: httpx.AsyncClient  # signed in as this member


class Platform:
    """The running platform's public doors."""

    def __init__(self, gateway: str, wechat: str, sms: str, pii_hash_key: bytes) -> None:
        self.gateway, self.wechat, self.sms = gateway, wechat, sms
        self._hash_key = pii_hash_key
        self._clients: list[httpx.AsyncClient] = []
        self.rng = random.Random()

    def client(self, **headers: str) -> httpx.AsyncClient:
        http = httpx.AsyncClient(base_url=f"{self.gateway}/api/v1", headers=headers, timeout=20)
        self._clients.append(http)
        return http

    async def aclose(self) -> None:
        for http in self._clients:
            await http.aclose()

    def holder_id_hash(self, id_card: str) -> str:
        """What the core policy system puts in ``holder_id_hash`` (it shares member-svc's hash key)."""
        return holder_id_hash(self._hash_key, id_card)

    async def staff(self, username: str) -> httpx.AsyncClient:
        password = ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD
        async with httpx.AsyncClient(base_url=f"{self.gateway}/api/v1", timeout=20) as anonymous:
            response = await anonymous.post(
                "/auth/staff/login", json={"username": username, "password": password}
            )
        assert response.status_code == 200, response.text
        return self.client(Authorization=f"Bearer {response.json()['access_token']}")

    async def merchant(self, api_key: str) -> httpx.AsyncClient:
        return self.client(**{"X-Api-Key": api_key})

    async def sign_in_wechat(self, openid: str) -> httpx.AsyncClient:
        """As the H5 and a browser do: the gateway's authorize URL, WeChat's page, the code back."""
        async with httpx.AsyncClient(timeout=10) as http:
            started = await http.get(
                f"{self.gateway}/api/v1/auth/wechat/authorize-url", params={"redirect": "/h5/"}
            )
            assert started.status_code == 200, started.text
            code, state = await choose_on_wechat_page(http, started.json()["url"], openid)
            response = await http.post(
                f"{self.gateway}/api/v1/auth/wechat",
                json={"code": code, "state": state, "verifier": started.json()["verifier"]},
            )
        assert response.status_code == 200, response.text
        return self.client(Authorization=f"Bearer {response.json()['access_token']}")

    async def _otp(self, http: httpx.AsyncClient, phone: str) -> httpx.Response:
        """A code texted to ``phone`` (read from the fake SMS provider), sent back: the gateway's answer."""
        sent = await http.post(f"{self.gateway}/api/v1/auth/otp", json={"phone": phone})
        assert sent.status_code in (200, 201, 202, 204), sent.text
        messages = (await http.get(f"{self.sms}/_fake/messages", params={"phone": phone})).json()["items"]
        code = otp_code(messages[-1])
        return await http.post(f"{self.gateway}/api/v1/auth/otp/verify", json={"phone": phone, "code": code})

    async def sign_in_phone(self, phone: str) -> httpx.AsyncClient:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await self._otp(http, phone)
        assert response.status_code == 200, response.text
        assert "access_token" in response.json(), f"no member has {phone[:3]}…: {response.text}"
        return self.client(Authorization=f"Bearer {response.json()['access_token']}")

    async def phone_proof(self, phone: str) -> str:
        """What a newcomer's right code gives: the proof to join with (``X-Phone-Proof``)."""
        async with httpx.AsyncClient(timeout=10) as http:
            response = await self._otp(http, phone)
        assert response.status_code == 200, response.text
        proof: str = response.json()["phone_proof"]
        return proof

    async def bind_wechat(self, member: httpx.AsyncClient, openid: str) -> None:
        """The signed-in member binds the WeChat account ``openid`` through WeChat's authorize page."""
        started = await member.get("/auth/wechat/authorize-url", params={"redirect": "/h5/"})
        assert started.status_code == 200, started.text
        async with httpx.AsyncClient(timeout=10) as http:
            code, state = await choose_on_wechat_page(http, started.json()["url"], openid)
        bound = await member.post(
            "/auth/wechat-binding",
            json={"code": code, "state": state, "verifier": started.json()["verifier"]},
        )
        assert bound.status_code == 200, bound.text

    async def wechat_messages(self, openid: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{self.wechat}/_fake/messages", params={"touser": openid})
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def sms_messages(self, phone: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{self.sms}/_fake/messages", params={"phone": phone})
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def register(self, ops: httpx.AsyncClient, **extra: Any) -> Member:
        """A customer registered by ops (web channel), who signs in by SMS code and binds WeChat (a WeChat
        account is bound only with its authorization code, never by naming an openid)."""
        rng = self.rng
        male = extra.pop("male", True)
        for _ in range(5):  # a random identity someone already has: draw another one
            person: dict[str, Any] = {
                "name": rng.choice("林陈黄张吴王郑李")
                + rng.choice(["晓东", "丽华", "建平", "秀英", "志强", "海燕"]),
                "id_number": id_number(rng, male=male),
                "phone": phone_number(rng),
                "vehicles": [{"plate": plate(rng)}],
                "region_code": "350102",
            }
            person.update(extra)
            response = await ops.post("/members", json=person)
            drawn = {"id_number", "phone", "vehicles"} - extra.keys()
            if response.status_code != 409 or response.json().get("field") not in drawn:
                break
        assert response.status_code == 201, response.text
        member_id = response.json()["member_id"]
        openid = f"o-e2e-{uuid.uuid4().hex[:20]}"
        http = await self.sign_in_phone(person["phone"])
        await self.bind_wechat(http, openid)
        return Member(
            member_id=member_id,
            name=person["name"],
            id_number=person["id_number"],
            phone=person["phone"],
            openid=openid,
            plate=person["vehicles"][0]["plate"] if person["vehicles"] else "",
            customer_no=f"C{uuid.uuid4().hex[:12]}",
            http=http,
        )

    async def verify(self, reviewer: httpx.AsyncClient, member_id: str) -> dict[str, Any]:
        """The reviewer works the queue until this member's application is approved (leftovers of
        interrupted runs ahead of it are approved too: the queue is first come, first served)."""
        for _ in range(200):
            claimed = await reviewer.post("/applications/claim")
            assert claimed.status_code == 200, claimed.text
            task = claimed.json()
            called = await reviewer.post(
                f"/applications/{task['task_id']}/callbacks",
                json={"outcome": "reached", "notes": "电话核实一致"},
            )
            assert called.status_code == 201, called.text
            if task["member_id"] != member_id:
                decided = await decide(reviewer, task["task_id"])
                assert decided.status_code == 200, decided.text
                continue
            approved = await reviewer.post(f"/applications/{task['task_id']}/approve")
            assert approved.status_code == 200, approved.text
            result: dict[str, Any] = approved.json()
            return result
        raise AssertionError(f"the application of {member_id} never came up")

    async def member(self, ops: httpx.AsyncClient, reviewer: httpx.AsyncClient, **extra: Any) -> Member:
        member = await self.register(ops, **extra)
        await self.verify(reviewer, member.member_id)
        return member

    async def feed(self, admin: httpx.AsyncClient, *events: dict[str, Any]) -> None:
        """The core policy system's feed, posted through the gateway."""
        response = await admin.post("/policy-feed", json={"events": list(events)})
        assert response.status_code in (200, 201, 202), response.text

    def policy_issued(
        self, member: Member, premium_fen: int, *, policy_no: str | None = None, line: str = "commercial"
    ) -> dict[str, Any]:
        today = date.today()
        return {
            "type": "cheyou.policy.issued.v1",
            "id": str(uuid.uuid4()),
            "data": {
                "policy_no": policy_no or f"P{uuid.uuid4().hex[:14]}",
                "customer_no": member.customer_no,
                "line": line,
                "vehicle_kind": "household_car",
                "premium_fen": premium_fen,
                "starts_on": (today - timedelta(days=300)).isoformat(),
                "ends_on": (today + timedelta(days=64)).isoformat(),
                "branch_code": "350100",
                "issued_at": datetime.now(UTC).isoformat(),
                "holder_id_hash": self.holder_id_hash(member.id_number),
                "plate": member.plate,
            },
        }

    def policy_renewed(self, member: Member, previous: str, premium_fen: int) -> dict[str, Any]:
        today = date.today()
        return {
            "type": "cheyou.policy.renewed.v1",
            "id": str(uuid.uuid4()),
            "data": {
                "policy_no": f"P{uuid.uuid4().hex[:14]}",
                "previous_policy_no": previous,
                "customer_no": member.customer_no,
                "line": "commercial",
                "vehicle_kind": "household_car",
                "premium_fen": premium_fen,
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=364)).isoformat(),
                "branch_code": "350100",
                "renewed_at": datetime.now(UTC).isoformat(),
                "holder_id_hash": self.holder_id_hash(member.id_number),
                "plate": member.plate,
            },
        }

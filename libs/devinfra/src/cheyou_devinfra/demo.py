"""The demo world, made through the public API only (``python -m cheyou_devinfra.demo --gateway …``):
a few members per tier, or with ``--scale S`` the seed's 2014 Fuzhou world (``demo_world``).

Also the driver the e2e suite shares: sign in as anyone, register and verify members, feed policies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

STAFF_PASSWORD = "cheyou-demo-2026"
ADMIN_PASSWORD = "cheyou-admin-2026"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


FUZHOU_DISTRICTS = ("350102", "350103", "350104", "350105", "350111", "350112", "350121", "350122")


def id_number(rng: random.Random, *, birth_year: int | None = None, male: bool = True) -> str:
    """A valid mainland ID-card number from Fuzhou (checksum per GB 11643); ~48 million of them, so the
    few thousand a test session makes rarely meet (``Platform.register`` draws again when they do)."""
    year = birth_year if birth_year is not None else rng.randrange(1960, 2000)
    sequence = rng.randrange(100, 999)
    sequence += (sequence % 2 == 0) == male  # odd = male
    district = rng.choice(FUZHOU_DISTRICTS)
    body = f"{district}{year}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{sequence % 1000:03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def phone_number(rng: random.Random) -> str:
    return f"139{rng.randrange(10**8):08d}"


def plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "闽A" + rng.choice(letters) + "".join(rng.choice("0123456789") for _ in range(4))


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


async def choose_on_wechat_page(http: httpx.AsyncClient, authorize_url: str, openid: str) -> tuple[str, str]:
    """What a browser does on the fake WeChat authorize page the gateway sent it to: choose ``openid``.
    The ``code`` and ``state`` WeChat puts on the redirect back to our page."""
    url = httpx.URL(authorize_url)
    chosen = await http.post(
        str(url.copy_with(query=None, fragment=None)), data={**dict(url.params), "openid": openid}
    )
    if chosen.status_code != 302:
        raise httpx.HTTPStatusError(
            f"the WeChat authorize page answered {chosen.status_code}",
            request=chosen.request,
            response=chosen,
        )
    back = httpx.URL(chosen.headers["location"])
    return back.params["code"], back.params["state"]


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
        return hmac.new(self._hash_key, id_card.encode(), hashlib.sha256).hexdigest()

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
        code = _otp_code(messages[-1])
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


def _otp_code(message: dict[str, Any]) -> str:
    import json
    import re

    params = message.get("template_param")
    if isinstance(params, str):
        params = json.loads(params)
    if isinstance(params, dict) and "code" in params:
        return str(params["code"])
    found = re.search(r"\b(\d{6})\b", json.dumps(message))
    assert found, message
    return found.group(1)


def b64key() -> tuple[str, bytes]:
    raw = hashlib.sha256(uuid.uuid4().bytes).digest()
    return base64.b64encode(raw).decode(), raw


# --- the demo world --------------------------------------------------------------------------------

# Annual premium (fen) that puts a customer in each tier under tier rules v1 (three-star ≥ 6,000 yuan of
# contribution, four-star ≥ 12,000, five-star ≥ 25,000); prospective customers hold no policy.
TIER_PREMIUMS = {"prospective": None, "ordinary": 400_000, "three_star": 800_000, "four_star": 1_400_000}
TIER_PREMIUMS["five_star"] = 2_800_000


async def seed(gateway: str, wechat: str, sms: str, hash_key: bytes, per_tier: int) -> dict[str, Any]:
    """A few verified members per tier with their policies, and a contracted merchant, all through the API."""
    cheyou = Platform(gateway, wechat, sms, hash_key)
    try:
        ops, reviewer, admin = [await cheyou.staff(name) for name in ("ops1", "reviewer1", "admin")]
        members: dict[str, list[str]] = {}
        for tier, premium in TIER_PREMIUMS.items():
            for _ in range(per_tier):
                member = await cheyou.member(ops, reviewer, manager_code="MK7Q2Z9A")
                if premium is not None:
                    await cheyou.feed(admin, cheyou.policy_issued(member, premium))
                members.setdefault(tier, []).append(member.member_id)
        staff_ops = ops
        created = await staff_ops.post(
            "/merchants",
            json={
                "name": f"福州安途代驾{uuid.uuid4().hex[:4]}",
                "category": "designated_driving",
                "city_codes": ["350100"],
            },
        )
        assert created.status_code == 201, created.text
        merchant_id = created.json()["id"]
        today = date.today()
        contract = await staff_ops.post(
            f"/merchants/{merchant_id}/contracts",
            json={
                "privilege_ids": ["after_drinking_driving", "inspection_driving"],
                "city_codes": ["350100"],
                "unit_price_fen": 8_000,
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=365)).isoformat(),
            },
        )
        assert contract.status_code == 201, contract.text
        await staff_ops.post(f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "demo"})
        key = (await staff_ops.post(f"/merchants/{merchant_id}/api-keys", json={"label": "demo"})).json()
        return {"members": members, "merchant_id": merchant_id, "merchant_api_key": key.get("key")}
    finally:
        await cheyou.aclose()


def _hash_key(explicit: str | None) -> bytes:
    import json
    import os

    value = explicit or os.environ.get("MEMBER_PII_HASH_KEY")
    if not value:
        keys = Path(__file__).resolve().parents[4] / ".dev" / "member-svc-pii-keys.json"
        value = json.loads(keys.read_text())["pii_hash_key"]
    return base64.b64decode(value)


def main(argv: list[str] | None = None) -> None:
    import argparse
    import asyncio
    import json
    import sys

    parser = argparse.ArgumentParser(prog="python -m cheyou_devinfra.demo", description=__doc__)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--wechat", default="http://127.0.0.1:8190", help="the fake WeChat server")
    parser.add_argument("--sms", default="http://127.0.0.1:8191", help="the fake SMS server")
    parser.add_argument("--hash-key", help="member-svc's MEMBER_PII_HASH_KEY (default: env, then .dev)")
    parser.add_argument("--per-tier", type=int, default=2, help="without --scale: a few members per tier")
    parser.add_argument(
        "--scale",
        type=float,
        help="the seed's 2014 Fuzhou world at this fraction (1 = 23,853 members, 87,404 claims; "
        "see cheyou_devinfra.demo_figures for the rounding)",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (with --scale)")
    parser.add_argument(
        "--seed", type=int, default=2014, help="random seed of the world's plan (with --scale)"
    )
    parser.add_argument(
        "--once",
        metavar="MARKER",
        help="do nothing if this file exists; write it after a successful load (the first `make dev`)",
    )
    args = parser.parse_args(argv)
    marker = Path(args.once) if args.once else None
    if marker is not None and marker.exists():
        sys.stdout.write(f"demo data already loaded ({marker} exists)\n")
        return
    key = _hash_key(args.hash_key)
    if args.scale is not None:
        from cheyou_devinfra.demo_client import LoadError
        from cheyou_devinfra.demo_figures import Figures
        from cheyou_devinfra.demo_world import load

        try:
            Figures.scaled(args.scale)
        except ValueError as exc:
            parser.error(str(exc))

        def holder_hash(id_card: str) -> str:
            return hmac.new(key, id_card.encode(), hashlib.sha256).hexdigest()

        world = load(
            args.gateway,
            args.wechat,
            holder_hash,
            sms_url=args.sms,
            scale=args.scale,
            concurrency=args.concurrency,
            seed=args.seed,
        )
        try:
            result: dict[str, Any] = asyncio.run(world).as_dict()
        except LoadError as exc:
            raise SystemExit(f"the demo load stopped: {exc}") from None
        except httpx.TransportError as exc:
            raise SystemExit(f"no platform answers at {args.gateway} ({exc!r}): `make up` first") from None
    else:
        result = asyncio.run(seed(args.gateway, args.wechat, args.sms, key, args.per_tier))
    if marker is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()

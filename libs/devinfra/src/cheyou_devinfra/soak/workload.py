"""The soak's workload: a club's mixed day through the gateway, seeded and concurrent.

Members join (ops registers them, they bind WeChat, two reviewers verify them by phone), the core system
feeds their policies and renews some at a higher premium (tiers move), star members book free
after-drinking driving that the merchant accepts and completes over webhooks and callbacks (or that the
member cancels), members earn points (ops adjustments, attendance, completed orders) and redeem them,
race a flash sale, sign up for an activity and are checked in, report single-vehicle claims with the
guided photos through to settlement, get a reminder campaign to their segment and read their inbox.

Every write goes through :class:`~cheyou_devinfra.soak.ledger.Ledger`. The plan (who does what, which
order ends completed and which cancelled) comes from the seed alone, so it is what a fault-free run of
the same seed ends with; the checks compare the faulty run's end state with it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from cheyou_demo.client import Caller, Gateway, LoadError
from cheyou_demo.people import id_number, phone_number, plate

from cheyou_devinfra.soak.ledger import Ledger, until
from cheyou_devinfra.soak.platform import SHANGHAI, SoakPlatform
from cheyou_devinfra.soak.receiver import MerchantReceiver

log = logging.getLogger("cheyou.soak")

CITY = "350181"  # 福清: the soak merchant's own city
ORDINARY, THREE_STAR, FOUR_STAR = 400_000, 800_000, 1_400_000
REWARD_PRICE = 50
FLASH_PRICE = 30
ADJUSTMENT_POINTS = (40, 60, 80)
FREE_QUOTA = {"three_star": 2, "four_star": 4, "five_star": 6}
SURVEY_AMOUNT_FEN = 180_000
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class Person:
    index: int
    rng: random.Random
    name: str
    id_number: str
    phone: str
    openid: str
    plate: str
    premium: int
    renewal: int | None
    claims: int
    orders: list[str]  # planned final states: completed / cancelled
    redemptions: int
    adjustments: int
    attends: bool
    member_id: str | None = None
    policy_no: str | None = None
    customer_no: str = field(default_factory=lambda: f"CSOAK{uuid.uuid4().hex[:12].upper()}")
    caller: Caller | None = None
    ready: bool = False
    done: bool = False
    failure: str | None = None
    policies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Staff:
    ops: Caller
    admin: Caller
    surveyor: Caller
    reviewers: list[Caller]


def _photo() -> bytes:
    """A small JPEG with the EXIF a phone writes: capture time now, GPS at the loss (福州五四路)."""
    from PIL import ExifTags, Image

    image = Image.new("RGB", (64, 48), (180, 40, 40))
    exif = Image.Exif()
    taken = datetime.now(SHANGHAI).strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: dms(26.0745), 3: "E", 4: dms(119.2965)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _lagging(*slugs: str) -> Callable[[httpx.Response], bool]:
    def lagging(response: httpx.Response) -> bool:
        if response.status_code not in (403, 404, 409, 422):
            return False
        try:
            kind = str(response.json().get("type", ""))
        except ValueError:
            return False
        return any(kind.endswith(f"/{slug}") for slug in slugs) or (not slugs and response.status_code == 404)

    return lagging


class Workload:
    def __init__(
        self, platform: SoakPlatform, ledger: Ledger, seed: int, members: int, concurrency: int = 6
    ) -> None:
        self.platform = platform
        self.ledger = ledger
        self.seed = seed
        self.rng = random.Random(seed)
        self.region = f"35{self.rng.randrange(1000, 10000)}"  # a region of this run's members only
        self.gw = Gateway(platform.gateway, platform.fake("wechat"), sms=platform.fake("sms"), timeout=30)
        self.receiver = MerchantReceiver(on_message=self._merchant_receives)
        self.people = [self._person(i) for i in range(members)]
        self.limit = asyncio.Semaphore(concurrency)
        self.order_plan: dict[str, str] = {}
        self.order_members: dict[str, str] = {}
        self.claim_ids: dict[str, str] = {}
        self.approved: dict[str, asyncio.Event] = {}
        self.flash_open = asyncio.Event()
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []
        self.staff: Staff | None = None
        self.merchant: Caller | None = None
        self.merchant_id = self.endpoint_id = self.reward_id = self.flash_id = self.activity_id = ""
        self.campaign_id: str | None = None

    def _person(self, index: int) -> Person:
        rng = random.Random(f"{self.seed}:{index}")
        premium = rng.choice([ORDINARY, ORDINARY, THREE_STAR, FOUR_STAR])
        renewal = rng.choice([None, premium + 500_000, premium + 1_000_000])
        star = premium >= THREE_STAR or (renewal or 0) >= THREE_STAR
        tier_quota = 2 if star else 0
        orders = (
            [rng.choice(["completed", "completed", "cancelled"]) for _ in range(tier_quota + 1)]
            if star
            else []
        )
        return Person(
            index=index,
            rng=rng,
            name=rng.choice("林陈黄张吴王郑李")
            + rng.choice(["晓东", "丽华", "建平", "秀英", "志强", "海燕"]),
            id_number=id_number(rng, male=rng.random() < 0.5),
            phone=phone_number(rng),
            openid=f"o-soak-{self.seed}-{index}-{rng.randrange(10**8):08d}",
            plate=plate(rng),
            premium=premium,
            renewal=renewal,
            claims=1 if rng.random() < 0.35 else 0,
            orders=orders,
            redemptions=rng.choice([1, 1, 2]),
            adjustments=rng.choice([1, 2]),
            attends=rng.random() < 0.6,
        )

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    # --- set-up (before the faults) -------------------------------------------------------------------

    async def setup(self) -> None:
        gw = self.gw
        self.staff = Staff(
            ops=await gw.staff("ops1"),
            admin=await gw.staff("admin"),
            surveyor=await gw.staff("surveyor1"),
            reviewers=[await gw.staff("reviewer1"), await gw.staff("reviewer2")],
        )
        ops = self.staff.ops
        url = await self.receiver.start()
        merchant = await ops.call(
            "POST",
            "/merchants",
            json={
                "name": f"福清浸泡代驾{uuid.uuid4().hex[:6]}",
                "category": "designated_driving",
                "city_codes": [CITY],
            },
        )
        self.merchant_id = merchant["id"]
        today = date.today()
        await ops.call(
            "POST",
            f"/merchants/{self.merchant_id}/contracts",
            json={
                "privilege_ids": ["after_drinking_driving"],
                "city_codes": [CITY],
                "unit_price_fen": 8_000,
                "starts_on": (today - timedelta(days=1)).isoformat(),
                "ends_on": (today + timedelta(days=365)).isoformat(),
                "accept_within_minutes": 24 * 60,
                "complete_within_minutes": 7 * 24 * 60,
                "max_open_orders": 100_000,
            },
        )
        await ops.call(
            "POST", f"/merchants/{self.merchant_id}/status", json={"status": "active", "reason": "签约完成"}
        )
        key = await ops.call("POST", f"/merchants/{self.merchant_id}/api-keys", json={"label": "soak"})
        self.merchant = gw.merchant(key["key"])
        endpoint = await ops.call(
            "POST", "/webhook-endpoints", json={"merchant_id": self.merchant_id, "url": url}
        )
        self.endpoint_id, self.receiver.secret = endpoint["id"], endpoint["secret"]
        tiers = ("ordinary", "three_star", "four_star", "five_star")
        reward = await ops.call(
            "POST",
            "/rewards",
            json={
                "name": "浸泡测试：精品洗车",
                "kind": "service",
                "tier_prices": dict.fromkeys(tiers, REWARD_PRICE),
                "stock": 100_000,
                "starts_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
            },
        )
        self.reward_id = reward["id"]
        self.flash_stock = max(2, len(self.people) // 3)
        flash = await ops.call(
            "POST",
            "/flash-sales",
            json={
                "name": "浸泡测试秒杀：机场贵宾",
                "kind": "service",
                "tier_prices": dict.fromkeys(tiers, FLASH_PRICE),
                "stock": self.flash_stock,
                "starts_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
                "per_member_limit": 1,
            },
        )
        self.flash_id = flash["id"]
        starts = datetime.now(UTC) + timedelta(hours=1)
        self.activity_capacity = max(2, len(self.people) // 2)
        activity = await ops.call(
            "POST",
            "/activities",
            json={
                "title": "浸泡测试：周末年检专场",
                "kind": "car_maintenance",
                "place": "福清市融城大道1号",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=3)).isoformat(),
                "capacity": self.activity_capacity,
                "points_reward": 10,
            },
        )
        self.activity_id = activity["id"]

    async def aclose(self) -> None:
        await self.receiver.stop()
        await self.gw.aclose()

    # --- journeys ----------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, spread_s: float) -> None:
        """Every member's journey (started over ``spread_s``), the reviewers, then traffic until ``stop``."""
        reviewers = [asyncio.create_task(self._reviewer(r)) for r in self._staff().reviewers]
        progress = asyncio.create_task(self._progress())
        journeys = []
        for person in self.people:
            journeys.append(asyncio.create_task(self._journey(person)))
            await asyncio.sleep(spread_s / max(1, len(self.people)) * (0.5 + self.rng.random()))
        background = asyncio.create_task(self._background(stop))
        await asyncio.gather(*journeys)
        await background
        progress.cancel()
        for task in reviewers:
            task.cancel()

    async def _progress(self) -> None:
        while True:
            await asyncio.sleep(20)
            joined = sum(1 for p in self.people if p.member_id)
            ready = sum(1 for p in self.people if p.ready)
            done = sum(1 for p in self.people if p.done)
            writes = {k: sum(v.values()) for k, v in self.ledger.counts().items()}
            log.info(
                "members %d joined, %d ready, %d done of %d; writes %s",
                joined,
                ready,
                done,
                len(self.people),
                writes,
            )

    def _verified(self, member_id: str) -> asyncio.Event:
        """Set once a reviewer approved the member (whoever learns of the member first makes it)."""
        return self.approved.setdefault(member_id, asyncio.Event())

    def _staff(self) -> Staff:
        assert self.staff is not None
        return self.staff

    async def _journey(self, person: Person) -> None:
        try:
            await self._join(person)
            await self._insure(person)
            steps: list[Callable[[], Awaitable[None]]] = [
                *(lambda: self._adjust(person) for _ in range(person.adjustments)),
                *(lambda: self._redeem(person) for _ in range(person.redemptions)),
                lambda: self._read_inbox(person),
            ]
            if person.attends:
                steps.append(lambda: self._attend(person))
            if person.renewal is not None:
                steps.append(lambda: self._renew(person))
            for _ in range(person.claims):
                steps.append(lambda: self._claim(person))
            person.rng.shuffle(steps)
            person.ready = True
            for step in steps:
                async with self.limit:
                    await step()
            if person.orders:
                await self._book_orders(person)
            await self._read_inbox(person)
        except (LoadError, TimeoutError, httpx.HTTPError, AssertionError, KeyError) as exc:
            person.failure = f"{type(exc).__name__}: {exc}"
            self.errors.append(f"member {person.index}: {person.failure}")
            log.warning("journey of member %d stopped: %s", person.index, person.failure)
        finally:
            person.done = True

    async def _join(self, person: Person) -> None:
        ops = self._staff().ops
        body = {
            "name": person.name,
            "id_number": person.id_number,
            "phone": person.phone,
            "region_code": self.region,
            "vehicles": [{"plate": person.plate}],
            "channel": "wechat",
        }
        async with self.limit:
            write, answer = await self.ledger.write(
                ops, "member", "POST", "/members", json=body, expect=(201,), info={"phone": person.phone}
            )
        if write.outcome == "refused" and answer is not None and answer.status_code == 409:
            write.info["found_after"] = "conflict"  # an earlier attempt under this key's lost answer
        elif write.outcome != "acknowledged" and write.outcome != "unknown":
            raise LoadError(f"registration refused: {write.status} {write.problem}")
        if write.outcome == "unknown":  # did it happen? the same body under a new key says
            async with self.limit:
                again, answer = await self.ledger.write(
                    ops, "member", "POST", "/members", json=body, expect=(201,), info={"phone": person.phone}
                )
            write = again
        if write.outcome == "acknowledged":
            person.member_id = write.object_id
        async with self.limit:
            await until(lambda: self._bind(person), within=600, what=f"WeChat binding of {person.index}")
        person.caller = await self._sign_in(person)
        if person.member_id is None:
            me = await person.caller.call("GET", "/auth/whoami")
            person.member_id = str(me["member_id"])
            write.object_id = person.member_id
        write.info["member_id"] = person.member_id
        await asyncio.wait_for(self._verified(person.member_id).wait(), timeout=900)
        self.count("members_verified")

    async def _bind(self, person: Person) -> bool:
        try:
            await self.gw.bind_wechat(person.phone, person.openid)
        except LoadError as exc:
            log.info("binding %d: %s", person.index, exc)
            return False
        return True

    async def _sign_in(self, person: Person) -> Caller:
        async def signed_in() -> Caller | None:
            try:
                return await self.gw.member(person.openid)
            except LoadError:
                return None

        caller: Caller = await until(signed_in, within=600, what=f"sign-in of {person.index}")
        return caller

    async def _reviewer(self, reviewer: Caller) -> None:
        """Works the verification queue: call back, approve — ledger writes."""
        while True:
            try:
                claimed = await reviewer.response("POST", "/applications/claim", expect=(200, 404), within=60)
            except LoadError:
                await asyncio.sleep(1)
                continue
            if claimed.status_code == 404:
                await asyncio.sleep(0.5)
                continue
            task = claimed.json()
            path = f"/applications/{task['task_id']}"
            await self.ledger.write(
                reviewer,
                "verification_callback",
                "POST",
                f"{path}/callbacks",
                json={"outcome": "reached", "notes": "电话核实一致"},
                expect=(201,),
            )
            write, _ = await self.ledger.write(
                reviewer, "verification", "POST", f"{path}/approve", expect=(200,)
            )
            if write.outcome != "acknowledged":
                status = await reviewer.call("GET", path)
                write.info["status_after"] = status["status"]
            self._verified(str(task["member_id"])).set()

    def _policy(self, person: Person, premium: int, previous: str | None) -> dict[str, Any]:
        today = date.today()
        hash_key = self.platform.hash_key
        holder = hmac.new(hash_key, person.id_number.encode(), hashlib.sha256).hexdigest()
        policy_no = f"PSOAK{uuid.uuid4().hex[:12].upper()}"
        data: dict[str, Any] = {
            "policy_no": policy_no,
            "customer_no": person.customer_no,
            "line": "commercial",
            "vehicle_kind": "household_car",
            "premium_fen": premium,
            "branch_code": "350100",
            "holder_id_hash": holder,
            "plate": person.plate,
        }
        if previous is None:
            data |= {
                "starts_on": (today - timedelta(days=300)).isoformat(),
                "ends_on": (today + timedelta(days=64)).isoformat(),
                "issued_at": datetime.now(UTC).isoformat(),
            }
            kind = "cheyou.policy.issued.v1"
        else:
            data |= {
                "previous_policy_no": previous,
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=364)).isoformat(),
                "renewed_at": datetime.now(UTC).isoformat(),
            }
            kind = "cheyou.policy.renewed.v1"
        person.policies.append(data)
        return {"type": kind, "id": str(uuid.uuid4()), "data": data}

    async def _feed(self, event: dict[str, Any]) -> None:
        """The core system's feed: the same event (same id) until it is taken; consumers dedupe by id."""
        async with self.limit:
            write, _ = await self.ledger.write(
                self._staff().admin,
                "policy_feed",
                "POST",
                "/policy-feed",
                json={"events": [event]},
                info={"event_id": event["id"], "type": event["type"]},
            )
        if write.outcome == "unknown":
            async with self.limit:
                await self.ledger.write(
                    self._staff().admin,
                    "policy_feed",
                    "POST",
                    "/policy-feed",
                    json={"events": [event]},
                    info={"event_id": event["id"], "type": event["type"], "resent": True},
                )

    async def _insure(self, person: Person) -> None:
        event = self._policy(person, person.premium, None)
        person.policy_no = event["data"]["policy_no"]
        await self._feed(event)
        expected = _tier_of(person.premium)
        member = self._caller(person)

        async def projected() -> bool:
            body = await member.call("GET", f"/entitlements/{person.member_id}")
            return bool(body.get("tier") not in (None, "prospective"))

        await until(projected, within=900, what=f"tier {expected} of {person.index} in privilege-svc")

    def _caller(self, person: Person) -> Caller:
        assert person.caller is not None
        return person.caller

    async def _renew(self, person: Person) -> None:
        assert person.renewal is not None
        assert person.policy_no is not None
        event = self._policy(person, person.renewal, person.policy_no)
        person.policy_no = event["data"]["policy_no"]
        await self._feed(event)
        self.count("renewals")

    async def _adjust(self, person: Person) -> None:
        points = person.rng.choice(ADJUSTMENT_POINTS)
        write, _ = await self.ledger.write(
            self._staff().ops,
            "points_adjustment",
            "POST",
            f"/points/{person.member_id}/adjustments",
            json={"points": points, "reason": f"浸泡测试积分 {person.index}"},
            expect=(201,),
            lagging=_lagging(),
            info={"member_id": person.member_id, "points": points},
        )
        self.count(f"adjustments_{write.outcome}")

    async def _redeem(self, person: Person) -> None:
        write, _ = await self.ledger.write(
            self._caller(person),
            "redemption",
            "POST",
            f"/rewards/{self.reward_id}/redemptions",
            expect=(201,),
            lagging=_lagging("insufficient-points", "not-found"),
            within=240,
            info={"member_id": person.member_id, "reward_id": self.reward_id},
        )
        self.count(f"redemptions_{write.outcome}")

    async def flash_sale(self) -> None:
        """Every member who is ready presses the button twice at the same instant."""
        ready = [p for p in self.people if p.ready and p.caller is not None]
        self.count("flash_sale_members", len(ready))

        async def press(person: Person) -> None:
            write, _ = await self.ledger.write(
                self._caller(person),
                "flash_redemption",
                "POST",
                f"/flash-sales/{self.flash_id}/redemptions",
                expect=(201,),
                within=240,
                info={"member_id": person.member_id, "reward_id": self.flash_id},
            )
            self.count(f"flash_{write.outcome}")

        await asyncio.gather(*(press(p) for p in ready for _ in range(2)))

    async def _attend(self, person: Person) -> None:
        member = self._caller(person)
        write, _answer = await self.ledger.write(
            member,
            "signup",
            "POST",
            f"/activities/{self.activity_id}/signups",
            json={},
            expect=(201,),
            lagging=_lagging(),
            info={"member_id": person.member_id},
        )
        self.count(f"signups_{write.outcome}")
        signup_id = write.object_id if write.outcome == "acknowledged" else None
        if signup_id is None:
            return  # full (a refusal), or not known: nothing to check in
        qr = await until(
            lambda: member.call("GET", f"/activities/{self.activity_id}/signups/{signup_id}/qr"), 300
        )
        checked, _ = await self.ledger.write(
            self._staff().ops,
            "check_in",
            "POST",
            f"/activities/{self.activity_id}/check-ins",
            json={"code": qr["code"]},
            expect=(200, 201),
            info={"member_id": person.member_id, "signup": signup_id},
        )
        self.count(f"check_ins_{checked.outcome}")

    async def _read_inbox(self, person: Person) -> None:
        member = self._caller(person)
        page = await until(
            lambda: member.call("GET", f"/inbox/{person.member_id}", params={"limit": 50}), 300
        )
        unread = [i["id"] for i in page.get("items", []) if not i.get("read_at")]
        self.count("inbox_reads")
        if unread:
            write, _ = await self.ledger.write(
                member,
                "inbox_read",
                "POST",
                f"/inbox/{person.member_id}/read",
                json={"item_ids": unread[:20]},
                expect=(200,),
                info={"member_id": person.member_id},
            )
            self.count(f"inbox_marked_{write.outcome}")

    # --- orders: booked by the member, dispatched over a webhook, accepted and completed by the merchant --

    async def _book_orders(self, person: Person) -> None:
        await until(lambda: self._star(person), within=900, what=f"star tier of {person.index}")
        for planned in list(person.orders):
            await self._book(person, planned)

    async def _book(self, person: Person, planned: str) -> None:
        member = self._caller(person)
        body = {
            "privilege_code": "after_drinking_driving",
            "city_code": CITY,
            "pickup_address": "福清市融城大道1号",
            "destination_address": "福州市鼓楼区五四路158号",
            "vehicle_plate": person.plate,
        }
        async with self.limit:
            write, _ = await self.ledger.write(
                member,
                "order",
                "POST",
                "/orders",
                json=body,
                expect=(201,),
                info={"member_id": person.member_id, "planned": planned},
            )
        self.count(f"orders_{write.outcome}")
        if write.outcome != "acknowledged" or write.object_id is None:
            return
        self.order_plan[write.object_id] = planned
        self.order_members[write.object_id] = str(person.member_id)
        if planned == "cancelled":
            await self._cancel(person, write.object_id)

    async def _star(self, person: Person) -> bool:
        body = await self._caller(person).call("GET", f"/entitlements/{person.member_id}")
        codes = {i["privilege_code"] for i in body.get("items", [])}
        return body.get("tier") in FREE_QUOTA and "after_drinking_driving" in codes

    async def _cancel(self, person: Person, order_id: str) -> None:
        member = self._caller(person)
        write, _ = await self.ledger.write(
            member,
            "order_cancel",
            "POST",
            f"/orders/{order_id}/cancel",
            json={"reason": "计划有变"},
            expect=(200,),
            info={"order_id": order_id},
        )
        if write.outcome != "acknowledged":
            status = (await member.call("GET", f"/orders/{order_id}"))["status"]
            write.info["status_after"] = status

    async def _merchant_receives(self, payload: dict[str, Any]) -> None:
        """The merchant's dispatcher acts on each webhook it processed (once per webhook-id)."""
        if payload.get("type") != "order.dispatched":
            self.count(f"webhook_{payload.get('type')}")
            return
        order_id = str((payload.get("data") or {}).get("order_id"))
        self.count("webhook_order.dispatched")

        async def planned() -> str | None:
            return self.order_plan.get(order_id)

        try:
            plan = await until(planned, within=300, what=f"plan of {order_id}", every=0.5)
        except TimeoutError:
            plan = "completed"
        if plan != "completed":
            return
        merchant = self.merchant
        assert merchant is not None
        try:
            for step, body in (("accept", {}), ("start", None), ("complete", {"notes": "安全送达"})):
                async with self.limit:
                    await self._callback(merchant, order_id, step, body)
        except (LoadError, TimeoutError, httpx.HTTPError) as exc:
            self.errors.append(f"merchant on {order_id}: {exc}")

    async def _callback(
        self, merchant: Caller, order_id: str, step: str, body: dict[str, Any] | None
    ) -> None:
        done_states = {
            "accept": {"accepted", "in_progress", "completed"},
            "start": {"in_progress", "completed"},
            "complete": {"completed"},
        }[step]
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        write, _answer = await self.ledger.write(
            merchant,
            f"callback_{step}",
            "POST",
            f"/merchant-api/orders/{order_id}/{step}",
            expect=(200,),
            info={"order_id": order_id},
            **kwargs,
        )
        if write.outcome == "acknowledged":
            return
        # Refused (409: already there) or unknown: look where the order is now.
        status = (await until(lambda: merchant.call("GET", f"/merchant-api/orders/{order_id}"), 300))[
            "status"
        ]
        write.info["status_after"] = status
        if status not in done_states:
            raise LoadError(f"{step} of {order_id}: {write.status} {write.problem}, order {status}")

    # --- claims: report, guided photos, survey, documents, settlement -----------------------------------

    async def _claim(self, person: Person) -> None:
        member, staff = self._caller(person), self._staff()
        loss_at = (datetime.now(UTC) - timedelta(minutes=person.rng.randrange(20, 600))).replace(
            microsecond=0
        )
        body = {
            "policy_no": person.policy_no,
            "loss_at": loss_at.isoformat(),
            "location": {"latitude": 26.0745, "longitude": 119.2965, "address": "福州市鼓楼区五四路"},
            "accident_type": "single_vehicle",
            "loss_cause": "scrape",
            "weather": "sunny",
        }
        write, _ = await self.ledger.write(
            member,
            "claim",
            "POST",
            "/claims",
            json=body,
            expect=(201,),
            lagging=_lagging("no-cover", "not-policy-holder"),
            info={
                "member_id": person.member_id,
                "policy_no": person.policy_no,
                "loss_at": loss_at.isoformat(),
            },
        )
        self.count(f"claims_{write.outcome}")
        if write.outcome != "acknowledged" or write.object_id is None:
            return
        claim_id = write.object_id
        self.claim_ids[claim_id] = str(person.member_id)
        url = f"/claims/{claim_id}"
        survey = await until(lambda: member.call("GET", f"{url}/survey"), 300)
        for slot in survey["missing_required"]:
            photo, _ = await self.ledger.write(
                member,
                "photo",
                "POST",
                f"{url}/survey/photos",
                data={"slot": slot},
                files={"file": ("photo.jpg", _photo(), "image/jpeg")},
                expect=(201,),
                info={"claim_id": claim_id, "slot": slot},
            )
            self.count(f"photos_{photo.outcome}")
        steps: list[tuple[Caller, str, str, dict[str, Any] | None, set[str]]] = [
            (member, "survey_submission", f"{url}/survey/submission", None, {"survey_submitted"}),
            (
                staff.surveyor,
                "survey_assignment",
                f"/surveys/{claim_id}/assignment",
                None,
                {"survey_submitted"},
            ),
            (
                staff.surveyor,
                "survey_confirmation",
                f"/surveys/{claim_id}/confirmation",
                {"amount_fen": SURVEY_AMOUNT_FEN},
                {"loss_confirmed", "documents_pending"},
            ),
        ]
        for caller, kind, path, json_body, after in steps:
            await self._claim_step(caller, member, kind, path, json_body, claim_id, after)
        checklist = await until(lambda: member.call("GET", f"{url}/documents"), 300)
        for kind in checklist["missing"]:
            document, _ = await self.ledger.write(
                member,
                "document",
                "POST",
                f"{url}/documents",
                data={"kind": kind},
                files={"file": ("scan.pdf", PDF, "application/pdf")},
                expect=(201,),
                info={"claim_id": claim_id, "kind": kind},
            )
            self.count(f"documents_{document.outcome}")
        settle: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
            (
                "adjudication",
                f"{url}/adjudication",
                {"decision": "approved", "amount_fen": SURVEY_AMOUNT_FEN},
                {"approved"},
            ),
            ("payment", f"{url}/payment", {"amount_fen": SURVEY_AMOUNT_FEN}, {"paid"}),
            ("closure", f"{url}/closure", None, {"closed"}),
        ]
        for kind, path, json_body, after in settle:
            await self._claim_step(staff.ops, member, kind, path, json_body, claim_id, after)
        self.count("claims_settled")

    async def _claim_step(
        self,
        caller: Caller,
        member: Caller,
        kind: str,
        path: str,
        body: dict[str, Any] | None,
        claim_id: str,
        after: set[str],
    ) -> None:
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        order = CLAIM_ORDER
        wanted = min(order.index(s) for s in after if s in order)
        for _ in range(5):
            write, _ = await self.ledger.write(
                caller,
                f"claim_{kind}",
                "POST",
                path,
                expect=(200, 201),
                info={"claim_id": claim_id},
                **kwargs,
            )
            if write.outcome == "acknowledged":
                return
            status = (await until(lambda: member.call("GET", f"/claims/{claim_id}"), 300))["status"]
            write.info["status_after"] = status
            if kind == "survey_assignment" or (status in order and order.index(status) >= wanted):
                return  # the step was done by an attempt whose answer was lost (or needs no doing)
            await asyncio.sleep(2)
        raise LoadError(f"claim {claim_id}: {kind} not done")

    # --- the campaign and the background traffic ------------------------------------------------------

    async def campaign(self) -> None:
        write, _ = await self.ledger.write(
            self._staff().ops,
            "campaign",
            "POST",
            "/campaigns",
            json={
                "name": "浸泡测试台风提醒",
                "channels": ["wechat", "inbox"],
                "segment": {"region_codes": [self.region]},
                "template_code": "weather_alert",
                "variables": {"region": "福清", "alert": "台风橙色预警"},
            },
            expect=(201,),
            info={"region": self.region},
        )
        self.campaign_id = write.object_id
        self.count(f"campaign_{write.outcome}")

    async def _background(self, stop: asyncio.Event) -> None:
        """Until the faults end: points earned and spent, inbox reads, by members who are ready, and
        bookings called off by star members whose journey ended."""
        rng = random.Random(f"{self.seed}:background")
        while not stop.is_set():
            ready = [p for p in self.people if p.ready and p.failure is None]
            booked = [p for p in ready if p.done and p.orders]  # star members whose journey ended
            try:
                if booked and rng.random() < 0.25:
                    # Called off before the merchant acts: after the journeys end, every receiver fault
                    # still meets deliveries (the dispatch and the cancellation). _book takes its own
                    # place under the limit.
                    await self._book(rng.choice(booked), "cancelled")
                elif ready:
                    action = rng.choice([self._adjust, self._redeem, self._read_inbox])
                    async with self.limit:
                        await action(rng.choice(ready))
            except (LoadError, TimeoutError, httpx.HTTPError) as exc:
                self.errors.append(f"background: {exc}")
            await asyncio.sleep(0.5 + rng.random())


CLAIM_ORDER = [
    "reported",
    "survey_pending",
    "survey_submitted",
    "reshoot_requested",
    "loss_confirmed",
    "documents_pending",
    "adjudicating",
    "approved",
    "paid",
    "closed",
]


def _tier_of(premium: int) -> str:
    if premium >= 2_500_000:
        return "five_star"
    if premium >= 1_200_000:
        return "four_star"
    return "three_star" if premium >= 600_000 else "ordinary"


def monotonic() -> float:
    return time.monotonic()

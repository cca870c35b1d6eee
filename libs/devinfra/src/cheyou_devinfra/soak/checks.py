"""The invariants, checked after the load stopped and the platform settled, from the services' own
databases (read directly: the soak is a test tool, not a service), the broker's topics, the fakes'
records and the merchant receiver's log, against the client-side ledger.

Each check returns a :class:`Result`: passed or not, the counts it looked at, and up to a few examples
of what broke it.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cheyou_devinfra.soak.ledger import Ledger
from cheyou_devinfra.soak.platform import SoakPlatform
from cheyou_devinfra.soak.workload import FREE_QUOTA, Workload

TIERS = ("prospective", "ordinary", "three_star", "four_star", "five_star")
SERVICE_DATABASES = ("member-svc", "privilege-svc", "merchant-svc", "claims-svc", "notify-svc", "gateway")


@dataclass
class Result:
    name: str
    passed: bool
    counts: dict[str, Any] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


def _result(name: str, problems: list[str], **counts: Any) -> Result:
    return Result(name, not problems, {**counts, "violations": len(problems)}, problems[:8])


class Checks:
    def __init__(self, platform: SoakPlatform, ledger: Ledger, workload: Workload) -> None:
        self.platform = platform
        self.ledger = ledger
        self.workload = workload
        self.members = [p.member_id for p in workload.people if p.member_id]

    async def all(self) -> list[Result]:
        return [
            await self.members_once(),
            await self.orders_once(),
            await self.redemptions_once(),
            await self.signups_once(),
            await self.claims_once(),
            await self.photos_once(),
            await self.adjustments_once(),
            await self.points(),
            await self.stock(),
            await self.quotas(),
            await self.inbox_once(),
            await self.outbox_reached_kafka(),
            await self.webhooks(),
            await self.order_states(),
            await self.sms_once(),
            await self.wechat_duplicates(),
            await self.tiers(),
        ]

    async def _privilege(self, query: str, *args: Any) -> list[Any]:
        return await self.platform.fetch("privilege-svc", query, *args)

    # --- exactly once ----------------------------------------------------------------------------------

    async def members_once(self) -> Result:
        """Each registration the ledger saw acknowledged is one member; none twice (by phone)."""
        key = self.platform.hash_key
        problems = []
        acked = self.ledger.of("member", "acknowledged")
        phones = {w.info["phone"] for w in self.ledger.of("member")}
        rows = await self.platform.fetch("member-svc", "SELECT id, phone_hash, status FROM members")
        by_hash = Counter(r["phone_hash"] for r in rows)
        for phone in phones:
            digest = _lookup_hash(key, phone)
            if by_hash[digest] != 1:
                problems.append(f"phone …{phone[-4:]}: {by_hash[digest]} members")
        verified = sum(1 for r in rows if r["status"] == "verified")
        return _result(
            "members exactly once", problems, acknowledged=len(acked), members=len(phones), verified=verified
        )

    async def orders_once(self) -> Result:
        rows = await self._privilege(
            "SELECT member_id, idempotency_key, count(*) AS n FROM service_orders "
            "WHERE idempotency_key IS NOT NULL GROUP BY 1, 2"
        )
        stored = {(r["member_id"], r["idempotency_key"]): r["n"] for r in rows}
        problems = [f"{k}: {n} orders" for k, n in stored.items() if n > 1]
        acked = self.ledger.of("order", "acknowledged")
        for write in acked:
            if stored.get((write.info["member_id"], write.key), 0) != 1:
                problems.append(f"order {write.object_id} (key {write.key[:8]}): not stored once")
        for write in self.ledger.of("order", "unknown"):
            if stored.get((write.info["member_id"], write.key), 0) > 1:
                problems.append(f"unknown order key {write.key[:8]}: twice")
        return _result(
            "orders exactly once",
            problems,
            acknowledged=len(acked),
            unknown=len(self.ledger.of("order", "unknown")),
        )

    async def redemptions_once(self) -> Result:
        rows = await self._privilege(
            "SELECT member_id, idempotency_key, reward_id::text AS reward_id, count(*) AS n FROM redemptions "
            "WHERE idempotency_key IS NOT NULL GROUP BY 1, 2, 3"
        )
        stored = {(r["member_id"], r["idempotency_key"]): r["n"] for r in rows}
        problems = [f"{k[1][:8]}: {n} redemptions" for k, n in stored.items() if n > 1]
        acked = [
            *self.ledger.of("redemption", "acknowledged"),
            *self.ledger.of("flash_redemption", "acknowledged"),
        ]
        for write in acked:
            if stored.get((write.info["member_id"], write.key), 0) != 1:
                problems.append(f"redemption {write.object_id}: not stored once")
        without_key = await self._privilege(
            "SELECT count(*) AS n FROM redemptions WHERE idempotency_key IS NULL AND reward_id = "
            "ANY($1::uuid[])",
            [self.workload.reward_id, self.workload.flash_id],
        )
        if without_key[0]["n"]:
            problems.append(f"{without_key[0]['n']} redemptions of ours without their key")
        return _result("redemptions exactly once", problems, acknowledged=len(acked))

    async def signups_once(self) -> Result:
        rows = await self._privilege(
            "SELECT member_id, count(*) AS n, count(*) FILTER (WHERE status = 'attended') AS attended "
            "FROM activity_signups WHERE activity_id = $1::uuid GROUP BY 1",
            self.workload.activity_id,
        )
        stored = {r["member_id"]: r["n"] for r in rows}
        problems = [f"member {m}: {n} sign-ups" for m, n in stored.items() if n > 1]
        acked = self.ledger.of("signup", "acknowledged")
        problems += [f"sign-up {w.object_id}: missing" for w in acked if stored.get(w.info["member_id"]) != 1]
        activity = await self._privilege(
            "SELECT capacity FROM activities WHERE id = $1::uuid", self.workload.activity_id
        )
        confirmed = await self._privilege(
            "SELECT coalesce(sum(party_size), 0) AS n FROM activity_signups "
            "WHERE activity_id = $1::uuid AND status IN ('confirmed', 'attended')",
            self.workload.activity_id,
        )
        if confirmed[0]["n"] > activity[0]["capacity"]:
            problems.append(f"{confirmed[0]['n']} places taken of {activity[0]['capacity']}")
        attended = sum(r["attended"] for r in rows)
        return _result(
            "sign-ups exactly once, capacity held",
            problems,
            acknowledged=len(acked),
            signed_up=len(stored),
            attended=attended,
            capacity=activity[0]["capacity"],
        )

    async def claims_once(self) -> Result:
        rows = await self.platform.fetch(
            "claims-svc", "SELECT policy_no, loss_at, count(*) AS n FROM claims GROUP BY 1, 2"
        )
        stored = {(r["policy_no"], r["loss_at"]): r["n"] for r in rows}
        problems = [f"claim {k[0]} {k[1]}: {n} times" for k, n in stored.items() if n > 1]
        acked = self.ledger.of("claim", "acknowledged")
        for write in acked:
            key = (write.info["policy_no"], datetime.fromisoformat(write.info["loss_at"]))
            if stored.get(key) != 1:
                problems.append(f"claim {write.object_id}: {stored.get(key, 0)} stored")
        settled = await self.platform.fetch(
            "claims-svc",
            "SELECT count(*) AS n FROM claims WHERE id = ANY($1::uuid[]) AND status = 'closed'",
            list(self.workload.claim_ids),
        )
        return _result(
            "claims exactly once",
            problems,
            acknowledged=len(acked),
            closed=settled[0]["n"],
            reported=len(self.workload.claim_ids),
        )

    async def photos_once(self) -> Result:
        rows = await self.platform.fetch(
            "claims-svc",
            "SELECT claim_id::text AS claim_id, slot, count(*) AS n FROM survey_photos "
            "WHERE claim_id = ANY($1::uuid[]) GROUP BY 1, 2",
            list(self.workload.claim_ids),
        )
        stored = {(r["claim_id"], r["slot"]): r["n"] for r in rows}
        acked = Counter((w.info["claim_id"], w.info["slot"]) for w in self.ledger.of("photo", "acknowledged"))
        unknown = Counter((w.info["claim_id"], w.info["slot"]) for w in self.ledger.of("photo", "unknown"))
        problems = [
            f"claim {c[:8]} slot {s}: {stored.get((c, s), 0)} photos for {n} acknowledged"
            for (c, s), n in acked.items()
            if not n <= stored.get((c, s), 0) <= n + unknown[(c, s)]
        ]
        return _result(
            "photos exactly once", problems, acknowledged=sum(acked.values()), stored=sum(stored.values())
        )

    async def adjustments_once(self) -> Result:
        rows = await self._privilege(
            "SELECT member_id, count(*) AS n, coalesce(sum(points), 0) AS points FROM points_entries "
            "WHERE reason = 'adjustment' AND direction = 'credit' AND member_id = ANY($1) GROUP BY 1",
            self.members,
        )
        stored = {r["member_id"]: (r["n"], r["points"]) for r in rows}
        acked: dict[str, list[int]] = defaultdict(list)
        unknown: dict[str, list[int]] = defaultdict(list)
        for write in self.ledger.of("points_adjustment", "acknowledged"):
            acked[write.info["member_id"]].append(write.info["points"])
        for write in self.ledger.of("points_adjustment", "unknown"):
            unknown[write.info["member_id"]].append(write.info["points"])
        problems = []
        for member in self.members:
            n, _points = stored.get(member, (0, 0))
            low, high = len(acked[member]), len(acked[member]) + len(unknown[member])
            if not low <= n <= high:
                problems.append(
                    f"member {member[:8]}: {n} adjustments stored, {low} acknowledged (+{high - low} unknown)"
                )
        return _result(
            "points adjustments exactly once",
            problems,
            acknowledged=sum(len(v) for v in acked.values()),
            unknown=sum(len(v) for v in unknown.values()),
        )

    # --- points, stock, quotas ---------------------------------------------------------------------------

    async def points(self) -> Result:
        problems: list[str] = []
        balances = await self._privilege(
            "SELECT a.member_id, a.balance, coalesce(l.open, 0) AS open FROM points_accounts a "
            "LEFT JOIN (SELECT member_id, sum(remaining) AS open FROM points_lots GROUP BY 1) l USING "
            "(member_id)"
        )
        problems += [
            f"member {r['member_id'][:8]}: balance {r['balance']} ≠ open lots {r['open']}"
            for r in balances
            if r["balance"] != r["open"]
        ]
        problems += [
            f"member {r['member_id'][:8]}: balance {r['balance']} < 0" for r in balances if r["balance"] < 0
        ]
        negative = await self._privilege(
            "SELECT count(*) AS n FROM points_lots WHERE remaining < 0 OR remaining > points"
        )
        if negative[0]["n"]:
            problems.append(f"{negative[0]['n']} lots below zero or above their points")
        untraced = await self._privilege(
            "SELECT e.id, e.points, e.reason, coalesce(sum(a.points), 0) AS allocated FROM points_entries e "
            "LEFT JOIN points_allocations a ON a.debit_entry_id = e.id WHERE e.direction = 'debit' "
            "GROUP BY e.id HAVING coalesce(sum(a.points), 0) <> e.points"
        )
        problems += [
            f"debit {r['id']} ({r['reason']}): {r['points']} points, {r['allocated']} traced to lots"
            for r in untraced
        ]
        # The client's expected balance: what the platform credited by its own rules (welcome, attendance,
        # completed orders…) + the acknowledged adjustments − what the acknowledged redemptions cost.
        entries = await self._privilege(
            "SELECT member_id, direction, reason, points, reference_id FROM points_entries WHERE member_id "
            "= ANY($1)",
            self.members,
        )
        balance = {r["member_id"]: r["balance"] for r in balances}
        own: Counter[str] = Counter()
        for row in entries:
            if row["reason"] in ("adjustment", "redemption"):
                continue
            own[row["member_id"]] += row["points"] if row["direction"] == "credit" else -row["points"]
        expected: Counter[str] = Counter(own)
        for write in self.ledger.of("points_adjustment", "acknowledged"):
            expected[write.info["member_id"]] += write.info["points"]
        price = {self.workload.reward_id: 50, self.workload.flash_id: 30}
        for write in [
            *self.ledger.of("redemption", "acknowledged"),
            *self.ledger.of("flash_redemption", "acknowledged"),
        ]:
            expected[write.info["member_id"]] -= price[write.info["reward_id"]]
        unknown_members = {
            w.info["member_id"]
            for kind in ("points_adjustment", "redemption", "flash_redemption")
            for w in self.ledger.of(kind, "unknown")
        }
        compared = 0
        for member in self.members:
            if member in unknown_members:
                continue  # a write of unknown outcome: its member's balance is checked by the lots alone
            compared += 1
            if balance.get(member, 0) != expected[member]:
                problems.append(
                    f"member {member[:8]}: balance {balance.get(member, 0)}, ledger expects "
                    f"{expected[member]}"
                )
        return _result(
            "points: balances = open lots, debits traced, none negative, ledger = service",
            problems,
            accounts=len(balances),
            compared_with_ledger=compared,
            debits=sum(1 for r in entries if r["direction"] == "debit"),
        )

    async def stock(self) -> Result:
        problems = []
        counts: dict[str, Any] = {}
        for name, reward_id, kind in (
            ("reward", self.workload.reward_id, "redemption"),
            ("flash sale", self.workload.flash_id, "flash_redemption"),
        ):
            reward = (
                await self._privilege(
                    "SELECT stock, initial_stock FROM rewards WHERE id = $1::uuid", reward_id
                )
            )[0]
            sold = (
                await self._privilege(
                    "SELECT count(*) AS n FROM redemptions WHERE reward_id = $1::uuid AND status <> "
                    "'refunded'",
                    reward_id,
                )
            )[0]["n"]
            per_member = await self._privilege(
                "SELECT member_id, count(*) AS n FROM redemptions WHERE reward_id = $1::uuid GROUP BY 1",
                reward_id,
            )
            left = reward["initial_stock"] - reward["stock"]
            acked = len(self.ledger.of(kind, "acknowledged"))
            unknown = len(self.ledger.of(kind, "unknown"))
            if left != sold:
                problems.append(f"{name}: {left} units left the stock, {sold} redemptions")
            if sold > reward["initial_stock"] or reward["stock"] < 0:
                problems.append(f"{name}: oversold ({sold} of {reward['initial_stock']})")
            if not acked <= sold <= acked + unknown:
                problems.append(f"{name}: {sold} sold, {acked} acknowledged (+{unknown} unknown)")
            if kind == "flash_redemption":
                problems += [
                    f"flash sale: member {r['member_id'][:8]} got {r['n']}" for r in per_member if r["n"] > 1
                ]
            counts[name] = {
                "initial": reward["initial_stock"],
                "stock": reward["stock"],
                "sold": sold,
                "acknowledged": acked,
            }
        return _result("stock: sold = redemptions = stock that left, never oversold", problems, **counts)

    async def quotas(self) -> Result:
        rows = await self._privilege(
            "SELECT q.member_id, q.privilege_code, q.used, q.reserved, t.tier FROM quota_usage q "
            "JOIN member_tiers t ON t.member_id = q.member_id WHERE q.privilege_code = "
            "'after_drinking_driving'"
        )
        problems = []
        for row in rows:
            quota = FREE_QUOTA.get(row["tier"], 0)
            if row["used"] + row["reserved"] > quota:
                problems.append(
                    f"member {row['member_id'][:8]} ({row['tier']}): {row['used']}+{row['reserved']} of "
                    f"{quota}"
                )
        completed = await self._privilege(
            "SELECT o.member_id, count(*) AS n, t.tier FROM service_orders o JOIN member_tiers t USING "
            "(member_id) "
            "WHERE o.privilege_code = 'after_drinking_driving' AND o.status IN ('completed', 'closed') "
            "GROUP BY o.member_id, t.tier"
        )
        problems += [
            f"member {r['member_id'][:8]}: {r['n']} completed of {FREE_QUOTA.get(r['tier'], 0)}"
            for r in completed
            if r["n"] > FREE_QUOTA.get(r["tier"], 0)
        ]
        refused = sum(1 for w in self.ledger.of("order", "refused") if w.problem and "quota" in w.problem)
        return _result(
            "quotas: nobody above a yearly quota",
            problems,
            members_with_usage=len(rows),
            refused_over_quota=refused,
        )

    # --- events ------------------------------------------------------------------------------------------

    async def inbox_once(self) -> Result:
        """No (consumer group, event id) twice in any inbox (its key), and every effect keyed by an event
        applied once: one notify inbox item and one message per channel per fact."""
        problems = []
        total = 0
        for service in SERVICE_DATABASES:
            rows = await self.platform.fetch(
                service,
                "SELECT consumer_group, event_id, count(*) AS n FROM event_inbox GROUP BY 1, 2 HAVING "
                "count(*) > 1",
            )
            problems += [
                f"{service}: {r['consumer_group']} applied {r['event_id']} {r['n']} times" for r in rows
            ]
            total += (await self.platform.fetch(service, "SELECT count(*) AS n FROM event_inbox"))[0]["n"]
        items = await self.platform.fetch(
            "notify-svc",
            "SELECT member_id, fact_id, count(*) AS n FROM inbox_items GROUP BY 1, 2 HAVING count(*) > 1",
        )
        problems += [f"inbox item {r['fact_id']} of {r['member_id'][:8]}: {r['n']}" for r in items]
        return _result("events applied at most once per consumer", problems, inbox_rows=total)

    async def outbox_reached_kafka(self) -> Result:
        """Every outbox row is published, and its event id is on its topic (read back from the broker)."""
        problems = []
        outbox: dict[str, tuple[str, str]] = {}
        for service in SERVICE_DATABASES:
            rows = await self.platform.fetch(
                service, "SELECT id::text AS id, topic, published_at FROM event_outbox"
            )
            for row in rows:
                outbox[row["id"]] = (service, row["topic"])
                if row["published_at"] is None:
                    problems.append(f"{service}: event {row['id']} not published")
        on_topics, dlq = await _read_topics(self.platform.broker.url, {t for _, t in outbox.values()})
        missing = [i for i in outbox if i not in on_topics]
        problems += [f"{outbox[i][0]}: event {i} not on {outbox[i][1]}" for i in missing]
        self.dlq = dlq
        return _result(
            "every outbox row reached Kafka",
            problems,
            outbox_rows=len(outbox),
            records_read=len(on_topics),
            missing=len(missing),
        )

    # --- webhooks and orders -------------------------------------------------------------------------------

    async def webhooks(self) -> Result:
        rows = await self.platform.fetch(
            "merchant-svc",
            "SELECT m.id, m.event_type, m.order_id, d.status, d.attempts FROM webhook_messages m "
            "LEFT JOIN webhook_deliveries d ON d.message_id = m.id WHERE m.merchant_id = $1::uuid",
            self.workload.merchant_id,
        )
        received = self.workload.receiver.receptions()
        processed = self.workload.receiver.processed
        problems = [
            f"webhook {r['id']} ({r['event_type']}): never received (delivery {r['status']})"
            for r in rows
            if received[r["id"]] == 0
        ]
        problems += [f"webhook {r['id']}: delivery {r['status']}" for r in rows if r["status"] != "succeeded"]
        orders = {r["order_id"] for r in rows if r["event_type"] == "order.dispatched"}
        problems += [
            f"order {o}: never dispatched to the merchant"
            for o in self.workload.order_plan
            if o not in orders
        ]
        attempts = await self.platform.fetch(
            "merchant-svc",
            "SELECT outcome, count(*) AS n FROM webhook_attempts WHERE endpoint_id = $1::uuid GROUP BY 1",
            self.workload.endpoint_id,
        )
        return _result(
            "webhooks: each received at least once, processed once",
            problems,
            messages=len(rows),
            receptions=sum(received.values()),
            processed=len(processed),
            redeliveries=self.workload.receiver.redeliveries,
            refused_signatures=self.workload.receiver.refused,
            attempts={r["outcome"]: r["n"] for r in attempts},
            receiver_modes=dict(self.workload.receiver.modes_served),
        )

    async def order_states(self) -> Result:
        """Each acknowledged order ends as the plan (= a fault-free run of the seed) says."""
        plan = self.workload.order_plan
        rows = await self._privilege(
            "SELECT id::text AS id, status FROM service_orders WHERE id = ANY($1::uuid[])", list(plan)
        )
        final = {r["id"]: r["status"] for r in rows}
        problems = [
            f"order {o}: {final.get(o)} (planned {p})"
            for o, p in plan.items()
            if final.get(o) != p and not (p == "completed" and final.get(o) == "closed")
        ]
        fulfilments = await self.platform.fetch(
            "merchant-svc", "SELECT order_id, status FROM fulfilments WHERE order_id = ANY($1)", list(plan)
        )
        merchant_side = {r["order_id"]: r["status"] for r in fulfilments}
        problems += [
            f"order {o}: merchant-svc says {merchant_side.get(o)} (planned {p})"
            for o, p in plan.items()
            if merchant_side.get(o) != p
        ]
        return _result(
            "orders end as in a fault-free run",
            problems,
            orders=len(plan),
            by_state=dict(Counter(final.values())),
        )

    # --- messages -----------------------------------------------------------------------------------------

    async def sms_once(self) -> Result:
        """SMS is never sent twice for one (member, fact): the out-id is the message id, unique per
        (member, fact, channel), and the fake records every send."""
        sent = (await self.platform.fake_get("sms", "/_fake/messages"))["items"]
        by_out = Counter(m.get("out_id") or m.get("OutId") for m in sent)
        by_out.pop(None, None)
        notify = await self.platform.fetch(
            "notify-svc",
            "SELECT replace(id::text, '-', '') AS id, attempts FROM messages WHERE channel = 'sms'",
        )
        ours = {r["id"] for r in notify}
        problems = [f"SMS message {o}: sent {n} times" for o, n in by_out.items() if n > 1 and o in ours]
        return _result(
            "SMS never twice for one (member, fact)",
            problems,
            sms_messages=len(notify),
            provider_sends=sum(by_out[o] for o in ours),
            retried=sum(1 for r in notify if r["attempts"] > 1),
        )

    async def wechat_duplicates(self) -> Result:
        """WeChat takes no idempotency key: a duplicate is possible when notify-svc dies between a send and
        its commit, or a send times out after WeChat took it. Bound: the extra copies of a message ≤ its
        attempts − 1 (each extra copy needs a further attempt of the same message)."""
        received = (await self.platform.fake_get("wechat", "/_fake/messages"))["items"]
        copies: Counter[str] = Counter(_wechat_key(m.get("touser"), m) for m in received)
        rows = await self.platform.fetch(
            "notify-svc",
            "SELECT m.payload, m.attempts, m.status, r.openid FROM messages m JOIN recipients r USING "
            "(member_id) "
            "WHERE m.channel = 'wechat' AND m.status IN ('sent', 'delivered')",
        )
        expected: Counter[str] = Counter()
        attempts: Counter[str] = Counter()
        for row in rows:
            payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
            key = _wechat_key(row["openid"], payload)
            expected[key] += 1
            attempts[key] += row["attempts"] - 1
        duplicates = {k: copies[k] - expected[k] for k in expected if copies[k] > expected[k]}
        problems = [
            f"{k[:16]}: {n} extra copies, bound {attempts[k]}"
            for k, n in duplicates.items()
            if n > attempts[k]
        ]
        missing = [k for k in expected if copies[k] < expected[k]]
        problems += [f"{k[:16]}: recorded sent, not received" for k in missing]
        return _result(
            "WeChat duplicates within the bound",
            problems,
            messages_sent=sum(expected.values()),
            duplicates=sum(duplicates.values()),
            bound=sum(attempts.values()),
        )

    # --- tiers -----------------------------------------------------------------------------------------

    async def tiers(self) -> Result:
        """Each member's contribution and tier are what the current rules give from the final policy set
        (member-svc's projection, which must hold every policy fed), and privilege-svc and notify-svc
        project the same tier. A settled claim lowers the contribution but a downgrade waits for the grace
        period, so a member with a settled claim may keep the tier the rules gave before it."""
        rules = (
            await self.platform.fetch(
                "member-svc", "SELECT rules FROM tier_rules ORDER BY version DESC LIMIT 1"
            )
        )[0]["rules"]
        rules = rules if isinstance(rules, dict) else json.loads(rules)
        members = {
            str(r["id"]): r
            for r in await self.platform.fetch(
                "member-svc",
                "SELECT id, tier, contribution_fen FROM members WHERE id = ANY($1::uuid[])",
                self.members,
            )
        }
        policies: dict[str, list[Any]] = defaultdict(list)
        for row in await self.platform.fetch(
            "member-svc", "SELECT * FROM policies WHERE member_id = ANY($1::uuid[])", self.members
        ):
            policies[str(row["member_id"])].append(row)
        claims: Counter[str] = Counter()
        today = datetime.now(UTC).date()
        since = datetime.combine(today - timedelta(days=int(rules["claims_window_days"])), time.min, UTC)
        for row in await self.platform.fetch(
            "member-svc",
            "SELECT member_id, settled_at FROM settled_claims WHERE member_id = ANY($1::uuid[])",
            self.members,
        ):
            if row["settled_at"] >= since:
                claims[str(row["member_id"])] += 1
        privilege = {
            r["member_id"]: r["tier"]
            for r in await self._privilege(
                "SELECT member_id, tier FROM member_tiers WHERE member_id = ANY($1)", self.members
            )
        }
        notify = {
            r["member_id"]: r["tier"]
            for r in await self.platform.fetch(
                "notify-svc", "SELECT member_id, tier FROM recipients WHERE member_id = ANY($1)", self.members
            )
        }
        fed = {p.member_id: {d["policy_no"] for d in p.policies} for p in self.workload.people if p.member_id}
        problems = []
        moved = 0
        for member_id, row in members.items():
            held = {p["policy_no"] for p in policies[member_id]}
            if fed.get(member_id, set()) - held:
                problems.append(
                    f"member {member_id[:8]}: policies {sorted(fed[member_id] - held)} not projected"
                )
            contribution, rank = _rules(rules, policies[member_id], claims[member_id], today)
            _, rank_before_claims = _rules(rules, policies[member_id], 0, today)
            tier = TIERS.index(row["tier"])
            if row["contribution_fen"] != contribution:
                problems.append(
                    f"member {member_id[:8]}: contribution {row['contribution_fen']}, rules {contribution}"
                )
            if not rank <= tier <= rank_before_claims:
                problems.append(
                    f"member {member_id[:8]}: {row['tier']}, rules give {TIERS[rank]}"
                    + (f"…{TIERS[rank_before_claims]}" if rank_before_claims != rank else "")
                )
            if privilege.get(member_id) != row["tier"]:
                problems.append(
                    f"member {member_id[:8]}: privilege-svc has {privilege.get(member_id)}, member-svc "
                    f"{row['tier']}"
                )
            if notify.get(member_id) != row["tier"]:
                problems.append(
                    f"member {member_id[:8]}: notify-svc has {notify.get(member_id)}, member-svc "
                    f"{row['tier']}"
                )
            moved += row["tier"] not in ("prospective", "ordinary")
        return _result(
            "tiers and entitlements = the rules over the final policies",
            problems,
            members=len(members),
            star_members=moved,
        )


def _rules(rules: dict[str, Any], policies: list[Any], claims: int, today: date) -> tuple[int, int]:
    """member-svc's tier rules (``tiers/repository.py``) over one member's policies, in Python."""
    active = [p for p in policies if p["status"] == "active" and p["ends_on"] >= today]
    premium = sum(p["premium_fen"] for p in active)
    years = (today - min(p["starts_on"] for p in policies)).days // 365 if policies else 0
    lines = len({p["line"] for p in active})
    renewals = sum(1 for p in policies if p["previous_policy_no"] is not None)
    contribution = max(
        0,
        math.floor(
            premium * float(rules["premium_weight"])
            + min(years, int(rules["max_years"])) * int(rules["per_year_fen"])
            + max(lines - 1, 0) * int(rules["per_extra_line_fen"])
            + min(renewals, int(rules["max_renewals"])) * int(rules["per_renewal_fen"])
            - claims * int(rules["per_claim_fen"])
        ),
    )
    thresholds = rules["thresholds_fen"]
    if not active:
        return contribution, 0
    rank = 1
    for i, name in enumerate(("three_star", "four_star", "five_star"), start=2):
        if contribution >= int(thresholds[name]):
            rank = i
    return contribution, rank


def _lookup_hash(key: bytes, value: str) -> str:
    import hmac

    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _wechat_key(openid: Any, message: dict[str, Any]) -> str:
    body = {
        "touser": openid,
        "template_id": message.get("template_id"),
        "data": message.get("data"),
        "url": message.get("url"),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def _read_topics(bootstrap: str, topics: set[str]) -> tuple[set[str], dict[str, list[dict[str, Any]]]]:
    """Every event id on ``topics`` (from their start to their end now), and every record of every DLQ."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    dlqs = {t for t in existing if t.endswith(".dlq")}
    wanted = (topics & existing) | dlqs
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    ids: set[str] = set()
    dead: dict[str, list[dict[str, Any]]] = {t: [] for t in dlqs}
    try:
        partitions = [
            TopicPartition(t, p)
            for t in wanted
            for p in sorted(consumer.partitions_for_topic(t) or await _partitions(consumer, t))
        ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, starts[tp])
        position = dict(starts)
        while pending := [tp for tp in partitions if position[tp] < ends[tp]]:
            batch = await consumer.getmany(*pending, timeout_ms=2000, max_records=5000)
            for tp, records in batch.items():
                for record in records:
                    position[tp] = record.offset + 1
                    headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
                    if tp.topic in dlqs:
                        dead[tp.topic].append(
                            {k: v for k, v in headers.items() if k.startswith(("ce_", "x-cheyou"))}
                        )
                    elif "ce_id" in headers:
                        ids.add(headers["ce_id"])
    finally:
        await consumer.stop()
    return ids, {t: rows for t, rows in dead.items() if rows}


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)

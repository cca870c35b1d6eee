"""A member's ``GET /api/v1/me`` through the gateway against its parts called straight (issue 20, third row).

    python bench/gateway_me.py [--quick] [--seconds 24] [--rounds 4] [--workers 1] [--profile]

The gateway's Me page fans out to eight service calls (profile, card, points, entitlements, recent orders,
open claims, coupons, unread count). Each part runs straight to its service (the identity the gateway
would sign), and ``/me`` through the gateway, interleaved, at 16 connections; ``/me`` again at 1
connection for its p50. Per target: requests/s, p50/p99 and the CPU milliseconds per request of the
gateway and of every service. Target: ``/me`` ≥ 50 % of the slowest part's requests/s at c=16, p50 ≤ 25 ms
at c=1. ``--workers 2``: two uvicorn workers per service, as Kubernetes runs at least two one-CPU replicas
of each (a Me page's three privilege-svc calls then need not queue on one process); its figures are
written in a section of their own. ``--profile``: py-spy flame graph of the gateway under /me →
bench/results/gateway-me.svg.
"""

from __future__ import annotations

import argparse

import harness
import wrk_harness as h

SERVICES = ("gateway", "member-svc", "privilege-svc", "claims-svc", "merchant-svc", "notify-svc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 s per target, 2 rounds")
    parser.add_argument("--seconds", type=float, default=24.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per service")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    seconds, rounds = (6.0, 2) if args.quick else (args.seconds, args.rounds)
    with h.platform(args.workers) as p:
        member_id, token = h.member_signed_in(p)
        pids = {name: p.pid(name) for name in SERVICES}
        member = {"subject": f"member-{member_id}", "role": "member", "member_id": member_id}
        parts = {
            "profile": ("member-svc", f"/api/v1/members/{member_id}", b""),
            "card": ("member-svc", f"/api/v1/members/{member_id}/card", b""),
            "points": ("privilege-svc", f"/api/v1/points/{member_id}", b""),
            "entitlements": ("privilege-svc", f"/api/v1/entitlements/{member_id}", b""),
            "recent orders": ("privilege-svc", "/api/v1/orders", f"member_id={member_id}&limit=3".encode()),
            "open claims": ("claims-svc", "/api/v1/claims", f"member_id={member_id}".encode()),
            "coupons": ("merchant-svc", "/api/v1/coupons", f"member_id={member_id}".encode()),
            "unread": ("notify-svc", f"/api/v1/inbox/{member_id}/unread-count", b""),
        }
        targets = [
            h.Target(
                name,
                p.url(service) + path + (f"?{query.decode()}" if query else ""),
                {service: pids[service]},
                {"X-Cheyou-Identity": p.identity(service, "GET", path, query, **member)},
            )
            for name, (service, path, query) in parts.items()
        ]
        me = h.Target(
            "/me through the gateway",
            p.url("gateway") + "/api/v1/me",
            pids,
            {"Authorization": f"Bearer {token}"},
        )
        results = h.interleaved([me, *targets], connections=16, seconds=seconds, rounds=rounds)
        single = h.interleaved([me], connections=1, seconds=seconds / 2, rounds=rounds)
        if args.profile:
            with h.profile(pids["gateway"], h.RESULTS / "gateway-me.svg", seconds=15):
                h.wrk(me.url, connections=16, seconds=16, headers=me.headers)
    slowest = min(results[1:], key=lambda r: r.rps)
    workers = f" --workers {args.workers}" if args.workers > 1 else ""
    loads = [load for r in [*results, *single] for load in r.loads]
    body = [
        f"**Machine** {harness.machine()}; {h.verdict(loads)}.",
        "",
        f"**Reproduce**: `.venv/bin/python bench/gateway_me.py{' --quick' if args.quick else ''}{workers}`. "
        f"wrk, keep-alive; {rounds} interleaved rounds of {seconds / rounds:g} s per target; "
        f"{args.workers} uvicorn worker(s) per service.",
        "",
        *h.table([*results, *single], list(SERVICES)),
        "",
        f"- `/me` at c=16: {results[0].rps / slowest.rps:.0%} of its slowest part ({slowest.target}, "
        f"{slowest.rps:,.0f} req/s) — target ≥ 50 %.",
        f"- `/me` p50 at c=1: {single[0].p50_ms:.1f} ms — target ≤ 25 ms.",
    ]
    title = f"GET /me through the gateway vs its parts (gateway_me.py{workers})"
    path = h.write_result("gateway", title, body)
    print("\n".join(body))  # noqa: T201
    print(f"→ {path}")  # noqa: T201


if __name__ == "__main__":
    main()

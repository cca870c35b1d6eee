"""Service CPU per request on a small authenticated read (issue 20, first row): what the kit costs.

    python bench/kit_small_read.py [--quick] [--seconds 20] [--rounds 4] [--profile]

``GET /api/v1/liability-scenarios`` (12 static rows, a member's signed identity) straight to claims-svc,
against the same process's ``GET /healthz`` (no identity, no database) in the same run, interleaved, at
16 and 1 connections (wrk, keep-alive). The figure that counts is claims-svc's CPU milliseconds per
request (``/proc`` deltas net of its idle burn): it holds still on a shared machine, where requests/s
do not. ``--profile`` writes a py-spy flame graph of claims-svc under the read to
bench/results/kit-small-read.svg. The platform is started as ``make up`` starts it (``wrk_harness``).
Target: ≤ 1 ms of service CPU per request.
"""

from __future__ import annotations

import argparse
import uuid

import harness
import wrk_harness as h

PATH = "/api/v1/liability-scenarios"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s per target, 2 rounds, c=16 only")
    parser.add_argument("--seconds", type=float, default=20.0, help="per target and connection count")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="a py-spy flame graph of claims-svc")
    args = parser.parse_args()
    seconds, rounds, concurrencies = (8.0, 2, [16]) if args.quick else (args.seconds, args.rounds, [16, 1])
    with h.platform() as p:
        claims = p.url("claims-svc")
        pid = p.pid("claims-svc")
        member = str(uuid.uuid4())
        token = p.identity(
            "claims-svc", "GET", PATH, subject=f"member-{member}", role="member", member_id=member
        )
        targets = [
            h.Target("healthz", f"{claims}/healthz", {"claims-svc": pid}),
            h.Target(
                "liability scenarios", f"{claims}{PATH}", {"claims-svc": pid}, {"X-Cheyou-Identity": token}
            ),
        ]
        results = []
        for c in concurrencies:
            results += h.interleaved(targets, connections=c, seconds=seconds, rounds=rounds)
        if args.profile:
            with h.profile(pid, h.RESULTS / "kit-small-read.svg", seconds=15):
                h.wrk(targets[1].url, connections=16, seconds=16, headers=targets[1].headers)
    loads = [load for r in results for load in r.loads]
    body = [
        f"**Machine** {harness.machine()}; {h.verdict(loads)}.",
        "",
        f"**Reproduce**: `.venv/bin/python bench/kit_small_read.py{' --quick' if args.quick else ''}`. "
        f"wrk, keep-alive; {rounds} interleaved rounds of {seconds / rounds:g} s per target.",
        "",
        *h.table(results, ["claims-svc"]),
        "",
        "Target: claims-svc CPU per request on the read ≤ 1 ms.",
    ]
    path = h.write_result("kit", "Small authenticated read straight to claims-svc (kit_small_read.py)", body)
    print("\n".join(body))  # noqa: T201
    print(f"→ {path}")  # noqa: T201


if __name__ == "__main__":
    main()

"""privilege-svc's hot reads against its trivial route, in one run (issue 20, second row).

    python bench/privilege_catalogue.py [--quick] [--seconds 24] [--rounds 4] [--profile]

Straight to privilege-svc (a member's signed identity, wrk, keep-alive, 16 connections): ``GET /healthz``
(the baseline), ``GET /api/v1/privileges`` (the catalogue; served from the process's encoded copy),
``GET /api/v1/privileges`` with ``If-None-Match`` (304) and ``GET /api/v1/entitlements/{member}``.
Per target: requests/s, p50/p99 and privilege-svc's CPU milliseconds per request (``/proc`` deltas net of
its idle burn). ``--profile`` writes py-spy flame graphs to bench/results/privilege-catalogue.svg and
privilege-entitlements.svg. Target: each read ≥ 50 % of the trivial route's requests/s.
"""

from __future__ import annotations

import argparse

import harness
import httpx
import wrk_harness as h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s per target, 2 rounds")
    parser.add_argument("--seconds", type=float, default=24.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    seconds, rounds = (8.0, 2) if args.quick else (args.seconds, args.rounds)
    with h.platform() as p:
        member_id, _ = h.member_signed_in(p)
        base, pid = p.url("privilege-svc"), p.pid("privilege-svc")

        def identity(path: str) -> dict[str, str]:
            token = p.identity(
                "privilege-svc",
                "GET",
                path,
                subject=f"member-{member_id}",
                role="member",
                member_id=member_id,
            )
            return {"X-Cheyou-Identity": token}

        catalogue, entitlements = "/api/v1/privileges", f"/api/v1/entitlements/{member_id}"
        etag = httpx.get(base + catalogue, headers=identity(catalogue)).headers["etag"]
        targets = [
            h.Target("healthz", f"{base}/healthz", {"privilege-svc": pid}),
            h.Target("GET /privileges", base + catalogue, {"privilege-svc": pid}, identity(catalogue)),
            h.Target(
                "GET /privileges (304)",
                base + catalogue,
                {"privilege-svc": pid},
                {**identity(catalogue), "If-None-Match": etag},
            ),
            h.Target(
                "GET /entitlements/{me}", base + entitlements, {"privilege-svc": pid}, identity(entitlements)
            ),
        ]
        results = h.interleaved(targets, connections=16, seconds=seconds, rounds=rounds)
        if args.profile:
            for target, name in ((targets[1], "privilege-catalogue"), (targets[3], "privilege-entitlements")):
                with h.profile(pid, h.RESULTS / f"{name}.svg", seconds=15):
                    h.wrk(target.url, connections=16, seconds=16, headers=target.headers)
    healthz = results[0].rps
    loads = [load for r in results for load in r.loads]
    body = [
        f"**Machine** {harness.machine()}; {h.verdict(loads)}.",
        "",
        f"**Reproduce**: `.venv/bin/python bench/privilege_catalogue.py{' --quick' if args.quick else ''}`. "
        f"wrk, keep-alive, 16 connections; {rounds} interleaved rounds of {seconds / rounds:g} s per target.",
        "",
        *h.table(results, ["privilege-svc"]),
        "",
        *(f"- {r.target}: {r.rps / healthz:.0%} of `/healthz` (target ≥ 50 %)." for r in results[1:]),
    ]
    path = h.write_result(
        "privilege-svc", "Catalogue and entitlements vs /healthz (privilege_catalogue.py)", body
    )
    print("\n".join(body))  # noqa: T201
    print(f"→ {path}")  # noqa: T201


if __name__ == "__main__":
    main()

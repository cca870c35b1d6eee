"""``python -m cheyou_devinfra.soak [--duration S] [--seed N] [--injections K] [--broker B]``
(``make soak``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from cheyou_devinfra.soak.faults import WEIGHTS
from cheyou_devinfra.soak.runner import Options, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cheyou_devinfra.soak", description=__doc__)
    parser.add_argument("--duration", type=float, default=900, help="seconds of load with faults (about)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--injections", type=int, default=50)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--broker", choices=["apache-kafka", "tansu"], default="apache-kafka")
    parser.add_argument(
        "--kinds", default="", help=f"comma-separated fault kinds (default all: {','.join(WEIGHTS)})"
    )
    parser.add_argument("--out", type=Path, default=Path(".dev/soak"))
    parser.add_argument(
        "--settle", type=float, default=900, help="seconds to wait for the platform to settle"
    )
    parser.add_argument("--concurrency", type=int, default=6)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "aiokafka", "cheyou_devinfra.components"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    report = asyncio.run(
        run(
            Options(
                seed=args.seed,
                injections=args.injections,
                duration_s=args.duration,
                members=args.members,
                broker=args.broker,
                kinds=kinds,
                out=args.out,
                settle_s=args.settle,
                concurrency=args.concurrency,
            )
        )
    )
    summary = {r["name"]: r["passed"] for r in report.get("invariants", [])}
    sys.stdout.write(
        json.dumps(
            {
                "passed": report.get("passed"),
                "redeliveries": report.get("redeliveries_observed"),
                "invariants": summary,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )
    sys.stdout.write(f"report: {args.out / 'report.md'}\n")
    if not report.get("passed") or not report.get("redeliveries_observed"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

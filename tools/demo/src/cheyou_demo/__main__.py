"""The demo world, made through the public API only (``python -m cheyou_demo --gateway …``): a few members
per tier, or with ``--scale S`` the seed's 2014 Fuzhou world (``cheyou_demo.world``). The result, with the
demo logins (a member of each tier, a merchant's administrator and key), is printed and, with ``--out``
or ``--once``, written to a file (``.dev/demo-loaded.json`` for ``make demo`` and the first ``make dev``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from cheyou_demo.client import LoadError
from cheyou_demo.core_system import hash_key, holder_hasher
from cheyou_demo.figures import Figures
from cheyou_demo.small_world import seed
from cheyou_demo.world import load


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cheyou_demo", description=__doc__)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--wechat", default="http://127.0.0.1:8190", help="the fake WeChat server")
    parser.add_argument("--sms", default="http://127.0.0.1:8191", help="the fake SMS server")
    parser.add_argument("--hash-key", help="member-svc's MEMBER_PII_HASH_KEY (default: env, then .dev)")
    parser.add_argument("--per-tier", type=int, default=2, help="without --scale: a few members per tier")
    parser.add_argument(
        "--scale",
        type=float,
        help="the seed's 2014 Fuzhou world at this fraction (1 = 23,853 members, 87,404 claims; "
        "see cheyou_demo.figures for the rounding)",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (with --scale)")
    parser.add_argument(
        "--seed", type=int, default=2014, help="random seed of the world's plan (with --scale)"
    )
    parser.add_argument(
        "--out", metavar="FILE", help="also write the result (its `logins` among it) to this JSON file"
    )
    parser.add_argument(
        "--once",
        metavar="MARKER",
        help="do nothing if this file exists; else load and write the result there (the first `make dev`)",
    )
    args = parser.parse_args(argv)
    marker = Path(args.once) if args.once else None
    if marker is not None and marker.exists():
        sys.stdout.write(f"demo data already loaded ({marker} exists)\n")
        return
    out = marker or (Path(args.out) if args.out else None)
    key = hash_key(args.hash_key)
    if args.scale is not None:
        try:
            Figures.scaled(args.scale)
        except ValueError as exc:
            parser.error(str(exc))

        world = load(
            args.gateway,
            args.wechat,
            holder_hasher(key),
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
            where = _url_of(exc) or args.gateway
            raise SystemExit(f"no answer from {where} ({exc!r}): is the platform up (`make up`)?") from None
    else:
        result = asyncio.run(seed(args.gateway, args.wechat, args.sms, key, args.per_tier))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


def _url_of(exc: httpx.TransportError) -> str | None:
    """The address of the request that failed (the gateway or one of the fake providers)."""
    try:
        return str(exc.request.url)
    except RuntimeError:  # raised before a request existed
        return None


if __name__ == "__main__":
    main()

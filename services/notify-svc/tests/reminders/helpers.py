"""What the reminder tests share: reading a member's inbox, ops' headers (the jobs run with the suite's
settings: ``reminder_chunk`` 3, several chunks with a handful of rows)."""

from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities


async def inbox(client: httpx.AsyncClient, identities: Identities, member: str) -> list[dict[str, Any]]:
    headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
    items: list[dict[str, Any]] = (await client.get(f"/api/v1/inbox/{member}", headers=headers)).json()[
        "items"
    ]
    return items


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("notify-svc", Role.OPS, subject="ops1", staff_id="ops1")

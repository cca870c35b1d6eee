"""Who a WeChat openid or a phone number is: member-svc says, the account projection may refuse."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from cheyou_kit.identity import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts import service as accounts
from gateway.auth.errors import AccountChangeInvalid, AccountChangeRefused, MemberRejected, NotAMember
from gateway.errors import BadGateway
from gateway.upstreams.clients import GATEWAY_PRINCIPAL, Upstream

INVITED = "invited"


def principal_for(member_id: uuid.UUID) -> Principal:
    return Principal(subject=f"member:{member_id}", role=Role.MEMBER, member_id=member_id)


async def may_sign_in(session: AsyncSession, member_id: uuid.UUID) -> bool:
    """Pending and verified members may sign in (a pending one follows the application); rejected may not."""
    account = await accounts.get(session, str(member_id))
    return account is None or account.status != accounts.REJECTED


async def identify(session: AsyncSession, member_svc: Upstream, **by: str) -> Principal:
    """The member with this ``openid=`` or ``phone=``."""
    principal = await find(session, member_svc, **by)
    if principal is None:
        raise NotAMember()
    return principal


async def find(session: AsyncSession, member_svc: Upstream, **by: str) -> Principal | None:
    """The member with this ``openid=`` or ``phone=``; None when there is none — or only an invitation,
    which the invited person takes up by joining with the phone proof (a rejected one raises)."""
    response = await member_svc.request(
        "POST", "/api/v1/members/identify", principal=GATEWAY_PRINCIPAL, json=by
    )
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise BadGateway(f"member-svc answered {response.status_code} to identify")
    answer = response.json()
    if answer.get("status") == INVITED:
        return None
    member_id = uuid.UUID(str(answer["member_id"]))
    if answer.get("status") == accounts.REJECTED or not await may_sign_in(session, member_id):
        raise MemberRejected()
    return principal_for(member_id)


async def change(member_svc: Upstream, method: str, path: str, body: dict[str, str]) -> dict[str, Any]:
    """A change to the member's sign-in phone or WeChat binding that the gateway has proven, made by the
    gateway itself (member-svc takes these from the gateway's own identity only)."""
    response = await member_svc.request(method, path, principal=GATEWAY_PRINCIPAL, json=body)
    if response.status_code == 200:
        answer: dict[str, Any] = response.json()
        return answer
    detail = _detail(response)
    if response.status_code == 404:
        raise NotAMember(detail)
    if response.status_code == 409:
        raise AccountChangeRefused(detail)
    if response.status_code == 422:
        raise AccountChangeInvalid(detail)
    raise BadGateway(f"member-svc answered {response.status_code} to {method} {path.split('/')[-1]}")


def _detail(response: httpx.Response) -> str | None:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return None
    return str(detail) if detail else None

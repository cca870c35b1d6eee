"""Who a WeChat openid or a phone number is: member-svc says, the account projection may refuse."""

from __future__ import annotations

import uuid

from cheyou_kit.errors import Forbidden, NotFound
from cheyou_kit.identity import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts import service as accounts
from gateway.errors import BadGateway
from gateway.upstreams.clients import GATEWAY_PRINCIPAL, Upstream


class NotAMember(NotFound):
    slug = "not-a-member"
    title = "No member is bound to this WeChat account or phone number; register first"


class MemberRejected(Forbidden):
    slug = "member-rejected"
    title = "The membership application was rejected"


def principal_for(member_id: uuid.UUID) -> Principal:
    return Principal(subject=f"member:{member_id}", role=Role.MEMBER, member_id=member_id)


async def may_sign_in(session: AsyncSession, member_id: uuid.UUID) -> bool:
    """Pending and verified members may sign in (a pending one follows the application); rejected may not."""
    account = await accounts.get(session, str(member_id))
    return account is None or account.status != accounts.REJECTED


async def identify(session: AsyncSession, member_svc: Upstream, **by: str) -> Principal:
    """The member with this ``openid=`` or ``phone=``."""
    response = await member_svc.request(
        "POST", "/api/v1/members/identify", principal=GATEWAY_PRINCIPAL, json=by
    )
    if response.status_code == 404:
        raise NotAMember()
    if response.status_code != 200:
        raise BadGateway(f"member-svc answered {response.status_code} to identify")
    answer = response.json()
    member_id = uuid.UUID(str(answer["member_id"]))
    if answer.get("status") == accounts.REJECTED or not await may_sign_in(session, member_id):
        raise MemberRejected()
    return principal_for(member_id)

"""Sign-in flows: staff passwords, WeChat web authorization, SMS one-time codes; refresh and sign-out."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from cheyou_kit.errors import Forbidden
from cheyou_kit.identity import STAFF_ROLES, Principal, Role
from cheyou_kit.masking import mask_phone
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import members, sms, wechat
from gateway.auth.errors import MemberRejected
from gateway.auth.otp import normalise_phone
from gateway.merchant_staff import service as merchant_staff
from gateway.runtime import Runtime
from gateway.staff import service as staff
from gateway.tokens.errors import InvalidToken
from gateway.tokens.service import TokenPair
from gateway.wechat_web import service as wechat_web

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhoneProof:
    """What a right code gives when no member has the phone: the proof an applicant joins with."""

    token: str
    expires_in: int


async def staff_login(
    session: AsyncSession, runtime: Runtime, username: str, password: str, client_ip: str
) -> TokenPair:
    account = await staff.sign_in(session, runtime.lockout, username, password, client_ip)
    return await runtime.tokens.issue(staff.principal_of(account))


async def wechat_login(session: AsyncSession, runtime: Runtime, code: str) -> TokenPair:
    settings = runtime.settings
    openid = await wechat.openid_for_code(
        runtime.external,
        settings.wechat_api_base_url,
        settings.wechat_appid,
        settings.wechat_secret.get_secret_value(),
        code,
    )
    principal = await members.identify(session, runtime.upstreams["member-svc"], openid=openid)
    return await runtime.tokens.issue(principal)


async def send_otp(runtime: Runtime, phone: str, client_ip: str) -> None:
    """Send a code to any well-formed number: whether it belongs to a member is told only on sign-in."""
    settings = runtime.settings
    phone = normalise_phone(phone)
    code = await runtime.otp.issue(phone, client_ip)
    await sms.send_code(
        runtime.external,
        settings.sms_api_base_url,
        access_key_id=settings.sms_access_key_id,
        sign_name=settings.sms_sign_name,
        template_code=settings.sms_otp_template_code,
        phone=phone,
        code=code,
    )


async def otp_login(session: AsyncSession, runtime: Runtime, phone: str, code: str) -> TokenPair | PhoneProof:
    """The member with this phone signs in; for anyone else the right code is a phone proof to join
    with (a rejected applicant may apply again). Only the phone's holder learns which it was."""
    phone = normalise_phone(phone)
    await runtime.otp.consume(phone, code)
    try:
        principal = await members.find(session, runtime.upstreams["member-svc"], phone=phone)
    except MemberRejected:
        principal = None
    if principal is None:
        proofs = runtime.phone_proofs
        return PhoneProof(await proofs.issue(phone), proofs.ttl_seconds)
    return await runtime.tokens.issue(principal)


async def phone_proof_login(session: AsyncSession, runtime: Runtime, proof: str) -> TokenPair:
    """The applicant who joined with this proof signs in without a second code; the proof is spent."""
    phone = await runtime.phone_proofs.phone(proof)
    principal = await members.identify(session, runtime.upstreams["member-svc"], phone=phone)
    await runtime.phone_proofs.spend(proof)
    return await runtime.tokens.issue(principal)


def _member_id(principal: Principal) -> uuid.UUID:
    if principal.role is not Role.MEMBER or principal.member_id is None:
        raise Forbidden("only a member changes their own sign-in phone or WeChat binding")
    return principal.member_id


async def change_phone(runtime: Runtime, principal: Principal, phone: str, code: str) -> dict[str, Any]:
    """A new sign-in phone, proven by the code sent to it; the number it replaces is told by SMS (so a
    stolen session cannot move the account away unnoticed)."""
    member_id = _member_id(principal)
    phone = normalise_phone(phone)
    await runtime.otp.consume(phone, code)
    answer = await members.change(
        runtime.upstreams["member-svc"], "PUT", f"/api/v1/members/{member_id}/phone", {"phone": phone}
    )
    previous = str(answer["previous_phone"])
    if previous != phone:
        await tell_replaced_phone(runtime, previous, phone)
    member: dict[str, Any] = answer["member"]
    return member


async def tell_replaced_phone(runtime: Runtime, previous: str, phone: str) -> None:
    """Text the number a member's phone was moved away from (by the member, or by their manager with the
    new number's code), so a stolen session or a careless correction cannot move the account unnoticed."""
    settings = runtime.settings
    try:
        await sms.send(
            runtime.external,
            settings.sms_api_base_url,
            access_key_id=settings.sms_access_key_id,
            sign_name=settings.sms_sign_name,
            template_code=settings.sms_phone_changed_template_code,
            phone=previous,
            params={"phone": mask_phone(phone)},
        )
    except Exception:  # the change is made: a lost notice must not hide it from the member
        log.warning("the notice of a phone change to the previous number could not be sent")


async def bind_wechat(
    runtime: Runtime, principal: Principal, code: str, state: str, verifier: str
) -> dict[str, Any]:
    """Bind the WeChat account that authorized this code (its state and this browser's verifier: a
    code planted by someone else binds nothing) — never an openid the client names."""
    member_id = _member_id(principal)
    await wechat_web.consume(runtime.resources.redis, state, verifier)
    settings = runtime.settings
    openid = await wechat.openid_for_code(
        runtime.external,
        settings.wechat_api_base_url,
        settings.wechat_appid,
        settings.wechat_secret.get_secret_value(),
        code,
    )
    return await members.change(
        runtime.upstreams["member-svc"], "PUT", f"/api/v1/members/{member_id}/openid", {"openid": openid}
    )


async def refresh(session: AsyncSession, runtime: Runtime, refresh_token: str) -> TokenPair:
    """Rotate the refresh token; a staff account disabled, a member rejected or a merchant user disabled
    (or their merchant suspended) since loses the session."""
    pair = await runtime.tokens.refresh(refresh_token)
    principal = pair.principal
    still_allowed = True
    if principal.role in STAFF_ROLES and principal.staff_id is not None:
        account = await staff.active(session, principal.staff_id)
        still_allowed = account is not None and Role(account.role) is principal.role
    elif principal.role is Role.MEMBER and principal.member_id is not None:
        still_allowed = await members.may_sign_in(session, uuid.UUID(str(principal.member_id)))
    elif merchant_staff.is_signed_in_staff(principal):
        still_allowed = await merchant_staff.may_refresh(runtime, principal)
    if not still_allowed:
        await runtime.tokens.revoke(refresh_token.partition(".")[0])
        raise InvalidToken("the account may no longer sign in")
    return pair


async def logout(runtime: Runtime, family: str) -> None:
    await runtime.tokens.revoke(family)

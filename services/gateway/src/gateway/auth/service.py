"""Sign-in flows: staff passwords, WeChat web authorization, SMS one-time codes; refresh and sign-out."""

from __future__ import annotations

import uuid

from cheyou_kit.identity import STAFF_ROLES, Role
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import members, sms, wechat
from gateway.auth.otp import normalise_phone
from gateway.merchant_staff import service as merchant_staff
from gateway.runtime import Runtime
from gateway.staff import service as staff
from gateway.tokens.service import InvalidToken, TokenPair


async def staff_login(session: AsyncSession, runtime: Runtime, username: str, password: str) -> TokenPair:
    account = await staff.sign_in(session, runtime.lockout, username, password)
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


async def otp_login(session: AsyncSession, runtime: Runtime, phone: str, code: str) -> TokenPair:
    phone = normalise_phone(phone)
    await runtime.otp.consume(phone, code)
    principal = await members.identify(session, runtime.upstreams["member-svc"], phone=phone)
    return await runtime.tokens.issue(principal)


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

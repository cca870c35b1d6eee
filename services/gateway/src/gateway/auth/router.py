from __future__ import annotations

from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.dependencies import REDIS_UNREACHABLE, DependencyUnavailable
from cheyou_kit.errors import Unauthorized
from cheyou_kit.identity import Role
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from gateway.auth import service
from gateway.auth.authentication import Caller, CallerDep, client_ip, require_roles
from gateway.auth.schemas import (
    USERNAME_PATTERN,
    AccountRead,
    OtpLogin,
    OtpRequest,
    OtpSent,
    PhoneChangeRequest,
    PhoneProofLogin,
    PhoneProofRead,
    PrincipalRead,
    RefreshRequest,
    StaffCreate,
    StaffLogin,
    StaffPage,
    StaffRead,
    StaffUpdate,
    TokenRead,
    WeChatBinding,
)
from gateway.config import SettingsDep
from gateway.protection.rate_limits import Limit, hit
from gateway.runtime import RuntimeDep, runtime_of
from gateway.staff import service as staff
from gateway.tokens.service import TokenPair


async def sign_in_limits(request: Request, settings: SettingsDep) -> None:
    """Sign-in attempts per client address, on top of the general limit."""
    runtime, ip = runtime_of(request), client_ip(request)
    try:
        await hit(
            runtime.resources.redis,
            [
                Limit("ip", ip, settings.rate_limit_per_ip),
                Limit("sign-in", ip, settings.login_rate_limit_per_ip),
            ],
        )
    except REDIS_UNREACHABLE as exc:
        # Sign-in fails closed without Redis: its attempt limits are what stops password guessing
        # (and the session it would open lives in Redis anyway).
        raise DependencyUnavailable(
            "signing in needs Redis, which is unreachable", feature="sign_in"
        ) from exc


router = APIRouter(prefix="/auth", tags=["auth"])
sign_in = APIRouter(dependencies=[Depends(sign_in_limits)])
AdminDep = Annotated[Caller, Depends(require_roles(Role.ADMIN))]
Username = Annotated[str, Path(max_length=64, pattern=USERNAME_PATTERN)]


def _read(pair: TokenPair) -> TokenRead:
    return TokenRead(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        role=pair.principal.role,
        subject=pair.principal.subject,
        member_id=pair.principal.member_id,
        staff_id=pair.principal.staff_id,
    )


@sign_in.post("/staff/login", response_model=TokenRead)
async def staff_login(
    body: StaffLogin, request: Request, session: SessionDep, runtime: RuntimeDep
) -> TokenRead:
    """Staff sign in with username and password; repeated failures lock the account here for a while."""
    return _read(
        await service.staff_login(session, runtime, body.username, body.password, client_ip(request))
    )


# POST /auth/wechat (the code, with the state of GET /auth/wechat/authorize-url): gateway.wechat_web.


@sign_in.post("/otp", response_model=OtpSent, status_code=status.HTTP_202_ACCEPTED)
async def send_otp(body: OtpRequest, request: Request, runtime: RuntimeDep, settings: SettingsDep) -> OtpSent:
    """Text a six-digit sign-in code to a mobile number."""
    await service.send_otp(runtime, body.phone, client_ip(request))
    return OtpSent(expires_in=settings.otp_ttl_seconds, resend_after=settings.otp_resend_seconds)


@sign_in.post("/otp/verify", response_model=TokenRead | PhoneProofRead)
async def otp_login(body: OtpLogin, session: SessionDep, runtime: RuntimeDep) -> TokenRead | PhoneProofRead:
    """A member signs in with the code texted to their phone; for a phone no member has, the right code
    gives a phone proof to join with (no tokens)."""
    answer = await service.otp_login(session, runtime, body.phone, body.code)
    if isinstance(answer, service.PhoneProof):
        return PhoneProofRead(phone_proof=answer.token, expires_in=answer.expires_in)
    return _read(answer)


@sign_in.post("/phone-proof", response_model=TokenRead)
async def phone_proof_login(body: PhoneProofLogin, session: SessionDep, runtime: RuntimeDep) -> TokenRead:
    """A new applicant signs in with the phone proof they joined with (once; 404 before they joined)."""
    return _read(await service.phone_proof_login(session, runtime, body.phone_proof))


@sign_in.post("/refresh", response_model=TokenRead)
async def refresh(body: RefreshRequest, session: SessionDep, runtime: RuntimeDep) -> TokenRead:
    """Trade a refresh token for new tokens; the old refresh token is spent (reuse revokes the session)."""
    return _read(await service.refresh(session, runtime, body.refresh_token))


router.include_router(sign_in)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(caller: CallerDep, runtime: RuntimeDep) -> Response:
    """Sign this session out: its refresh token and access tokens stop working."""
    if caller.family is None:
        raise Unauthorized("an API key has no session to sign out")
    await service.logout(runtime, caller.family)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/phone-change", response_model=AccountRead, dependencies=[Depends(sign_in_limits)])
async def change_phone(body: PhoneChangeRequest, caller: CallerDep, runtime: RuntimeDep) -> AccountRead:
    """A member moves sign-in to a new phone with the code sent to it; the old number is told by SMS."""
    member = await service.change_phone(runtime, caller.principal, body.phone, body.code)
    return AccountRead.model_validate(member)


@router.post("/wechat-binding", response_model=AccountRead, dependencies=[Depends(sign_in_limits)])
async def bind_wechat(body: WeChatBinding, caller: CallerDep, runtime: RuntimeDep) -> AccountRead:
    """A member binds the WeChat account that authorized this code (state and verifier as for sign-in)."""
    member = await service.bind_wechat(runtime, caller.principal, body.code, body.state, body.verifier)
    return AccountRead.model_validate(member)


@router.get("/whoami", response_model=PrincipalRead)
async def whoami(caller: CallerDep) -> PrincipalRead:
    """Who the credentials of this request belong to."""
    return PrincipalRead.model_validate(caller.principal.model_dump())


@router.get("/staff", response_model=StaffPage)
async def list_staff(
    session: SessionDep,
    _: AdminDep,
    cursor: Annotated[str | None, Query(max_length=64, pattern=USERNAME_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> StaffPage:
    """Staff accounts, by username (admin only)."""
    accounts = await staff.list_page(session, cursor, limit + 1)
    items = [StaffRead.model_validate(a) for a in accounts[:limit]]
    return StaffPage(items=items, next_cursor=items[-1].username if len(accounts) > limit else None)


@router.post("/staff", response_model=StaffRead, status_code=status.HTTP_201_CREATED)
async def create_staff(body: StaffCreate, session: SessionDep, _: AdminDep) -> StaffRead:
    """Open a staff account (admin only)."""
    account = await staff.create(
        session,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
    )
    return StaffRead.model_validate(account)


@router.patch("/staff/{username}", response_model=StaffRead)
async def update_staff(username: Username, body: StaffUpdate, session: SessionDep, _: AdminDep) -> StaffRead:
    """Disable or re-enable a staff account (admin only); a disabled account's sessions end at refresh."""
    return StaffRead.model_validate(await staff.set_disabled(session, username, body.disabled))


@router.post("/staff/{username}/unlock", status_code=status.HTTP_204_NO_CONTENT)
async def unlock_staff(username: Username, session: SessionDep, runtime: RuntimeDep, _: AdminDep) -> Response:
    """Lift a lockout after failed sign-ins (admin only)."""
    await staff.unlock(session, runtime.lockout, username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

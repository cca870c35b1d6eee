from __future__ import annotations

from typing import Annotated, Literal

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Depends, Query

from gateway.auth import service as auth
from gateway.auth.authentication import OptionalCallerDep
from gateway.auth.router import sign_in_limits
from gateway.config import SettingsDep
from gateway.runtime import RuntimeDep
from gateway.wechat_web import service
from gateway.wechat_web.schemas import AuthorizeUrl, WeChatSignedIn, WeChatSignIn

router = APIRouter(prefix="/auth/wechat", tags=["auth"])


@router.get("/authorize-url", response_model=AuthorizeUrl)
async def authorize_url(
    runtime: RuntimeDep,
    settings: SettingsDep,
    _: OptionalCallerDep,
    redirect: Annotated[str, Query(min_length=1, max_length=2048, examples=["/h5/me"])],
    scope: Annotated[Literal["snsapi_base", "snsapi_userinfo"], Query()] = "snsapi_base",
) -> AuthorizeUrl:
    """Where to send the browser for WeChat web authorization, with a fresh single-use state."""
    found = await service.authorize(runtime.resources.redis, settings, redirect, scope)
    return AuthorizeUrl(
        url=found.url,
        state=found.state,
        verifier=found.verifier,
        redirect_uri=found.redirect_uri,
        expires_in=found.expires_in,
    )


@router.post("", response_model=WeChatSignedIn, dependencies=[Depends(sign_in_limits)])
async def wechat_sign_in(body: WeChatSignIn, session: SessionDep, runtime: RuntimeDep) -> WeChatSignedIn:
    """A member signs in with the code WeChat put on the redirect, its state and the browser's verifier."""
    redirect_uri = await service.consume(runtime.resources.redis, body.state, body.verifier)
    pair = await auth.wechat_login(session, runtime, body.code)
    return WeChatSignedIn(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        role=pair.principal.role,
        subject=pair.principal.subject,
        member_id=pair.principal.member_id,
        staff_id=pair.principal.staff_id,
        redirect=redirect_uri,
    )

from __future__ import annotations

from pydantic import BaseModel, Field

from gateway.auth.schemas import TokenRead

STATE_PATTERN = r"^[0-9a-f]{32}$"


class AuthorizeUrl(BaseModel):
    url: str = Field(
        description="Send the browser here (WeChat's authorize page, `#wechat_redirect` included)."
    )
    state: str = Field(description="Comes back on the redirect; compare it with the one kept before leaving.")
    verifier: str = Field(
        description="Keep it in sessionStorage (never in a URL); send it with the code. It binds the "
        "state to this browser: a code and state planted by someone else fail without it."
    )
    redirect_uri: str = Field(description="Where WeChat sends the browser back, with `code` and `state`.")
    expires_in: int = Field(description="Seconds the state stays good (single use).")


class WeChatSignIn(BaseModel):
    code: str = Field(min_length=1, max_length=256, description="The `code` WeChat put on the redirect URL.")
    state: str = Field(pattern=STATE_PATTERN, description="The `state` from the redirect URL.")
    verifier: str = Field(
        min_length=16, max_length=128, description="The verifier of the authorize-url answer."
    )


class WeChatSignedIn(TokenRead):
    redirect: str = Field(description="The redirect_uri the state was issued for (where the sign-in began).")

from __future__ import annotations

from pydantic import BaseModel, Field


class JsConfig(BaseModel):
    """What ``wx.config`` takes (with ``debug`` at the page's choice), named as the JS-SDK names it."""

    appId: str
    timestamp: int = Field(description="Unix seconds.")
    nonceStr: str
    signature: str = Field(description="SHA-1 (hex) of jsapi_ticket=…&noncestr=…&timestamp=…&url=….")
    jsApiList: list[str]
    url: str = Field(description="The URL signed (the page URL given, without any #fragment).")

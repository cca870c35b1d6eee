from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.auth.authentication import OptionalCallerDep
from gateway.config import SettingsDep
from gateway.runtime import RuntimeDep
from gateway.wechat_jssdk import service
from gateway.wechat_jssdk.schemas import JsConfig

router = APIRouter(prefix="/wechat", tags=["wechat"])


@router.get("/js-config", response_model=JsConfig)
async def js_config(
    runtime: RuntimeDep,
    settings: SettingsDep,
    _: OptionalCallerDep,
    url: Annotated[str, Query(min_length=8, max_length=2048, examples=["http://127.0.0.1:8080/h5/me"])],
) -> JsConfig:
    """``wx.config`` for a page of ours (its URL without the #fragment), signed with the jsapi_ticket."""
    signed = await service.sign(runtime.resources.redis, runtime.external, settings, url)
    return JsConfig(
        appId=signed.app_id,
        timestamp=signed.timestamp,
        nonceStr=signed.nonce_str,
        signature=signed.signature,
        jsApiList=settings.wechat_jsapi_list,
        url=signed.url,
    )

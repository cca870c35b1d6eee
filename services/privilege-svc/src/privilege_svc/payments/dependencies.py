"""What routes need of payments: the WeChat Pay client and the payment window (``main.create_app`` sets
both on the app)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from privilege_svc.config import SettingsDep
from privilege_svc.payments.wechatpay import WechatPay


def wechatpay_of(request: Request) -> WechatPay:
    client: WechatPay = request.app.state.wechatpay
    return client


def payment_window_of(settings: SettingsDep) -> timedelta:
    return timedelta(seconds=settings.payment_window_s)


def client_ip_of(request: Request) -> str:
    """The payer's address as the gateway saw it (WeChat Pay's H5 orders ask for it)."""
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return forwarded or (request.client.host if request.client else "127.0.0.1")


WechatPayDep = Annotated[WechatPay, Depends(wechatpay_of)]
PaymentWindowDep = Annotated[timedelta, Depends(payment_window_of)]
ClientIpDep = Annotated[str, Depends(client_ip_of)]

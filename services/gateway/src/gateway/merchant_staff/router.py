from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status

from gateway.auth.authentication import client_ip
from gateway.auth.router import sign_in_limits
from gateway.auth.schemas import OtpSent
from gateway.config import SettingsDep
from gateway.merchant_staff import service
from gateway.merchant_staff.schemas import MerchantOtpLogin, MerchantOtpRequest, MerchantTokenRead
from gateway.runtime import RuntimeDep

router = APIRouter(prefix="/auth/merchant", tags=["auth"], dependencies=[Depends(sign_in_limits)])


@router.post("/otp", response_model=OtpSent, status_code=status.HTTP_202_ACCEPTED)
async def send_otp(
    body: MerchantOtpRequest, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> OtpSent:
    """Text a six-digit sign-in code to a merchant user's phone (the same answer for any number)."""
    await service.send_code(runtime, body.phone, client_ip(request))
    return OtpSent(expires_in=settings.otp_ttl_seconds, resend_after=settings.otp_resend_seconds)


@router.post("/otp/verify", response_model=MerchantTokenRead)
async def sign_in(body: MerchantOtpLogin, runtime: RuntimeDep) -> MerchantTokenRead:
    """Merchant staff sign in with the code texted to their phone: tokens for the merchant user."""
    pair = await service.sign_in(runtime, body.phone, body.code)
    principal = pair.principal
    assert principal.merchant_id is not None
    assert principal.merchant_user_id is not None
    return MerchantTokenRead(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        role=principal.role,
        subject=principal.subject,
        merchant_id=principal.merchant_id,
        merchant_user_id=principal.merchant_user_id,
        merchant_role=principal.merchant_role or "",
    )

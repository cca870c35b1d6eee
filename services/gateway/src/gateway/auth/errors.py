"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable


class NotAMember(NotFound):
    slug = "not-a-member"
    title = "No member is bound to this WeChat account or phone number; register first"


class MemberRejected(Forbidden):
    slug = "member-rejected"
    title = "The membership application was rejected"


class AccountChangeRefused(Conflict):
    slug = "account-change-refused"
    title = "The phone number or WeChat account belongs to another member"


class AccountChangeInvalid(Unprocessable):
    slug = "validation"
    title = "The request is not valid"


class InvalidPhone(Unprocessable):
    slug = "invalid-phone"
    title = "Not a mainland China mobile number"


class WrongCode(Unauthorized):
    slug = "otp-invalid"
    title = "The code is wrong or has expired"


class CodeExhausted(Unauthorized):
    slug = "otp-attempts-exhausted"
    title = "Too many wrong codes; ask for a new one"


class PhoneProofRequired(Unauthorized):
    slug = "phone-proof-required"
    title = "Prove the phone number with an SMS code first"


class InvalidPhoneProof(Unauthorized):
    slug = "phone-proof-invalid"
    title = "The phone proof is not valid or has expired; ask for a new code"


class PhoneProofInUse(Conflict):
    slug = "phone-proof-in-use"
    title = "Another request is using this phone proof right now"


class WeChatCodeRejected(Unauthorized):
    slug = "wechat-code-invalid"
    title = "WeChat did not accept the authorization code"

"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Forbidden, NotFound, Unprocessable


class UnknownVariable(Unprocessable):
    slug = "unknown-template-variable"
    title = "The template or the values name a variable the template does not declare"


class MissingVariable(Unprocessable):
    slug = "missing-template-variable"
    title = "A declared template variable has no value"


class BadVariableValue(Unprocessable):
    slug = "bad-template-variable"
    title = "A template variable's value does not have the declared type"


class WeChatLimitExceeded(Unprocessable):
    slug = "wechat-template-limit"
    title = "The template breaks WeChat's template-message rules"


class SelfApproval(Forbidden):
    slug = "template-self-approval"


class TemplateNotFound(NotFound):
    slug = "template-not-found"


class TemplateIncomplete(Unprocessable):
    slug = "template-incomplete"

"""Typed template variables and rendering per channel, under WeChat's 2023 rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from notify_svc.templates.errors import (
    BadVariableValue,
    MissingVariable,
    UnknownVariable,
    WeChatLimitExceeded,
)

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
VARIABLE_TYPES = ("string", "int", "date")
WECHAT_FIELD_LIMIT = 20
WECHAT_MAX_FIELDS = 5
WECHAT_FORBIDDEN_KEYS = frozenset({"first", "remark"})
LINK = "link"
"""A reserved variable: the template's own link, made absolute (a text carries it as words)."""


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_texts(variables: Mapping[str, str], texts: Mapping[str, str]) -> None:
    """Every ``{name}`` used in ``texts`` (field → text) must be declared."""
    for where, text in texts.items():
        unknown = placeholders(text) - set(variables) - {LINK}
        if unknown:
            raise UnknownVariable(f"{where} uses undeclared variables {sorted(unknown)}", field=where)


def check_wechat_fields(fields: Mapping[str, str]) -> None:
    """No first/remark line, at most 5 keywords, no line breaks, at most 20 characters of fixed text."""
    if not fields:
        raise WeChatLimitExceeded("a WeChat template needs at least one keyword field", field="wechat_fields")
    if len(fields) > WECHAT_MAX_FIELDS:
        raise WeChatLimitExceeded(f"at most {WECHAT_MAX_FIELDS} keyword fields", field="wechat_fields")
    for key, text in fields.items():
        where = f"wechat_fields.{key}"
        if key in WECHAT_FORBIDDEN_KEYS:
            raise WeChatLimitExceeded(f"'{key}' lines are gone since May 2023", field=where)
        if "\n" in text or "\r" in text:
            raise WeChatLimitExceeded("no line breaks in a WeChat field", field=where)
        if len(PLACEHOLDER.sub("", text)) > WECHAT_FIELD_LIMIT:
            raise WeChatLimitExceeded(f"more than {WECHAT_FIELD_LIMIT} characters of fixed text", field=where)


def coerce(variables: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, str]:
    """Check ``values`` against the declared types; return them as display text."""
    unknown = set(values) - set(variables)
    if unknown:
        raise UnknownVariable(f"unknown variables {sorted(unknown)}", field=f"variables.{sorted(unknown)[0]}")
    shown: dict[str, str] = {}
    for name, kind in variables.items():
        if name not in values or values[name] is None:
            raise MissingVariable(f"variable '{name}' has no value", field=f"variables.{name}")
        shown[name] = _display(name, kind, values[name])
    return shown


def _display(name: str, kind: str, value: Any) -> str:
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadVariableValue(f"'{name}' must be an integer", field=f"variables.{name}")
        return str(value)
    if kind == "date":
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise BadVariableValue(f"'{name}' must be a date", field=f"variables.{name}") from None
        if not isinstance(value, date):
            raise BadVariableValue(f"'{name}' must be a date", field=f"variables.{name}")
        return f"{value.year}年{value.month}月{value.day}日"
    if not isinstance(value, str):
        raise BadVariableValue(f"'{name}' must be text", field=f"variables.{name}")
    return value


def fill(text: str, shown: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: shown[match.group(1)], text)


def wechat_value(text: str) -> str:
    """A value as WeChat accepts it: one line, at most 20 characters (cut with an ellipsis)."""
    line = " ".join(text.split())
    return line if len(line) <= WECHAT_FIELD_LIMIT else line[: WECHAT_FIELD_LIMIT - 1] + "…"

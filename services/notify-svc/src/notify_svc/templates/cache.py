"""Approved templates kept in-process: every notice needs its template, which changes rarely.

An entry lives ``ttl`` seconds (``NOTIFY_TEMPLATE_CACHE_SECONDS``); an approval in this process drops the
template's code once its transaction commits, so here the new version is used at once; other replicas
pick it up within ``ttl``. Entries are immutable snapshots (``TemplateText``), never ORM objects tied to
a session. One cache per app, built with its settings (``Settings.approved_templates``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from notify_svc.templates.models import Template


@dataclass(frozen=True)
class TemplateText:
    """What rendering needs of one approved template version."""

    code: str
    channel: str
    version: int
    category: str
    variables: Mapping[str, str]
    title: str
    body: str
    wechat_template_id: str | None
    wechat_fields: Mapping[str, str]
    sms_template_code: str | None
    sms_params: Mapping[str, str]
    link: str | None

    @classmethod
    def of(cls, template: Template) -> TemplateText:
        return cls(
            code=template.code,
            channel=template.channel,
            version=template.version,
            category=template.category,
            variables=MappingProxyType(dict(template.variables)),
            title=template.title,
            body=template.body,
            wechat_template_id=template.wechat_template_id,
            wechat_fields=MappingProxyType(dict(template.wechat_fields)),
            sms_template_code=template.sms_template_code,
            sms_params=MappingProxyType(dict(template.sms_params)),
            link=template.link,
        )


class ApprovedTemplates:
    """Code → (expiry on the monotonic clock, channel → the newest approved version)."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Mapping[str, TemplateText]]] = {}

    def get(self, code: str) -> Mapping[str, TemplateText] | None:
        entry = self._entries.get(code)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, code: str, approved: Mapping[str, TemplateText]) -> None:
        if self.ttl > 0 and approved:  # a code with nothing approved is asked again: it is rare
            self._entries[code] = (time.monotonic() + self.ttl, MappingProxyType(dict(approved)))

    def drop(self, code: str) -> None:
        self._entries.pop(code, None)

    def clear(self) -> None:
        self._entries.clear()

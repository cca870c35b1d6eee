"""Templates: authored per kind of message and channel, checked, previewed, approved, rendered."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from notify_svc.templates import links, rendering, repository
from notify_svc.templates.cache import ApprovedTemplates, TemplateText
from notify_svc.templates.errors import TemplateIncomplete, TemplateNotFound
from notify_svc.templates.models import Template
from notify_svc.templates.schemas import TemplateCreate


def _texts(data: TemplateCreate) -> dict[str, str]:
    texts = {"title": data.title, "body": data.body}
    texts.update({f"wechat_fields.{k}": v for k, v in data.wechat_fields.items()})
    texts.update({f"sms_params.{k}": v for k, v in data.sms_params.items()})
    return texts


def check(data: TemplateCreate) -> None:
    """Reject undeclared variables, a template over WeChat's limits, a channel's missing parts."""
    rendering.check_texts(data.variables, _texts(data))
    if data.channel == "wechat":
        if not data.wechat_template_id:
            raise TemplateIncomplete("a WeChat template needs wechat_template_id", field="wechat_template_id")
        rendering.check_wechat_fields(data.wechat_fields)
    elif data.channel == "sms":
        if not data.sms_template_code:
            raise TemplateIncomplete("an SMS template needs sms_template_code", field="sms_template_code")
    elif not data.title or not data.body:
        raise TemplateIncomplete("an inbox template needs a title and a body", field="body")


async def create(session: AsyncSession, data: TemplateCreate, author: str, now: datetime) -> Template:
    check(data)
    version = await repository.next_version(session, data.code, data.channel)
    return await repository.add(
        session,
        Template(
            id=uuid.uuid4(),
            version=version,
            locale="zh-CN",
            status="draft",
            created_by=author,
            created_at=now,
            **data.model_dump(),
        ),
    )


async def get(session: AsyncSession, template_id: uuid.UUID) -> Template:
    template = await repository.get(session, template_id)
    if template is None:
        raise TemplateNotFound(f"template {template_id} does not exist")
    return template


async def approve(
    session: AsyncSession, template_id: uuid.UUID, approver: str, now: datetime, cache: ApprovedTemplates
) -> Template:
    template = await get(session, template_id)
    if template.status == "approved":
        return template
    template.status, template.approved_by, template.approved_at = "approved", approver, now
    await session.flush()
    code = template.code

    def forget(_: Session) -> None:
        cache.drop(code)

    event.listen(session.sync_session, "after_commit", forget, once=True)
    return template


async def page(session: AsyncSession, code: str | None, cursor: str | None, limit: int) -> Slice[Template]:
    return await repository.page(session, code, cursor, limit)


async def approved(session: AsyncSession, code: str, cache: ApprovedTemplates) -> Mapping[str, TemplateText]:
    """The newest approved version of ``code`` per channel (from the in-process cache when fresh)."""
    cached = cache.get(code)
    if cached is not None:
        return cached
    found = {
        channel: TemplateText.of(t)
        for channel, t in (await repository.approved_latest(session, code)).items()
    }
    cache.put(code, found)
    return found


def preview(template: Template, values: Mapping[str, Any], public_base_url: str) -> dict[str, Any]:
    """Any version (a draft too) rendered with sample values, as the member would receive it."""
    return render(TemplateText.of(template), values, public_base_url)


def render(template: TemplateText, values: Mapping[str, Any], public_base_url: str) -> dict[str, Any]:
    """The payload of ``template`` for its channel, from typed ``values`` (a relative link made absolute
    with ``public_base_url`` for WeChat and SMS)."""
    shown = rendering.coerce(template.variables, values)
    link = links.absolute(template.link, public_base_url)
    if rendering.LINK not in shown:
        shown[rendering.LINK] = link or ""
    if template.channel == "wechat":
        return {
            "template_id": template.wechat_template_id,
            "url": link,
            "data": {
                k: {"value": rendering.wechat_value(rendering.fill(v, shown))}
                for k, v in template.wechat_fields.items()
            },
        }
    if template.channel == "sms":
        return {
            "template_code": template.sms_template_code,
            "params": {k: rendering.fill(v, shown) for k, v in template.sms_params.items()},
            "text": rendering.fill(template.body, shown),
        }
    return {
        "title": rendering.fill(template.title, shown),
        "body": rendering.fill(template.body, shown),
        "link": template.link,
    }

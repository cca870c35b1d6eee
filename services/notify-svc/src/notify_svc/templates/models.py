from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base


class Template(Base):
    """The words of one kind of message on one channel (zh-CN); used only once approved.

    ``variables`` maps a name to its type (``string``, ``int``, ``date``); ``title``/``body`` (inbox and
    SMS preview), ``wechat_fields`` (WeChat keyword → text) and ``sms_params`` (SMS parameter → text)
    refer to them as ``{name}``.
    """

    __tablename__ = "templates"
    __table_args__ = (
        UniqueConstraint("code", "channel", "version", name="uq_templates_code_channel_version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    category: Mapped[str] = mapped_column(String(16))
    variables: Mapped[dict[str, str]] = mapped_column(JSONB)
    title: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    wechat_template_id: Mapped[str | None] = mapped_column(String(64))
    wechat_fields: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    sms_template_code: Mapped[str | None] = mapped_column(String(32))
    sms_params: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    link: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def as_dict(self) -> dict[str, Any]:
        return {c.name: getattr(self, c.name) for c in self.__table__.columns}

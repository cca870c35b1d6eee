"""Preferences per category and channel; service messages cannot be switched off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.preferences import repository
from notify_svc.preferences.errors import ServiceMessagesAlwaysOn

CATEGORIES = ("service", "reminder", "marketing")
CHANNELS = ("wechat", "sms", "inbox")


def switchable(category: str) -> bool:
    """Whether members may switch ``category`` off (service messages: never)."""
    return category != "service"


async def disabled_channels(session: AsyncSession, member_id: str, category: str) -> set[str]:
    if not switchable(category):
        return set()
    return await repository.disabled(session, member_id, category)


async def disabled_by_member(
    session: AsyncSession, member_ids: Sequence[str], category: str
) -> dict[str, set[str]]:
    """Member → the channels they switched off for ``category`` (none for service messages)."""
    if category == "service" or not member_ids:
        return {}
    return await repository.disabled_by_member(session, member_ids, category)


async def matrix(session: AsyncSession, member_id: str) -> dict[str, dict[str, bool]]:
    """Every category × channel with its current setting (absent = enabled)."""
    result = {category: dict.fromkeys(CHANNELS, True) for category in CATEGORIES}
    for row in await repository.of_member(session, member_id):
        if row.category in result and row.channel in CHANNELS:
            result[row.category][row.channel] = row.enabled
    return result


async def update(
    session: AsyncSession, member_id: str, changes: dict[str, dict[str, bool]], now: datetime
) -> dict[str, dict[str, bool]]:
    for category, channels in changes.items():
        for channel, enabled in channels.items():
            if category == "service" and not enabled:
                raise ServiceMessagesAlwaysOn(field=f"service.{channel}")
            await repository.put(session, member_id, category, channel, enabled, now)
    return await matrix(session, member_id)

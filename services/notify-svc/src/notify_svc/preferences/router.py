from __future__ import annotations

from datetime import UTC, datetime

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from fastapi import APIRouter

from notify_svc.auth import check_member
from notify_svc.config import Settings, SettingsDep
from notify_svc.preferences import service
from notify_svc.preferences.schemas import PreferencesRead, PreferencesUpdate

router = APIRouter(prefix="/preferences", tags=["preferences"])


def _quiet_hours(settings: Settings) -> str:
    return f"{settings.quiet_start_hour:02d}:00-{settings.quiet_end_hour:02d}:00 {settings.timezone}"


@router.get("/{member_id}", response_model=PreferencesRead)
async def get_preferences(
    member_id: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> PreferencesRead:
    """The member's channels per category (service messages are always on)."""
    check_member(principal, member_id)
    matrix = await service.matrix(session, member_id)
    return PreferencesRead(member_id=member_id, channels=matrix, quiet_hours=_quiet_hours(settings))


@router.put("/{member_id}", response_model=PreferencesRead)
async def put_preferences(
    member_id: str,
    data: PreferencesUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> PreferencesRead:
    """Switch channels per category on or off; switching off service messages is refused."""
    check_member(principal, member_id, write=True)
    changes: dict[str, dict[str, bool]] = {
        str(k): {str(c): v for c, v in ch.items()} for k, ch in data.channels.items()
    }
    matrix = await service.update(session, member_id, changes, datetime.now(UTC))
    return PreferencesRead(member_id=member_id, channels=matrix, quiet_hours=_quiet_hours(settings))

"""Staff accounts: password sign-in with lockout, the demo seed, and the admin's account management."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cheyou_kit.identity import STAFF_ROLES, Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.staff import repository
from gateway.staff.errors import AccountLocked, InvalidCredentials, StaffAccountExists, StaffAccountNotFound
from gateway.staff.lockout import Lockout
from gateway.staff.models import StaffAccount
from gateway.staff.passwords import hash_password, needs_rehash, verify_password

# (username, display name, role): the demo's staff, one or two per role.
DEMO_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("admin", "系统管理员", Role.ADMIN),
    ("ops1", "运营专员一", Role.OPS),
    ("reviewer1", "审核员一", Role.REVIEWER),
    ("reviewer2", "审核员二", Role.REVIEWER),
    ("manager1", "客户经理一", Role.MANAGER),
    ("manager2", "客户经理二", Role.MANAGER),
    ("surveyor1", "查勘员一", Role.SURVEYOR),
)


def normalise(username: str) -> str:
    return username.strip().lower()


def principal_of(account: StaffAccount) -> Principal:
    return Principal(subject=f"staff:{account.username}", role=Role(account.role), staff_id=account.username)


async def sign_in(
    session: AsyncSession, lockout: Lockout, username: str, password: str, address: str
) -> StaffAccount:
    """The account, when the password is right and the account is neither locked nor disabled.

    The try is counted before the password is checked, per (account, client address): concurrent guesses
    cannot race past the limit, and guesses from one address do not lock the owner out at another.
    """
    username = normalise(username)
    attempt = await lockout.attempt(username, address)
    if not attempt.allowed:
        raise AccountLocked(retry_after=attempt.locked_for)
    account = await repository.get(session, username)
    valid = await verify_password(account.password_hash if account else None, password)
    if account is None or not valid or account.disabled:
        lockout.failed()
        raise InvalidCredentials()
    await lockout.succeeded(username, address)
    if needs_rehash(account.password_hash):
        await repository.set_password_hash(session, username, await hash_password(password))
    await repository.touch_login(session, username, datetime.now(UTC))
    return account


async def active(session: AsyncSession, username: str) -> StaffAccount | None:
    """The account if it may still act (used when a session is refreshed)."""
    account = await repository.get(session, username)
    return account if account is not None and not account.disabled else None


async def create(
    session: AsyncSession, *, username: str, display_name: str, role: Role, password: str
) -> StaffAccount:
    if role not in STAFF_ROLES:
        raise ValueError(f"{role} is not a staff role")
    username = normalise(username)
    created = await repository.insert_if_missing(
        session,
        username=username,
        display_name=display_name,
        role=role.value,
        password_hash=await hash_password(password),
        at=datetime.now(UTC),
    )
    if not created:
        raise StaffAccountExists(username=username)
    account = await repository.get(session, username)
    assert account is not None
    return account


async def list_page(session: AsyncSession, after: str | None, limit: int) -> Sequence[StaffAccount]:
    return await repository.list_page(session, after, limit)


async def set_disabled(session: AsyncSession, username: str, disabled: bool) -> StaffAccount:
    account = await repository.get(session, normalise(username))
    if account is None:
        raise StaffAccountNotFound(username=username)
    await repository.set_disabled(session, account.username, disabled)
    await session.refresh(account)
    return account


async def unlock(session: AsyncSession, lockout: Lockout, username: str) -> None:
    account = await repository.get(session, normalise(username))
    if account is None:
        raise StaffAccountNotFound(username=username)
    await lockout.clear(account.username)


async def seed_demo(session: AsyncSession, staff_password: str, admin_password: str) -> list[str]:
    """Create the missing demo staff (existing accounts keep their passwords); returns who was new."""
    created = []
    for username, display_name, role in DEMO_STAFF:
        if await repository.get(session, username) is not None:
            continue
        password = admin_password if role is Role.ADMIN else staff_password
        if await repository.insert_if_missing(
            session,
            username=username,
            display_name=display_name,
            role=role.value,
            password_hash=await hash_password(password),
            at=datetime.now(UTC),
        ):
            created.append(username)
    return created

"""Files that follow the fate of a database transaction.

A file a new row refers to is written before the commit and deleted again if the transaction rolls
back; a file whose row is deleted goes only once that deletion has committed. Both are SQLAlchemy
session hooks, so they hold for every way a request ends (error, problem details, cancellation).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from claims_svc.storage import FileStorage

_ON_ROLLBACK = "claims_svc.storage.discard_on_rollback"
_ON_COMMIT = "claims_svc.storage.discard_on_commit"

Pending = list[tuple[FileStorage, str]]


async def put_for_transaction(
    session: AsyncSession, storage: FileStorage, key: str, data: bytes, content_type: str
) -> None:
    """Store a file that a row written through ``session`` refers to; gone again if it rolls back."""
    await session.connection()  # begin the transaction now: a rollback hook needs one to follow
    on_rollback, _ = _pending(session)
    on_rollback.append((storage, key))
    await storage.put(key, data, content_type)


def delete_after_commit(session: AsyncSession, storage: FileStorage, key: str) -> None:
    """Delete ``key`` once the transaction that deleted its row has committed (kept if it rolls back)."""
    _, on_commit = _pending(session)
    on_commit.append((storage, key))


def _pending(session: AsyncSession) -> tuple[Pending, Pending]:
    sync = session.sync_session
    if _ON_ROLLBACK not in sync.info:
        sync.info[_ON_ROLLBACK] = []
        sync.info[_ON_COMMIT] = []
        event.listen(sync, "after_soft_rollback", _after_rollback)
        event.listen(sync, "after_commit", _after_commit)
    return sync.info[_ON_ROLLBACK], sync.info[_ON_COMMIT]


def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction may still commit
    for storage, key in _take(session):
        storage.discard(key)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction may still roll back
    for storage, key in _take(session, committed=True):
        storage.discard(key)


def _take(session: Session, *, committed: bool = False) -> Pending:
    """Forget both lists (the transaction is over) and return the files to delete now."""
    on_rollback: Pending = session.info[_ON_ROLLBACK]
    on_commit: Pending = session.info[_ON_COMMIT]
    session.info[_ON_ROLLBACK], session.info[_ON_COMMIT] = [], []
    return on_commit if committed else on_rollback

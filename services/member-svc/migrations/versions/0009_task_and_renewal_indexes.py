"""The indexes the managers' generated work reads by (issue 21, 4): ``policies(ends_on)`` and
``policies(previous_policy_no)`` for the renewal-due and win-back generators (which policies end, which
were renewed), ``manager_tasks(manager_id, status, due_on)`` for a manager's open
tasks by due date. Both tables have rows in a running club, so each index is built ``CONCURRENTLY``
(writes go on meanwhile), which Postgres allows only outside a transaction: Alembic's
``autocommit_block()``, honoured by the kit's runner (a transaction per revision).

A concurrent build that fails leaves an invalid index behind; a rerun drops that leftover first and
builds it again, so repeating the revision after a failure is the fix.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_policies_ends_on", "policies", "ends_on"),
    ("ix_policies_previous_policy_no", "policies", "previous_policy_no"),
    ("ix_manager_tasks_manager_status_due", "manager_tasks", "manager_id, status, due_on"),
)


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for name, table, columns in INDEXES:
            invalid = op.get_bind().scalar(
                sa.text(
                    "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname = :name AND pg_table_is_visible(c.oid)"
                ),
                {"name": name},
            )
            if invalid:  # left by a concurrent build that failed
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({columns})")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for name, _, _ in reversed(INDEXES):
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

"""ID-card numbers masked to their last four only (security issue 17, Low).

``id_number_masked`` was the region prefix and the last four (``3501**********012X``); with the birth year
and gender a member's record also carries, that narrows the number down to a search. Every stored mask
becomes ``**************012X``; the encrypted number itself is untouched. No way back: the prefix is gone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE members SET id_number_masked = repeat('*', length(id_number_masked) - 4) || right(id_number_masked, 4) "
        "WHERE length(id_number_masked) > 8 AND left(id_number_masked, 1) <> '*'"
    )


def downgrade() -> None:
    """Nothing to restore: masks of the last four are valid masks for the previous release too."""

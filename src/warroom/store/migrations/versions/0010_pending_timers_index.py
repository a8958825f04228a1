"""Pending timers by due time: a partial index, so the engine's claim and next-due look-ups skip fired timers.

The plain due_at index made both walk every fired timer due before now (fired rows are kept as history), so
they grew slower with the table's age.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_timers_due", table_name="timers")
    op.create_index(
        "ix_timers_pending_due",
        "timers",
        ["due_at"],
        sqlite_where=sa.text("fired_at IS NULL"),
        postgresql_where=sa.text("fired_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_timers_pending_due", table_name="timers")
    op.create_index("ix_timers_due", "timers", ["due_at"])

"""Ticks of incident role and phase checklists.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incident_checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("list_key", sa.String(length=80), nullable=False),
        sa.Column("item_index", sa.Integer(), nullable=False),
        sa.Column("item_text", sa.Text(), nullable=False),
        sa.Column("done_by", sa.String(length=200), nullable=True),
        sa.Column("done_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_checklist_items_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_checklist_items")),
        sa.UniqueConstraint(
            "incident_id",
            "list_key",
            "item_index",
            name=op.f("uq_incident_checklist_items_incident_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("incident_checklist_items")

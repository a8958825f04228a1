"""Communication: incident wording and security flags, sent communications, waived clocks.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("impact_statement", sa.Text(), nullable=True))
        batch.add_column(sa.Column("root_cause", sa.Text(), nullable=True))
        batch.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch.add_column(sa.Column("severity_changed_at", TZ, nullable=True))
        batch.add_column(sa.Column("personal_data_breach_at", TZ, nullable=True))
        batch.add_column(sa.Column("comms_approved_at", TZ, nullable=True))
        batch.add_column(sa.Column("comms_approved_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("communication_id", sa.Integer(), nullable=True))
    op.create_index("ix_outbox_communication", "outbox", ["communication_id"])
    op.create_table(
        "communications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_communications_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
    )
    op.create_index("ix_communications_incident", "communications", ["incident_id", "created_at"])
    op.create_table(
        "communication_waivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("waived_by", sa.String(length=200), nullable=False),
        sa.Column("waived_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_communication_waivers_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_waivers")),
        sa.UniqueConstraint("incident_id", "deadline", name=op.f("uq_communication_waivers_incident_id")),
    )


def downgrade() -> None:
    op.drop_table("communication_waivers")
    op.drop_index("ix_communications_incident", table_name="communications")
    op.drop_table("communications")
    op.drop_index("ix_outbox_communication", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("communication_id")
    with op.batch_alter_table("incidents") as batch:
        for column in (
            "comms_approved_by", "comms_approved_at", "personal_data_breach_at", "severity_changed_at",
            "resolution", "root_cause", "impact_statement",
        ):
            batch.drop_column(column)

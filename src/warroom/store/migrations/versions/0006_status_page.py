"""Status page: components, public incidents and maintenances with their updates, subscribers.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("group_name", sa.String(length=200), nullable=True),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("showcase", sa.Boolean(), nullable=False),
        sa.Column("only_show_if_degraded", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("removed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_components")),
        sa.UniqueConstraint("code", name=op.f("uq_status_components_code")),
        sa.UniqueConstraint("key", name=op.f("uq_status_components_key")),
    )
    op.create_table(
        "status_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("impact", sa.String(length=20), nullable=False),
        sa.Column("impact_override", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("monitoring_at", TZ, nullable=True),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("scheduled_for", TZ, nullable=True),
        sa.Column("scheduled_until", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_status_incidents_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_incidents")),
        sa.UniqueConstraint("code", name=op.f("uq_status_incidents_code")),
    )
    op.create_index("ix_status_incidents_kind_created", "status_incidents", ["kind", "created_at"])
    op.create_index("ix_status_incidents_incident", "status_incidents", ["incident_id"])
    op.create_table(
        "status_incident_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("status_incident_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("display_at", TZ, nullable=False),
        sa.Column("affected_components", sa.JSON(), nullable=False),
        sa.Column("deliver_notifications", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_incident_id"],
            ["status_incidents.id"],
            name=op.f("fk_status_incident_updates_status_incident_id_status_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_incident_updates")),
        sa.UniqueConstraint("code", name=op.f("uq_status_incident_updates_code")),
    )
    op.create_index(
        "ix_status_incident_updates_incident", "status_incident_updates", ["status_incident_id", "created_at"]
    )
    op.create_table(
        "status_subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("contact", sa.String(length=320), nullable=True),
        sa.Column("components", sa.JSON(), nullable=True),
        sa.Column("confirmed_at", TZ, nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("removed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_subscribers")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_status_subscribers_token_hash")),
    )
    op.create_index(
        "uq_status_subscribers_active",
        "status_subscribers",
        ["kind", "address"],
        unique=True,
        sqlite_where=sa.text("removed_at IS NULL"),
        postgresql_where=sa.text("removed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_status_subscribers_active", table_name="status_subscribers")
    op.drop_table("status_subscribers")
    op.drop_index("ix_status_incident_updates_incident", table_name="status_incident_updates")
    op.drop_table("status_incident_updates")
    op.drop_index("ix_status_incidents_incident", table_name="status_incidents")
    op.drop_index("ix_status_incidents_kind_created", table_name="status_incidents")
    op.drop_table("status_incidents")
    op.drop_table("status_components")

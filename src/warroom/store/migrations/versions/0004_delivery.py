"""Delivery: the attempt ledger, personal acknowledgements, war rooms, chat replay guard, instance keys.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("provider_id", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("bundled_into", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fallback_of", sa.Integer(), nullable=True))
    op.create_index("ix_outbox_recipient_sent", "outbox", ["recipient", "method", "sent_at"])
    op.create_index("ix_outbox_channel_sent", "outbox", ["channel", "sent_at"])
    op.create_index("ix_outbox_page", "outbox", ["page_id"])
    op.create_index("ix_outbox_provider_id", "outbox", ["provider_id"])
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("acknowledged_at", TZ, nullable=True))
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("provider_id", sa.String(length=120), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_delivery_attempts_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
    )
    op.create_index("ix_delivery_attempts_outbox", "delivery_attempts", ["outbox_id"])
    op.create_table(
        "incident_rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("room_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_incident_rooms_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_rooms")),
        sa.UniqueConstraint("provider", "room_id", name=op.f("uq_incident_rooms_provider")),
    )
    op.create_index("ix_incident_rooms_incident", "incident_rooms", ["incident_id"])
    op.create_table(
        "chat_replays",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seen_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_chat_replays")),
    )
    op.create_table(
        "instance_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_keys")),
    )


def downgrade() -> None:
    op.drop_table("instance_keys")
    op.drop_table("chat_replays")
    op.drop_index("ix_incident_rooms_incident", table_name="incident_rooms")
    op.drop_table("incident_rooms")
    op.drop_index("ix_delivery_attempts_outbox", table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("acknowledged_at")
    op.drop_index("ix_outbox_provider_id", table_name="outbox")
    op.drop_index("ix_outbox_page", table_name="outbox")
    op.drop_index("ix_outbox_channel_sent", table_name="outbox")
    op.drop_index("ix_outbox_recipient_sent", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("fallback_of")
        batch.drop_column("bundled_into")
        batch.drop_column("provider_id")

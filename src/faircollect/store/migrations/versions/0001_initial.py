"""The gate's tables: accounts, parties, contacts, events, reservations, decisions, api_keys, idempotency.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from faircollect.store.types import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(200)
Json = sa.JSON().with_variant(JSONB(), "postgresql")
Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("debtor", ID, nullable=False),
        sa.Column("balance", sa.Numeric(18, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.create_index("ix_accounts_debtor", "accounts", ["debtor"])

    op.create_table(
        "parties",
        sa.Column("id", ID, nullable=False),
        sa.Column("tz", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parties"),
    )

    op.create_table(
        "contacts",
        sa.Column("seq", Seq, autoincrement=True, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("utc_offset_s", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("account", ID, nullable=False),
        sa.Column("debtor", ID, nullable=False),
        sa.Column("party", ID, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("address", sa.String(320), nullable=True),
        sa.Column("collector", ID, nullable=True),
        sa.Column("agency", ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("team_size", sa.Integer(), nullable=True),
        sa.Column("reservation_id", ID, nullable=True),
        sa.Column("findings", Json, nullable=False),
        sa.Column("pack_id", sa.String(200), nullable=False),
        sa.Column("pack_sha256", sa.String(64), nullable=False),
        sa.Column("leaf", sa.BigInteger(), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_contacts"),
        sa.UniqueConstraint("id", name="uq_contacts_id"),
    )
    op.create_index("ix_contacts_account", "contacts", ["account"])
    op.create_index("ix_contacts_debtor_at", "contacts", ["debtor", "at"])

    op.create_table(
        "events",
        sa.Column("seq", Seq, autoincrement=True, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("utc_offset_s", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("account", ID, nullable=True),
        sa.Column("party", ID, nullable=True),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("leaf", sa.BigInteger(), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
        sa.UniqueConstraint("id", name="uq_events_id"),
    )
    op.create_index("ix_events_account", "events", ["account"])
    op.create_index("ix_events_party", "events", ["party"])

    op.create_table(
        "reservations",
        sa.Column("id", ID, nullable=False),
        sa.Column("planned_id", ID, nullable=False),
        sa.Column("debtor", ID, nullable=False),
        sa.Column("account", ID, nullable=False),
        sa.Column("party", ID, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("planned", Json, nullable=False),
        sa.Column("pack", sa.String(500), nullable=False),
        sa.Column("pack_id", sa.String(200), nullable=False),
        sa.Column("pack_sha256", sa.String(64), nullable=False),
        sa.Column("decision_id", ID, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("contact_id", ID, nullable=True),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reservations"),
    )
    op.create_index("ix_reservations_planned_id", "reservations", ["planned_id"])
    op.create_index("ix_reservations_debtor_open", "reservations", ["debtor", "contact_id", "expires_at"])

    op.create_table(
        "decisions",
        sa.Column("seq", Seq, autoincrement=True, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("debtor", ID, nullable=False),
        sa.Column("account", ID, nullable=False),
        sa.Column("party", ID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("planned_at", UTCDateTime(), nullable=False),
        sa.Column("planned", Json, nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("findings", Json, nullable=False),
        sa.Column("next_allowed_at", UTCDateTime(), nullable=True),
        sa.Column("screening", Json, nullable=True),
        sa.Column("pack_id", sa.String(200), nullable=False),
        sa.Column("pack_sha256", sa.String(64), nullable=False),
        sa.Column("reservation_id", ID, nullable=True),
        sa.Column("leaf", sa.BigInteger(), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_decisions"),
        sa.UniqueConstraint("id", name="uq_decisions_id"),
    )
    op.create_index("ix_decisions_debtor", "decisions", ["debtor"])
    op.create_index("ix_decisions_account_seq", "decisions", ["account", "seq"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
    )

    op.create_table(
        "idempotency",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("idem_key", sa.String(200), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", Json, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "idem_key", name="pk_idempotency"),
    )


def downgrade() -> None:
    for table in (
        "idempotency",
        "api_keys",
        "decisions",
        "reservations",
        "events",
        "contacts",
        "parties",
        "accounts",
    ):
        op.drop_table(table)

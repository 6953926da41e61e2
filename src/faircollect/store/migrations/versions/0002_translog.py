"""The transparency log's tables: log_leaves, log_nodes, log_heads, log_salts.

Revision ID: 0002_translog
Revises: 0001_initial
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.store.types import UTCDateTime

revision = "0002_translog"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "log_leaves",
        sa.Column("leaf_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("leaf_index", name="pk_log_leaves"),
    )
    op.create_index("ix_log_leaves_leaf_hash", "log_leaves", ["leaf_hash"])

    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name="pk_log_nodes"),
    )

    op.create_table(
        "log_heads",
        sa.Column("id", Seq, autoincrement=True, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_log_heads"),
    )
    op.create_index("ix_log_heads_tree_size", "log_heads", ["tree_size"])

    op.create_table(
        "log_salts",
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account", name="pk_log_salts"),
    )


def downgrade() -> None:
    op.drop_table("log_salts")
    op.drop_index("ix_log_heads_tree_size", table_name="log_heads")
    op.drop_table("log_heads")
    op.drop_table("log_nodes")
    op.drop_index("ix_log_leaves_leaf_hash", table_name="log_leaves")
    op.drop_table("log_leaves")

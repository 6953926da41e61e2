"""Fewer B-trees written per gate check and outcome: tables keyed by their primary key, only used indexes.

Revision ID: 0003_fewer_btrees
Revises: 0002_translog
Create Date: 2026-11-29

On SQLite every table and every index is a B-tree, and a commit writes at least one page of each B-tree
it changes to the WAL (a check wrote about 25 pages, an outcome 17: CPU in the commit, then fsyncs).

Both backends:
- `ix_decisions_debtor` and `ix_log_heads_tree_size` are dropped: no query reads by them (decisions are
  read by account, through `ix_decisions_account_seq`; signed heads by id);
- `ix_reservations_planned_id` keeps only the reservations whose contact is planned under an id of the
  caller's (`planned_id <> id`); a contact planned under its reservation's own id is found by the
  primary key (`repo.planned_id_used_read` asks both);
- `ix_reservations_debtor_open (debtor, contact_id, expires_at)` becomes
  `ix_reservations_debtor_expires_at (debtor, expires_at)`: an outcome sets `contact_id`, which then moves
  no index entry (and on PostgreSQL the update can stay on its page, HOT); the debtor's few unexpired
  reservations with an outcome are skipped by reading the row.

SQLite only, by rebuilding the table (every row copied as it is, indexes recreated):
- `log_leaves.leaf_index` becomes INTEGER, so it is the rowid instead of a BIGINT key with a B-tree of
  its own (PostgreSQL keeps BIGINT);
- `accounts`, `parties`, `log_nodes` and `log_salts` become WITHOUT ROWID: each is found by its primary
  key alone, which then is the table, not a second B-tree beside it. (Not `reservations`: its rows of
  ~600 bytes under random ids split a keyed table so often that a check wrote more pages, measured with
  benchmarks/gate_pages.py, than with the rowid table and its key index.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_fewer_btrees"
down_revision = "0002_translog"
branch_labels = None
depends_on = None

KEYED = ("accounts", "parties", "log_nodes", "log_salts")
CALLER_ID = sa.text("planned_id <> id")  # as tables.py declares it


def upgrade() -> None:
    op.drop_index("ix_decisions_debtor", table_name="decisions")
    op.drop_index("ix_log_heads_tree_size", table_name="log_heads")
    op.drop_index("ix_reservations_planned_id", table_name="reservations")
    op.drop_index("ix_reservations_debtor_open", table_name="reservations")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(keyed=True, leaf_index=sa.Integer())
    op.create_index(
        "ix_reservations_planned_id",
        "reservations",
        ["planned_id"],
        sqlite_where=CALLER_ID,
        postgresql_where=CALLER_ID,
    )
    op.create_index("ix_reservations_debtor_expires_at", "reservations", ["debtor", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_reservations_debtor_expires_at", table_name="reservations")
    op.drop_index("ix_reservations_planned_id", table_name="reservations")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(keyed=False, leaf_index=sa.BigInteger())
    op.create_index("ix_reservations_debtor_open", "reservations", ["debtor", "contact_id", "expires_at"])
    op.create_index("ix_reservations_planned_id", "reservations", ["planned_id"])
    op.create_index("ix_log_heads_tree_size", "log_heads", ["tree_size"])
    op.create_index("ix_decisions_debtor", "decisions", ["debtor"])


def _rebuild(keyed: bool, leaf_index: sa.types.TypeEngine[int]) -> None:
    """SQLite: recreate the tables (create, copy every row, drop, rename; indexes recreated), WITHOUT
    ROWID or not, and `log_leaves.leaf_index` as the given type (INTEGER makes it the rowid)."""
    for table in KEYED:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_with_rowid": not keyed}):
            pass
    with op.batch_alter_table("log_leaves", recreate="always") as batch:
        batch.alter_column("leaf_index", type_=leaf_index, existing_nullable=False)

"""The gate's tables (schema.md records plus what the gate needs to hold caps and prove answers).

Times are UTC instants (`UTCDateTime`) next to the person's IANA zone (`tz`); money is Numeric/Decimal.
`parties` holds one row per person; the gate locks the debtor's row to serialise decisions about them.

On SQLite every table and index is its own B-tree, and a commit writes at least one page of each B-tree it
changes to the WAL. Tables of small rows found by a text primary key are therefore WITHOUT ROWID (the key
is the table: no second B-tree to map it to a rowid), and the gate's indexes are the ones its queries use
(migration 0003 says which went and why).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from faircollect.store.meta import metadata
from faircollect.store.types import UTCDateTime

ID = String(200)
Json = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY
Seq = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("debtor", ID, nullable=False, index=True),
    Column("balance", Numeric(18, 2, asdecimal=True), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    sqlite_with_rowid=False,  # found by its primary key alone: the key is the table
)

parties = Table(
    "parties",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tz", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    sqlite_with_rowid=False,  # found by its primary key alone: the key is the table
)

contacts = Table(
    "contacts",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("utc_offset_s", Integer, nullable=False),  # the offset `at` was given with
    Column("tz", String(64), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("account", ID, nullable=False, index=True),
    Column("debtor", ID, nullable=False),
    Column("party", ID, nullable=False),
    Column("role", String(32), nullable=False),
    Column("address", String(320), nullable=True),
    Column("collector", ID, nullable=True),
    Column("agency", ID, nullable=True),
    Column("text", Text, nullable=True),
    Column("purpose", String(32), nullable=False),
    Column("duration_s", Float, nullable=True),
    Column("team_size", Integer, nullable=True),
    Column("reservation_id", ID, nullable=True),
    Column("findings", Json, nullable=False),
    Column("pack_id", String(200), nullable=False),
    Column("pack_sha256", String(64), nullable=False),
    Column("leaf", BigInteger, nullable=True),
    Column("key_id", String(32), nullable=True),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Index("ix_contacts_debtor_at", "debtor", "at"),
)

events = Table(
    "events",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("utc_offset_s", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("account", ID, nullable=True, index=True),
    Column("party", ID, nullable=True, index=True),
    Column("channel", String(16), nullable=True),
    Column("until", UTCDateTime(), nullable=True),
    Column("leaf", BigInteger, nullable=True),
    Column("key_id", String(32), nullable=True),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("planned_id", ID, nullable=False),  # the id its contact will be recorded under
    Column("debtor", ID, nullable=False),
    Column("account", ID, nullable=False),
    Column("party", ID, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("planned", Json, nullable=False),  # the planned contact as checked (schema.md field names)
    Column("pack", String(500), nullable=False),  # the name it was loaded by, to judge the outcome alike
    Column("pack_id", String(200), nullable=False),
    Column("pack_sha256", String(64), nullable=False),
    Column("decision_id", ID, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("contact_id", ID, nullable=True),  # set when the outcome arrives
    Column("key_id", String(32), nullable=True),
    # A debtor's open reservations: those not yet expired, less the few with an outcome (read from the
    # row). Without `contact_id` in the key, recording an outcome leaves the index alone.
    Index("ix_reservations_debtor_expires_at", "debtor", "expires_at"),
    # Not WITHOUT ROWID: rows of ~600 bytes under random ids split that B-tree so often that a check wrote
    # 2.9 of its pages (benchmarks/gate_pages.py), more than the rowid table and its key index (1.1 + 1.3).
)
# A contact planned under an id of the caller's (`repo.planned_id_used_read`). Without one the contact is
# planned under the reservation's own id, which the primary key already finds: only the others are indexed.
_CALLER_ID = reservations.c.planned_id != reservations.c.id
Index(
    "ix_reservations_planned_id",
    reservations.c.planned_id,
    sqlite_where=_CALLER_ID,
    postgresql_where=_CALLER_ID,
)

decisions = Table(
    "decisions",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("debtor", ID, nullable=False),  # no index: decisions are read by account
    Column("account", ID, nullable=False),
    Column("party", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("planned_at", UTCDateTime(), nullable=False),
    Column("planned", Json, nullable=False),
    Column("verdict", String(8), nullable=False),
    Column("findings", Json, nullable=False),
    Column("next_allowed_at", UTCDateTime(), nullable=True),
    Column("screening", Json, nullable=True),
    Column("pack_id", String(200), nullable=False),
    Column("pack_sha256", String(64), nullable=False),
    Column("reservation_id", ID, nullable=True),
    Column("leaf", BigInteger, nullable=True),
    Column("key_id", String(32), nullable=True),
    Index("ix_decisions_account_seq", "account", "seq"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("secret_sha256", String(64), nullable=False),
    Column("label", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# A retried request with the same Idempotency-Key gets the first answer back and counts once.
idempotency = Table(
    "idempotency",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("idem_key", String(200), primary_key=True),
    Column("route", String(200), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Json, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

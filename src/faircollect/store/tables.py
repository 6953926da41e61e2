"""The gate's tables (schema.md records plus what the gate needs to hold caps and prove answers).

Times are UTC instants (`UTCDateTime`) next to the person's IANA zone (`tz`); money is Numeric/Decimal.
`parties` holds one row per person; the gate locks the debtor's row to serialise decisions about them.
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
)

parties = Table(
    "parties",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tz", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
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
    Column("planned_id", ID, nullable=False, index=True),  # the id its contact will be recorded under
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
    Index("ix_reservations_debtor_open", "debtor", "contact_id", "expires_at"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("debtor", ID, nullable=False, index=True),
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

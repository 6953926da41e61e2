"""Reading and writing the gate's records inside a transaction the caller holds.

Rows keep the UTC instant and the offset it was given with, so a Contact read back has the same local
clock as the one written (the rules use the person's local day).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Float,
    Row,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection

from faircollect.model import CONTACT_FIELDS as RECORD_FIELDS
from faircollect.model import Contact, Event, PackRef, Record
from faircollect.store.fastsql import Prepared, Read
from faircollect.store.tables import accounts, contacts, decisions, events, idempotency, reservations
from faircollect.store.types import UTCDateTime

# every record field but `at`, which is stored as UTC plus the offset it was written with
CONTACT_FIELDS = tuple(name for name in RECORD_FIELDS if name != "at")


def _offset_s(at: datetime) -> int:
    off = at.utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def _restore(at: datetime, offset_s: int) -> datetime:
    return at.astimezone(timezone(timedelta(seconds=offset_s)))


# statements built once (the hot path then only looks up their compiled form)
_INSERT_CONTACTS = Prepared(contacts.insert())
_INSERT_EVENTS = Prepared(events.insert())
_INSERT_RESERVATIONS = Prepared(reservations.insert())
_INSERT_DECISIONS = Prepared(decisions.insert())
_INSERT_IDEMPOTENCY = Prepared(idempotency.insert())
_ACCOUNT_DEBTOR = Prepared(select(accounts.c.debtor).where(accounts.c.id == bindparam("account")))
_CONTACT_BY_ID = Prepared(select(contacts.c.seq).where(contacts.c.id == bindparam("id")))
# A contact planned under the caller's id is found by `ix_reservations_planned_id`, which indexes only
# those; one planned under its reservation's own id, by the primary key.
_PLANNED_ID = Prepared(
    union_all(
        select(reservations.c.id).where(
            reservations.c.planned_id == bindparam("id"), reservations.c.planned_id != reservations.c.id
        ),
        select(reservations.c.id).where(
            reservations.c.id == bindparam("id"), reservations.c.planned_id == reservations.c.id
        ),
    ).limit(1)
)
_EVENT_BY_ID = Prepared(select(events.c.seq).where(events.c.id == bindparam("id")))
_RESERVATION = Prepared(select(reservations).where(reservations.c.id == bindparam("id")))
_CLOSE_RESERVATION = Prepared(
    update(reservations).where(reservations.c.id == bindparam("rid")).values(contact_id=bindparam("contact"))
)
_IDEMPOTENT = Prepared(
    select(idempotency).where(
        idempotency.c.key_id == bindparam("key_id"), idempotency.c.idem_key == bindparam("idem_key")
    )
)
# RETURNING tells whether this transaction created the row, without reading it again
_ACCOUNT_INSERT = {
    "sqlite": Prepared(
        sqlite.insert(accounts).on_conflict_do_nothing(index_elements=["id"]).returning(accounts.c.debtor)
    ),
    "postgresql": Prepared(
        postgresql.insert(accounts).on_conflict_do_nothing(index_elements=["id"]).returning(accounts.c.debtor)
    ),
}


# --- single reads that can travel with others (`fastsql.read_all`) -------------------------------


def owner_read(account: str) -> Read[str | None]:
    """The debtor an account belongs to, if the account is known."""
    return Read.scalar(_ACCOUNT_DEBTOR, {"account": account})


def contact_exists_read(contact_id: str) -> Read[bool]:
    return Read.exists(_CONTACT_BY_ID, {"id": contact_id})


def planned_id_used_read(contact_id: str) -> Read[bool]:
    """Whether a reservation (open, closed or expired) already plans a contact under this id."""
    return Read.exists(_PLANNED_ID, {"id": contact_id})


def reservation_read(reservation_id: str) -> Read[Any | None]:
    return Read.first(_RESERVATION, {"id": reservation_id})


def idempotent_read(key_id: str, idem_key: str) -> Read[Any | None]:
    return Read.first(_IDEMPOTENT, {"key_id": key_id, "idem_key": idem_key})


# --- accounts -------------------------------------------------------------------------------------


class AccountConflict(Exception):
    """The account is already known under another debtor."""

    def __init__(self, account: str, debtor: str) -> None:
        super().__init__(account, debtor)
        self.account = account
        self.debtor = debtor


def claim_account(conn: Connection, account: str, debtor: str, now: datetime, owner: str | None) -> None:
    """Record the account as the debtor's, given its owner as read (`owner_read`, None: not known yet);
    an account known under another debtor is a conflict."""
    if owner is None:
        values = {"id": account, "debtor": debtor, "created_at": now}
        created = _ACCOUNT_INSERT[conn.dialect.name].first(conn, values)
        owner = created.debtor if created is not None else account_debtor(conn, account)
    if owner != debtor:
        raise AccountConflict(account, owner or "")


def account_debtor(conn: Connection, account: str) -> str | None:
    return owner_read(account).run(conn)


# --- contacts and events --------------------------------------------------------------------------


def contact_from_row(row: Any) -> Contact:
    values = {name: getattr(row, name) for name in CONTACT_FIELDS}
    return Contact(at=_restore(row.at, row.utc_offset_s), **values)


def event_from_row(row: Any) -> Event:
    return Event(
        id=row.id,
        at=_restore(row.at, row.utc_offset_s),
        kind=row.kind,
        account=row.account,
        party=row.party,
        channel=row.channel,
        until=row.until,
    )


def pending_contact(planned: dict[str, Any]) -> Contact:
    """A reservation's planned contact, as the engine counts it (no outcome)."""
    values: dict[str, Any] = {
        name: planned[name] for name in CONTACT_FIELDS if name != "outcome" and planned.get(name) is not None
    }
    return Contact(at=datetime.fromisoformat(planned["at"]), **values)


def event_exists(conn: Connection, event_id: str) -> bool:
    return _EVENT_BY_ID.first(conn, {"id": event_id}) is not None


def insert_contact(
    conn: Connection,
    contact: Contact,
    findings: list[dict[str, Any]],
    pack: PackRef,
    now: datetime,
    key_id: str | None,
    reservation_id: str | None = None,
    leaf: int | None = None,
) -> None:
    values = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    _INSERT_CONTACTS.run(
        conn,
        dict(
            at=contact.at,
            utc_offset_s=_offset_s(contact.at),
            findings=findings,
            pack_id=pack.id,
            pack_sha256=pack.sha256,
            reservation_id=reservation_id,
            leaf=leaf,
            key_id=key_id,
            recorded_at=now,
            **values,
        ),
    )


def insert_event(conn: Connection, event: Event, now: datetime, key_id: str | None, leaf: int | None) -> None:
    _INSERT_EVENTS.run(
        conn,
        dict(
            id=event.id,
            at=event.at,
            utc_offset_s=_offset_s(event.at),
            kind=event.kind,
            account=event.account,
            party=event.party,
            channel=event.channel,
            until=event.until,
            leaf=leaf,
            key_id=key_id,
            recorded_at=now,
        ),
    )


# --- history --------------------------------------------------------------------------------------


@dataclass(slots=True)
class DebtorRecords:
    """Everything known about one debtor: recorded contacts and events, and open reservations."""

    contacts: list[Contact]
    events: list[Event]
    pending: list[Contact]

    def recorded(self) -> list[Record]:
        return [*self.contacts, *self.events]

    def with_pending(self) -> list[Record]:
        return [*self.contacts, *self.events, *self.pending]


# Built once: the hot path then only looks up their compiled form.
# only what the engine reads (not the stored findings, whose JSON would be decoded for nothing)
_CONTACT_ROWS = select(
    contacts.c.at, contacts.c.utc_offset_s, *(contacts.c[name] for name in CONTACT_FIELDS)
).where(contacts.c.debtor == bindparam("debtor"))
_HISTORY_CONTACTS = Prepared(_CONTACT_ROWS.order_by(contacts.c.seq))
# the debtor's reservations still open at `now` (no outcome, not expired)
_OPEN = (
    reservations.c.debtor == bindparam("debtor"),
    reservations.c.contact_id.is_(None),
    reservations.c.expires_at > bindparam("now", type_=UTCDateTime()),
)
_OPEN_ROWS = select(reservations.c.id, reservations.c.planned).where(*_OPEN)
_HISTORY_OPEN = Prepared(_OPEN_ROWS.order_by(reservations.c.created_at, reservations.c.id))
# Index-driven selects, one statement (an OR across columns would scan the whole table).
_EVENTS_BY_DEBTOR_ACCOUNT = (
    select(events)
    .join(accounts, events.c.account == accounts.c.id)
    .where(accounts.c.debtor == bindparam("debtor"))
)
_EVENTS_BY_ACCOUNT = select(events).where(events.c.account.in_(bindparam("accounts", expanding=True)))
# the people of the debtor's contacts and open reservations, found in SQL so that the three history reads
# are independent of each other (on PostgreSQL they are then one statement, `_HISTORY_PG`)
_DEBTOR_PARTIES = union(
    select(contacts.c.party).where(contacts.c.debtor == bindparam("debtor")),
    select(reservations.c.party).where(*_OPEN),
)
# each its own arm: an OR of the two would make PostgreSQL scan the whole events table
_EVENTS_BY_PARTY = select(events).where(events.c.party.in_(bindparam("parties", expanding=True)))
_EVENTS_BY_DEBTOR_PARTY = select(events).where(events.c.party.in_(_DEBTOR_PARTIES.scalar_subquery()))
_EVENT_ROWS = union(_EVENTS_BY_DEBTOR_ACCOUNT, _EVENTS_BY_ACCOUNT, _EVENTS_BY_PARTY, _EVENTS_BY_DEBTOR_PARTY)
_HISTORY_EVENTS = Prepared(_EVENT_ROWS.order_by("seq"))


# PostgreSQL: the three reads as one statement whose three columns are JSON arrays of their rows. One
# statement and one result cost the client far less than psycopg's pipeline of three (in process, history
# read and decision: 4,000–4,700 a second against 2,800–3,500); SQLite, with no round trip to save, keeps
# the three selects.
def _json_rows(rows: Select[Any] | CompoundSelect[Any], *order: str) -> Any:
    sub = rows.subquery()
    agg = func.json_agg(aggregate_order_by(sub.table_valued(), *(sub.c[name] for name in order)))
    return select(func.coalesce(agg, literal_column("'[]'::json"))).scalar_subquery()


_HISTORY_PG = Prepared(
    select(
        _json_rows(_CONTACT_ROWS.add_columns(contacts.c.seq), "seq"),
        _json_rows(_OPEN_ROWS.add_columns(reservations.c.created_at), "created_at", "id"),
        _json_rows(_EVENT_ROWS, "seq"),
    )
)


def history_read(
    conn: Connection,
    debtor: str,
    now: datetime,
    extra_accounts: Iterable[str] = (),
    extra_parties: Iterable[str] = (),
    exclude_reservation: str | None = None,
    as_json: bool | None = None,
) -> Read[DebtorRecords]:
    """The debtor's contacts (all accounts), the events that apply to them (by any of the debtor's
    accounts, or by a person contacted about them), and reservations still open at `now` (no outcome,
    not expired), as a read that can travel with others (`.run(conn)` reads it alone). On PostgreSQL one
    statement (`as_json`, by default there; False gives the three selects on any backend)."""
    if as_json is None:
        as_json = conn.dialect.name == "postgresql"
    params = {
        "debtor": debtor,
        "now": now,
        "accounts": sorted(set(extra_accounts)),
        "parties": sorted({debtor, *extra_parties}),
    }
    if as_json:
        return Read(
            ((_HISTORY_PG, params),), lambda rows: _history_from_json(rows[0][0], exclude_reservation)
        )
    jobs = (
        (_HISTORY_CONTACTS, {"debtor": debtor}),
        (_HISTORY_OPEN, {"debtor": debtor, "now": now}),
        (_HISTORY_EVENTS, params),
    )
    return Read(jobs, lambda rows: _history_from_rows(rows, exclude_reservation))


def _history_from_rows(rows: list[list[Any]], exclude: str | None) -> DebtorRecords:
    contact_rows, open_rows, event_rows = rows
    return DebtorRecords(
        [contact_from_row(r) for r in contact_rows],
        [event_from_row(r) for r in event_rows],
        [pending_contact(r.planned) for r in open_rows if r.id != exclude],
    )


def _history_from_json(row: Any, exclude: str | None) -> DebtorRecords:
    contact_rows, open_rows, event_rows = row
    return DebtorRecords(
        [contact_from_row(_typed(r, _CONTACT_TYPES)) for r in contact_rows],
        [event_from_row(_typed(r, _EVENT_TYPES)) for r in event_rows],
        [pending_contact(r["planned"]) for r in open_rows if r["id"] != exclude],
    )


def _instant(value: str) -> datetime:
    """A `timestamptz` as PostgreSQL writes it in JSON (ISO 8601 with its offset), as an aware UTC instant."""
    return datetime.fromisoformat(value).astimezone(UTC)


def _json_types(table: Table) -> dict[str, Callable[[Any], Any]]:
    """How a column's JSON value reads back as the driver returns the column: instants from their ISO text,
    floats that JSON wrote without a fraction (12.0 as 12) as floats."""
    out: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        if isinstance(column.type, UTCDateTime):
            out[column.name] = _instant
        elif isinstance(column.type, Float):
            out[column.name] = float
    return out


_CONTACT_TYPES = _json_types(contacts)
_EVENT_TYPES = _json_types(events)


def _typed(row: dict[str, Any], types: dict[str, Callable[[Any], Any]]) -> SimpleNamespace:
    """A JSON row with the columns' own types, read by name as a result row is (`contact_from_row`)."""
    for name, read in types.items():
        if row.get(name) is not None:
            row[name] = read(row[name])
    return SimpleNamespace(**row)


# --- reservations ---------------------------------------------------------------------------------


def insert_reservation(
    conn: Connection,
    reservation_id: str,
    planned: Contact,
    pack_name: str,
    pack: PackRef,
    decision_id: str,
    now: datetime,
    expires_at: datetime,
    key_id: str | None,
) -> None:
    _INSERT_RESERVATIONS.run(
        conn,
        dict(
            id=reservation_id,
            planned_id=planned.id,
            debtor=planned.debtor,
            account=planned.account,
            party=planned.party,
            at=planned.at,
            planned=planned.to_dict(),
            pack=pack_name,
            pack_id=pack.id,
            pack_sha256=pack.sha256,
            decision_id=decision_id,
            created_at=now,
            expires_at=expires_at,
            key_id=key_id,
        ),
    )


def get_reservation(conn: Connection, reservation_id: str) -> Any | None:
    return reservation_read(reservation_id).run(conn)


def close_reservation(conn: Connection, reservation_id: str, contact_id: str) -> None:
    _CLOSE_RESERVATION.run(conn, {"rid": reservation_id, "contact": contact_id})


# --- decisions ------------------------------------------------------------------------------------


def insert_decision(
    conn: Connection,
    decision_id: str,
    planned: Contact,
    verdict: str,
    findings: list[dict[str, Any]],
    next_allowed_at: datetime | None,
    screening: dict[str, Any] | None,
    pack: PackRef,
    now: datetime,
    key_id: str | None,
    reservation_id: str | None,
    leaf: int | None,
) -> None:
    _INSERT_DECISIONS.run(
        conn,
        dict(
            id=decision_id,
            decided_at=now,
            debtor=planned.debtor,
            account=planned.account,
            party=planned.party,
            channel=planned.channel,
            planned_at=planned.at,
            planned=planned.to_dict(),
            verdict=verdict,
            findings=findings,
            next_allowed_at=next_allowed_at,
            screening=screening,
            pack_id=pack.id,
            pack_sha256=pack.sha256,
            reservation_id=reservation_id,
            leaf=leaf,
            key_id=key_id,
        ),
    )


# --- account history (auditors) -------------------------------------------------------------------


def account_contacts(conn: Connection, account: str, after: int, limit: int) -> Sequence[Row[Any]]:
    return conn.execute(
        select(contacts)
        .where(contacts.c.account == account, contacts.c.seq > after)
        .order_by(contacts.c.seq)
        .limit(limit)
    ).all()


def account_decisions(conn: Connection, account: str, after: int, limit: int) -> Sequence[Row[Any]]:
    return conn.execute(
        select(decisions)
        .where(decisions.c.account == account, decisions.c.seq > after)
        .order_by(decisions.c.seq)
        .limit(limit)
    ).all()


def account_events(conn: Connection, account: str, debtor: str | None) -> Sequence[Row[Any]]:
    cond = events.c.account == account
    if debtor is not None:
        cond = cond | ((events.c.party == debtor) & events.c.account.is_(None))
    return conn.execute(select(events).where(cond).order_by(events.c.seq)).all()


# --- idempotency ----------------------------------------------------------------------------------


def request_digest(route: str, body: Any) -> str:
    canonical = json.dumps([route, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def put_idempotent(
    conn: Connection,
    key_id: str,
    idem_key: str,
    route: str,
    digest: str,
    status: int,
    response: dict[str, Any],
) -> None:
    _INSERT_IDEMPOTENCY.run(
        conn,
        dict(
            key_id=key_id,
            idem_key=idem_key,
            route=route,
            request_sha256=digest,
            status=status,
            response=response,
            created_at=datetime.now(UTC),
        ),
    )

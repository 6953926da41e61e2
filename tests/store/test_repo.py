from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from faircollect.model import Contact, Event, PackRef
from faircollect.store import migrate, repo
from faircollect.store.db import lock_party, make_engine, write_tx
from faircollect.store.tables import accounts, parties

PACK = PackRef("cn", "0" * 64)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def ensure_account(conn: Connection, account: str, debtor: str) -> None:
    repo.claim_account(conn, account, debtor, NOW, repo.account_debtor(conn, account))


def contact(cid: str, at: str, **kw: object) -> Contact:
    values: dict[str, object] = {"channel": "call", "account": "a-1", "debtor": "d-1", "outcome": "connected"}
    values.update(kw)
    return Contact(id=cid, at=datetime.fromisoformat(at), **values)  # type: ignore[arg-type]


def test_contact_round_trip_keeps_instant_offset_and_fields(engine: Engine) -> None:
    c = contact(
        "c-1", "2026-03-02T23:30:00+08:00", tz=None, address="+8613800000000", text="您好", duration_s=12.5
    )
    with write_tx(engine) as conn:
        repo.insert_contact(conn, c, [{"code": "x"}], PACK, NOW, "k1")
    with engine.connect() as conn:
        (back,) = repo.history_read(conn, "d-1", NOW).run(conn).contacts
    assert back.at == c.at and back.at.utcoffset() == timedelta(hours=8)
    assert back.local().day == 2  # the local day survives storage in UTC
    assert (back.address, back.text, back.duration_s, back.outcome) == (c.address, c.text, 12.5, "connected")


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = make_engine(str(tmp_path_factory.mktemp("db") / "p.db"))
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@settings(max_examples=40, deadline=None)
@given(offset_min=st.integers(-12 * 60, 14 * 60), minute=st.integers(0, 60 * 24 * 365))
def test_any_offset_survives(sqlite_engine: Engine, offset_min: int, minute: int) -> None:
    at = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)).astimezone(
        timezone(timedelta(minutes=offset_min))
    )
    debtor = uuid.uuid4().hex
    c = Contact(id=debtor, at=at, channel="sms", account=debtor, debtor=debtor, outcome="sent")
    with write_tx(sqlite_engine) as conn:
        repo.insert_contact(conn, c, [], PACK, NOW, None)
    with sqlite_engine.connect() as conn:
        (back,) = repo.history_read(conn, debtor, NOW).run(conn).contacts
    assert back.at == at and back.at.utcoffset() == at.utcoffset()


def test_history_has_open_reservations_but_not_expired_or_closed_ones(engine: Engine) -> None:
    planned = contact("p", "2026-03-02T10:00:00+08:00", outcome=None)
    with write_tx(engine) as conn:
        for rid, expires in (("r-open", NOW + timedelta(minutes=5)), ("r-old", NOW - timedelta(seconds=1))):
            planned.id = rid
            repo.insert_reservation(conn, rid, planned, "cn", PACK, "d-" + rid, NOW, expires, None)
        planned.id = "r-done"
        repo.insert_reservation(
            conn, "r-done", planned, "cn", PACK, "d-x", NOW, NOW + timedelta(minutes=5), None
        )
        repo.close_reservation(conn, "r-done", "c-done")
    with engine.connect() as conn:
        h = repo.history_read(conn, "d-1", NOW).run(conn)
        assert [c.id for c in h.pending] == ["r-open"]
        assert h.pending[0].outcome is None and h.pending[0].tz is None
        assert [
            c.id for c in repo.history_read(conn, "d-1", NOW, exclude_reservation="r-open").run(conn).pending
        ] == []


def test_events_reach_the_debtor_by_account_or_by_party(engine: Engine) -> None:
    at = datetime.fromisoformat("2026-03-01T10:00:00+08:00")
    with write_tx(engine) as conn:
        ensure_account(conn, "a-1", "d-1")
        repo.insert_contact(
            conn,
            contact("c-1", "2026-03-01T09:00:00+08:00", party="mum", role="contact_person"),
            [],
            PACK,
            NOW,
            None,
        )
        for ev in (
            Event("e-acct", at, "dispute_opened", account="a-1"),
            Event("e-mum", at, "party_refused", party="mum"),
            Event("e-debtor", at, "cease_request", party="d-1"),
            Event("e-other", at, "cease_request", party="someone-else", account="a-9"),
        ):
            repo.insert_event(conn, ev, NOW, None, None)
    with engine.connect() as conn:
        h = repo.history_read(conn, "d-1", NOW).run(conn)
        assert sorted(e.id for e in h.events) == ["e-acct", "e-debtor", "e-mum"]
        assert h.events[0].at.utcoffset() == timedelta(hours=8)


def test_an_account_belongs_to_one_debtor(engine: Engine) -> None:
    with write_tx(engine) as conn:
        ensure_account(conn, "a-1", "d-1")
        ensure_account(conn, "a-1", "d-1")
    with pytest.raises(repo.AccountConflict), write_tx(engine) as conn:
        ensure_account(conn, "a-1", "d-2")


def test_money_is_decimal(engine: Engine) -> None:
    with write_tx(engine) as conn:
        ensure_account(conn, "a-1", "d-1")
        conn.execute(update(accounts).values(balance=Decimal("10234.57"), currency="CNY"))
    with engine.connect() as conn:
        balance = conn.execute(select(accounts.c.balance)).scalar_one()
    assert balance == Decimal("10234.57") and isinstance(balance, Decimal)


def test_lock_party_creates_the_row_once(engine: Engine) -> None:
    for _ in range(2):
        with write_tx(engine) as conn:
            lock_party(conn, "d-1", "Asia/Shanghai", NOW)
    with engine.connect() as conn:
        assert conn.execute(select(parties.c.id, parties.c.tz)).all() == [("d-1", "Asia/Shanghai")]


@pytest.mark.parametrize("known", [True, False], ids=["known person", "new person"])
def test_reads_with_the_lock_see_what_the_holder_committed(engine: Engine, known: bool) -> None:
    """The reads `lock_party` runs with the lock (one round trip on PostgreSQL) see what the transaction
    that held the lock committed while they waited, whether the person's row existed (the lock waits) or
    was being created by the holder (the insert waits, then the reads run again)."""
    if known:
        with write_tx(engine) as conn:
            lock_party(conn, "d-1", None, NOW)
    holding, done = threading.Event(), threading.Event()

    def holder() -> None:
        with write_tx(engine) as conn:
            lock_party(conn, "d-1", None, NOW)
            repo.insert_contact(conn, contact("c-1", "2026-03-02T09:00:00+08:00"), [], PACK, NOW, None)
            holding.set()
            done.wait(0.5)  # the other transaction is now waiting for this one

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(10)
    threading.Timer(0.2, done.set).start()
    with write_tx(engine) as conn:
        reads = [repo.history_read(conn, "d-1", NOW), repo.owner_read("a-1")]
        history, owner = lock_party(conn, "d-1", None, NOW, reads)
    first.join()
    assert [c.id for c in history.contacts] == ["c-1"] and owner is None


def test_idempotency_rows(engine: Engine) -> None:
    digest = repo.request_digest("check", {"a": 1})
    assert digest == repo.request_digest("check", {"a": 1}) != repo.request_digest("check", {"a": 2})
    with write_tx(engine) as conn:
        repo.put_idempotent(conn, "k", "idem-1", "check", digest, 200, {"verdict": "allow"})
    with engine.connect() as conn:
        row = repo.idempotent_read("k", "idem-1").run(conn)
        assert row is not None and row.response == {"verdict": "allow"} and row.status == 200
        assert repo.idempotent_read("other-key", "idem-1").run(conn) is None


def test_postgres_one_statement_history_reads_as_the_three_selects(engine: Engine) -> None:
    """On PostgreSQL the history comes back as JSON arrays in one statement; it must give the very records
    the three selects give (instants with odd offsets and microseconds, every field, the order of open
    reservations and events), whatever the session's time zone."""
    shapes = [
        ("c-1", "2026-03-01T09:00:00.123456+05:45", {"text": '您好 "引号" \\ 和换行\n', "duration_s": 12.25}),
        ("c-2", "2026-03-01T23:59:59-09:30", {"party": "mum", "role": "contact_person", "duration_s": 12.0}),
        (
            "c-3",
            "2026-02-28T16:00:00+00:00",
            {"channel": "sms", "outcome": "sent", "address": "+8613800000000", "team_size": 3},
        ),
    ]
    at = datetime.fromisoformat("2026-03-01T10:00:00.5+14:00")
    with write_tx(engine) as conn:
        ensure_account(conn, "a-1", "d-1")
        for cid, when, kw in shapes:
            repo.insert_contact(conn, contact(cid, when, **kw), [], PACK, NOW, None)
        for rid in ("r-b", "r-a", "r-c"):  # same created_at: the id breaks the tie
            planned = contact(rid, "2026-03-02T10:00:00+08:00", outcome=None, tz="Asia/Shanghai")
            repo.insert_reservation(
                conn, rid, planned, "cn", PACK, "d-" + rid, NOW, NOW + timedelta(minutes=5), None
            )
        for ev in (
            Event("e-2", at, "cease_request", party="mum", until=NOW + timedelta(days=3, microseconds=7)),
            Event("e-1", at, "dispute_opened", account="a-1"),
            Event("e-3", at, "party_refused", party="d-1", channel="call"),
        ):
            repo.insert_event(conn, ev, NOW, None, None)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TIME ZONE 'America/St_Johns'")  # JSON then writes -03:30 offsets
        loaded = repo.history_read(conn, "d-1", NOW, ["a-1"], exclude_reservation="r-c").run(conn)
        selected = repo.history_read(conn, "d-1", NOW, ["a-1"], [], "r-c", as_json=False).run(conn)
    assert loaded == selected
    offsets = [r.at.utcoffset() for r in (*loaded.contacts, *loaded.events, *loaded.pending)]
    assert offsets == [r.at.utcoffset() for r in (*selected.contacts, *selected.events, *selected.pending)]
    assert [c.id for c in loaded.contacts] == ["c-1", "c-2", "c-3"]
    assert [c.id for c in loaded.pending] == ["r-a", "r-b"]
    assert [e.id for e in loaded.events] == ["e-2", "e-1", "e-3"]
    first = loaded.contacts[0]
    assert first.at == datetime.fromisoformat(shapes[0][1]) and first.at.utcoffset() == timedelta(
        hours=5, minutes=45
    )
    assert loaded.events[0].until == NOW + timedelta(days=3, microseconds=7)
    assert type(loaded.contacts[1].duration_s) is float  # JSON writes 12.0 as 12

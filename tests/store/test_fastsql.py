"""Prepared statements give what SQLAlchemy's own execution gives, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, select, text, union
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from faircollect.store.db import write_tx
from faircollect.store.fastsql import Prepared, Read, deferring, read_all, rows_together
from faircollect.store.tables import accounts, parties, reservations

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _reservation(i: int, **extra: Any) -> dict[str, Any]:
    row = {
        "id": f"r-{i}",
        "planned_id": f"p-{i}",
        "debtor": "d-1",
        "account": "a-1",
        "party": "d-1",
        "at": T0 + timedelta(minutes=i),
        "planned": {"id": f"p-{i}", "note": "电话", "n": i},
        "pack": "cn",
        "pack_id": "cn",
        "pack_sha256": "0" * 64,
        "decision_id": f"x-{i}",
        "created_at": T0,
        "expires_at": T0 + timedelta(minutes=15),
        "key_id": None,
    }
    return {**row, **extra}


INSERT = Prepared(reservations.insert())
BY_ID = Prepared(select(reservations).where(reservations.c.id == bindparam("id")))


def _seed(engine: Engine, n: int) -> None:
    with write_tx(engine) as conn:
        Prepared(parties.insert()).run(conn, {"id": "d-1", "tz": "Asia/Shanghai", "created_at": T0})
        Prepared(accounts.insert()).run(conn, {"id": "a-1", "debtor": "d-1", "created_at": T0})
        INSERT.run_many(conn, [_reservation(i) for i in range(n)])


def test_rows_match_sqlalchemys_own_reading(engine: Engine) -> None:
    _seed(engine, 3)
    with write_tx(engine) as conn:
        fast = BY_ID.first(conn, {"id": "r-2"})
        slow = conn.execute(BY_ID.statement, {"id": "r-2"}).one()
    assert fast is not None
    assert tuple(fast) == tuple(slow)
    assert fast.at == T0 + timedelta(minutes=2) and fast.at.tzinfo is not None  # UTC, aware
    assert fast.planned == {"id": "p-2", "note": "电话", "n": 2}  # JSON decoded
    assert fast.contact_id is None


def test_expanding_lists_constants_and_scalars(engine: Engine) -> None:
    _seed(engine, 5)
    wanted = Prepared(
        select(reservations.c.id)
        .where(reservations.c.id.in_(bindparam("ids", expanding=True)))
        .order_by(reservations.c.id)
        .limit(2)
    )
    both = Prepared(
        union(
            select(reservations.c.id).where(reservations.c.id.in_(bindparam("a", expanding=True))),
            select(reservations.c.id).where(reservations.c.planned_id.in_(bindparam("b", expanding=True))),
        ).order_by("id")
    )
    with write_tx(engine) as conn:
        assert [r.id for r in wanted.rows(conn, {"ids": ["r-4", "r-1", "r-3"]})] == ["r-1", "r-3"]
        assert [r.id for r in wanted.rows(conn, {"ids": ["r-0"]})] == ["r-0"]  # another shape, its own plan
        assert [r.id for r in both.rows(conn, {"a": ["r-1"], "b": ["p-3", "p-4"]})] == ["r-1", "r-3", "r-4"]
        assert BY_ID.first(conn, {"id": "nope"}) is None
        assert (
            Prepared(select(reservations.c.planned_id).where(reservations.c.id == "r-1")).scalar(conn)
            == "p-1"
        )


def test_errors_are_sqlalchemys_and_the_transaction_keeps_nothing(engine: Engine) -> None:
    _seed(engine, 1)
    with pytest.raises(IntegrityError), write_tx(engine) as conn:
        INSERT.run(conn, _reservation(7))
        INSERT.run(conn, _reservation(0))  # the id is taken
    with write_tx(engine) as conn:
        assert BY_ID.first(conn, {"id": "r-7"}) is None


def test_listeners_see_every_statement_and_can_refuse_it(engine: Engine) -> None:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    def boom(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not BEGIN: the refusal must be ours
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    _seed(engine, 1)
    with write_tx(engine) as conn:
        event.listen(conn, "before_cursor_execute", count)
        BY_ID.first(conn, {"id": "r-0"})
        INSERT.run_many(conn, [_reservation(5), _reservation(6)])
    assert len(seen) == 2 and seen[0].lstrip().upper().startswith("SELECT")
    event.listen(engine, "before_cursor_execute", boom)
    try:
        with pytest.raises(OperationalError), write_tx(engine) as conn:
            BY_ID.first(conn, {"id": "r-0"})
    finally:
        event.remove(engine, "before_cursor_execute", boom)


def test_reads_together_give_what_they_give_apart(engine: Engine) -> None:
    _seed(engine, 4)
    some = Prepared(select(reservations.c.id).where(reservations.c.id.in_(bindparam("ids", expanding=True))))
    jobs = [(BY_ID, {"id": "r-1"}), (some, {"ids": ["r-2", "r-3"]}), (BY_ID, {"id": "none"})]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    with write_tx(engine) as conn:
        apart = [prepared.rows(conn, params) for prepared, params in jobs]
        event.listen(conn, "before_cursor_execute", count)
        together = rows_together(conn, jobs)
    assert together == apart and [len(rows) for rows in together] == [1, 2, 0]
    assert len(seen) == 3


def test_a_failed_read_among_reads_together_is_sqlalchemys_error(engine: Engine) -> None:
    with pytest.raises(DBAPIError), write_tx(engine) as conn:
        rows_together(conn, [(BY_ID, {"id": "r-1"}), (Prepared(text("SELECT * FROM no_such_table")), {})])


def _statements(conn: Any) -> list[str]:
    seen: list[str] = []
    event.listen(conn, "before_cursor_execute", lambda _c, _cur, statement, *_: seen.append(statement))
    return seen


def test_reads_give_their_values_in_order(engine: Engine) -> None:
    """`read_all` hands each read its own statements' rows, whatever their number (none, one, two)."""
    _seed(engine, 2)
    pair = Read(((BY_ID, {"id": "r-0"}), (BY_ID, {"id": "r-9"})), lambda rows: [len(r) for r in rows])
    nothing: Read[str] = Read((), lambda rows: f"{len(rows)} rows")
    with write_tx(engine) as conn:
        got = read_all(
            conn,
            [
                Read.first(BY_ID, {"id": "r-1"}),
                nothing,
                Read.scalar(BY_ID, {"id": "r-0"}),
                pair,
                Read.exists(BY_ID, {"id": "r-1"}),
                Read.exists(BY_ID, {"id": "r-9"}),
                Read.first(BY_ID, {"id": "r-9"}),
                Read.scalar(BY_ID, {"id": "r-9"}),
            ],
        )
    assert got[0].id == "r-1" and got[1:] == ["0 rows", "r-0", [1, 0], True, False, None, None]


def test_deferred_writes_travel_with_the_next_read(engine: Engine) -> None:
    _seed(engine, 1)
    with write_tx(engine) as conn:
        seen = _statements(conn)
        with deferring(conn):
            INSERT.run(conn, _reservation(5))
            INSERT.run_many(conn, [_reservation(6), _reservation(7)])
            sent_before_read = len(seen)
            assert BY_ID.first(conn, {"id": "r-7"}) is not None  # the read sees the queued writes
            INSERT.run(conn, _reservation(8))
        assert BY_ID.first(conn, {"id": "r-8"}) is not None  # the end of the block sent the rest
    if engine.dialect.name == "postgresql":
        assert sent_before_read == 0
    else:  # nothing to gain without a pipeline: SQLite writes go at once
        assert sent_before_read == 2
    assert len(seen) == 5


def test_the_last_writes_can_carry_the_commit(engine: Engine) -> None:
    """`deferring(commit=True)` on PostgreSQL: the block's last writes and the COMMIT go together, so the
    rows are committed when the block ends (another connection sees them) and the outer commit is empty."""
    _seed(engine, 1)
    with write_tx(engine) as conn:
        with deferring(conn, commit=True):
            INSERT.run(conn, _reservation(5))
            assert BY_ID.first(conn, {"id": "r-0"}) is not None
            INSERT.run_many(conn, [_reservation(6), _reservation(7)])
        if engine.dialect.name == "postgresql":
            with engine.connect() as other:
                assert [BY_ID.first(other, {"id": f"r-{i}"}) is not None for i in (5, 6, 7)] == [True] * 3
    with write_tx(engine) as conn:
        assert [BY_ID.first(conn, {"id": f"r-{i}"}) is not None for i in (5, 6, 7)] == [True] * 3


def test_a_statement_sqlalchemy_runs_itself_sees_the_queued_writes(engine: Engine) -> None:
    _seed(engine, 1)
    with write_tx(engine) as conn, deferring(conn):
        INSERT.run(conn, _reservation(5))
        assert conn.execute(BY_ID.statement, {"id": "r-5"}).one().id == "r-5"


def test_a_queued_writes_error_is_sqlalchemys_and_the_transaction_keeps_nothing(engine: Engine) -> None:
    _seed(engine, 1)
    with pytest.raises(IntegrityError), write_tx(engine) as conn, deferring(conn):
        INSERT.run(conn, _reservation(7))
        INSERT.run(conn, _reservation(0))  # the id is taken: on PostgreSQL the error comes at the block's end
    with write_tx(engine) as conn:
        assert BY_ID.first(conn, {"id": "r-7"}) is None


def test_an_error_inside_the_block_drops_its_queue(engine: Engine) -> None:
    _seed(engine, 1)
    with pytest.raises(RuntimeError), write_tx(engine) as conn, deferring(conn):
        INSERT.run(conn, _reservation(7))
        raise RuntimeError("the request failed")
    with write_tx(engine) as conn, deferring(conn):  # the same pooled connection: no stale queue
        assert BY_ID.first(conn, {"id": "r-7"}) is None
        INSERT.run(conn, _reservation(8))
    with write_tx(engine) as conn:
        assert [BY_ID.first(conn, {"id": i}) is not None for i in ("r-7", "r-8")] == [False, True]


def test_a_refused_queued_write_fails_the_block(engine: Engine) -> None:
    def boom(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    _seed(engine, 1)
    event.listen(engine, "before_cursor_execute", boom)
    try:
        with pytest.raises(OperationalError), write_tx(engine) as conn, deferring(conn):
            INSERT.run(conn, _reservation(7))
            BY_ID.first(conn, {"id": "r-0"})
    finally:
        event.remove(engine, "before_cursor_execute", boom)


def test_a_connection_lost_inside_the_block_raises_its_own_error(engine: Engine) -> None:
    """The block's clean-up must not replace the lost connection's error with one of its own."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite file has no server connection to lose")
    _seed(engine, 1)
    with pytest.raises(OperationalError), write_tx(engine) as conn, deferring(conn):
        INSERT.run(conn, _reservation(7))
        conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

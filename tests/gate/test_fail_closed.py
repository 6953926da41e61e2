"""Fail closed: when the database cannot be read or written the answer is block/503, never allow."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from dbtest import Clock, planned_call
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from faircollect.gate.errors import StoreUnavailable
from faircollect.gate.service import Gate


@contextmanager
def failing(engine: Engine, when: str = "") -> Iterator[None]:
    """Every statement (or only those starting with `when`) fails as a dead database would."""

    def boom(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(when):
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", boom)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", boom)


@contextmanager
def database_gone(engine: Engine, db_url: str) -> Iterator[None]:
    """Really take the database away: the SQLite file is replaced by garbage; the PostgreSQL schema is
    renamed so nothing the gate needs can be found."""
    url = make_url(db_url)
    engine.dispose()
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        saved = path.with_suffix(".saved")
        shutil.move(path, saved)
        for side in ("-wal", "-shm"):
            Path(str(path) + side).unlink(missing_ok=True)
        path.write_bytes(b"this is not a database" * 100)
        try:
            yield
        finally:
            engine.dispose()
            path.unlink()
            shutil.move(saved, path)
        return
    schema = str(url.query["options"]).split("=", 1)[1]
    admin = create_engine(url.difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{schema}_gone"'))
    try:
        yield
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER SCHEMA "{schema}_gone" RENAME TO "{schema}"'))
        admin.dispose()


def test_unreadable_database_blocks_with_503(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock)
    assert gate.check(planned_call()).body["verdict"] == "allow"
    with failing(engine):
        reply = gate.check(planned_call())
    assert reply.status == 503
    assert reply.body["verdict"] == "block" and reply.body["reservation"] is None
    assert reply.body["reason"]["code"] == "gate.unavailable"
    assert reply.body["reason"]["message"]["zh"] and reply.body["reason"]["message"]["en"]
    assert reply.body["pack"]["id"] == "cn"
    assert gate.check(planned_call()).body["verdict"] == "allow"  # back when the database is


def test_unwritable_database_blocks_what_would_be_allowed(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock)
    with failing(engine, when="INSERT INTO RESERVATIONS"):
        reply = gate.check(planned_call())
    assert (reply.status, reply.body["verdict"]) == (503, "block")
    with failing(engine, when="INSERT INTO DECISIONS"):
        assert gate.check(planned_call()).body["verdict"] == "block"
    # nothing of the failed attempts was kept: all three slots are still free
    verdicts = [gate.check(planned_call()).body["verdict"] for _ in range(4)]
    assert verdicts == ["allow", "allow", "allow", "block"]


def test_failing_commit_blocks(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock)
    with failing_commit(engine):
        reply = gate.check(planned_call())
    assert (reply.status, reply.body["verdict"]) == (503, "block")
    assert [gate.check(planned_call()).body["verdict"] for _ in range(4)] == ["allow"] * 3 + ["block"]


@contextmanager
def failing_commit(engine: Engine) -> Iterator[None]:
    """The COMMIT itself fails. On PostgreSQL, the server refuses it (a deferred trigger raises at commit: the
    gate sends the COMMIT with its last writes); on SQLite, SQLAlchemy's commit raises before it is sent."""
    if engine.dialect.name != "postgresql":

        def boom(conn: Any) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk full"))

        event.listen(engine, "commit", boom)
        try:
            yield
        finally:
            event.remove(engine, "commit", boom)
        return
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON decisions "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()"
            )
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_commit ON decisions"))
            conn.execute(text("DROP FUNCTION refuse_commit()"))


def test_database_taken_away_mid_run(engine: Engine, clock: Clock, db_url: str) -> None:
    gate = Gate(engine, clock=clock)
    assert gate.check(planned_call()).body["verdict"] == "allow"
    with database_gone(engine, db_url):
        replies = [gate.check(planned_call(debtor=f"d-{i}", account=f"a-{i}")) for i in range(5)]
        assert {(r.status, r.body["verdict"]) for r in replies} == {(503, "block")}
        assert gate.healthy() is False
        with pytest.raises(StoreUnavailable):
            gate.record_contact(planned_call(id="c-1", outcome="connected"))
        with pytest.raises(StoreUnavailable):
            gate.account_history("a-1")
    assert gate.healthy() is True
    assert [gate.check(planned_call()).body["verdict"] for _ in range(3)] == ["allow", "allow", "block"]


def test_engine_failure_blocks(engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    import faircollect.gate.service as service

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(service, "decide", broken)
    reply = Gate(engine, clock=clock).check(planned_call())
    assert (reply.status, reply.body["verdict"]) == (503, "block")
    assert reply.body["reason"]["code"] == "gate.error"


def test_lost_connections_fail_closed_then_recover(engine: Engine, clock: Clock, db_url: str) -> None:
    """PostgreSQL restarted under the gate: the request that meets a dead connection is blocked (503),
    the pool is dropped, and the next request reconnects."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite file has no server connection to lose")
    gate = Gate(engine, clock=clock)
    assert gate.check(planned_call()).body["verdict"] == "allow"
    admin = create_engine(make_url(db_url).difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    admin.dispose()
    assert killed and killed >= 1
    first = gate.check(planned_call())
    assert (first.status, first.body["verdict"]) == (503, "block")
    assert [gate.check(planned_call()).body["verdict"] for _ in range(3)] == ["allow", "allow", "block"]

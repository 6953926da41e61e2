"""Connecting to the database: URL choice, SQLite settings, transactions that lock one debtor.

SQLite (the default) runs in WAL mode and takes the write lock at BEGIN (`BEGIN IMMEDIATE`) for
write transactions, so check → reserve is atomic. PostgreSQL runs READ COMMITTED and serialises
decisions about one debtor with `SELECT … FOR UPDATE` on that debtor's `parties` row.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from faircollect.store.tables import parties

DEFAULT_FILE = "faircollect.db"
BUSY_TIMEOUT_MS = 30_000


def resolve_url(db: str | None = None) -> str:
    """`--db`, else FAIRCOLLECT_DB, else a SQLite file `faircollect.db` in the working directory.

    A bare path is taken as a SQLite file.
    """
    url = db or os.environ.get("FAIRCOLLECT_DB") or DEFAULT_FILE
    if "://" not in url:
        url = "sqlite:///" + os.path.abspath(url)
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(db: str | None = None, pool_size: int = 10, **kwargs: Any) -> Engine:
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=60, pool_timeout=60, connect_args={"timeout": 60}, **kwargs
        )
        _sqlite_setup(engine)
        return engine
    # No pre-ping (a round trip per checkout): a connection lost to a restart fails its request closed,
    # and SQLAlchemy then drops the whole pool, so the next request reconnects.
    return create_engine(url, pool_size=pool_size, max_overflow=30, pool_recycle=1800, **kwargs)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # take transaction control from pysqlite so BEGIN is ours
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _wal(cur)
        # Under WAL, NORMAL never corrupts the file (the WAL is fsynced at each checkpoint); a power
        # loss or OS crash (not a process crash) may lose the last commits before the next checkpoint.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _wal(cur: Any) -> None:
    """Switch the file to WAL (persistent). Switching ignores the busy timeout, so retry while another
    connection holds a lock on a brand-new file."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


_writers: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_writers_guard = threading.Lock()


def _writer_lock(engine: Engine) -> threading.Lock:
    with _writers_guard:
        lock = _writers.get(engine)
        if lock is None:
            lock = _writers[engine] = threading.Lock()
        return lock


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it holds the database write lock from its first statement.

    SQLite writers of one process queue on a Python lock first: SQLite's own busy handler polls with
    sleeps of up to 100 ms, which wrecks latency when many threads want the write lock at once.
    Other processes still wait through the busy timeout.
    """
    if not is_sqlite(engine):
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    with _writer_lock(engine), engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


_PARTY_SQLITE = sqlite.insert(parties).on_conflict_do_nothing()
_PARTY_PG = postgresql.insert(parties).on_conflict_do_nothing().returning(parties.c.id)
_PARTY_LOCK = select(parties.c.id).where(parties.c.id == bindparam("id")).with_for_update()


def lock_party(conn: Connection, party: str, tz: str | None, now: datetime) -> None:
    """Make sure the person's row exists and lock it until the transaction ends.

    On SQLite the IMMEDIATE transaction already excludes every other writer.
    """
    values = {"id": party, "tz": tz, "created_at": now}
    if is_sqlite(conn):
        conn.execute(_PARTY_SQLITE, values)
        return
    # Not there yet: a row this transaction inserts stays out of others' reach until it commits (no lock
    # needed); if another transaction inserted it meanwhile (nothing returned), lock theirs.
    if (
        conn.execute(_PARTY_LOCK, {"id": party}).first() is None
        and conn.execute(_PARTY_PG, values).first() is None
    ):
        conn.execute(_PARTY_LOCK, {"id": party})


def utcnow() -> datetime:
    return datetime.now(UTC)

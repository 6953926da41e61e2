"""Connecting to the database: URL choice, SQLite settings, transactions that lock one debtor.

SQLite (the default) runs in WAL mode and takes the write lock at BEGIN (`BEGIN IMMEDIATE`) for
write transactions, so check → reserve is atomic. PostgreSQL runs READ COMMITTED and serialises
decisions about one debtor with `SELECT … FOR UPDATE` on that debtor's `parties` row.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

try:  # POSIX; elsewhere writers of several processes fall back on SQLite's busy timeout
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, bindparam, create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from faircollect.store.fastsql import Prepared, Read, flush_before_core, read_all
from faircollect.store.tables import parties

log = logging.getLogger(__name__)

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


def make_engine(
    db: str | None = None, pool_size: int = 10, background_checkpoint: bool = False, **kwargs: Any
) -> Engine:
    """An engine for `db`. `background_checkpoint` (a long-running server on a SQLite file): the WAL is
    copied into the database by a background thread instead of by whichever commit crosses SQLite's
    threshold, which otherwise holds the write lock for milliseconds (the gate's p99)."""
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=60, pool_timeout=60, connect_args={"timeout": 60}, **kwargs
        )
        background = background_checkpoint and url.database not in (None, "", ":memory:")
        _sqlite_setup(engine, AUTOCHECKPOINT_FALLBACK if background else None)
        if background:
            _Checkpointer.start_for(engine, str(url.database))
        return engine
    # No pre-ping (a round trip per checkout): a connection lost to a restart fails its request closed,
    # and SQLAlchemy then drops the whole pool, so the next request reconnects.
    engine = create_engine(url, pool_size=pool_size, max_overflow=30, pool_recycle=1800, **kwargs)
    event.listen(engine, "before_cursor_execute", flush_before_core)
    return engine


def _sqlite_setup(engine: Engine, autocheckpoint: int | None) -> None:
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
        if autocheckpoint is not None:
            cur.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
        # a WAL that starts over is cut back to this size by the commit that restarts it
        cur.execute(f"PRAGMA journal_size_limit={WAL_RESTART_BYTES}")
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


# With a background checkpointer, commits still checkpoint if the WAL somehow reaches this many pages
# (400 MB at 4 KB pages): a safety net should the thread fall behind, never the normal path, since the
# commit that reaches it checkpoints (two fsyncs, 10-20 ms) on the request path. The thread itself makes
# the WAL start over at WAL_RESTART_BYTES (see `_Checkpointer`).
AUTOCHECKPOINT_FALLBACK = 100_000
CHECKPOINT_EVERY_S = 0.5
# Past this size the checkpointer lets the WAL start over (see `_Checkpointer`).
WAL_RESTART_BYTES = 64 * 1024 * 1024


class _Checkpointer:
    """A daemon thread that checkpoints one SQLite file's WAL every CHECKPOINT_EVERY_S seconds.

    PASSIVE checkpoints never block writers or readers; they copy what they can into the database file.
    Under a steady stream of commits, though, each one ends with new frames behind it, so the WAL never
    starts over and grows to the fallback (400 MB). Once it passes WAL_RESTART_BYTES, the thread writes the
    copied pages back to disk (`_write_back`) and checkpoints once more holding the writers' lock file
    (`_Writer`; its own descriptor, so it waits for this process's writers as for any other's). That pass
    copies only what came in meanwhile and leaves nothing behind, so the next commit restarts the WAL and
    cuts the file back (journal_size_limit). Writers wait for it once per WAL_RESTART_BYTES written (2-5 ms on
    the benchmark machine: docs/benchmarks.md).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    @classmethod
    def start_for(cls, engine: Engine, path: str) -> None:
        checkpointer = cls(path)
        weakref.finalize(engine, checkpointer.stop.set)
        checkpointer.thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        lock = None
        try:
            if fcntl is not None:
                lock = os.open(_Writer.lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o600)
            restart_frames = WAL_RESTART_BYTES // conn.execute("PRAGMA page_size").fetchone()[0]
            while not self.stop.wait(CHECKPOINT_EVERY_S):
                try:
                    frames = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
                    if frames >= restart_frames and lock is not None:
                        _write_back(self.path, f"{self.path}-wal")
                        with _flocked(lock):
                            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                # the file gone or replaced: commits fall back on autocheckpoint
                except (sqlite3.Error, OSError) as e:
                    log.warning("background checkpoint of %s failed: %s", self.path, e)
        finally:
            conn.close()
            if lock is not None:
                os.close(lock)


def _write_back(*paths: str) -> None:
    """fsync files from outside SQLite. A checkpoint that leaves frames behind copies pages into the
    database file without syncing it; the one that completes syncs the file, and with it every page copied
    since. Done first, that sync holds no writer up."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


class _Writer:
    """Queues one engine's SQLite writers: threads of this process on a Python lock, processes (several
    `serve --workers`) on an flock of a file beside the database. Both wake a waiter the moment the lock
    is free, where SQLite's own busy handler polls with sleeps of up to 100 ms and wrecks latency."""

    def __init__(self, database: str | None) -> None:
        self.thread_lock = threading.Lock()
        self.path = self.lock_path(database) if database and database != ":memory:" else None
        self.fd: int | None = None

    @staticmethod
    def lock_path(database: str) -> str:
        return f"{database}-writer.lock"

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if self.path is None or fcntl is None:
                yield
                return
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            with _flocked(self.fd):
                yield

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@contextmanager
def _flocked(fd: int) -> Iterator[None]:
    """An exclusive flock: descriptors from separate opens of one file exclude each other, in one process
    as across processes."""
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


_writers: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()
_writers_guard = threading.Lock()


def _writer(engine: Engine) -> _Writer:
    with _writers_guard:
        writer = _writers.get(engine)
        if writer is None:
            writer = _writers[engine] = _Writer(engine.url.database)
            weakref.finalize(engine, writer.close)
        return writer


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it holds the database write lock from its first statement.

    SQLite writers queue first (see `_Writer`), so BEGIN IMMEDIATE almost never meets a busy database;
    other programs writing the same file still wait through the busy timeout.
    """
    if not is_sqlite(engine):
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    with _writer(engine).hold(), engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


_PARTY_INSERT = {
    "sqlite": Prepared(sqlite.insert(parties).on_conflict_do_nothing()),
    "postgresql": Prepared(postgresql.insert(parties).on_conflict_do_nothing()),
}
_PARTY_LOCK = Prepared(select(parties.c.id).where(parties.c.id == bindparam("id")).with_for_update())


def lock_party(
    conn: Connection, party: str, tz: str | None, now: datetime, reads: Sequence[Read[Any]] = ()
) -> list[Any]:
    """Make sure the person's row exists and lock it until the transaction ends; then `reads`' values.

    On SQLite the IMMEDIATE transaction already excludes every other writer. On PostgreSQL the insert
    (which waits for a transaction inserting the same row, then does nothing), the lock and the reads
    travel in one round trip inside `deferring`; the server runs them in order, and under READ COMMITTED
    each statement sees what was committed when it started, so the reads see everything committed before
    the lock was granted.
    """
    _PARTY_INSERT[conn.dialect.name].run(conn, {"id": party, "tz": tz, "created_at": now})
    if is_sqlite(conn):
        return read_all(conn, reads)
    locked, *found = read_all(conn, [Read.exists(_PARTY_LOCK, {"id": party}), *reads])
    if not locked:  # the row was just inserted or found: only a concurrent delete could take it away
        raise RuntimeError(f"the row of {party!r} could not be locked")
    return found


def utcnow() -> datetime:
    return datetime.now(UTC)

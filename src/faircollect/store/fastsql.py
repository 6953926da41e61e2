"""Hot statements run straight on the DBAPI cursor of a SQLAlchemy connection (same transaction).

The gate runs a dozen small statements per request inside one write transaction, and SQLAlchemy's
per-execution machinery (parameter construction, result set-up, event checks) cost several times what
SQLite itself spends on them; on SQLite that time is spent holding the database's single write lock.
A `Prepared` statement is compiled once per dialect and parameter shape by SQLAlchemy (so SQL text,
bind and result conversions stay SQLAlchemy's own), then executed with just those conversions.

`before_cursor_execute` listeners still run (tests use them to break or count statements), and DBAPI
errors go through SQLAlchemy's own handling, so callers see the usual `sqlalchemy.exc` errors and a
connection lost to a restart is invalidated as usual.

Inside `deferring(conn)` on PostgreSQL, writes (`run`, `run_many`) are queued instead of sent, and travel
with the next read, or at the end of the block, in one round trip (psycopg's pipeline mode); a statement
SQLAlchemy runs itself sends the queue first (`flush_before_core`, installed by `store.db.make_engine`).

It reads a few of SQLAlchemy's compiler internals (`_bind_processors`, `_result_columns`,
`construct_expanded_state`); pyproject bounds SQLAlchemy below 2.2 and tests/store/test_fastsql.py compares
the results with SQLAlchemy's own execution on both backends.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement

Params = Mapping[str, Any]
T = TypeVar("T")
_QUEUE = "faircollect.fastsql.deferred"  # key of a deferring block's queue in Connection.info


@dataclass(slots=True)
class _Plan:
    sql: str
    positional: bool
    # (target parameter name, source parameter name, index into a list source or -1, bind processor);
    # a source of None is a value the statement itself holds (a LIMIT, a literal), kept in `constants`
    binds: tuple[tuple[str, str | None, int, Callable[[Any], Any] | None], ...]
    constants: dict[str, Any]
    row: Any  # a namedtuple class, or None for statements without result columns
    columns: list[Any]
    # result conversions, set at the first fetch: some need the DBAPI's column type from the cursor
    converters: tuple[Callable[[Any], Any] | None, ...] | None = None


class Prepared:
    """One Core statement, executed through `rows`, `first`, `scalar`, `run` or `run_many`."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._expanding: tuple[str, ...] | None = None
        self._lock = threading.Lock()

    # --- running -----------------------------------------------------------------------------------

    def rows(self, conn: Connection, params: Params | None = None) -> list[Any]:
        params = params or {}
        if conn.info.get(_QUEUE):
            return rows_together(conn, [(self, params)])[0]
        plan = self._plan(conn, params)
        fetched = _execute(conn, plan, _values(plan, params), many=False)
        return _convert(plan, fetched)

    def first(self, conn: Connection, params: Params | None = None) -> Any | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: Params | None = None) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]

    def run(self, conn: Connection, params: Params | None = None) -> None:
        params = params or {}
        plan = self._plan(conn, params)
        self._write(conn, plan, _values(plan, params), many=False)

    def run_many(self, conn: Connection, many: Sequence[Params]) -> None:
        if not many:
            return
        plan = self._plan(conn, many[0])
        self._write(conn, plan, [_values(plan, p) for p in many], many=True)

    # --- plumbing ----------------------------------------------------------------------------------

    def _plan(self, conn: Connection, params: Params) -> _Plan:
        """The plan for this dialect, these parameter names and the lengths of the list parameters."""
        expanding = self._expanding
        if expanding is None:  # learnt once from the statement itself (a JSON value may be a list too)
            compiled: Any = self.statement.compile(dialect=conn.dialect, column_keys=sorted(params))
            expanding = self._expanding = tuple(sorted(n for n, b in compiled.binds.items() if b.expanding))
        key = (conn.dialect.name, *params, *(len(params[name]) for name in expanding))
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or self._compile(conn, params)
                self._plans[key] = plan
        return plan

    def _compile(self, conn: Connection, params: Params) -> _Plan:
        dialect = conn.dialect
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=sorted(params))
        # unique stand-ins show which expanded parameter (accounts_1, accounts_2, …) takes which element
        marks: dict[int, tuple[str, int]] = {}
        standin: dict[str, Any] = {}
        for name, value in params.items():
            if name in (self._expanding or ()):
                items = [object() for _ in value]
                marks.update({id(o): (name, i) for i, o in enumerate(items)})
                standin[name] = items
            else:
                standin[name] = value
        state = compiled.construct_expanded_state(standin)
        processors = {**compiled._bind_processors, **state.processors}  # the latter: expanded lists
        order: Iterable[str] = (
            state.positiontup if compiled.positional and state.positiontup else state.parameters
        )
        binds: list[tuple[str, str | None, int, Callable[[Any], Any] | None]] = []
        constants = {}
        for target in order:
            value = state.parameters[target]
            source, index = marks.get(id(value), (target, -1))
            if source not in params:
                constants[target] = value
            binds.append((target, source if source in params else None, index, processors.get(target)))
        columns = getattr(compiled, "_result_columns", None) or []
        row = namedtuple("Row", [c.keyname for c in columns], rename=True) if columns else None
        return _Plan(state.statement, bool(compiled.positional), tuple(binds), constants, row, list(columns))

    def _write(self, conn: Connection, plan: _Plan, values: Any, many: bool) -> None:
        queue = conn.info.get(_QUEUE)
        if queue is None:
            _execute(conn, plan, values, many)
        else:
            queue.append((plan, values, many))


@contextmanager
def deferring(conn: Connection, commit: bool = False) -> Iterator[None]:
    """Queue this block's writes on PostgreSQL (see the module's doc); no effect elsewhere or when nested.
    A queued statement's error is raised where the queue is sent, inside the same transaction.

    With `commit`, the block's last writes and the COMMIT travel in one round trip, and the transaction
    ends with the block: the caller's own commit then finds nothing to do (psycopg skips it). Only for a
    block that is the last thing its transaction does.
    """
    if (
        conn.dialect.name != "postgresql"
        or _QUEUE in conn.info
        or not hasattr(_dbapi(conn), "pipeline")
        or not event.contains(conn.engine, "before_cursor_execute", flush_before_core)  # see make_engine
    ):
        yield
        return
    info = conn.info  # held: after a lost connection, reaching it again would raise over the real error
    info[_QUEUE] = []
    try:
        yield
        if commit and info[_QUEUE]:
            rows_together(conn, [], commit=True)
        else:
            flush(conn)
    finally:
        info.pop(_QUEUE, None)


def flush(conn: Connection) -> None:
    """Send the queued writes of a `deferring` block now."""
    if conn.info.get(_QUEUE):
        rows_together(conn, [])


def flush_before_core(conn: Connection, *_: Any) -> None:
    """A `before_cursor_execute` listener: a statement SQLAlchemy runs itself sees the queued writes."""
    flush(conn)


@dataclass(frozen=True, slots=True)
class Read(Generic[T]):
    """Independent selects whose rows `make` one value: a read that can travel with others (`read_all`)."""

    jobs: tuple[tuple[Prepared, Params], ...]
    make: Callable[[list[list[Any]]], T]

    def run(self, conn: Connection) -> T:
        """This read's value on its own (`read_all` sends several together)."""
        value: T = read_all(conn, [self])[0]
        return value

    @staticmethod
    def first(prepared: Prepared, params: Params) -> Read[Any | None]:
        """The statement's first row, or None."""
        return Read(((prepared, params),), lambda rows: rows[0][0] if rows[0] else None)

    @staticmethod
    def scalar(prepared: Prepared, params: Params) -> Read[Any | None]:
        """The first column of the statement's first row, or None."""
        return Read(((prepared, params),), lambda rows: rows[0][0][0] if rows[0] else None)

    @staticmethod
    def exists(prepared: Prepared, params: Params) -> Read[bool]:
        """Whether the statement finds a row."""
        return Read(((prepared, params),), lambda rows: bool(rows[0]))


def read_all(conn: Connection, reads: Sequence[Read[Any]]) -> list[Any]:
    """The values of several reads, in order; on PostgreSQL their selects travel in one round trip."""
    rows = rows_together(conn, [job for read in reads for job in read.jobs])
    values, at = [], 0
    for read in reads:
        values.append(read.make(rows[at : at + len(read.jobs)]))
        at += len(read.jobs)
    return values


def rows_together(
    conn: Connection, jobs: Sequence[tuple[Prepared, Params]], commit: bool = False
) -> list[list[Any]]:
    """The rows of several independent reads, after any queued writes. On PostgreSQL they travel in one
    round trip (psycopg's pipeline mode), where each would otherwise wait for the one before; with
    `commit` (PostgreSQL only: `deferring`), the transaction's COMMIT travels with them."""
    dbapi_conn = _dbapi(conn)
    pipeline = getattr(dbapi_conn, "pipeline", None)
    queue = conn.info.get(_QUEUE) or []
    if conn.dialect.name != "postgresql" or pipeline is None or len(jobs) + len(queue) + commit < 2:
        if queue:  # a single write and no read: no pipeline needed
            _execute(conn, *queue.pop())
        return [prepared.rows(conn, params) for prepared, params in jobs]
    writes = list(queue)
    queue.clear()  # before sending: the listeners `_send` calls must not send them again
    sent: list[tuple[Any, _Plan]] = []
    opened: list[Any] = []
    sql, values = "", None
    try:
        with pipeline():
            for plan, values, many in writes:
                sql = plan.sql
                cursor = dbapi_conn.cursor()
                opened.append(cursor)
                _send(conn, cursor, sql, values, many)
            for prepared, params in jobs:
                plan = prepared._plan(conn, params)
                sql, values = plan.sql, _values(plan, params)
                cursor = dbapi_conn.cursor()
                opened.append(cursor)
                sent.append((cursor, plan))
                _send(conn, cursor, sql, values)
            if commit:  # as a statement: psycopg's own commit() would add a round trip (a Sync of its own)
                sql, values = "COMMIT", None
                cursor = dbapi_conn.cursor()
                opened.append(cursor)
                _send(conn, cursor, sql, values)
        return [_convert(plan, _fetch(conn, plan, cursor)) for cursor, plan in sent]
    except conn.dialect.loaded_dbapi.Error as e:
        conn._handle_dbapi_exception(e, sql, values, opened[-1] if opened else None, None)
        raise  # pragma: no cover  (the line above always raises)
    finally:
        for cursor in opened:
            cursor.close()


def _execute(conn: Connection, plan: _Plan, values: Any, many: bool) -> list[Any]:
    cursor = _dbapi(conn).cursor()
    try:
        _send(conn, cursor, plan.sql, values, many)
        return [] if many else _fetch(conn, plan, cursor)
    except conn.dialect.loaded_dbapi.Error as e:
        conn._handle_dbapi_exception(e, plan.sql, values, cursor, None)
        raise  # pragma: no cover  (the line above always raises)
    finally:
        cursor.close()


def _dbapi(conn: Connection) -> Any:
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    return dbapi_conn


def _send(conn: Connection, cursor: Any, sql: str, values: Any, many: bool = False) -> None:
    """Run a statement, after the connection's `before_cursor_execute` listeners have seen it."""
    for listener in conn.dispatch.before_cursor_execute:
        listener(conn, cursor, sql, values, None, many)
    if many:
        cursor.executemany(sql, values)
    else:
        cursor.execute(sql, values)


def _fetch(conn: Connection, plan: _Plan, cursor: Any) -> list[Any]:
    if plan.row is None:
        return []
    if plan.converters is None:
        plan.converters = tuple(
            col.type._cached_result_processor(conn.dialect, desc[1])
            for col, desc in zip(plan.columns, cursor.description, strict=True)
        )
    return list(cursor.fetchall())


def _values(plan: _Plan, params: Params) -> Any:
    out = []
    for target, source, index, processor in plan.binds:
        if source is None:
            value = plan.constants[target]
        else:
            value = params[source] if index < 0 else params[source][index]
        out.append(value if processor is None else processor(value))
    if plan.positional:
        return tuple(out)
    return {b[0]: v for b, v in zip(plan.binds, out, strict=True)}


def _convert(plan: _Plan, fetched: list[Any]) -> list[Any]:
    if plan.row is None:
        return []
    converters = plan.converters or ()
    make = plan.row._make
    if not any(converters):
        return [make(r) for r in fetched]
    return [make(v if f is None else f(v) for f, v in zip(converters, r, strict=True)) for r in fetched]


__all__ = ["Prepared", "Read", "deferring", "flush", "flush_before_core", "read_all", "rows_together"]

"""Hot statements run straight on the DBAPI cursor of a SQLAlchemy connection (same transaction).

The gate runs a dozen small statements per request inside one write transaction, and SQLAlchemy's
per-execution machinery (parameter construction, result set-up, event checks) cost several times what
SQLite itself spends on them; on SQLite that time is spent holding the database's single write lock.
A `Prepared` statement is compiled once per dialect and parameter shape by SQLAlchemy (so SQL text,
bind and result conversions stay SQLAlchemy's own), then executed with just those conversions.

`before_cursor_execute` listeners still run (tests use them to break or count statements), and DBAPI
errors go through SQLAlchemy's own handling, so callers see the usual `sqlalchemy.exc` errors and a
connection lost to a restart is invalidated as usual.

It reads a few of SQLAlchemy's compiler internals (`_bind_processors`, `_result_columns`,
`construct_expanded_state`); pyproject bounds SQLAlchemy below 2.2 and tests/store/test_fastsql.py compares
the results with SQLAlchemy's own execution on both backends.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement

Params = Mapping[str, Any]


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
        plan = self._plan(conn, params)
        fetched = self._execute(conn, plan, _values(plan, params), many=False)
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
        self._execute(conn, plan, _values(plan, params), many=False)

    def run_many(self, conn: Connection, many: Sequence[Params]) -> None:
        if not many:
            return
        plan = self._plan(conn, many[0])
        self._execute(conn, plan, [_values(plan, p) for p in many], many=True)

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

    def _execute(self, conn: Connection, plan: _Plan, values: Any, many: bool) -> list[Any]:
        dbapi_conn = conn.connection.dbapi_connection
        assert dbapi_conn is not None
        cursor = dbapi_conn.cursor()
        try:
            _send(conn, cursor, plan.sql, values, many)
            return [] if many else _fetch(conn, plan, cursor)
        except conn.dialect.loaded_dbapi.Error as e:
            conn._handle_dbapi_exception(e, plan.sql, values, cursor, None)
            raise  # pragma: no cover  (the line above always raises)
        finally:
            cursor.close()


def rows_together(conn: Connection, jobs: Sequence[tuple[Prepared, Params]]) -> list[list[Any]]:
    """The rows of several independent reads. On PostgreSQL they travel in one round trip (psycopg's
    pipeline mode), where each would otherwise wait for the one before."""
    dbapi_conn = conn.connection.dbapi_connection
    pipeline = getattr(dbapi_conn, "pipeline", None)
    if conn.dialect.name != "postgresql" or pipeline is None or len(jobs) < 2:
        return [prepared.rows(conn, params) for prepared, params in jobs]
    assert dbapi_conn is not None
    sent: list[tuple[Any, _Plan]] = []
    sql, values = "", None
    try:
        with pipeline():
            for prepared, params in jobs:
                plan = prepared._plan(conn, params)
                sql, values = plan.sql, _values(plan, params)
                cursor = dbapi_conn.cursor()
                sent.append((cursor, plan))
                _send(conn, cursor, sql, values)
        return [_convert(plan, _fetch(conn, plan, cursor)) for cursor, plan in sent]
    except conn.dialect.loaded_dbapi.Error as e:
        conn._handle_dbapi_exception(e, sql, values, sent[-1][0] if sent else None, None)
        raise  # pragma: no cover  (the line above always raises)
    finally:
        for cursor, _ in sent:
            cursor.close()


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


__all__ = ["Prepared", "rows_together"]

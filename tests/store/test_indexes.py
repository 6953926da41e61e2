"""The gate's reads stay on the indexes migration 0003 kept (SQLite's query plans), and `planned_id_used`
answers alike whether a contact is planned under the caller's id or its reservation's (both backends)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

from faircollect.model import Contact, PackRef
from faircollect.store import repo
from faircollect.store.db import write_tx
from faircollect.store.translog import TransparencyLog

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FULL_SCAN = re.compile(r"^SCAN \w+$")  # a table read row by row (a covering index scan says USING)


def reserve(conn: Connection, reservation_id: str, planned_id: str) -> None:
    planned = Contact(id=planned_id, at=NOW, channel="call", account="a-1", debtor="d-1")
    repo.insert_reservation(
        conn,
        reservation_id,
        planned,
        "cn",
        PackRef("cn", "0" * 64),
        "d-x",
        NOW,
        NOW + timedelta(minutes=15),
        None,
    )


def test_planned_id_used_under_either_id(engine: Engine) -> None:
    with write_tx(engine) as conn:
        reserve(conn, "r-own", "r-own")  # no id given: planned under the reservation's own id
        reserve(conn, "r-given", "c-mine")  # planned under the caller's id
    with engine.connect() as conn:
        assert repo.planned_id_used_read("r-own").run(conn)
        assert repo.planned_id_used_read("c-mine").run(conn)
        assert not repo.planned_id_used_read("r-given").run(conn)  # no contact is planned under this one
        assert not repo.planned_id_used_read("c-other").run(conn)


def plans(engine: Engine, read: Callable[[Connection], Any]) -> list[str]:
    """SQLite's query plan (detail lines) of every statement `read` runs."""
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))

    with engine.connect() as conn:
        event.listen(engine, "before_cursor_execute", capture)
        try:
            read(conn)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        return [
            str(r[3])
            for sql, params in seen
            for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
        ]


def test_sqlite_reads_use_the_indexes_kept(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans")
    log = TransparencyLog(engine, key_path=tmp_path / "log.key")
    reads: dict[str, tuple[Callable[[Connection], Any], set[str]]] = {
        "planned_id_used": (
            lambda c: repo.planned_id_used_read("c-1").run(c),
            {"ix_reservations_planned_id", "sqlite_autoindex_reservations_1"},
        ),
        "history_read": (
            lambda c: repo.history_read(c, "d-1", NOW, ["a-1"], ["d-1"]).run(c),
            {"ix_reservations_debtor_expires_at", "ix_contacts_debtor_at", "ix_events_account"},
        ),
        "account_decisions": (
            lambda c: repo.account_decisions(c, "a-1", 0, 10),
            {"ix_decisions_account_seq"},
        ),
        "account_contacts": (lambda c: repo.account_contacts(c, "a-1", 0, 10), {"ix_contacts_account"}),
        "index_of": (lambda c: log.index_of(c, b"\0" * 32), {"ix_log_leaves_leaf_hash"}),
    }
    for name, (read, wanted) in reads.items():
        details = plans(engine, read)
        assert not [d for d in details if FULL_SCAN.match(d)], (name, details)
        assert all(any(index in d for d in details) for index in wanted), (name, details)

"""Migration 0003 (fewer B-trees) on a database that already holds records, SQLite and PostgreSQL: every
row survives with the same values, up and down again, and the gate and the log keep working on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from dbtest import Clock, planned_call
from sqlalchemy import Engine, inspect, text

from faircollect.gate.errors import GateError
from faircollect.gate.service import Caller, Gate
from faircollect.store import migrate
from faircollect.store.db import make_engine, read_tx, write_tx
from faircollect.store.meta import metadata
from faircollect.store.translog import TransparencyLog

BEFORE = "0002_translog"
# every table 0003 rebuilds or re-indexes, and the ones beside them on the gate's path
TABLES = (
    "accounts",
    "parties",
    "contacts",
    "events",
    "reservations",
    "decisions",
    "idempotency",
    "log_leaves",
    "log_nodes",
    "log_heads",
    "log_salts",
)
GONE = {
    "decisions": "ix_decisions_debtor",
    "log_heads": "ix_log_heads_tree_size",
    "reservations": "ix_reservations_debtor_open",
}
KEYED = ("accounts", "parties", "log_nodes", "log_salts")  # WITHOUT ROWID on SQLite


@pytest.fixture
def old(db_url: str) -> Iterator[Engine]:
    """A database at 0002, before this revision."""
    eng = make_engine(db_url)
    migrate.upgrade(eng, BEFORE)
    yield eng
    eng.dispose()


def gate_on(engine: Engine, tmp_path: Path, clock: Clock) -> Gate:
    log = TransparencyLog(engine, key_path=tmp_path / "log.key", clock=lambda: clock.now.timestamp())
    return Gate(engine, translog=log, clock=clock)


def fill(gate: Gate, clock: Clock) -> dict[str, Any]:
    """Records of every kind: several debtors, allowed and blocked checks, open, closed and expired
    reservations, contacts under the caller's id and under the reservation's, an event, a replayable
    request; what the checks after the upgrade need to know."""
    allowed = [gate.check(planned_call(f"d-{i}", f"a-{i}")).body for i in range(4)]
    mine = gate.check(planned_call("d-9", "a-9", id="my-call-1")).body  # planned under the caller's id
    assert all(d["verdict"] == "allow" for d in [*allowed, mine])
    for _ in range(2):
        allowed.append(gate.check(planned_call("d-0", "a-0")).body)
    for d in [allowed[0], allowed[1], *allowed[4:]]:
        assert gate.record_outcome(d["reservation"]["id"], {"outcome": "connected"}).status == 201
    assert gate.check(planned_call("d-0", "a-0")).body["verdict"] == "block"  # 3 connected calls today
    event = {"id": "e-1", "at": "2026-03-01T09:00:00+08:00", "kind": "dispute_opened", "account": "a-3"}
    assert gate.record_event(event).status == 201
    replayed = gate.check(planned_call("d-5", "a-5"), Caller(key_id="k1", idempotency_key="dial-1"))
    clock.advance(minutes=20)  # the reservations made so far expire
    still_open = gate.check(planned_call("d-6", "a-6")).body
    return {
        "auto_id": allowed[2]["reservation"]["id"],  # expired, no outcome; planned under its own id
        "open": still_open["reservation"]["id"],
        "replayed": replayed,
    }


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as the driver returns it (no type conversion), in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            key = ", ".join(c.name for c in metadata.tables[name].primary_key.columns)
            out[name] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {name} ORDER BY {key}"))]
    return out


def indexes(engine: Engine, table: str) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes(table)}


def downgrade(engine: Engine, revision: str) -> None:
    cfg = migrate.config()
    with write_tx(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_upgrade_keeps_every_row_and_the_gate_works_on_them(old: Engine, tmp_path: Path) -> None:
    clock = Clock()
    made = fill(gate_on(old, tmp_path, clock), clock)
    before = snapshot(old)
    assert all(before[name] for name in TABLES), [name for name in TABLES if not before[name]]

    migrate.upgrade(old)
    assert migrate.current(old) == migrate.head() != BEFORE
    assert snapshot(old) == before
    for table, index in GONE.items():
        assert index not in indexes(old, table)
    assert {"ix_reservations_planned_id", "ix_reservations_debtor_expires_at"} <= indexes(old, "reservations")

    gate = gate_on(old, tmp_path, clock)
    # ids planned before the upgrade are still taken, under the caller's id and under the reservation's
    for used in ("my-call-1", made["auto_id"]):
        with pytest.raises(GateError) as refused:
            gate.check(planned_call("d-7", "a-7", id=used))
        assert refused.value.code == "id_in_use"
    # the history recorded before the upgrade still counts
    assert gate.check(planned_call("d-0", "a-0")).body["verdict"] == "block"
    assert gate.check(planned_call("d-3", "a-3")).body["verdict"] == "block"  # the dispute still holds
    checked = gate.check(planned_call("d-8", "a-8")).body
    assert checked["verdict"] == "allow" and checked["receipt"] is not None
    for reservation in (made["open"], checked["reservation"]["id"]):
        outcome = gate.record_outcome(reservation, {"outcome": "unanswered"})
        assert outcome.status == 201 and outcome.body["reservation"]["expired"] is False
    # a retried request still gets its first answer
    again = gate.check(planned_call("d-5", "a-5"), Caller(key_id="k1", idempotency_key="dial-1"))
    assert again.body == made["replayed"].body

    with read_tx(old) as conn:
        report = gate.translog.verify(conn)  # type: ignore[union-attr]
    assert report.ok, report.to_dict()
    assert report.leaves == len(before["log_leaves"]) + 5  # 3 checks and 2 outcomes since


def test_downgrade_keeps_every_row_too(old: Engine, tmp_path: Path) -> None:
    clock = Clock()
    fill(gate_on(old, tmp_path, clock), clock)
    before = snapshot(old)
    migrate.upgrade(old)
    downgrade(old, BEFORE)
    assert migrate.current(old) == BEFORE
    assert snapshot(old) == before
    for table, index in GONE.items():
        assert index in indexes(old, table)
    migrate.upgrade(old)
    assert snapshot(old) == before


def test_sqlite_tables_are_keyed_and_the_leaf_index_is_the_rowid(old: Engine, tmp_path: Path) -> None:
    if old.dialect.name != "sqlite":
        pytest.skip("WITHOUT ROWID and rowid aliases are SQLite's")
    clock = Clock()
    fill(gate_on(old, tmp_path, clock), clock)
    migrate.upgrade(old)
    with old.connect() as conn:
        sql = dict(conn.execute(text("SELECT name, sql FROM sqlite_schema WHERE type = 'table'")).all())
        assert all("WITHOUT ROWID" in sql[name] for name in KEYED)
        assert not any("WITHOUT ROWID" in sql[name] for name in set(TABLES) - set(KEYED))
        # a rowid alias: the leaf index and the rowid are one value, and no key B-tree exists beside it
        assert conn.execute(text("SELECT count(*) FROM log_leaves WHERE rowid <> leaf_index")).scalar() == 0
        autoindexed = conn.execute(
            text("SELECT tbl_name FROM sqlite_schema WHERE name LIKE 'sqlite_autoindex_%'")
        ).scalars()
        assert set(autoindexed).isdisjoint({"log_leaves", *KEYED})

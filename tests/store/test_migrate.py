from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect

from faircollect.store import migrate, tables
from faircollect.store.db import make_engine
from faircollect.store.meta import metadata
from faircollect.store.translog import TABLES as LOG_TABLES

OWN = {
    t.name
    for t in (
        tables.accounts,
        tables.parties,
        tables.contacts,
        tables.events,
        tables.reservations,
        tables.decisions,
        tables.api_keys,
        tables.idempotency,
        *LOG_TABLES,
    )
}


def test_upgrade_reaches_head_and_creates_every_table(engine: Engine) -> None:
    assert migrate.current(engine) is not None
    assert migrate.current(engine) == migrate.head()
    assert set(inspect(engine).get_table_names()) >= OWN


def test_first_revision_is_0001_initial(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.config())
    bases = script.get_bases()
    assert bases == ["0001_initial"]


def test_migrations_match_the_declared_tables(engine: Engine) -> None:
    """No drift between versions/*.py and the declared tables, the log's included (type, nullability, indexes)."""
    own = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        if table.name in OWN:
            table.to_metadata(own)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _p: kind != "table" or name in OWN,
            },
        )
        assert compare_metadata(ctx, own) == []


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    before = migrate.current(engine)
    migrate.upgrade(engine)
    assert migrate.current(engine) == before


def test_concurrent_upgrades_of_a_new_database_both_succeed(db_url: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        eng = make_engine(db_url)
        try:
            migrate.upgrade(eng)
        except BaseException as e:  # collected for the assertion below
            errors.append(e)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    eng = make_engine(db_url)
    assert migrate.current(eng) == migrate.head()
    eng.dispose()

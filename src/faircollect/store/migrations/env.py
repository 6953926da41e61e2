"""Alembic environment: runs on the connection handed over by `faircollect.store.migrate`,
or on `sqlalchemy.url` when run with the `alembic` command."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import faircollect.store.tables  # noqa: F401  (declares the tables on the shared metadata)
from faircollect.store.meta import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///faircollect.db")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()

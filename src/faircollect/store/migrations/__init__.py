"""Alembic migrations of the store; run with `faircollect.store.migrate.upgrade`."""

"""Database fixtures (SQLite always, PostgreSQL when FAIRCOLLECT_TEST_PG is set)."""

from __future__ import annotations

from dbtest import Clock, clock, db_url, engine, pg_database, planned_call

__all__ = ["Clock", "clock", "db_url", "engine", "pg_database", "planned_call"]

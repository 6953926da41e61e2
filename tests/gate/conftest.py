"""Database fixtures shared with tests/store (SQLite always, PostgreSQL when FAIRCOLLECT_TEST_PG is set)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))

from dbtest import Clock, clock, db_url, engine, pg_database, planned_call

__all__ = ["Clock", "clock", "db_url", "engine", "pg_database", "planned_call"]

"""Shared database fixtures for the store, gate and API tests: every test runs on SQLite and, when
FAIRCOLLECT_TEST_PG is set, on PostgreSQL too (a fresh database per session, a fresh schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from faircollect.store import migrate
from faircollect.store.db import make_engine

PG_ENV = "FAIRCOLLECT_TEST_PG"
PG_SKIP = f"PostgreSQL tests need {PG_ENV}, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("pg", marks=pytest.mark.pg)]

# 10:00 in Shanghai: inside the cn window (08:00–22:00), far from midnight
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the gate, so reservations can be made to expire."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"fc_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a new schema of the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gate.db'}"
        return
    base: str = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()  # a test may kill every connection to the database; the drop below opens its own
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def planned_call(debtor: str = "d-1", account: str = "a-1", **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "at": "2026-03-02T10:00:00+08:00",
        "tz": "Asia/Shanghai",
        "channel": "call",
        "account": account,
        "debtor": debtor,
    }
    body.update(extra)
    return body

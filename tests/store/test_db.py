from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from faircollect.store.db import make_engine, resolve_url


def test_default_is_a_sqlite_file_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FAIRCOLLECT_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_url() == f"sqlite:///{tmp_path / 'faircollect.db'}"


def test_environment_then_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRCOLLECT_DB", "postgresql://u@h/db")
    assert resolve_url() == "postgresql+psycopg://u@h/db"
    assert resolve_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    eng = make_engine(str(tmp_path / "w.db"))
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert int(conn.execute(text("PRAGMA busy_timeout")).scalar() or 0) > 0
    eng.dispose()

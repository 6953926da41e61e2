from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from faircollect.store import db
from faircollect.store.db import AUTOCHECKPOINT_FALLBACK, make_engine, resolve_url, write_tx


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


def test_a_server_engine_checkpoints_in_the_background_not_in_commits(tmp_path: Path) -> None:
    """Commits leave the WAL alone (no commit pays for a checkpoint); a thread moves it into the file."""
    path = tmp_path / "c.db"
    eng = make_engine(str(path), background_checkpoint=True)
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == AUTOCHECKPOINT_FALLBACK
        conn.execute(text("CREATE TABLE t (x BLOB)"))
        conn.commit()
        size = path.stat().st_size
        for _ in range(50):
            conn.execute(text("INSERT INTO t VALUES (randomblob(4000))"))
            conn.commit()
    deadline = time.monotonic() + 10
    while path.stat().st_size < size + 50 * 4000 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.stat().st_size >= size + 50 * 4000
    eng.dispose()


def test_under_steady_commits_the_wal_starts_over_instead_of_growing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Commits one after another, as under load: each background PASSIVE checkpoint ends with new frames
    behind it, so without the pass that holds the writers' lock the WAL would only grow (here to the
    whole ~40 MB written; in a server to the 400 MB fallback)."""
    monkeypatch.setattr(db, "WAL_RESTART_BYTES", 1 << 20)
    monkeypatch.setattr(db, "CHECKPOINT_EVERY_S", 0.05)
    path = tmp_path / "r.db"
    wal = tmp_path / "r.db-wal"
    eng = make_engine(str(path), background_checkpoint=True)
    with write_tx(eng) as conn:
        conn.execute(text("CREATE TABLE t (x BLOB)"))
    peak = 0
    for _ in range(5000):  # two 4 KB pages a commit: ~40 MB through the WAL
        with write_tx(eng) as conn:
            conn.execute(text("INSERT INTO t VALUES (randomblob(4000))"))
        peak = max(peak, wal.stat().st_size)
    eng.dispose()
    assert path.stat().st_size > 4000 * 4000  # the checkpoints moved the rows into the database file
    assert peak < 16 << 20  # without the locked pass: 63 MB


def test_sqlite_writers_of_several_processes_queue_on_a_lock_file(tmp_path: Path) -> None:
    eng = make_engine(str(tmp_path / "q.db"))
    with write_tx(eng) as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    assert (tmp_path / "q.db-writer.lock").exists()
    eng.dispose()

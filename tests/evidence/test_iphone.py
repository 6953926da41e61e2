from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faircollect.evidence.examples import generate
from faircollect.evidence.importers import EvidenceError, ImportStats, PhoneRecord, detect, iphone
from tests.evidence.conftest import apple, typedstream, write_iphone_calls, write_iphone_sms


def read_all(path: Path) -> tuple[list[PhoneRecord], ImportStats]:
    stats = ImportStats(path, "unknown")
    return list(iphone.read(path, 0, "cn", "Asia/Shanghai", stats)), stats


@pytest.mark.parametrize("text", ["短", "您的借款已逾期" * 30, "x" * 70_000])
def test_typedstream_lengths(text: str) -> None:
    assert iphone.typedstream_text(typedstream(text)) == text


def test_typedstream_without_a_string() -> None:
    assert iphone.typedstream_text(None) is None
    assert iphone.typedstream_text(b"\x04\x0bstreamtyped garbage") is None


def test_apple_dates_in_seconds_and_nanoseconds() -> None:
    at = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    from faircollect.evidence.importers.base import from_apple_date

    assert from_apple_date(apple(at, nanoseconds=False)) == at
    assert from_apple_date(apple(at, nanoseconds=True)) == at


def test_sms_db_matches_the_generated_month(tmp_path: Path) -> None:
    path = tmp_path / "3d0d7e5fb2ce288813306e4d4636395e047a3d28"  # the hashed name in a backup
    n = write_iphone_sms(path, generate.messages(days=31, seed=21))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert detect(path) == "sqlite"
    records, stats = read_all(path)
    assert stats.format == "iphone-sms" and len(records) == n
    expected = list(generate.messages(days=31, seed=21))
    for rec, src in zip(records, expected, strict=True):
        text = src.body if isinstance(src, generate.Sms) else src.text
        assert rec.text == text  # a third of them only in attributedBody
        assert abs((rec.at - src.at).total_seconds()) < 1e-3
    assert {r.number for r in records} >= {"+8617100001111", "+8616522223333", "95555"}
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # opened read-only
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no -wal / -journal left behind


def test_call_history(tmp_path: Path) -> None:
    path = tmp_path / "CallHistory.storedata"
    n = write_iphone_calls(path, generate.calls(days=31, seed=25))
    records, stats = read_all(path)
    assert stats.format == "iphone-calls" and len(records) == n
    expected = list(generate.calls(days=31, seed=25))
    for rec, src in zip(records, expected, strict=True):
        assert rec.incoming == (src.type != 2)
        assert rec.outcome == ("connected" if src.duration > 0 else "unanswered")
        assert abs((rec.at - src.at).total_seconds()) < 1e-3


def test_unknown_database_and_garbage(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(EvidenceError, match=r"other\.db:0: tables: "):
        read_all(other)
    broken = tmp_path / "broken.db"
    broken.write_bytes(iphone.SQLITE_MAGIC + b"\x00" * 100)
    with pytest.raises(EvidenceError, match=r"broken\.db:0: sqlite: "):
        read_all(broken)


def test_old_schema_without_attributed_body(tmp_path: Path) -> None:
    path = tmp_path / "sms.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);"
        "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, handle_id INTEGER, date INTEGER, is_from_me INTEGER);"
        "INSERT INTO handle VALUES (1, '+86 171 0000 1111');"
        "INSERT INTO message VALUES (1, '您已逾期', 1, 794000000, 0);"
    )
    db.commit()
    db.close()
    (record,), _ = read_all(path)
    assert record.number == "+8617100001111" and record.text == "您已逾期" and record.incoming
    assert record.at.year == 2026

"""iPhone backups: `sms.db` (message/handle) and `CallHistory.storedata` (ZCALLRECORD).

Both are SQLite files (named by hash inside an iTunes/Finder backup) and are opened read-only through a
`file:…?mode=ro` URI, so the evidence is never modified. Rows stream from the cursor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from faircollect.evidence.importers.base import (
    EvidenceError,
    ImportStats,
    PhoneRecord,
    from_apple_date,
)
from faircollect.evidence.phones import normalize

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


def connect(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True)


def kind_of(path: Path) -> str:
    """`iphone-sms` or `iphone-calls`, from the tables the database holds."""
    try:
        with closing(connect(path)) as db:
            tables = {
                row[0].lower() for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        raise EvidenceError(f"{path}:0: sqlite: {exc}") from None
    if {"message", "handle"} <= tables:
        return "iphone-sms"
    if "zcallrecord" in tables:
        return "iphone-calls"
    raise EvidenceError(
        f"{path}:0: tables: neither an iPhone sms.db (message, handle) nor CallHistory (ZCALLRECORD)"
    )


def typedstream_text(blob: bytes | None) -> str | None:
    """The plain string inside an `attributedBody` (NSAttributedString in Apple's typedstream format).

    The string follows the `NSString` class name as `+` <length> <UTF-8 bytes>; the length is one byte, or
    0x81 + 2 bytes / 0x82 + 4 bytes little-endian.
    """
    if not blob:
        return None
    i = blob.find(b"NSString")
    if i < 0:
        return None
    j = blob.find(b"+", i + 8, i + 16)
    if j < 0 or j + 1 >= len(blob):
        return None
    k = j + 2
    n = blob[j + 1]
    if n == 0x81:
        n, k = int.from_bytes(blob[k : k + 2], "little"), k + 2
    elif n == 0x82:
        n, k = int.from_bytes(blob[k : k + 4], "little"), k + 4
    return blob[k : k + n].decode("utf-8", errors="replace") or None


def read(path: Path, source: int, region: str, tz: str, stats: ImportStats) -> Iterator[PhoneRecord]:
    stats.format = kind_of(path)
    reader = _messages if stats.format == "iphone-sms" else _calls
    db = connect(path)
    try:
        yield from reader(db, path, source, region, stats)
    except sqlite3.DatabaseError as exc:
        raise EvidenceError(f"{path}:0: sqlite: {exc}") from None
    finally:
        db.close()


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1].lower() for row in db.execute(f"PRAGMA table_info({table})")}


def _messages(
    db: sqlite3.Connection, path: Path, source: int, region: str, stats: ImportStats
) -> Iterator[PhoneRecord]:
    cols = _columns(db, "message")
    missing = {"date", "is_from_me", "handle_id"} - cols
    if missing:
        raise EvidenceError(f"{path}:0: message: missing columns {', '.join(sorted(missing))}")
    body = "m.attributedBody" if "attributedbody" in cols else "NULL"
    service = "m.service" if "service" in cols else "'SMS'"
    query = (
        f"SELECT m.ROWID, m.text, {body}, m.date, m.is_from_me, {service}, h.id "
        "FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.ROWID"
    )
    for rowid, text, attributed, date, from_me, svc, handle in db.execute(query):
        if date is None:
            stats.error(rowid, "date", "empty")
            continue
        text = text or typedstream_text(attributed)
        incoming = not from_me
        channel = "sms" if (svc or "SMS").upper() in ("SMS", "MMS", "RCS") else "im"
        stats.counts[f"{channel}"] += 1
        yield PhoneRecord(
            source,
            rowid,
            from_apple_date(date),
            channel,
            normalize(handle, region),
            incoming,
            text=text,
            outcome="delivered" if incoming else "sent",
            kind=f"imessage-{svc or 'SMS'}",
            raw_number=handle or "",
        )


def _calls(
    db: sqlite3.Connection, path: Path, source: int, region: str, stats: ImportStats
) -> Iterator[PhoneRecord]:
    cols = _columns(db, "ZCALLRECORD")
    missing = {"zaddress", "zdate", "zduration", "zoriginated"} - cols
    if missing:
        raise EvidenceError(f"{path}:0: ZCALLRECORD: missing columns {', '.join(sorted(missing))}")
    answered = "ZANSWERED" if "zanswered" in cols else "NULL"
    query = f"SELECT Z_PK, ZADDRESS, ZDATE, ZDURATION, ZORIGINATED, {answered} FROM ZCALLRECORD ORDER BY Z_PK"
    for pk, address, date, duration, originated, was_answered in db.execute(query):
        if date is None:
            stats.error(pk, "ZDATE", "empty")
            continue
        raw = address.decode("utf-8", errors="replace") if isinstance(address, bytes) else str(address or "")
        seconds = float(duration or 0)
        incoming = not originated
        connected = seconds > 0 and (was_answered is None or bool(was_answered) or not incoming)
        kind = "call-incoming" if incoming else "call-outgoing"
        if incoming and not connected:
            kind = "call-missed"
        stats.counts[kind] += 1
        yield PhoneRecord(
            source,
            pk,
            from_apple_date(date),
            "call",
            normalize(raw, region),
            incoming,
            duration_s=seconds,
            outcome="connected" if connected else "unanswered",
            kind=kind,
            raw_number=raw,
        )

"""Fixtures for the evidence kit: a screener double, packs, and exports generated in every format."""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faircollect.evidence.examples import generate
from faircollect.policy.pack import Pack, load_pack
from faircollect.policy.screener import ScreenResult, Span

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

LEXICON = {
    "abuse.insult": ["老赖", "废物", "deadbeat"],
    "privacy.exposure": ["通讯录", "公司群", "your employer"],
    "threat.arrest": ["抓人", "坐牢", "jail"],
    "harassment.intimidation": ["在你家楼下", "看着办"],
}
DEBT = re.compile(r"欠|债|贷|还钱|还款|逾期|借款|账单|owe|debt|overdue|past due|loan", re.IGNORECASE)


class LexiconScreener:
    """A small, deterministic stand-in for the real screener (the engine's Screener protocol)."""

    def __init__(self) -> None:
        self.calls = 0

    def screen(self, text: str) -> ScreenResult:
        self.calls += 1
        spans = []
        for label, words in LEXICON.items():
            for word in words:
                for m in re.finditer(re.escape(word), text, re.IGNORECASE):
                    spans.append(Span(m.start(), m.end(), label, m.group(0)))
        labels = tuple(sorted({s.label for s in spans}))
        return ScreenResult(
            labels=labels,
            verdict="block" if labels else "allow",
            debt_related=bool(DEBT.search(text)),
            scores={label: 0.99 for label in labels},
            spans=tuple(spans),
        )


@pytest.fixture
def screener() -> LexiconScreener:
    return LexiconScreener()


@pytest.fixture(scope="session")
def cn_pack() -> Pack:
    return load_pack("cn")


@pytest.fixture(scope="session")
def android_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A month of a borrower's phone: ~420 texts and ~360 calls (see examples/generate.py)."""
    out = tmp_path_factory.mktemp("android")
    sms, calls, _, _ = generate.write_example(out, days=31, noise=1, seed=21)
    return sms, calls


def typedstream(text: str) -> bytes:
    """An `attributedBody` blob as iOS writes it (NSAttributedString in typedstream form)."""
    data = text.encode("utf-8")
    if len(data) < 0x80:
        length = bytes([len(data)])
    elif len(data) < 0x10000:
        length = b"\x81" + len(data).to_bytes(2, "little")
    else:
        length = b"\x82" + len(data).to_bytes(4, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00"
        b"\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
        + length
        + data
        + b"\x86\x84\x02iI\x01\x05\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x84\x96\x96\x1d__kIMMessagePartAttributeName\x86"
    )


def apple(at: datetime, nanoseconds: bool) -> float | int:
    seconds = (at - APPLE_EPOCH).total_seconds()
    return int(seconds * 1e9) if nanoseconds else seconds


def write_iphone_sms(path: Path, items: Iterator[generate.Sms | generate.Mms]) -> int:
    """sms.db with the generated texts: every third row keeps its body only in attributedBody, and old
    rows use second dates while newer ones use nanoseconds (as after an iOS upgrade)."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, service TEXT);"
        "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, text TEXT, handle_id INTEGER,"
        " service TEXT, date INTEGER, date_read INTEGER, is_from_me INTEGER, is_read INTEGER, attributedBody BLOB);"
        "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY);"
    )
    handles: dict[str, int] = {}
    n = 0
    for m in items:
        n += 1
        handle = handles.get(m.address)
        if handle is None:
            handle = db.execute("INSERT INTO handle (id, service) VALUES (?, 'SMS')", (m.address,)).lastrowid
            handles[m.address] = handle or 0
        text = m.body if isinstance(m, generate.Sms) else m.text
        from_me = 1 if (m.type if isinstance(m, generate.Sms) else m.box) == 2 else 0
        body, blob = (None, typedstream(text)) if n % 3 == 0 else (text, None)
        db.execute(
            "INSERT INTO message (guid, text, handle_id, service, date, is_from_me, is_read, attributedBody)"
            " VALUES (?, ?, ?, 'SMS', ?, ?, 1, ?)",
            (f"g{n}", body, handle, apple(m.at, nanoseconds=n % 2 == 0), from_me, blob),
        )
    db.commit()
    db.close()
    return n


def write_iphone_calls(path: Path, items: Iterator[generate.Call]) -> int:
    """CallHistory.storedata (Core Data): ZCALLRECORD with 2001-epoch second dates."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER,"
        " ZCALLTYPE INTEGER, ZORIGINATED INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS VARCHAR);"
        "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR);"
    )
    n = 0
    for c in items:
        n += 1
        originated = 1 if c.type == 2 else 0
        answered = 1 if c.duration > 0 else 0
        db.execute(
            "INSERT INTO ZCALLRECORD (Z_ENT, Z_OPT, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZADDRESS)"
            " VALUES (2, 1, ?, 1, ?, ?, ?, ?)",
            (answered, originated, apple(c.at, nanoseconds=False), float(c.duration), c.number),
        )
    db.commit()
    db.close()
    return n


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["at", "direction", "channel", "number", "text", "duration_s", "outcome"]
        )
        writer.writeheader()
        writer.writerows(rows)

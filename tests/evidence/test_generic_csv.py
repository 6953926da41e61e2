from __future__ import annotations

from pathlib import Path

import pytest

from faircollect.evidence.importers import EvidenceError, ImportStats, PhoneRecord, generic_csv
from tests.evidence.conftest import write_csv


def read_all(path: Path, tz: str = "Asia/Shanghai") -> tuple[list[PhoneRecord], ImportStats]:
    stats = ImportStats(path, "unknown")
    return list(generic_csv.read(path, 0, "cn", tz, stats)), stats


def test_rows_and_directions(tmp_path: Path) -> None:
    path = tmp_path / "wechat.csv"
    write_csv(
        path,
        [
            {
                "at": "2026-03-02T23:15:00+08:00",
                "direction": "incoming",
                "channel": "im",
                "number": "wxid_Collector",
                "text": "今天必须还款",
            },
            {
                "at": "2026-03-02 23:20:00",
                "direction": "outgoing",
                "channel": "im",
                "number": "wxid_Collector",
                "text": "明天还",
            },
            {
                "at": "1772464500000",
                "direction": "outbound",
                "channel": "call",
                "number": "+86 171 0000 1111",
                "duration_s": "65",
            },
            {
                "at": "2026-03-03T09:00:00Z",
                "direction": "received",
                "channel": "call",
                "number": "17100001111",
                "outcome": "voicemail",
            },
            {
                "at": "2026-03-03T10:00:00+08:00",
                "direction": "inbound",
                "channel": "sms",
                "number": "17100001111",
                "text": "好",
            },
        ],
    )
    records, stats = read_all(path)
    assert [r.incoming for r in records] == [True, False, True, True, False]
    assert (
        records[0].number == "wxid_collector"
        and records[0].channel == "im"
        and records[0].outcome == "delivered"
    )
    assert records[1].at.isoformat() == "2026-03-02T15:20:00+00:00"  # no offset: the borrower's zone
    assert records[2].outcome == "connected" and records[2].duration_s == 65.0
    assert records[3].outcome == "voicemail"
    assert records[4].outcome == "sent"
    assert [r.line for r in records] == [2, 3, 4, 5, 6]
    assert stats.counts == {"im": 2, "call": 2, "sms": 1}


def test_errors_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    write_csv(
        path,
        [
            {"at": "yesterday", "direction": "incoming", "channel": "sms", "number": "1"},
            {"at": "2026-03-02T10:00:00+08:00", "direction": "sideways", "channel": "fax", "number": "1"},
            {
                "at": "2026-03-02T10:00:00+08:00",
                "direction": "incoming",
                "channel": "call",
                "number": "1",
                "duration_s": "x",
                "outcome": "delivered",
            },
        ],
    )
    records, stats = read_all(path)
    assert records == []
    assert stats.errors == [
        f"{path}:2: at: not ISO 8601 or epoch milliseconds: 'yesterday'",
        f"{path}:3: direction: expected incoming or outgoing, not 'sideways'",
        f"{path}:3: channel: expected one of app, call, email, im, sms, not 'fax'",
        f"{path}:4: duration_s: not a number: 'x'",
        f"{path}:4: outcome: expected one of busy, connected, failed, unanswered, voicemail, not 'delivered'",
    ]


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("when,who\n1,2\n", encoding="utf-8")
    with pytest.raises(
        EvidenceError, match=r"cols\.csv:1: header: missing column\(s\) at, direction, channel, number"
    ):
        read_all(path)

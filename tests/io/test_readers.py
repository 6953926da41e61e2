"""Readers: JSONL and CSV, events in a second file, stdin, and line-numbered errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from faircollect.io.readers import read_path, read_paths
from faircollect.io.validate import RecordError, contact_from_dict, event_from_dict
from faircollect.model import EVENT_KINDS, Contact, Event

FIX = Path(__file__).parents[1] / "fixtures" / "audit"


def test_mixed_jsonl() -> None:
    result = read_path(str(FIX / "contacts.jsonl"))
    assert result.error_count == 0
    kinds = [type(r).__name__ for r in result.records]
    assert kinds.count("Event") == 1 and kinds.count("Contact") == 8


def test_csv_contacts_with_events_file() -> None:
    result = read_paths([str(FIX / "contacts.csv")], "contacts")
    result.extend(read_path(str(FIX / "events.csv"), "events"))
    assert result.error_count == 0
    c7 = next(r for r in result.records if r.id == "c7")
    assert isinstance(c7, Contact) and c7.tz == "Europe/London" and c7.party == "D-2"
    assert c7.duration_s is None and c7.direction == "outbound"
    assert isinstance(result.records[-1], Event)


def test_every_bad_line_is_reported_with_file_line_and_field() -> None:
    result = read_path(str(FIX / "bad.jsonl"))
    where = str(FIX / "bad.jsonl")
    assert result.errors == [
        f"{where}:2: at: needs a UTC offset, e.g. 2026-03-02T21:05:00+08:00, not '2026-03-02 09:00'",
        f"{where}:3: channel: 'fax' is not one of app, call, email, im, letter, sms, visit",
        f"{where}:4: json: Expecting value (column 1)",
        f"{where}:5: id: 'b1' already used on line 1",
        f"{where}:6: kind: 'holiday' is not one of " + ", ".join(sorted(EVENT_KINDS)),
    ]


def test_contacts_file_refuses_events() -> None:
    result = read_path(str(FIX / "contacts.jsonl"), "contacts")
    assert result.errors == [
        f"{FIX / 'contacts.jsonl'}:7: type: this file holds contacts only; put events in the --events file"
    ]


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    assert "cannot open" in read_path(str(tmp_path / "nope.jsonl")).errors[0]
    bad = tmp_path / "latin.csv"
    bad.write_bytes(b"id,at\n1,\xff\n")
    assert "not UTF-8" in read_path(str(bad)).errors[0]


def test_csv_needs_a_header_and_even_rows(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("foo,bar\n1,2\n", "utf-8")
    assert "header" in read_path(str(f)).errors[0]
    f.write_text("id,at,channel\n1,2026-03-02T09:00:00+08:00\n", "utf-8")
    assert read_path(str(f)).errors[0].endswith(":2: csv: 2 cells, the header has 3")


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"channel": "call"}, "outcome", "required for calls"),
        ({"channel": "call", "outcome": "sent"}, "outcome", "not an outcome of a call"),
        ({"channel": "visit", "outcome": "met"}, "team_size", "required for visits"),
        ({"channel": "sms", "tz": "Mars/Base"}, "tz", "unknown IANA time zone"),
        ({"channel": "sms", "role": "cousin"}, "role", "not one of"),
        ({"channel": "sms", "duration_s": "long"}, "duration_s", "must be a number"),
        ({"channel": "sms", "colour": "red"}, "colour", "unknown field"),
        ({"channel": "sms", "debtor": ""}, "debtor", "required"),
    ],
)
def test_contact_validation(fields: dict[str, str], field: str, problem: str) -> None:
    d = {"id": "x", "at": "2026-03-02T09:00:00+08:00", "account": "a", "debtor": "d", **fields}
    with pytest.raises(RecordError) as info:
        contact_from_dict(d)
    assert info.value.field == field and problem in info.value.problem


def test_planned_contacts_have_no_outcome() -> None:
    d = {"at": "2026-03-02T09:00:00Z", "channel": "call", "account": "a", "debtor": "d"}
    c = contact_from_dict(d, planned=True)
    assert c.outcome is None and c.pending
    with pytest.raises(RecordError, match="no outcome yet"):
        contact_from_dict({**d, "outcome": "connected"}, planned=True)


def test_event_validation() -> None:
    with pytest.raises(RecordError, match="needs an account, a party or both"):
        event_from_dict({"id": "e", "at": "2026-03-02T09:00:00Z", "kind": "deceased"})
    with pytest.raises(RecordError, match="channel: required for opt_out"):
        event_from_dict({"id": "e", "at": "2026-03-02T09:00:00Z", "kind": "opt_out", "party": "p"})
    with pytest.raises(RecordError, match="until: must be after at"):
        event_from_dict(
            {
                "id": "e",
                "at": "2026-03-02T09:00:00Z",
                "kind": "hardship_pause",
                "party": "p",
                "until": "2026-03-01T00:00:00Z",
            }
        )

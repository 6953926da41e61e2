"""time.quiet_hours: window edges, local midnight, other zones, DST (us, uk), consent."""

from __future__ import annotations

import pytest

from faircollect.policy.engine import audit_stream, decide
from faircollect.policy.pack import load_pack
from tests.builders import at, codes, contact, event

CN, US, UK = load_pack("cn"), load_pack("us"), load_pack("uk")


def quiet(pack, *records):  # type: ignore[no-untyped-def]
    return [c for c, code in codes(audit_stream(pack, records)) if code == "time.quiet_hours"]


@pytest.mark.parametrize(
    ("local", "flagged"),
    [
        ("07:59:59", True),
        ("08:00:00", False),
        ("12:00:00", False),
        ("21:59:59", False),
        ("22:00:00", True),
        ("23:30:00", True),
        ("00:00:00", True),
    ],
)
def test_cn_window_edges(local: str, flagged: bool) -> None:
    c = contact(f"2026-03-02T{local}+08:00", channel="sms")
    assert quiet(CN, c) == ([c.id] if flagged else [])


def test_letters_are_never_quiet_hours() -> None:
    assert quiet(CN, contact("2026-03-02T23:30:00+08:00", channel="letter", outcome="sent")) == []


def test_inbound_contacts_break_no_rule() -> None:
    assert quiet(CN, contact("2026-03-02T23:30:00+08:00", direction="inbound")) == []


def test_tz_field_overrides_the_offset() -> None:
    # 14:00 UTC is 22:00 in Shanghai: outside; the same instant for a London debtor is 14:00: inside
    shanghai = contact("2026-03-02T14:00:00+00:00", tz="Asia/Shanghai")
    london = contact("2026-03-02T14:00:00+00:00", tz="Europe/London", debtor="d2")
    assert quiet(CN, shanghai) == [shanghai.id]
    assert quiet(CN, london) == []


def test_server_offset_does_not_matter() -> None:
    # written in +08:00 but the debtor lives in Los Angeles (tz): 09:00 Shanghai is 17:00 the day before in LA
    c = contact("2026-03-02T09:00:00+08:00", tz="America/Los_Angeles")
    assert quiet(US, c) == []
    late = contact("2026-03-02T14:30:00+08:00", tz="America/Los_Angeles")  # 22:30 in LA
    assert quiet(US, late) == [late.id]


@pytest.mark.parametrize(
    ("instant", "flagged"),
    [
        # 2026-03-08: New York springs forward at 02:00 EST → 03:00 EDT
        ("2026-03-08T11:59:00+00:00", True),  # 07:59 EDT
        ("2026-03-08T12:00:00+00:00", False),  # 08:00 EDT (would be 07:00 in EST)
        ("2026-03-08T00:59:00+00:00", False),  # 20:59 EST the evening before
        ("2026-03-09T00:59:00+00:00", False),  # 20:59 EDT on 03-08
        ("2026-03-09T01:00:00+00:00", True),  # 21:00 EDT
        # 2026-11-01: New York falls back at 02:00 EDT → 01:00 EST
        ("2026-11-01T12:59:00+00:00", True),  # 07:59 EST
        ("2026-11-01T13:00:00+00:00", False),  # 08:00 EST (would be 09:00 in EDT)
    ],
)
def test_us_dst(instant: str, flagged: bool) -> None:
    c = contact(instant, tz="America/New_York")
    assert quiet(US, c) == ([c.id] if flagged else [])


def test_uk_dst_spring_forward() -> None:
    # 2026-03-29 London: 01:00 GMT → 02:00 BST. 07:30 UTC is 08:30 BST (inside); the day before 07:30 GMT (outside)
    assert quiet(UK, contact("2026-03-29T07:30:00+00:00", tz="Europe/London")) == []
    before = contact("2026-03-28T07:30:00+00:00", tz="Europe/London")
    assert quiet(UK, before) == [before.id]


def test_consent_hours_lifts_the_window_until_it_ends() -> None:
    consent = event(
        "2026-03-01T10:00:00+08:00", "consent_hours", party="d1", until="2026-03-03T00:00:00+08:00"
    )
    inside = contact("2026-03-02T22:30:00+08:00", channel="sms")
    after = contact("2026-03-03T22:30:00+08:00", channel="sms")
    assert quiet(CN, consent, inside, after) == [after.id]


def test_consent_for_someone_else_does_not_count() -> None:
    consent = event("2026-03-01T10:00:00+08:00", "consent_hours", party="other")
    c = contact("2026-03-02T22:30:00+08:00", channel="sms")
    assert quiet(CN, consent, c) == [c.id]


@pytest.mark.parametrize(
    ("planned", "expected"),
    [
        ("2026-03-02T07:10:00+08:00", "2026-03-02T08:00:00+08:00"),
        ("2026-03-02T22:00:00+08:00", "2026-03-03T08:00:00+08:00"),
        ("2026-03-02T23:59:00+08:00", "2026-03-03T08:00:00+08:00"),
    ],
)
def test_next_allowed_after_quiet_hours(planned: str, expected: str) -> None:
    p = contact(planned, planned=True, tz="Asia/Shanghai")
    d = decide(CN, p, [], at(planned))
    assert d.verdict == "block"
    assert d.next_allowed_at == at(expected)


def test_next_allowed_across_dst_start() -> None:
    # 2026-03-08 06:30 UTC = 01:30 EST; window opens at 08:00 EDT = 12:00 UTC, not 13:00
    p = contact("2026-03-08T06:30:00+00:00", planned=True, tz="America/New_York")
    d = decide(US, p, [], p.at)
    assert d.next_allowed_at == at("2026-03-08T12:00:00+00:00")

"""Visit rules."""

from __future__ import annotations

from faircollect.policy.engine import audit_stream
from faircollect.policy.pack import load_pack
from tests.builders import codes, contact, event

CN, UK = load_pack("cn"), load_pack("uk")


def test_cn_visits_need_two_collectors() -> None:
    alone = contact("2026-03-02T10:00:00+08:00", channel="visit", team_size=1, outcome="met")
    pair = contact("2026-03-03T10:00:00+08:00", channel="visit", team_size=2, outcome="met")
    assert [c for c, k in codes(audit_stream(CN, [alone, pair])) if k == "visit.team_size"] == [alone.id]


def test_uk_no_visit_to_a_vulnerable_person() -> None:
    mark = event("2026-03-01T10:00:00+00:00", "vulnerable", party="d1")
    visit = contact("2026-03-02T10:00:00+00:00", channel="visit", team_size=1, outcome="not_met")
    letter = contact("2026-03-02T11:00:00+00:00", channel="letter", outcome="sent")
    assert codes(audit_stream(UK, [mark, visit, letter])) == [(visit.id, "visit.vulnerable")]

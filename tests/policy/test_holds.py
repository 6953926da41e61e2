"""Holds and preferences: disputes, cease requests, attorneys, breathing space, hardship, death, opt-outs."""

from __future__ import annotations

import pytest

from faircollect.policy.engine import audit_stream, decide
from faircollect.policy.pack import load_pack
from tests.builders import codes, contact, event

CN, US, UK = load_pack("cn"), load_pack("us"), load_pack("uk")


def flagged(pack, code, *records):  # type: ignore[no-untyped-def]
    return [c for c, k in codes(audit_stream(pack, records)) if k == code]


@pytest.mark.parametrize("pack", [CN, US, UK])
def test_open_dispute_holds_the_account(pack) -> None:  # type: ignore[no-untyped-def]
    opened = event("2026-03-02T09:00:00+00:00", "dispute_opened", account="a1")
    held = contact("2026-03-02T12:00:00+00:00", outcome="unanswered")
    reply = contact("2026-03-02T13:00:00+00:00", channel="letter", outcome="sent", purpose="dispute_response")
    other = contact("2026-03-02T14:00:00+00:00", outcome="unanswered", account="a2")
    resolved = event("2026-03-03T09:00:00+00:00", "dispute_resolved", account="a1")
    later = contact("2026-03-03T12:00:00+00:00", outcome="unanswered")
    records = (opened, held, reply, other, resolved, later)
    assert flagged(pack, "hold.dispute", *records) == [held.id]


def test_event_at_the_same_instant_applies() -> None:
    opened = event("2026-03-02T12:00:00+00:00", "dispute_opened", account="a1")
    same = contact("2026-03-02T12:00:00+00:00", outcome="unanswered")
    assert flagged(CN, "hold.dispute", same, opened) == [same.id]


def test_us_cease_request_with_its_exceptions() -> None:
    cease = event("2026-03-02T09:00:00-05:00", "cease_request", party="d1")
    ack = contact("2026-03-02T10:00:00-05:00", channel="letter", outcome="sent", purpose="cease_ack")
    remedy = contact("2026-03-03T10:00:00-05:00", channel="letter", outcome="sent", purpose="remedy_notice")
    call = contact("2026-03-04T10:00:00-05:00", outcome="unanswered")
    assert flagged(US, "hold.cease", cease, ack, remedy, call) == [call.id]
    assert flagged(CN, "hold.cease", cease, call) == []  # not a cn rule


def test_attorney_hold_covers_only_the_debtor() -> None:
    rep = event("2026-03-02T09:00:00-05:00", "attorney_represented", party="d1")
    debtor = contact("2026-03-03T10:00:00-05:00", outcome="unanswered")
    guarantor = contact("2026-03-03T11:00:00-05:00", outcome="unanswered", party="g", role="guarantor")
    assert flagged(US, "hold.attorney", rep, debtor, guarantor) == [debtor.id]


def test_breathing_space_ends_after_60_days_or_at_its_end_event() -> None:
    start = event("2026-03-01T09:00:00+00:00", "breathing_space_start", account="a1")
    during = contact("2026-04-29T10:00:00+01:00", outcome="unanswered")
    after = contact("2026-04-30T10:00:00+01:00", outcome="unanswered")  # 60 days after 1 March 09:00 UTC
    assert flagged(UK, "hold.breathing_space", start, during, after) == [during.id]
    end = event("2026-03-10T09:00:00+00:00", "breathing_space_end", account="a1")
    assert flagged(UK, "hold.breathing_space", start, end, during) == []


def test_hardship_pause_until() -> None:
    pause = event(
        "2026-03-01T09:00:00+08:00", "hardship_pause", account="a1", until="2026-03-15T00:00:00+08:00"
    )
    inside = contact("2026-03-14T10:00:00+08:00", outcome="unanswered")
    outside = contact("2026-03-15T10:00:00+08:00", outcome="unanswered")
    assert flagged(CN, "hold.hardship", pause, inside, outside) == [inside.id]


def test_deceased_debtor() -> None:
    died = event("2026-03-01T09:00:00+08:00", "deceased", party="d1")
    to_debtor = contact("2026-03-02T10:00:00+08:00", channel="sms")
    assert flagged(CN, "hold.deceased", died, to_debtor) == [to_debtor.id]


def test_opt_out_per_channel_until_opt_in() -> None:
    out = event("2026-03-01T09:00:00+08:00", "opt_out", party="d1", channel="sms")
    sms = contact("2026-03-02T10:00:00+08:00", channel="sms")
    call = contact("2026-03-02T11:00:00+08:00", outcome="unanswered")
    back = event("2026-03-03T09:00:00+08:00", "opt_in", party="d1", channel="sms")
    later = contact("2026-03-04T10:00:00+08:00", channel="sms")
    assert flagged(CN, "channel.opted_out", out, sms, call, back, later) == [sms.id]


def test_holds_cannot_be_cured_by_waiting() -> None:
    opened = event("2026-03-02T09:00:00+08:00", "dispute_opened", account="a1")
    planned = contact("2026-03-02T12:00:00+08:00", planned=True)
    d = decide(CN, planned, [opened], planned.at)
    assert d.verdict == "block"
    assert d.next_allowed_at is None

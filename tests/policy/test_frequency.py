"""Frequency rules: the contact that takes a count over its limit, local days, rolling windows."""

from __future__ import annotations

from faircollect.policy.engine import audit_stream, decide
from faircollect.policy.pack import load_pack
from tests.builders import at, codes, contact, event

CN, US, UK = load_pack("cn"), load_pack("us"), load_pack("uk")


def flagged(pack, code, *records):  # type: ignore[no-untyped-def]
    return [c for c, k in codes(audit_stream(pack, records)) if k == code]


# --- cn: connected calls per debtor per local day --------------------------------------------------


def test_fourth_connected_call_breaks_the_cap_not_the_first_three() -> None:
    calls = [contact(f"2026-03-02T{9 + i:02d}:00:00+08:00") for i in range(5)]
    assert flagged(CN, "frequency.connected_calls_day", *calls) == [calls[3].id, calls[4].id]


def test_cap_counts_across_accounts_collectors_and_agencies() -> None:
    calls = [
        contact("2026-03-02T09:00:00+08:00", account="a1", agency="x"),
        contact("2026-03-02T10:00:00+08:00", account="a2", collector="k"),
        contact("2026-03-02T11:00:00+08:00", account="a3"),
        contact("2026-03-02T12:00:00+08:00", account="a1", agency="y"),
    ]
    assert flagged(CN, "frequency.connected_calls_day", *calls) == [calls[3].id]


def test_unanswered_inbound_and_third_party_calls_do_not_count() -> None:
    calls = [
        contact("2026-03-02T09:00:00+08:00", outcome="unanswered"),
        contact("2026-03-02T09:30:00+08:00", direction="inbound"),
        contact("2026-03-02T10:00:00+08:00", party="d1-mother", role="contact_person"),
        contact("2026-03-02T11:00:00+08:00"),
        contact("2026-03-02T12:00:00+08:00"),
        contact("2026-03-02T13:00:00+08:00"),
    ]
    assert flagged(CN, "frequency.connected_calls_day", *calls) == []


def test_the_day_is_the_debtors_local_day() -> None:
    # a London debtor: 3 calls on 2 March London time, then one at 01:00 on 3 March London time (09:00 Shanghai)
    calls = [contact(f"2026-03-02T{h:02d}:00:00+00:00", tz="Europe/London") for h in (9, 12, 15)]
    next_day = contact("2026-03-03T01:00:00+00:00", tz="Europe/London")
    assert flagged(CN, "frequency.connected_calls_day", *calls, next_day) == []
    # the same four instants for a Shanghai debtor fall on … 2 March 17:00, 20:00, 23:00 and 3 March 09:00
    sh = [contact(f"2026-03-02T{h:02d}:00:00+00:00", tz="Asia/Shanghai", debtor="d2") for h in (9, 12, 15)]
    sh_next = contact("2026-03-03T01:00:00+00:00", tz="Asia/Shanghai", debtor="d2")
    assert flagged(CN, "frequency.connected_calls_day", *sh, sh_next) == []
    fourth = contact("2026-03-02T15:30:00+00:00", tz="Asia/Shanghai", debtor="d2")  # 23:30 same day
    assert flagged(CN, "frequency.connected_calls_day", *sh, fourth) == [fourth.id]


# --- cn: unanswered attempts per address per local day ---------------------------------------------


def test_seventh_unanswered_attempt_to_one_number() -> None:
    outcomes = ["unanswered", "busy", "voicemail", "unanswered", "unanswered", "unanswered", "unanswered"]
    calls = [
        contact(f"2026-03-02T{9 + i:02d}:00:00+08:00", outcome=o, address="138")
        for i, o in enumerate(outcomes)
    ]
    assert flagged(CN, "frequency.unanswered_attempts_day", *calls) == [calls[6].id]


def test_unanswered_attempts_count_per_number() -> None:
    calls = [
        contact(
            f"2026-03-02T{9 + i:02d}:00:00+08:00", outcome="unanswered", address="138" if i % 2 else "139"
        )
        for i in range(10)
    ]
    assert flagged(CN, "frequency.unanswered_attempts_day", *calls) == []


def test_connected_and_failed_calls_are_not_unanswered_attempts() -> None:
    calls = [contact(f"2026-03-02T{9 + i:02d}:00:00+08:00", outcome="failed", address="1") for i in range(7)]
    calls.append(contact("2026-03-02T17:00:00+08:00", outcome="unanswered", address="1"))
    assert flagged(CN, "frequency.unanswered_attempts_day", *calls) == []


# --- us: 7 calls in 7 days, and the week after a conversation --------------------------------------


def test_eighth_placed_call_within_seven_days() -> None:
    calls = [contact(f"2026-03-0{d}T10:00:00-05:00", outcome="unanswered") for d in range(1, 8)]
    extra = contact("2026-03-07T15:00:00-05:00", outcome="voicemail")
    assert flagged(US, "frequency.calls_7_days", *calls, extra) == [extra.id]


def test_window_is_the_day_of_the_call_and_the_six_days_before() -> None:
    calls = [contact(f"2026-03-0{d}T10:00:00-05:00", outcome="unanswered") for d in range(1, 8)]
    day8 = contact("2026-03-08T10:00:00-04:00", outcome="unanswered", tz="America/New_York")
    assert flagged(US, "frequency.calls_7_days", *calls, day8) == []


def test_busy_and_failed_calls_were_never_placed() -> None:
    calls = [contact(f"2026-03-0{d}T10:00:00-05:00", outcome="unanswered") for d in range(1, 8)]
    busy = [contact(f"2026-03-0{d}T11:00:00-05:00", outcome=o) for d, o in ((2, "busy"), (3, "failed"))]
    assert flagged(US, "frequency.calls_7_days", *calls, *busy) == []


def test_seven_in_seven_counts_per_account() -> None:
    calls = [contact(f"2026-03-0{d}T10:00:00-05:00", outcome="unanswered") for d in range(1, 8)]
    other = contact("2026-03-07T15:00:00-05:00", outcome="unanswered", account="a2")
    assert flagged(US, "frequency.calls_7_days", *calls, other) == []


def test_call_within_seven_days_after_a_conversation() -> None:
    talk = contact("2026-03-01T10:00:00-05:00")
    day7 = contact("2026-03-07T10:00:00-05:00", outcome="unanswered")
    day8 = contact("2026-03-08T10:00:00-04:00", outcome="unanswered", tz="America/New_York")
    assert flagged(US, "frequency.after_conversation", talk, day7) == [day7.id]
    assert flagged(US, "frequency.after_conversation", talk, day8) == []


def test_inbound_conversation_starts_the_wait_and_consent_lifts_it() -> None:
    talk = contact("2026-03-01T10:00:00-05:00", direction="inbound")
    call = contact("2026-03-03T10:00:00-05:00", outcome="unanswered")
    assert flagged(US, "frequency.after_conversation", talk, call) == [call.id]
    consent = event("2026-03-02T10:00:00-05:00", "consent_contact", party="d1")
    assert flagged(US, "frequency.after_conversation", talk, consent, call) == []
    late = contact("2026-03-05T10:00:00-05:00", outcome="unanswered")  # consent: 7 days from 03-02
    assert flagged(US, "frequency.after_conversation", talk, consent, late) == []


def test_next_allowed_for_seven_in_seven_is_exact() -> None:
    history = [
        contact(f"2026-03-0{d}T10:00:00-05:00", outcome="unanswered", tz="America/New_York")
        for d in range(1, 8)
    ]
    planned = contact("2026-03-07T12:00:00-05:00", planned=True, tz="America/New_York")
    d = decide(US, planned, history, planned.at)
    assert d.verdict == "block"
    # the call of 1 March leaves the window at local midnight of 8 March (EDT from 03:00 that day)
    assert d.next_allowed_at == at("2026-03-08T08:00:00-04:00")


def test_next_allowed_after_conversation() -> None:
    history = [contact("2026-03-10T10:00:00-04:00", tz="America/New_York")]
    planned = contact("2026-03-11T10:00:00-04:00", planned=True, tz="America/New_York")
    d = decide(US, planned, history, planned.at)
    assert [f.code for f in d.findings] == ["frequency.after_conversation"]
    assert d.next_allowed_at == at("2026-03-17T08:00:00-04:00")


# --- uk: daily policy caps -------------------------------------------------------------------------


def test_uk_daily_caps_are_policy() -> None:
    calls = [contact(f"2026-03-02T{9 + i:02d}:00:00+00:00", outcome="unanswered") for i in range(4)]
    texts = [contact(f"2026-03-02T{9 + i:02d}:30:00+00:00", channel="sms") for i in range(4)]
    failed = contact("2026-03-02T16:00:00+00:00", channel="sms", outcome="failed")
    found = audit_stream(UK, [*calls, *texts, failed])
    assert [(f.contact, f.code, f.severity) for f in found] == [
        (calls[3].id, "frequency.calls_day", "policy"),
        (texts[3].id, "frequency.messages_day", "policy"),
        (failed.id, "frequency.messages_day", "policy"),  # every outbound message counts, failed too
    ]


# --- the gate counts pending reservations at their worst outcome -----------------------------------


def test_pending_reservations_fill_the_cap() -> None:
    history = [
        contact("2026-03-02T09:00:00+08:00"),
        contact("2026-03-02T09:05:00+08:00", planned=True, id="r1"),
        contact("2026-03-02T09:06:00+08:00", planned=True, id="r2"),
    ]
    planned = contact("2026-03-02T09:10:00+08:00", planned=True)
    d = decide(CN, planned, history, planned.at)
    assert d.verdict == "block"
    assert d.findings[0].evidence["counted"] == [history[0].id, "r1", "r2"]
    assert d.next_allowed_at == at("2026-03-03T08:00:00+08:00")


def test_an_event_on_the_way_can_make_the_next_allowed_time_earlier() -> None:
    """Found by the hypothesis property: with the day's cap used, the next call waits for tomorrow's window
    (08:00), unless the debtor's consent to other hours arrives before that: then it is allowed at once."""
    history = [contact(f"2026-03-05T08:00:0{i}+08:00", tz="Asia/Shanghai") for i in range(3)]
    planned = contact("2026-03-05T08:10:00+08:00", tz="Asia/Shanghai", planned=True)
    assert decide(CN, planned, history, planned.at).next_allowed_at == at("2026-03-06T08:00:00+08:00")
    consent = event("2026-03-06T00:01:00+08:00", "consent_hours", party="d1")
    d = decide(CN, planned, [*history, consent], planned.at)
    assert d.verdict == "block"
    assert d.next_allowed_at == at("2026-03-06T00:01:00+08:00")


def test_planned_call_is_blocked_if_it_would_break_a_rule_as_unanswered() -> None:
    history = [
        contact(f"2026-03-02T{9 + i:02d}:00:00+08:00", outcome="unanswered", address="1") for i in range(6)
    ]
    planned = contact("2026-03-02T16:00:00+08:00", planned=True, address="1")
    d = decide(CN, planned, history, planned.at)
    assert [f.code for f in d.findings] == ["frequency.unanswered_attempts_day"]

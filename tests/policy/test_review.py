"""Review of the rule engine against rules.md and schema.md, sentence by sentence.

Each test quotes the sentence it checks. Tests marked "ambiguous" pin the reading the engine takes where the
spec can be read two ways; the others state what the spec says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faircollect.audit.runner import run_audit
from faircollect.model import Record
from faircollect.policy.engine import audit_stream, decide
from faircollect.policy.pack import PackError, load_pack
from tests.builders import KeywordScreener, at, codes, contact, event

CN, US, UK = load_pack("cn"), load_pack("us"), load_pack("uk")
NY = {"tz": "America/New_York"}
MOTHER = {"party": "d1-mother", "role": "contact_person"}


def flagged(pack, code, *records):  # type: ignore[no-untyped-def]
    return [c for c, k in codes(audit_stream(pack, records)) if k == code]


def _overlay(tmp_path: Path, body: str) -> str:
    path = tmp_path / "lender.yaml"
    path.write_text(
        "id: lender\nname: {zh: 某贷款公司, en: A lender}\nversion: '1'\neffective: 2026-06-01\n"
        "extends: cn\n" + body,
        "utf-8",
    )
    return str(path)


# --- consent_contact: lifts the 7-day wait, not the 7-in-7 cap -----------------------------------------


def test_consent_contact_does_not_lift_seven_calls_in_seven_days() -> None:
    """schema.md: "`consent_contact` (the person asked to be called; lifts the US 7-day wait for 7 days)".
    rules.md `frequency.calls_7_days`: "placed outbound calls to the same person about the same account within
    the local day of the call and the six days before it | > 7" — no exception for consent; only
    `frequency.after_conversation` says "lifted while `consent_contact` is active"."""
    consent = event("2026-04-06T08:30:00-04:00", "consent_contact", account="a1", party="d1")
    calls = [
        contact(f"2026-04-{6 + i // 2:02d}T{9 + i:02d}:00:00-04:00", outcome="unanswered", **NY)
        for i in range(8)
    ]
    assert flagged(US, "frequency.calls_7_days", consent, *calls) == [calls[7].id]


def test_consent_contact_lifts_the_wait_for_seven_days_half_open() -> None:
    """schema.md: "`consent_contact` … lifts the US 7-day wait for 7 days"; rules.md: "lifted while
    `consent_contact` is active"; "Time windows are half-open"."""
    consent = event("2026-04-01T10:00:00-04:00", "consent_contact", account="a1", party="d1")
    talk = contact("2026-04-07T09:00:00-04:00", **NY)
    inside = contact("2026-04-08T09:59:59-04:00", outcome="unanswered", **NY)
    after = contact("2026-04-08T10:00:00-04:00", outcome="unanswered", **NY)
    assert flagged(US, "frequency.after_conversation", consent, talk, inside, after) == [after.id]


def test_ambiguous_consent_contact_with_a_longer_until_lifts_the_wait_until_then() -> None:
    """Ambiguous. schema.md: "`consent_contact` … lifts the US 7-day wait for 7 days" vs "`until`: end of a
    time-limited state (consent, pause, breathing space)". The engine takes `until` over the 7 days."""
    consent = event(
        "2026-04-01T10:00:00-04:00",
        "consent_contact",
        account="a1",
        party="d1",
        until="2026-04-30T10:00:00-04:00",
    )
    talk = contact("2026-04-20T09:00:00-04:00", **NY)
    call = contact("2026-04-21T09:00:00-04:00", outcome="unanswered", **NY)
    assert flagged(US, "frequency.after_conversation", consent, talk, call) == []


# --- messages ------------------------------------------------------------------------------------------


def test_messages_day_counts_every_outbound_message() -> None:
    """rules.md `frequency.messages_day`: "outbound `sms`/`im`/`app`/`email` to the same person on one local
    day (policy) | > 3". No outcome is excluded (unlike calls, where only *placed* calls count)."""
    failed = [
        contact(f"2026-03-02T{9 + i:02d}:00:00+00:00", channel="sms", outcome="failed", tz="Europe/London")
        for i in range(3)
    ]
    fourth = contact("2026-03-02T13:00:00+00:00", channel="sms", outcome="sent", tz="Europe/London")
    assert flagged(UK, "frequency.messages_day", *failed, fourth) == [fourth.id]


# --- third_party.refused -------------------------------------------------------------------------------


def test_a_later_account_wide_refusal_does_not_hide_a_persons_refusal() -> None:
    """rules.md `third_party.refused`: "outbound contact to a person after their `party_refused`"; rules.md:
    "**Active** state: an event of that kind at or before the contact's time"."""
    mother_refuses = event("2026-03-01T10:00:00+08:00", "party_refused", party="d1-mother")
    account_wide = event("2026-03-01T11:00:00+08:00", "party_refused", account="a1")
    call = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.refused", mother_refuses, account_wide, call) == [call.id]


def test_party_refused_with_only_an_account_applies_to_every_party_of_it() -> None:
    """schema.md Event: "an event with only `account` applies to every party of it; with only `party`, to
    every account"; rules.md `third_party.refused`: "outbound contact to a person after their
    `party_refused`"."""
    refused = event("2026-03-01T10:00:00+08:00", "party_refused", account="a1")
    call = contact("2026-03-02T10:00:00+08:00")
    assert flagged(CN, "third_party.refused", refused, call) == [call.id]


def test_ambiguous_party_refused_with_account_and_party_covers_only_that_account() -> None:
    """Ambiguous. rules.md: "after *their* `party_refused`" (a person) vs schema.md: "`account`, `party`: what
    it applies to". The engine applies an event with both only to that party on that account."""
    refused = event("2026-03-01T10:00:00+08:00", "party_refused", account="a1", party="d1-mother")
    other = contact("2026-03-02T10:00:00+08:00", account="a2", **MOTHER)
    assert flagged(CN, "third_party.refused", refused, other) == []


# --- third_party.not_permitted: when the debtor is reachable -------------------------------------------


def test_a_met_visit_does_not_end_unreachability() -> None:
    """rules.md `third_party.not_permitted`: "The debtor is unreachable from a `debtor_unreachable` event until
    a `debtor_reached` event or any later connected call or inbound contact with the debtor". A met visit is
    neither a connected call ("channel `call`, outcome `connected`") nor inbound."""
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    visit = contact("2026-03-02T10:00:00+08:00", channel="visit", outcome="met")
    call = contact("2026-03-03T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", lost, visit, call) == []


def test_gate_sees_an_earlier_connected_call_despite_a_later_reservation() -> None:
    """rules.md: "The debtor is unreachable from a `debtor_unreachable` event until … any later connected call
    … with the debtor". A connected call at 11:00 ends it for a contact planned at 12:00, whatever is reserved
    for 15:00."""
    history: list[Record] = [
        event("2026-03-02T09:00:00+08:00", "debtor_unreachable", party="d1"),
        contact("2026-03-02T11:00:00+08:00"),  # connected with the debtor: reachable again
        contact("2026-03-02T15:00:00+08:00", planned=True, id="r-later"),
    ]
    planned = contact("2026-03-02T12:00:00+08:00", planned=True, **MOTHER)
    d = decide(CN, planned, history, planned.at)
    assert "third_party.not_permitted" in [f.code for f in d.findings]


def test_reachability_what_does_and_does_not_end_it() -> None:
    """rules.md: "until a `debtor_reached` event or any later connected call or inbound contact with the
    debtor". An unanswered call does not; an inbound SMS does; `debtor_reached` for someone else does not."""
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    ring = contact("2026-03-02T09:00:00+08:00", outcome="unanswered")
    other_reached = event("2026-03-02T09:30:00+08:00", "debtor_reached", party="d1-mother")
    ok = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    inbound = contact("2026-03-02T11:00:00+08:00", channel="sms", direction="inbound", outcome="delivered")
    again = contact("2026-03-02T12:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", lost, ring, other_reached, ok, inbound, again) == [
        again.id
    ]


def test_connected_call_before_the_unreachable_mark_does_not_end_it() -> None:
    """rules.md: "any *later* connected call or inbound contact with the debtor"."""
    talk = contact("2026-03-01T09:00:00+08:00")
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    call = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", talk, lost, call) == []


# --- counting across debtors: "the same person" --------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="the engine's unit is one debtor's stream (issue 2: 'a time-ordered stream of contacts and events for "
    "one debtor'; the gate locks per debtor), so per-person tallies do not combine a person's contacts "
    "made for different debtors; documented in docs/policy-packs.md",
)
def test_uk_daily_call_cap_counts_one_person_called_for_several_debtors() -> None:
    """rules.md `frequency.calls_day`: "placed outbound calls to the same person on one local day (policy) |
    > 3". The same contact person called twice for debtor d1 and twice for debtor d2 got 4 calls."""
    calls = [
        contact(f"2026-03-02T{9 + i:02d}:00:00+00:00", debtor=debtor, account=f"a-{debtor}", **MOTHER)
        for i, debtor in enumerate(("d1", "d2", "d1", "d2"))
    ]
    found = run_audit(UK, calls).findings
    assert [(f.contact, f.code) for f in found if f.code == "frequency.calls_day"] == [
        (calls[3].id, "frequency.calls_day")
    ]


@pytest.mark.xfail(
    strict=True,
    reason="the engine's unit is one debtor's stream (issue 2: 'a time-ordered stream of contacts and events for "
    "one debtor'; the gate locks per debtor), so per-person tallies do not combine a person's contacts "
    "made for different debtors; documented in docs/policy-packs.md",
)
def test_cn_unanswered_attempts_count_one_number_dialled_for_several_debtors() -> None:
    """rules.md `frequency.unanswered_attempts_day`: "unanswered outbound attempts to the same person at the
    same `address` … on one local day | > 6"."""
    calls = [
        contact(
            f"2026-03-02T{9 + i:02d}:00:00+08:00",
            debtor=debtor,
            account=f"a-{debtor}",
            outcome="unanswered",
            address="13800000000",
            **MOTHER,
        )
        for i, debtor in enumerate(("d1", "d2") * 4)
    ]
    found = run_audit(CN, calls).findings
    assert [f.contact for f in found if f.code == "frequency.unanswered_attempts_day"] == [
        calls[6].id,
        calls[7].id,
    ]


# --- gate: planned contacts and pending reservations ---------------------------------------------------


def test_next_allowed_at_is_not_before_now() -> None:
    """schema.md: "`next_allowed_at`: the earliest time *from now* at which the same planned contact would pass
    every time and frequency rule, given what is known now"."""
    planned = contact("2026-03-02T23:00:00+08:00", planned=True, tz="Asia/Shanghai")
    now = at("2026-03-03T10:00:00+08:00")
    d = decide(CN, planned, [], now)
    # a contact cannot happen in the past: the engine judges it as if made now, when it is allowed
    assert d.verdict == "allow"
    assert d.next_allowed_at == now
    late = decide(CN, planned, [], at("2026-03-03T23:30:00+08:00"))
    assert late.verdict == "block" and late.next_allowed_at == at("2026-03-04T08:00:00+08:00")


def test_pending_reservation_counts_as_a_conversation_in_the_us() -> None:
    """rules.md Gate: "Reservations that have no outcome yet count in every tally as the worst outcome for
    that tally" — for `frequency.after_conversation` the worst outcome is a conversation."""
    history: list[Record] = [contact("2026-04-06T10:00:00-04:00", planned=True, id="r1", **NY)]
    planned = contact("2026-04-06T10:05:00-04:00", planned=True, **NY)
    d = decide(US, planned, history, planned.at)
    assert [f.code for f in d.findings] == ["frequency.after_conversation"]
    assert d.next_allowed_at == at("2026-04-13T08:00:00-04:00")


def test_pending_reservation_counts_as_unanswered_for_the_attempt_cap() -> None:
    """rules.md Gate: "a planned call is blocked if it would break a rule either as a connected call or as an
    unanswered one. Reservations that have no outcome yet count in every tally as the worst outcome"."""
    history: list[Record] = [
        contact(f"2026-03-02T{9 + i:02d}:00:00+08:00", outcome="unanswered", address="1") for i in range(5)
    ]
    history.append(contact("2026-03-02T14:30:00+08:00", planned=True, id="r1", address="1"))
    planned = contact("2026-03-02T15:00:00+08:00", planned=True, address="1")
    d = decide(CN, planned, history, planned.at)
    assert [f.code for f in d.findings] == ["frequency.unanswered_attempts_day"]
    assert d.findings[0].evidence["counted"][-1] == "r1"


def test_ambiguous_next_allowed_ignores_that_a_reservation_will_expire() -> None:
    """Ambiguous. rules.md: "A reservation without an outcome expires (default 15 minutes) and then stops
    counting" vs schema.md "`next_allowed_at` … given what is known now". The engine treats an open
    reservation as lasting: the cap it fills clears at the next local day, not when it expires."""
    history: list[Record] = [contact(f"2026-03-02T{9 + i:02d}:00:00+08:00") for i in range(2)]
    history.append(contact("2026-03-02T12:00:00+08:00", planned=True, id="r1"))
    planned = contact("2026-03-02T12:01:00+08:00", planned=True)
    d = decide(CN, planned, history, planned.at)
    assert d.next_allowed_at == at("2026-03-03T08:00:00+08:00")


# --- next_allowed_at across DST and time zones ---------------------------------------------------------


def test_next_allowed_for_seven_in_seven_across_dst_start() -> None:
    """rules.md `frequency.calls_7_days` "within the local day of the call and the six days before it";
    schema.md `next_allowed_at` "the earliest time from now at which the same planned contact would pass every
    time and frequency rule". US DST starts 2026-03-08: the window frees on 03-09 00:00 EDT, and the quiet
    hours open at 08:00 EDT."""
    calls = [contact(f"2026-03-{2 + i:02d}T15:00:00+00:00", outcome="voicemail", **NY) for i in range(7)]
    planned = contact("2026-03-08T17:00:00+00:00", planned=True, **NY)
    d = decide(US, planned, calls, planned.at)
    assert [f.code for f in d.findings] == ["frequency.calls_7_days"]
    assert d.next_allowed_at == at("2026-03-09T08:00:00-04:00")


def test_conversation_day_is_day_one_across_dst() -> None:
    """rules.md `frequency.after_conversation`: "after a conversation (connected call, either direction) with
    that person about that account on the same local day or any of the six days before"."""
    talk = contact("2026-03-02T10:00:00-05:00", direction="inbound", **NY)
    planned = contact("2026-03-08T20:00:00-04:00", planned=True, **NY)
    d = decide(US, planned, [talk], planned.at)
    assert [f.code for f in d.findings] == ["frequency.after_conversation"]
    assert d.next_allowed_at == at("2026-03-09T08:00:00-04:00")


def test_cn_daily_cap_next_allowed_on_the_debtors_clock_with_a_utc_server() -> None:
    """rules.md: "**Local time / local day**: the contacted person's clock: `tz` if given, else the UTC offset
    in `at`"; `frequency.connected_calls_day` "on one local day"."""
    calls = [contact(f"2026-03-02T{h:02d}:00:00+00:00", tz="Asia/Shanghai") for h in (1, 2, 3)]
    planned = contact("2026-03-02T12:00:00+00:00", planned=True, tz="Asia/Shanghai")  # 20:00 in Shanghai
    d = decide(CN, planned, calls, planned.at)
    assert [f.code for f in d.findings] == ["frequency.connected_calls_day"]
    assert d.next_allowed_at == at("2026-03-03T08:00:00+08:00")


def test_uk_quiet_hours_after_the_clocks_go_back() -> None:
    """rules.md `time.quiet_hours` uk "08:00–21:00"; "Time windows are half-open: `[start, end)` in local
    time". On 2026-10-25 London is on GMT again."""
    early = contact("2026-10-25T07:30:00+00:00", planned=True, tz="Europe/London")
    d = decide(UK, early, [], early.at)
    assert d.next_allowed_at == at("2026-10-25T08:00:00+00:00")


# --- local time, half-open windows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "broken"),
    [
        ("07:59:59", True),
        ("08:00:00", False),
        ("20:59:59", False),
        ("21:00:00", True),
    ],
)
def test_us_window_is_half_open_to_the_second(local: str, broken: bool) -> None:
    """rules.md: "Time windows are half-open: `[start, end)` in local time"; `time.quiet_hours` us
    "08:00–21:00"."""
    c = contact(f"2026-04-06T{local}-04:00", outcome="unanswered", **NY)
    assert flagged(US, "time.quiet_hours", c) == ([c.id] if broken else [])


def test_tz_overrides_the_offset_of_at() -> None:
    """schema.md `tz`: "the contacted person's zone; overrides the offset of `at` for local-time rules"."""
    with_tz = contact("2026-04-07T01:30:00+00:00", outcome="unanswered", tz="America/Los_Angeles")  # 18:30
    without = contact("2026-04-07T01:30:00+00:00", outcome="unanswered", debtor="d2")  # 01:30
    assert flagged(US, "time.quiet_hours", with_tz) == []
    assert flagged(US, "time.quiet_hours", without) == [without.id]


def test_until_is_the_open_end_of_a_pause() -> None:
    """schema.md `until`: "end of a time-limited state"; rules.md "Active state: … not ended by … its
    `until`"; "Time windows are half-open"."""
    pause = event("2026-03-01T00:00:00+08:00", "hardship_pause", until="2026-03-10T00:00:00+08:00")
    before = contact("2026-03-09T23:59:59+08:00", channel="sms", outcome="sent")
    at_end = contact("2026-03-10T00:00:00+08:00", channel="sms", outcome="sent", debtor="d1")
    assert flagged(CN, "hold.hardship", pause, before, at_end) == [before.id]


def test_closing_event_at_the_contacts_instant_ends_the_state() -> None:
    """rules.md "Active state: an event of that kind at or before the contact's time, not ended by its closing
    event"; `channel.opted_out` "(`opt_out` with that `channel`, no later `opt_in`)"."""
    out = event("2026-03-01T10:00:00+08:00", "opt_out", party="d1", channel="sms")
    back = event("2026-03-02T10:00:00+08:00", "opt_in", party="d1", channel="sms")
    sms = contact("2026-03-02T10:00:00+08:00", channel="sms", outcome="sent")
    assert flagged(CN, "channel.opted_out", out, back, sms) == []


# --- event applicability -------------------------------------------------------------------------------


def test_account_only_opt_out_applies_to_every_party_and_party_only_to_every_account() -> None:
    """schema.md Event: "an event with only `account` applies to every party of it; with only `party`, to
    every account"."""
    by_account = event("2026-03-01T10:00:00+08:00", "opt_out", account="a1", channel="sms")
    by_party = event("2026-03-01T10:00:00+08:00", "opt_out", party="d1", channel="im")
    to_mother = contact("2026-03-02T10:00:00+08:00", channel="sms", outcome="sent", **MOTHER)
    other_account = contact("2026-03-02T11:00:00+08:00", channel="im", outcome="sent", account="a9")
    mother_im = contact("2026-03-02T12:00:00+08:00", channel="im", outcome="sent", **MOTHER)
    found = flagged(CN, "channel.opted_out", by_account, by_party, to_mother, other_account, mother_im)
    assert found == [to_mother.id, other_account.id]


def test_party_only_resolution_closes_an_account_dispute() -> None:
    """schema.md Event: "with only `party`, to every account"; rules.md `hold.dispute` "outbound contact about
    an account with an open dispute"."""
    opened = event("2026-03-01T10:00:00+08:00", "dispute_opened", account="a1")
    held = contact("2026-03-02T10:00:00+08:00", channel="sms", outcome="sent")
    resolved = event("2026-03-03T10:00:00+08:00", "dispute_resolved", party="d1")
    free = contact("2026-03-04T10:00:00+08:00", channel="sms", outcome="sent")
    assert flagged(CN, "hold.dispute", opened, held, resolved, free) == [held.id]


# --- US placed calls and conversations -----------------------------------------------------------------


def test_placed_calls_are_connected_unanswered_or_voicemail() -> None:
    """rules.md: "**Placed call** (US): outcome `connected`, `unanswered` or `voicemail` (busy and failed calls
    were never placed)"; `frequency.calls_7_days` "> 7"."""
    seven = [contact(f"2026-04-06T{9 + i:02d}:00:00-04:00", outcome="voicemail", **NY) for i in range(7)]
    busy = contact("2026-04-06T17:00:00-04:00", outcome="busy", **NY)
    failed = contact("2026-04-06T17:30:00-04:00", outcome="failed", **NY)
    eighth = contact("2026-04-06T18:00:00-04:00", outcome="unanswered", **NY)
    assert flagged(US, "frequency.calls_7_days", *seven, busy, failed, eighth) == [eighth.id]


def test_voicemail_is_not_a_conversation() -> None:
    """rules.md `frequency.after_conversation`: "a conversation (connected call, either direction)"; schema.md
    "`connected` means a conversation took place"."""
    vm = contact("2026-04-06T10:00:00-04:00", outcome="voicemail", **NY)
    call = contact("2026-04-07T10:00:00-04:00", outcome="unanswered", **NY)
    assert flagged(US, "frequency.after_conversation", vm, call) == []


def test_ambiguous_unanswered_calls_are_not_location_contacts() -> None:
    """Ambiguous. rules.md `third_party.repeat`: "a second or later outbound contact to the same non-obligor".
    The engine counts only contacts that reached the person (connected call, met visit, message not failed);
    a literal reading would count every outbound attempt."""
    first = contact("2026-04-06T10:00:00-04:00", outcome="unanswered", **MOTHER, **NY)
    second = contact("2026-04-07T10:00:00-04:00", outcome="unanswered", **MOTHER, **NY)
    assert flagged(US, "third_party.repeat", first, second) == []


def test_ambiguous_attempts_without_an_address_are_not_counted_for_a_number() -> None:
    """Ambiguous. rules.md `frequency.unanswered_attempts_day`: "at the same `address` (or the same person, if
    no address)". The engine: an attempt with an address counts only earlier attempts at that address;
    earlier attempts without one are not counted for it."""
    bare = [contact(f"2026-03-02T{9 + i:02d}:00:00+08:00", outcome="unanswered") for i in range(6)]
    numbered = contact("2026-03-02T16:00:00+08:00", outcome="unanswered", address="13800000000")
    assert flagged(CN, "frequency.unanswered_attempts_day", *bare, numbered) == []


# --- overlays may only tighten -------------------------------------------------------------------------


def test_overlay_window_across_midnight_is_not_a_tightening(tmp_path: Path) -> None:
    """rules.md: "an overlay can tighten a parameter or add `policy` rules"; issue 2: "a lender's pack can only
    tighten a legal rule, never loosen it (loading a pack that loosens one is an error that says which)".
    start 23:00 / end 22:00 passes each parameter's own check but allows 23:00–22:00, nearly the whole day."""
    body = "rules:\n  - id: cn.gbt45251.quiet_hours\n    params: {start: '23:00', end: '22:00'}\n"
    with pytest.raises(PackError, match="quiet_hours"):
        load_pack(_overlay(tmp_path, body))


def test_tightened_overlay_keeps_the_legal_rule_in_force(tmp_path: Path) -> None:
    """rules.md: "an overlay can tighten a parameter"; schema.md `severity`: "`violation` (law …) or `policy`
    (the lender's own overlay)". A call at 21:30 breaks the lender's 21:00 end (policy) only; one at 22:30
    breaks both."""
    pack = load_pack(
        _overlay(tmp_path, "rules:\n  - id: cn.gbt45251.quiet_hours\n    params: {end: '21:00'}\n")
    )
    c1 = contact("2026-03-02T21:30:00+08:00", outcome="unanswered")
    c2 = contact("2026-03-02T22:30:00+08:00", outcome="unanswered", debtor="d2")
    found = [(f.contact, f.severity) for r in (c1, c2) for f in audit_stream(pack, [r])]
    assert found == [(c1.id, "policy"), (c2.id, "violation"), (c2.id, "policy")]


# --- more pins -----------------------------------------------------------------------------------------


def test_uk_local_day_starts_at_local_midnight_in_summer_time() -> None:
    """rules.md: "**Local time / local day**: the contacted person's clock: `tz` if given, else the UTC offset
    in `at`"; `frequency.calls_day` "on one local day". 23:30 UTC on 24 October is 00:30 on 25 October in
    London (BST): it is on the same local day as the calls later on the 25th."""
    london = {"tz": "Europe/London", "outcome": "unanswered"}
    calls = [
        contact("2026-10-24T23:30:00+00:00", **london),
        contact("2026-10-25T09:00:00+00:00", **london),
        contact("2026-10-25T12:00:00+00:00", **london),
        contact("2026-10-25T15:00:00+00:00", **london),
    ]
    assert flagged(UK, "frequency.calls_day", *calls) == [calls[3].id]
    by_offset = [contact(c.at.isoformat(), outcome="unanswered", debtor="d2") for c in calls]
    assert flagged(UK, "frequency.calls_day", *by_offset) == []


def test_disclosure_to_non_obligors_only() -> None:
    """rules.md `third_party.disclosure`: "outbound text or transcript to a non-obligor that screening marks
    `debt_related` or any content label"; "**Obligor**: role `debtor`, `co_borrower` or `guarantor`"."""
    to_mother = contact(
        "2026-03-02T10:00:00+08:00", channel="sms", outcome="sent", text="请转告他还款", **MOTHER
    )
    to_guarantor = contact(
        "2026-03-02T11:00:00+08:00",
        channel="sms",
        outcome="sent",
        text="请还款",
        party="g1",
        role="guarantor",
    )
    found = codes(audit_stream(CN, [to_mother, to_guarantor], KeywordScreener()))
    assert [c for c, k in found if k == "third_party.disclosure"] == [to_mother.id]


def test_ambiguous_a_pending_call_to_the_debtor_counts_as_reaching_them() -> None:
    """Ambiguous. rules.md Gate: "Reservations that have no outcome yet count in every tally as the worst
    outcome for that tally" applied to reachability ("until … any later connected call … with the debtor").
    The engine treats an open reservation to the debtor as a connected call: third parties are blocked."""
    history: list[Record] = [
        event("2026-03-02T09:00:00+08:00", "debtor_unreachable", party="d1"),
        contact("2026-03-02T11:00:00+08:00", planned=True, id="r1"),
    ]
    planned = contact("2026-03-02T12:00:00+08:00", planned=True, **MOTHER)
    d = decide(CN, planned, history, planned.at)
    assert [f.code for f in d.findings] == ["third_party.not_permitted"]
    assert d.next_allowed_at is None


def test_ambiguous_consent_hours_for_one_account_does_not_cover_another() -> None:
    """Ambiguous. rules.md `time.quiet_hours`: "unless `consent_hours` is active for that person" vs schema.md
    Event `account`, `party`: "what it applies to". The engine applies a consent naming an account and a party
    only to that account."""
    consent = event("2026-03-01T10:00:00+08:00", "consent_hours", account="a1", party="d1")
    same = contact("2026-03-02T23:00:00+08:00", outcome="unanswered")
    other = contact("2026-03-02T23:30:00+08:00", outcome="unanswered", account="a2")
    assert flagged(CN, "time.quiet_hours", consent, same, other) == [other.id]


def test_seven_in_seven_rolls_and_an_over_limit_call_still_counts() -> None:
    """rules.md: "The contact that takes a count over its limit is the one that breaks the rule; the earlier
    ones do not"; `frequency.calls_7_days` "within the local day of the call and the six days before it"."""
    days = (6, 6, 7, 8, 9, 10, 11, 12, 13, 13)
    calls = [
        contact(f"2026-04-{d:02d}T{10 + i % 2:02d}:00:00-04:00", outcome="voicemail", **NY)
        for i, d in enumerate(days)
    ]
    # 04-12: the 8th call in 04-06..04-12 breaks it; 04-13 (window 04-07..04-13): the first call there has
    # 6 earlier (04-07..04-12, the flagged one included) and passes, the second is the 8th again
    assert flagged(US, "frequency.calls_7_days", *calls) == [calls[7].id, calls[9].id]

"""Properties of the engine that must hold for any input (hypothesis)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faircollect.audit.runner import run_audit
from faircollect.model import Contact, Event, Record
from faircollect.policy.engine import audit_stream, decide
from faircollect.policy.pack import load_pack

PACKS = [load_pack("cn"), load_pack("us"), load_pack("uk")]
BASE = datetime(2026, 3, 5, tzinfo=timezone.utc)  # the window spans the US (8 March) DST change
ZONES = {"d1": "Asia/Shanghai", "d2": "America/New_York", "d3": "Europe/London"}
OUTCOMES = {
    "call": ["connected", "unanswered", "voicemail", "busy", "failed"],
    "sms": ["sent", "delivered", "failed"],
    "visit": ["met", "not_met"],
    "letter": ["sent"],
}
EVENT_KINDS = [
    "dispute_opened",
    "dispute_resolved",
    "consent_hours",
    "consent_contact",
    "debtor_unreachable",
    "debtor_reached",
    "party_refused",
    "opt_out",
    "hardship_pause",
    "breathing_space_start",
    "cease_request",
    "deceased",
]
settings.register_profile("engine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("engine")


@st.composite
def contacts(draw: st.DrawFn, debtors: tuple[str, ...] = ("d1", "d2")) -> Contact:
    debtor = draw(st.sampled_from(debtors))
    party, role = draw(
        st.sampled_from(
            [
                (debtor, "debtor"),
                (debtor, "debtor"),
                (f"{debtor}-m", "contact_person"),
                (f"{debtor}-g", "guarantor"),
            ]
        )
    )
    channel = draw(st.sampled_from(["call", "call", "call", "sms", "visit", "letter"]))
    return Contact(
        id=f"c{draw(st.integers(0, 10**9))}",
        at=BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10))),
        channel=channel,
        account=f"{debtor}-{draw(st.sampled_from(['a1', 'a2']))}",
        debtor=debtor,
        direction=draw(st.sampled_from(["outbound", "outbound", "outbound", "inbound"])),
        outcome=draw(st.sampled_from(OUTCOMES[channel])),
        party=party,
        role=role,
        tz=ZONES[debtor],
        address=draw(st.sampled_from([None, "1", "2"])),
        team_size=draw(st.integers(1, 3)) if channel == "visit" else None,
    )


@st.composite
def events(draw: st.DrawFn, debtors: tuple[str, ...] = ("d1", "d2")) -> Event:
    debtor = draw(st.sampled_from(debtors))
    kind = draw(st.sampled_from(EVENT_KINDS))
    at = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)))
    until = at + timedelta(hours=draw(st.integers(1, 24 * 5))) if draw(st.booleans()) else None
    party = f"{debtor}-m" if kind == "party_refused" else debtor
    return Event(
        id=f"e{draw(st.integers(0, 10**9))}",
        at=at,
        kind=kind,
        account=f"{debtor}-a1" if kind in ("dispute_opened", "dispute_resolved", "hardship_pause") else None,
        party=party,
        channel="sms" if kind == "opt_out" else None,
        until=until if kind in ("consent_hours", "hardship_pause", "breathing_space_start") else None,
    )


def streams(debtors: tuple[str, ...] = ("d1", "d2")) -> st.SearchStrategy[list[Record]]:
    items: st.SearchStrategy[Record] = st.one_of(contacts(debtors), contacts(debtors), events(debtors))
    return st.lists(items, max_size=40, unique_by=lambda r: (type(r).__name__, r.id))


def keyset(findings: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return sorted((f.contact, f.rule, f.debtor) for f in findings)


@given(streams(), st.sampled_from(PACKS), st.randoms(use_true_random=False))
def test_shuffling_the_input_changes_nothing(records: list[Record], pack, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert keyset(run_audit(pack, records).findings) == keyset(run_audit(pack, shuffled).findings)


@given(streams(("d1", "d2", "d3")), st.sampled_from(PACKS))
def test_auditing_each_debtor_apart_gives_the_union(records: list[Record], pack) -> None:  # type: ignore[no-untyped-def]
    whole = keyset(run_audit(pack, records).findings)
    parts: list[tuple[str, str, str]] = []
    for debtor in ("d1", "d2", "d3"):
        mine = [r for r in records if isinstance(r, Event) or r.debtor == debtor]
        parts.extend(f for f in keyset(run_audit(pack, mine).findings) if f[2] == debtor)
    assert whole == sorted(parts)


@given(
    st.lists(contacts(("d1",)), min_size=1, max_size=30, unique_by=lambda c: c.id),
    contacts(("d1",)),
    st.sampled_from(PACKS),
)
def test_a_later_contact_changes_no_earlier_finding(records: list[Contact], extra: Contact, pack) -> None:  # type: ignore[no-untyped-def]
    last = max(c.at for c in records)
    later = dataclasses.replace(extra, id="zz-later", at=last + timedelta(minutes=1))
    before = keyset(audit_stream(pack, records))
    after = [f for f in keyset(audit_stream(pack, [*records, later])) if f[0] != later.id]
    assert before == after


@given(streams(("d1",)), contacts(("d1",)), st.sampled_from(PACKS))
def test_next_allowed_at_is_the_first_allowed_instant(records: list[Record], plan: Contact, pack) -> None:  # type: ignore[no-untyped-def]
    planned = dataclasses.replace(plan, id="planned", outcome=None, direction="outbound")
    decision = decide(pack, planned, records, planned.at)
    if decision.verdict != "block" or decision.next_allowed_at is None:
        return
    when = decision.next_allowed_at
    assert when > planned.at
    moved = dataclasses.replace(planned, at=when)
    assert decide(pack, moved, records, when).findings == []
    just_before = when - timedelta(seconds=1)
    if just_before >= planned.at:
        earlier = dataclasses.replace(planned, at=just_before)
        assert decide(pack, earlier, records, just_before).findings != []

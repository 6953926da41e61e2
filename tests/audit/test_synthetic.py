"""The synthetic month and bulk streams: deterministic, valid records, and a story the cn pack can judge."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.audit.runner import AuditResult, run_audit
from faircollect.audit.synthetic import ABUSIVE, generate_bulk, generate_month, to_jsonl_lines
from faircollect.io.validate import record_from_dict
from faircollect.model import Contact, Event, Record, sort_key
from faircollect.policy.pack import load_pack

CN = load_pack("cn")
EXPECTED_CODES = {
    "time.quiet_hours",
    "frequency.connected_calls_day",
    "frequency.unanswered_attempts_day",
    "third_party.not_permitted",
    "hold.dispute",
    "visit.team_size",
}


@pytest.fixture(scope="module")
def month() -> list[Record]:
    return generate_month()


@pytest.fixture(scope="module")
def audited(month: list[Record]) -> AuditResult:
    return run_audit(CN, month)


def contacts(records: list[Record]) -> list[Contact]:
    return [r for r in records if isinstance(r, Contact)]


def test_same_seed_same_month_other_seed_other_month() -> None:
    first = list(to_jsonl_lines(generate_month(seed=3, debtors=30)))
    assert first == list(to_jsonl_lines(generate_month(seed=3, debtors=30)))
    assert first != list(to_jsonl_lines(generate_month(seed=4, debtors=30)))


def test_every_record_round_trips_through_validation(month: list[Record]) -> None:
    lines = list(to_jsonl_lines(month))
    assert len(lines) == len(month)
    for line, record in zip(lines, month, strict=True):
        parsed = record_from_dict(json.loads(line))
        assert type(parsed) is type(record)
        assert parsed.to_dict() == record.to_dict()


def test_ids_are_unique_times_carry_an_offset_and_records_are_in_time_order(month: list[Record]) -> None:
    assert len({(type(r), r.id) for r in month}) == len(month)
    assert len({r.id for r in month}) == len(month)  # contacts and events do not even share ids
    assert all(r.at.utcoffset() is not None for r in month)
    assert [sort_key(r) for r in month] == sorted(sort_key(r) for r in month)
    assert min(r.at.date() for r in month) >= date(2026, 2, 28)  # abroad, 1 March starts the day before
    assert max(r.at.date() for r in month) <= date(2026, 4, 1)


def test_the_month_has_the_cast_and_the_events_of_the_story(month: list[Record]) -> None:
    cs = contacts(month)
    zones = {c.tz for c in cs}
    assert {None, "Asia/Shanghai", "Asia/Urumqi"} <= zones
    assert zones & {"Europe/London", "America/Los_Angeles"}
    assert {"debtor", "co_borrower", "guarantor", "contact_person", "employer"} <= {c.role for c in cs}
    assert all(re.fullmatch(r"d\d{4}-[a-z]+", c.party) for c in cs if c.role != "debtor")
    agencies = {c.agency for c in cs}
    assert None in agencies and ABUSIVE in agencies and len(agencies - {None}) in (3, 4, 5)
    assert {c.team_size for c in cs if c.channel == "visit"} == {1, 2}
    assert any(c.direction == "inbound" for c in cs)
    kinds = {r.kind for r in month if isinstance(r, Event)}
    assert {
        "debtor_unreachable",
        "debtor_reached",
        "dispute_opened",
        "dispute_resolved",
        "party_refused",
        "hardship_pause",
        "opt_out",
        "consent_hours",
    } <= kinds
    assert all(e.until is not None for e in month if isinstance(e, Event) and e.kind == "hardship_pause")
    outcomes = Counter(c.outcome for c in cs if c.channel == "call")
    assert outcomes["unanswered"] > outcomes["connected"] > outcomes["failed"] > 0


def test_messages_are_varied_chinese_with_some_english(month: list[Record]) -> None:
    texts = [c.text for c in contacts(month) if c.text and c.channel == "sms"]
    assert len(set(texts)) > 200
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
    assert any(re.fullmatch(r"[\x20-\x7e]+", t) for t in texts)
    abusive = {c.text for c in contacts(month) if c.agency == ABUSIVE and c.text}
    assert any("老赖" in t for t in abusive) and any("法院" in t for t in abusive)
    lawful = [c.text for c in contacts(month) if c.agency != ABUSIVE and c.text]
    assert not any("老赖" in t or "坐牢" in t for t in lawful)


def test_auditing_the_month_with_the_cn_pack_finds_every_family(audited: AuditResult) -> None:
    assert not audited.orphan_events
    assert {f.code for f in audited.findings} >= EXPECTED_CODES


def test_disputes_are_broken_by_the_abusive_agency(audited: AuditResult) -> None:
    by_agency = Counter(f.agency for f in audited.findings if f.code == "hold.dispute")
    assert by_agency.most_common(1)[0][0] == ABUSIVE


def test_the_abusive_agency_has_the_most_findings_per_contact(
    month: list[Record], audited: AuditResult
) -> None:
    sent = Counter(c.agency for c in contacts(month) if c.outbound)
    found = Counter(f.agency for f in audited.findings)
    rate = {agency: found[agency] / n for agency, n in sent.items()}
    assert max(rate, key=lambda a: rate[a]) == ABUSIVE
    # the others are lawful but for the odd honest mistake
    assert all(r < 0.05 for a, r in rate.items() if a != ABUSIVE)
    assert rate[ABUSIVE] > 0.2


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), debtors=st.integers(1, 12), days=st.integers(1, 12))
def test_any_small_month_is_valid_and_sorted(seed: int, debtors: int, days: int) -> None:
    records = generate_month(seed=seed, debtors=debtors, days=days)
    for line in to_jsonl_lines(records):
        record_from_dict(json.loads(line))
    assert [sort_key(r) for r in records] == sorted(sort_key(r) for r in records)
    assert len({r.id for r in records}) == len(records)


def test_bulk_has_the_asked_size_and_is_deterministic() -> None:
    bulk = list(generate_bulk(5_003, 250, seed=2))
    assert len(bulk) == 5_003
    assert len({c.debtor for c in bulk}) == 250
    assert len({c.id for c in bulk}) == 5_003
    assert all(c.text is None for c in bulk)
    again = list(generate_bulk(5_003, 250, seed=2))
    assert [c.to_dict() for c in bulk] == [c.to_dict() for c in again]
    assert [c.to_dict() for c in bulk] != [c.to_dict() for c in generate_bulk(5_003, 250, seed=3)]


def test_bulk_records_are_valid_and_a_few_per_cent_break_rules() -> None:
    bulk = list(generate_bulk(20_000, 1_000))
    for line, c in zip(to_jsonl_lines(bulk), bulk, strict=True):
        assert record_from_dict(json.loads(line)).to_dict() == c.to_dict()
    spread = {c.at.date() for c in bulk}
    assert len(spread) >= 30
    result = run_audit(CN, bulk)
    breaking = len({f.contact for f in result.findings}) / len(bulk)
    assert 0.01 < breaking < 0.08
    assert {"time.quiet_hours", "frequency.connected_calls_day", "third_party.not_permitted"} <= {
        f.code for f in result.findings
    }


def test_jsonl_lines_are_single_line_objects_keeping_chinese() -> None:
    lines = list(to_jsonl_lines(generate_month(seed=1, debtors=5, days=5)))
    assert all("\n" not in line and line.startswith('{"type":') for line in lines)
    assert any("恒信" in line for line in lines)

"""Third-party rules: reachability, refusals, location contacts once, disclosure of the debt."""

from __future__ import annotations

from faircollect.policy.engine import audit_stream
from faircollect.policy.pack import load_pack
from tests.builders import KeywordScreener, codes, contact, event

CN, US, UK = load_pack("cn"), load_pack("us"), load_pack("uk")
MOTHER = {"party": "d1-mother", "role": "contact_person"}


def flagged(pack, code, *records, screener=None):  # type: ignore[no-untyped-def]
    return [c for c, k in codes(audit_stream(pack, records, screener)) if k == code]


def test_contact_person_while_debtor_is_reachable() -> None:
    call = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", call) == [call.id]


def test_guarantors_and_co_borrowers_are_obligors() -> None:
    g = contact("2026-03-02T10:00:00+08:00", party="g1", role="guarantor")
    cb = contact("2026-03-02T11:00:00+08:00", party="cb1", role="co_borrower")
    assert flagged(CN, "third_party.not_permitted", g, cb) == []


def test_unreachable_debtor_permits_contact_until_reached() -> None:
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    ok = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    talk = contact("2026-03-03T10:00:00+08:00")  # a connected call with the debtor: reachable again
    again = contact("2026-03-04T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", lost, ok, talk, again) == [again.id]


def test_reached_event_and_inbound_contact_end_unreachability() -> None:
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    found = event("2026-03-02T09:00:00+08:00", "debtor_reached", party="d1")
    c1 = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", lost, found, c1) == [c1.id]
    inbound = contact("2026-03-02T09:00:00+08:00", direction="inbound", channel="sms", debtor="d1")
    assert flagged(CN, "third_party.not_permitted", lost, inbound, c1) == [c1.id]
    unanswered = contact("2026-03-02T09:00:00+08:00", outcome="unanswered")
    assert flagged(CN, "third_party.not_permitted", lost, unanswered, c1) == []


def test_deceased_debtor_permits_third_party_contact() -> None:
    died = event("2026-03-01T10:00:00+08:00", "deceased", party="d1")
    c = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    assert flagged(CN, "third_party.not_permitted", died, c) == []


def test_refused_party() -> None:
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    before = contact("2026-03-02T10:00:00+08:00", **MOTHER)
    refusal = event("2026-03-02T10:05:00+08:00", "party_refused", party="d1-mother")
    after = contact("2026-03-05T10:00:00+08:00", **MOTHER)
    records = (lost, before, refusal, after)
    for pack in (CN, US, UK):
        assert flagged(pack, "third_party.refused", *records) == [after.id]


def test_us_location_contact_only_once() -> None:
    first = contact("2026-03-02T10:00:00-05:00", **MOTHER)
    second = contact("2026-03-09T10:00:00-05:00", **MOTHER)
    assert flagged(US, "third_party.repeat", first, second) == [second.id]


def test_unanswered_attempts_are_not_contacts_and_a_request_lifts_the_limit() -> None:
    miss = contact("2026-03-02T10:00:00-05:00", outcome="unanswered", **MOTHER)
    first = contact("2026-03-03T10:00:00-05:00", **MOTHER)
    asked = event("2026-03-03T10:10:00-05:00", "party_requested_contact", party="d1-mother")
    second = contact("2026-03-04T10:00:00-05:00", **MOTHER)
    assert flagged(US, "third_party.repeat", miss, first, second) == [second.id]
    assert flagged(US, "third_party.repeat", miss, first, asked, second) == []


def test_disclosure_needs_a_screener_and_debt_content() -> None:
    s = KeywordScreener()
    lost = event("2026-03-01T10:00:00+08:00", "debtor_unreachable", party="d1")
    tells = contact("2026-03-02T10:00:00+08:00", channel="sms", text="你儿子欠款逾期，请转告", **MOTHER)
    asks = contact("2026-03-02T11:00:00+08:00", channel="sms", text="请转告他回电 400-800", **MOTHER)
    records = (lost, tells, asks)
    assert flagged(CN, "third_party.disclosure", *records, screener=s) == [tells.id]
    assert flagged(CN, "third_party.disclosure", *records) == []  # no screener: rule off
    to_debtor = contact("2026-03-02T12:00:00+08:00", channel="sms", text="您的欠款已逾期")
    assert flagged(CN, "third_party.disclosure", to_debtor, screener=s) == []


def test_disclosure_evidence_quotes_the_text() -> None:
    s = KeywordScreener()
    c = contact("2026-03-02T10:00:00+08:00", channel="sms", text="他是老赖，欠款不还", **MOTHER)
    (finding,) = [f for f in audit_stream(CN, [c], s) if f.code == "third_party.disclosure"]
    assert finding.evidence["quote"] == c.text
    assert finding.evidence["debt_related"] is True

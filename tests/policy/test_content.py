"""Content rules call the screener; without one they are off; an unsure screener means review."""

from __future__ import annotations

from faircollect.policy.engine import audit_stream, content_rules_off, decide
from faircollect.policy.pack import load_pack
from tests.builders import KeywordScreener, contact

CN, US = load_pack("cn"), load_pack("us")


def test_each_label_becomes_a_content_finding_with_spans() -> None:
    s = KeywordScreener()
    c = contact("2026-03-02T10:00:00+08:00", channel="sms", text="老赖，再不还就让你坐牢")
    found = {f.code: f for f in audit_stream(CN, [c], s)}
    assert set(found) == {"content.abuse.insult", "content.threat.arrest"}
    span = found["content.abuse.insult"].evidence["spans"][0]
    assert c.text is not None and c.text[span["start"] : span["end"]] == "老赖"
    assert "银行业协会" in found["content.abuse.insult"].citation["zh"]
    assert found["content.threat.arrest"].severity == "violation"


def test_inbound_text_is_not_judged() -> None:
    s = KeywordScreener()
    c = contact("2026-03-02T10:00:00+08:00", channel="sms", text="你们才是老赖", direction="inbound")
    assert audit_stream(CN, [c], s) == []
    assert s.calls == 0


def test_without_a_screener_content_rules_are_off() -> None:
    c = contact("2026-03-02T10:00:00+08:00", channel="sms", text="老赖")
    assert audit_stream(CN, [c]) == []
    assert content_rules_off(CN, None)
    assert not content_rules_off(CN, KeywordScreener())


def test_screening_is_cached_per_text() -> None:
    s = KeywordScreener()
    msgs = [contact(f"2026-03-02T1{i}:00:00+08:00", channel="sms", text="同一条提醒") for i in range(5)]
    audit_stream(CN, msgs, s)
    assert s.calls == 1


def test_content_violation_blocks_without_a_next_time() -> None:
    planned = contact("2026-03-02T10:00:00+08:00", channel="sms", text="老赖快还钱", planned=True)
    d = decide(CN, planned, [], planned.at, KeywordScreener())
    assert d.verdict == "block"
    assert d.next_allowed_at is None
    assert d.screening is not None and d.screening["labels"] == ["abuse.insult"]


def test_unsure_screener_gives_review() -> None:
    planned = contact("2026-03-02T10:00:00-05:00", channel="sms", text="maybe pay", planned=True)
    d = decide(US, planned, [], planned.at, KeywordScreener())
    assert d.verdict == "review"
    assert d.findings == []


def test_decision_says_when_screening_is_off() -> None:
    planned = contact("2026-03-02T10:00:00+08:00", channel="sms", text="老赖", planned=True)
    d = decide(CN, planned, [], planned.at)
    assert d.verdict == "allow"
    assert d.screening is not None and d.screening["status"] == "off"

from __future__ import annotations

import pytest

from faircollect.screening.matcher import Hit, default_matcher
from faircollect.screening.normalize import normalize


def _fired(text: str) -> set[str]:
    return {h.label for h in default_matcher().hits(normalize(text).text) if h.suppressed_by is None}


def _hits(text: str) -> list[Hit]:
    return default_matcher().hits(normalize(text).text)


@pytest.mark.parametrize(
    "text",
    [
        "你个傻 逼，快还钱",
        "煞笔还钱",
        "ｓｂ",
        "你就是个老lai",
        "sha逼一个",
        "臭不要臉的老賴",
        "You are a l0ser",
        "f u c k you, pay up",
        "dead beat? no: deadbeat",
    ],
)
def test_disguised_insults_fire(text: str) -> None:
    assert "abuse.insult" in _fired(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("欠钱不会坐牢，这是民事纠纷", "negation-zh"),
        ("冒充公检法要求转账的都是诈骗，谨防上当。警察不会因为欠款抓人", "anti-fraud-zh"),
        ("This is a scam: callers who say you will face arrest are fraudsters.", "anti-fraud-en"),
        ("We will not contact your employer.", "negation-en"),
        ("我们不会联系你的家人", "negation-zh"),
    ],
)
def test_context_suppresses(text: str, rule: str) -> None:
    hits = _hits(text)
    assert hits, "the hard case should contain a cue"
    assert all(h.suppressed_by is not None for h in hits if h.label != "abuse.insult")
    assert any(h.suppressed_by == rule for h in hits)


def test_negation_does_not_cross_otherwise() -> None:
    assert "threat.arrest" in _fired("你不会以为没事吧？再不还钱就抓你坐牢")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("再不还钱警察就上门抓你", "threat.arrest"),
        ("Nice car you have there, would be a pity if something happened to it.", "threat.violence"),
        ("明天就冻结你名下所有银行卡", "deception.legal"),
        ("你不还钱，你孩子以后考公务员政审过不了", "deception.consequence"),
        ("再不还就爆你通讯录，发到你们公司群", "privacy.exposure"),
        ("我们知道你住在哪，你跑不掉的", "harassment.intimidation"),
        ("你儿子欠我们平台5000元，请督促他还款", "privacy.exposure"),
    ],
)
def test_patterns_per_label(text: str, label: str) -> None:
    assert label in _fired(text)


def test_pass_on_a_call_back_number_fires_nothing() -> None:
    assert _fired("您好，麻烦转告张伟尽快回电 400-800-1234，谢谢") == set()


def test_debt_cues() -> None:
    m = default_matcher()
    assert m.debt_cues(normalize("您本期应还1,250元，逾期将收取滞纳金").text) >= 2
    assert m.debt_cues(normalize("Your payment of $125.00 is due on March 14.").text) >= 1
    assert m.debt_cues(normalize("麻烦让他回个电话").text) == 0


def test_spans_index_the_original() -> None:
    text = "你個傻 逼，還錢"
    norm = normalize(text)
    hits = default_matcher().hits(norm.text)
    spans = sorted({(*norm.span(h.start, h.end), h.label) for h in hits if h.label == "abuse.insult"})
    assert [(text[s:e], label) for s, e, label in spans] == [("傻 逼", "abuse.insult")]

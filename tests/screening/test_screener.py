"""The taxonomy's hard cases and the screener contract, with the shipped model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.policy.screener import LABELS, Screener
from faircollect.screening.screener import DefaultScreener, default_screener


@pytest.fixture(scope="module")
def screener() -> DefaultScreener:
    return default_screener()


def test_implements_the_engine_interface(screener: DefaultScreener) -> None:
    s: Screener = screener
    result = s.screen("您好，您本期应还1,250元，请按时还款。")
    assert result.verdict in ("allow", "review", "block")
    assert set(result.scores) == set(LABELS)
    assert default_screener() is screener


@pytest.mark.parametrize(
    "text",
    [
        "Please repay by Friday; otherwise we may refer the account to a lawyer to pursue it through the courts.",
        "请于本周五前还款；逾期未还，我司可能委托律师通过法院依法起诉。",
    ],
)
def test_stern_but_lawful_has_no_label(screener: DefaultScreener, text: str) -> None:
    assert screener.screen(text).labels == ()


@pytest.mark.parametrize(
    "text",
    [
        "【反诈提醒】凡是自称公检法、要求转账到“安全账户”的都是诈骗。公安机关不会通过电话办案，更不会因欠款上门抓人。",
        "Scam alert: the IRS and the police will never call to threaten you with arrest over a debt. Hang up and report it.",
    ],
)
def test_anti_fraud_notice_has_no_label(screener: DefaultScreener, text: str) -> None:
    assert screener.screen(text).labels == ()


@pytest.mark.parametrize(
    "text",
    [
        "网上说“欠钱不还会坐牢”，这是谣言：普通欠款属于民事纠纷，不会因此被抓。",
        "Civil debt does not put you in jail; it is a myth that you can be arrested for an unpaid loan.",
    ],
)
def test_rumour_corrected_has_no_label(screener: DefaultScreener, text: str) -> None:
    assert not {"threat.arrest", "deception.legal"} & set(screener.screen(text).labels)


@pytest.mark.parametrize(
    "text",
    [
        "【安心贷】尊敬的客户，您的借款本期应还1,286.50元，还款日为3月15日，逾期将按合同收取每日0.05%的滞纳金。",
        "Your payment of $240.00 was due on May 3. A late fee of $25 applies as set out in your agreement.",
    ],
)
def test_amount_due_date_late_fee(screener: DefaultScreener, text: str) -> None:
    result = screener.screen(text)
    assert result.labels == ()
    assert result.debt_related is True


IMPLIED = [
    ("Nice car you have there, would be a pity if something happened to it.", "threat.violence"),
    ("你那辆白色的车挺新的，停在楼下可得小心点，出点什么事就可惜了。", "threat.violence"),
    ("We know where you live. Pay today or else.", "harassment.intimidation"),
]


@pytest.mark.parametrize(("text", "label"), IMPLIED)
def test_implied_threats_are_labelled(screener: DefaultScreener, text: str, label: str) -> None:
    assert label in screener.screen(text).labels


@pytest.mark.parametrize(("text", "label"), IMPLIED)
def test_implied_threats_are_never_allowed_and_their_label_scores_highest(
    screener: DefaultScreener, text: str, label: str
) -> None:
    result = screener.screen(text)
    assert result.verdict != "allow"
    assert max(result.scores, key=result.scores.__getitem__) == label


@pytest.mark.parametrize(
    "text", ["你个傻 逼，快还钱", "煞笔，还钱", "ｓｂ老lai", "臭不要臉的老賴", "you f**king d3adbeat"]
)
def test_disguised_insults(screener: DefaultScreener, text: str) -> None:
    result = screener.screen(text)
    assert "abuse.insult" in result.labels
    assert result.verdict == "block"
    assert any(s.label == "abuse.insult" for s in result.spans)


def test_relative_asked_only_to_pass_on_a_number(screener: DefaultScreener) -> None:
    result = screener.screen("您好，我是张伟的同事小李，麻烦您转告他尽快回电 400-800-1234，谢谢。")
    assert result.labels == ()
    assert result.debt_related is False


def test_message_to_relative_naming_the_debt(screener: DefaultScreener) -> None:
    result = screener.screen("您好，您儿子张伟在我平台的借款已逾期三个月，欠款8,000元，请您督促他尽快还款。")
    assert "privacy.exposure" in result.labels
    assert result.debt_related is True


def test_threat_of_arrest(screener: DefaultScreener) -> None:
    result = screener.screen("你再不还钱，警察明天就上门抓你去坐牢！")
    assert "threat.arrest" in result.labels
    assert result.verdict == "block"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02",
        "🙂" * 50,
        "Ѕ Ь 傻 ｂ mixed ＡＢＣ",
        "a" * 5000,
        "傻逼" * 3000,
        "a\ud800傻 逼",
        "\u202e傻逼",
        "İİİ sb",
    ],
)
def test_odd_input_does_not_crash(screener: DefaultScreener, text: str) -> None:
    result = screener.screen(text)
    for span in result.spans:
        assert text[span.start : span.end] == span.match


def test_one_megabyte(screener: DefaultScreener) -> None:
    text = ("您好，请按时还款。你个傻逼。" * 80_000)[:1_000_000]
    result = screener.screen(text)
    assert "abuse.insult" in result.labels
    assert all(text[s.start : s.end] == s.match for s in result.spans)


def test_batch_equals_one_by_one(screener: DefaultScreener) -> None:
    texts = ["煞笔还钱", "您好，请按时还款。", "We know where you live."]
    assert screener.screen_many(texts) == [screener.screen(t) for t in texts]


_fragments = st.sampled_from(
    [
        "傻逼",
        "傻 逼",
        "煞笔",
        "SB",
        "f**k",
        "老賴",
        "坐牢",
        "警察上门",
        "爆你通讯录",
        "欠款500元",
        "，",
        "。",
        " ",
        "\u200b",
        "nmsl",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(_fragments, st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=5)),
        max_size=10,
    ).map("".join)
)
def test_every_span_points_at_the_original_text(text: str) -> None:
    result = default_screener().screen(text)
    for span in result.spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start : span.end] == span.match
        assert span.label in result.labels

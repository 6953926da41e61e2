from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.screening.normalize import normalize


def _find(text: str, needle: str) -> str:
    """The original text behind the first occurrence of `needle` in the normalised text."""
    norm = normalize(text)
    at = norm.text.index(needle)
    start, end = norm.span(at, at + len(needle))
    return text[start:end]


def test_traditional_to_simplified_keeps_offsets() -> None:
    norm = normalize("還錢！廢物")
    assert norm.text == "还钱!废物"
    assert _find("還錢！廢物", "废物") == "廢物"


def test_full_width_and_case() -> None:
    assert normalize("ＳＢ还钱").text.startswith("傻逼")
    assert normalize("DeadBeat").text == "deadbeat"
    assert _find("你个ＳＢ", "傻逼") == "ＳＢ"


def test_separators_between_characters_are_dropped() -> None:
    for disguised in ("傻 逼", "傻*逼", "傻.逼", "傻\u200b逼", "傻-_-逼"):
        assert "傻逼" in normalize(f"你个{disguised}").text, disguised
        assert _find(f"你个{disguised}", "傻逼") == disguised


def test_homophones_and_pinyin_initials() -> None:
    assert "傻逼" in normalize("煞笔快还钱").text
    assert "你妈" in normalize("尼玛的").text
    assert "你妈死了" in normalize("nmsl").text
    assert _find("你真是 sb 一个", "傻逼") == "sb"


def test_pinyin_initials_only_as_whole_tokens() -> None:
    assert "傻逼" not in normalize("usb cable").text
    assert "傻逼" not in normalize("sbc").text


def test_leetspeak_and_masking() -> None:
    assert normalize("sh1t").text == "shit"
    assert normalize("you l0ser").text == "you loser"
    assert "fuck" in normalize("f**k off").text
    assert "fucking" in normalize("f***ing deadbeat").text
    assert "fuck" in normalize("f u c k you").text
    assert _find("f**k off", "fuck") == "f**k"


def test_amounts_are_not_leetspeak() -> None:
    assert normalize("pay $500 by 5pm").text == "pay $500 by 5pm"
    assert normalize("欠款10000元").text == "欠款10000元"


def test_repeated_characters_collapse() -> None:
    assert normalize("滚滚滚滚").text == "滚"
    assert normalize("fuuuuuck").text == "fuck"
    assert _find("滚滚滚滚!", "滚") == "滚滚滚滚"


def test_mixed_scripts_cyrillic_homoglyphs() -> None:
    assert normalize("ѕhіt").text == "shit"


def test_control_characters_removed() -> None:
    assert normalize("傻\x00逼\x07").text == "傻逼"


def test_empty() -> None:
    norm = normalize("")
    assert norm.text == "" and norm.starts == () and norm.span(0, 0) == (0, 0)


_pieces = st.sampled_from(
    [
        "傻逼",
        "傻 逼",
        "煞笔",
        "sb",
        "SB",
        "ｓｂ",
        "f**k",
        "sh1t",
        "還錢",
        " ",
        "*",
        "。",
        "，",
        "!!!",
        "滚滚滚",
        "nmsl",
        "\u200b",
        "a",
        "1",
        "欠款500元",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=6)), max_size=12).map("".join))
def test_offset_map_always_indexes_the_original(text: str) -> None:
    norm = normalize(text)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    for i, (s, e) in enumerate(zip(norm.starts, norm.ends, strict=True)):
        assert 0 <= s < e <= len(text), (i, s, e)
    assert list(norm.starts) == sorted(norm.starts)
    for a in range(len(norm.text)):
        for b in range(a + 1, min(len(norm.text), a + 4) + 1):
            s, e = norm.span(a, b)
            assert 0 <= s < e <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40))
def test_any_code_point_including_lone_surrogates(text: str) -> None:
    norm = normalize(text)
    assert len(norm.starts) == len(norm.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(norm.starts, norm.ends, strict=True))

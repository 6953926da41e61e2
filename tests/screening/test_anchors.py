"""The regex prefilter may only skip work: with or without it the matcher finds the same hits."""

from __future__ import annotations

import random

import pytest
import regex

from faircollect.screening.anchors import Prefilter, _kept, alternatives, requirements
from faircollect.screening.corpus_data import load_corpus
from faircollect.screening.matcher import Matcher, default_matcher
from faircollect.screening.normalize import normalize


def test_requirements_of_simple_patterns() -> None:
    assert requirements("abc") == (frozenset({"abc"}),)
    assert requirements("(?:坐牢|判刑)") == (frozenset({"坐牢", "判刑"}),)
    assert requirements(r"\b(?:x|y)?z+") == (frozenset({"z"}),)
    assert set(requirements(r"\bwe\s+know")) == {frozenset({"we"}), frozenset({"know"})}
    assert requirements(r"(?:a|.)b?") == ()
    assert requirements(r"[^\p{Han}a-z]滚") == (frozenset({"滚"}),)


def test_adjacent_parts_of_few_strings_make_one_clause() -> None:
    """Literals, small classes and alternations, optional parts and zero-width assertions side by side:
    a match holds one of their concatenations."""
    assert requirements("(?:知道|清楚)(?:了)?(?:你|您)") == (
        frozenset({"知道你", "知道您", "知道了你", "知道了您", "清楚你", "清楚您", "清楚了你", "清楚了您"}),
    )
    # an optional prefix adds nothing: each concatenation ends with one without it
    assert requirements("(?:我们|我)?知道") == (frozenset({"知道"}),)
    # nor does an optional suffix (a string holding another of its clause is dropped)
    assert requirements("知道(?:了)?") == (frozenset({"知道"}),)
    assert requirements(r"\bsb(?![a-z])\b") == (frozenset({"sb"}),)  # assertions consume nothing
    # parts that are not a few strings end the run; the parts after them start a new one
    assert requirements(r"(?:打|发)[^。]{0,3}(?:家|朋)人") == (
        frozenset({"打", "发"}),
        frozenset({"家人", "朋人"}),
    )
    assert requirements(r"ab\s+c?d") == (frozenset({"ab"}), frozenset({"d"}))
    # too many concatenations (more than 64): the run ends before the part that would make them
    chars = [chr(0x4E00 + k) for k in range(8)]
    pairs = frozenset(a + b for a in chars for b in chars)
    assert requirements(f"[{''.join(chars)}]" * 3) == (pairs, frozenset(chars))


def test_alternatives_of_a_top_level_alternation() -> None:
    assert alternatives("abc") == ((frozenset({"abc"}),),)
    assert alternatives("去过了|等着瞧") == ((frozenset({"去过了"}),), (frozenset({"等着瞧"}),))
    assert alternatives(r"(?:你|您)滚|\d+") == ((frozenset({"你滚", "您滚"}),), ())
    # sharper than the unions of `requirements`: 去过…瞧 meets those, no branch
    assert Prefilter(["去过.*你家|等着.*瞧"]).candidates("去过瞧") == []
    assert Prefilter(["去过.*你家|等着.*瞧"], enabled=False).candidates("去过瞧") == [0]
    # not one alternation at the top: the pattern's own requirements
    assert alternatives(r"x(?:ab|cd)") == (requirements(r"x(?:ab|cd)"),)
    assert alternatives(r"(?i)ab|cd") == ((),)


def test_common_clauses_are_kept_only_when_nothing_else_is() -> None:
    """A clause that one ASCII letter or digit satisfies is dropped beside a rarer one, kept alone; a clause
    of blanks is never kept."""
    common, rare = frozenset({"e", "我"}), frozenset({"*", "#"})
    assert _kept([common, rare]) == [rare]
    assert _kept([common]) == [common]
    assert _kept([frozenset({" "})]) == []
    assert _kept([frozenset({"ab"}), frozenset({"5"})]) == [frozenset({"ab"})]


_PATTERNS = [
    "去过了|等着瞧",
    r"(?:你|您)(?:滚|死)|滚蛋",
    r"we\s+know|or else",
    r"\d+",  # no requirement: always a candidate
    "ab(?:c|d)e",
    r"(?:打|发)[^。]{0,3}(?:家人|朋友)|曝光",
    "x|y|z",
    r"(?i)abc",
    r"e[*#]+|k\d元",  # common clauses e and [0-9] dropped beside * / # and 元
]
_PIECES = ["去过", "了", "等着", "瞧", "你", "您", "滚", "死", "蛋", "we", " ", "know", "or", "else", "12", "ab",
           "c", "d", "e", "打", "发", "。", "家人", "朋友", "曝光", "x", "y", "z", "ABC", "*", "#", "k", "元"]  # fmt: skip


def _skipped_on_random_texts(
    patterns: list[str], pieces: list[str], seed: int, rounds: int, most: int
) -> int:
    """Random texts of up to `most` pieces: each pattern that matches one is among its candidates, which
    come ascending, each once. Returns how many times a pattern was skipped."""
    prefilter = Prefilter(patterns)
    compiled = [regex.compile(p) for p in patterns]
    rng = random.Random(seed)
    skipped = 0
    for _ in range(rounds):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, most)))
        found = prefilter.candidates(text)
        assert found == sorted(set(found))
        for index, pattern in enumerate(compiled):
            if pattern.search(text):
                assert index in found, (text, patterns[index])
        skipped += len(patterns) - len(found)
    return skipped


def test_prefilter_keeps_every_pattern_that_matches() -> None:
    """A pattern none of whose alternatives has its anchors is skipped; none that matches is."""
    assert _skipped_on_random_texts(_PATTERNS, _PIECES, seed=7, rounds=3000, most=8) > 0
    assert Prefilter(_PATTERNS).candidates("去过了") == [0, 3, 7]
    assert Prefilter(_PATTERNS).candidates("#") == [3, 7, 8]
    assert Prefilter(_PATTERNS).candidates("你好") == [3, 7]  # 你 alone holds no alternative of 1
    assert Prefilter(_PATTERNS, enabled=False).candidates("") == list(range(len(_PATTERNS)))


def test_grouped_candidates_are_the_candidates_split_by_group() -> None:
    sizes = (3, 1, 5)
    whole, grouped = Prefilter(_PATTERNS), Prefilter(_PATTERNS, groups=sizes)
    rng = random.Random(11)
    for _ in range(1000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8)))
        found = whole.candidates(text)
        assert grouped.grouped(text) == [
            [k - 0 for k in found if k < 3],
            [k - 3 for k in found if 3 <= k < 4],
            [k - 4 for k in found if k >= 4],
        ]
    assert Prefilter(_PATTERNS).grouped("去过了") == [Prefilter(_PATTERNS).candidates("去过了")]
    with pytest.raises(ValueError):
        Prefilter(_PATTERNS, groups=(1, 2))


def _hits(m: Matcher, text: str) -> list[tuple[str, int, int, str]]:
    return sorted((h.label, h.start, h.end, h.rule) for h in m.raw_hits(normalize(text).text))


def test_prefilter_changes_nothing_on_the_corpus() -> None:
    fast = default_matcher()
    slow = default_matcher.__wrapped__(prefilter=False)
    for record in load_corpus(strict=False)[::3]:
        assert _hits(fast, record.text) == _hits(slow, record.text), record.source


_RUN_PATTERNS = [
    r"(?:我们|我)?(?:知道|清楚)(?:了)?(?:你|您)(?:的)?(?:家|公司)",
    r"(?<![a-z])s\.?b(?![a-z])",
    r"(?:打|发)(?:给)?[^。]{0,3}(?:家人|朋友)",
    r"\bor\s+else\b|(?>等着)(?:吧|瞧)",
]
_RUN_PIECES = ["我们", "我", "知道", "清楚", "了", "你", "您", "的", "家", "公司", "s", "b", ".", "x", "打", "发",
               "给", "。", "家人", "朋友", "or", " ", "else", "等着", "吧", "瞧"]  # fmt: skip


def test_prefilter_with_runs_keeps_every_pattern_that_matches() -> None:
    """Patterns whose clauses are runs (optional parts, assertions, atomic groups): the same."""
    assert _skipped_on_random_texts(_RUN_PATTERNS, _RUN_PIECES, seed=3, rounds=5000, most=10) > 0
    assert Prefilter(_RUN_PATTERNS).candidates("我们知道在哪，你家") == []  # 知道 and 你 there, not 知道你

"""The regex prefilter may only skip work: with or without it the matcher finds the same hits."""

from __future__ import annotations

from faircollect.screening.anchors import requirements
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


def _hits(m: Matcher, text: str) -> list[tuple[str, int, int, str]]:
    return sorted((h.label, h.start, h.end, h.rule) for h in m.raw_hits(normalize(text).text))


def test_prefilter_changes_nothing_on_the_corpus() -> None:
    fast = default_matcher()
    slow = default_matcher.__wrapped__(prefilter=False)
    for record in load_corpus(strict=False)[::3]:
        assert _hits(fast, record.text) == _hits(slow, record.text), record.source

"""The screening fast paths give exactly what the slow ones give (proposed: tests/screening/test_fast_paths.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.policy.screener import ScreenResult, Span
from faircollect.screening import matcher, ngrams, normalize
from faircollect.screening.anchors import requirements
from faircollect.screening.classifier import HEADS, pattern_features
from faircollect.screening.corpus_data import load_corpus
from faircollect.screening.matcher import Hit
from faircollect.screening.screener import (
    Analysis,
    DefaultScreener,
    _clauses,
    _rounded,
    _unedited,
    analyse,
    default_screener,
)


def test_cheap_checks_cover_the_exact_patterns_on_every_code_point() -> None:
    """The stdlib-`re` prefilters must find whatever the `regex` patterns find (a `regex` upgrade with a new
    Unicode version could break that)."""
    han = regex.compile(r"\p{Han}")
    sep = regex.compile(normalize._SEP)
    for cp in range(0x110000):
        ch = chr(cp)
        if han.match(ch):
            assert normalize._MAY_HAN_SEP.match(ch + " \u4e00"), hex(cp)
            assert normalize._MAY_HAN_SEP.match("\u4e00 " + ch), hex(cp)
            assert matcher._MAY_MIX.search(ch + "a") and matcher._MAY_MIX.search("a" + ch), hex(cp)
        if sep.match(ch):
            assert normalize._MAY_HAN_SEP.match("\u4e00" + ch + "\u4e00"), hex(cp)
        if normalize._DROP.match(ch):
            assert normalize._MAY_DROP.search(ch), hex(cp)


_texts = st.text(
    alphabet=st.sampled_from([*"傻逼還錢欠款你您 *.-_sbfuck1!@$3ＳＢ，。\u200b\x00aeiouxyz滚滚\n", "\ud800"]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=8))
def test_batch_normalisation_equals_one_by_one(texts: list[str]) -> None:
    batch = [
        (text, tuple(starts), tuple(ends)) for text, starts, ends in normalize.normalize_parts_many(texts)
    ]
    assert batch == [(n.text, n.starts, n.ends) for n in map(normalize.normalize, texts)]


def test_vectorised_rounding_equals_round() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [
            rng.random(200_000),
            (np.arange(0, 20_001) + 0.5) / 2e4,
            1 / (1 + np.exp(-rng.normal(0, 8, 100_000))),
        ]
    ).reshape(-1, 1)
    assert [row[0] for row in _rounded(values)] == [round(v, 4) for v in values[:, 0].tolist()]


def test_hashed_ngram_counts_equal_dictionary_counts() -> None:
    ngrams = default_screener().model.vectorizer
    texts = [normalize.normalize(r.text).text for r in load_corpus(strict=False)] + ["", "x", "  \t  "]
    for i in range(0, len(texts), 500):
        fast = ngrams.counts(texts[i : i + 500])  # type: ignore[attr-defined]
        slow = ngrams.counts(texts[i : i + 500], exact_by_dict=True)  # type: ignore[attr-defined]
        assert all(np.array_equal(a, b) for a, b in zip(fast, slow, strict=True))


def test_requirements_hold_for_every_match_on_the_corpus() -> None:
    """Each clause a rule requires has an anchor inside every match of the rule."""
    m = matcher.default_matcher()
    texts = [normalize.normalize(r.text).text for r in load_corpus(strict=False)]
    for _label, rule_id, pattern in m._rules:
        clauses = requirements(pattern.pattern)
        for text in texts:
            for found in pattern.finditer(text):
                for clause in clauses:
                    assert any(a in found.group(0) for a in clause), (rule_id, found.group(0), sorted(clause))


_mixed = st.text(
    alphabet=st.sampled_from(
        [
            *"傻逼還錢欠款你您 *.-_sbfuck1!@$3ＳＢ，。\u200b\x00\x1eaeiouxyz滚滚\n5l0ser",
            "\ud800",
            "😀",
            "啊",
        ]
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_mixed, min_size=1, max_size=8))
def test_batch_parts_equal_one_by_one(texts: list[str]) -> None:
    """The batch-wide cheap checks (surrogates, invisible characters, runs) change nothing."""
    parts = normalize.normalize_parts_many(texts)
    for text, (norm_text, starts, ends) in zip(texts, parts, strict=True):
        norm = normalize.normalize(text)
        assert (norm_text, tuple(starts), tuple(ends)) == (norm.text, norm.starts, norm.ends)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab z0159@$!*#中 \n"]), max_size=12))
def test_leet_hint_equals_the_exact_pattern(text: str) -> None:
    assert bool(normalize._RE_LEET_HINT.search(text)) == bool(normalize._LEET_HINT.search(text))


def _corpus_texts() -> list[str]:
    extra = ["", " ", "傻 逼\u200b欠钱", "sha逼 老lai", "你这个骗子。我们知道你住哪！警察明天上门。"]
    return [*(r.text for r in load_corpus(strict=False)), *extra]


def test_screener_scans_equal_the_public_analysis() -> None:
    """The screener's tuple path finds what analyse() finds, and its feature rows are pattern_features'."""
    s = default_screener()
    texts = _corpus_texts()
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        scans = s._scan_many(chunk)
        for text, scan in zip(chunk, scans, strict=True):
            a = analyse(s.matcher, text)
            norm_text, starts, ends, hits, debt, context = scan
            assert (norm_text, tuple(starts), tuple(ends)) == (a.norm.text, a.norm.starts, a.norm.ends)
            assert [Hit(*h) for h in hits] == list(a.hits)
            assert (debt, context) == (a.debt_cues, a.context)
        expected = [
            pattern_features(a.hits, a.debt_cues, s.model.context_ids, a.context) for a in analyses(chunk)
        ]
        assert np.array_equal(s._features(scans), np.array(expected))


def analyses(texts: list[str]) -> list[Analysis]:
    return [analyse(default_screener().matcher, text) for text in texts]


def test_clause_spans_equal_scoring_every_clause() -> None:
    """The clause spans equal those of scoring every clause, one text at a time (no one-clause shortcut)."""
    s = default_screener()
    texts = [t for t in _corpus_texts() if len(t) <= 2000]
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        scans = s._scan_many(chunk)
        bare, _ = s._results(chunk, scans, *s._scan_scores(scans))
        expected = [_every_clause_scored(s, text, res) for text, res in zip(chunk, bare, strict=True)]
        assert s.screen_many(chunk) == expected


def _every_clause_scored(s: DefaultScreener, text: str, res: ScreenResult) -> ScreenResult:
    missing = [label for label in res.labels if label not in {span.label for span in res.spans}]
    clauses = _clauses(text)
    if not missing or not clauses:
        return res
    scores = s._scan_scores(s._scan_many([text[a:b] for a, b in clauses]))[0]
    extra = []
    for label in missing:
        start, end = clauses[int(np.argmax(scores[:, HEADS.index(label)]))]
        extra.append(Span(start, end, label, text[start:end]))
    spans = sorted([*res.spans, *extra], key=lambda x: (x.start, x.end, x.label))
    return dataclasses.replace(res, spans=tuple(spans))


_cased = st.text(
    alphabet=st.sampled_from([*"ΣσςΑİIiAaＡｂ\u3000 \t\n\x00\x1e傻還.", "\u0345", "\u00ad"]), max_size=12
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_cased, min_size=0, max_size=6))
def test_width_and_case_of_a_joined_batch_equal_one_by_one(texts: list[str]) -> None:
    """One _width and one lower() for the joined batch: the same as text by text, final sigmas included."""
    assert normalize._narrow_lower_many(texts) == list(map(normalize._narrow_lower, texts))
    assert normalize._narrow_lower_many(["ΑΣ", "Σ", "ΣΑ", "aΣ\u0345"]) == [
        "aς",
        "σ",
        "σa",
        "aς\u0345",
    ]  # Α → a


@settings(max_examples=500, deadline=None)
@given(st.lists(_cased, min_size=0, max_size=6))
def test_ngram_preparation_of_a_joined_batch_equals_one_by_one(texts: list[str]) -> None:
    joined = ngrams._prepared_joined(texts)
    if any("\0" in text for text in texts) or not texts:
        assert joined is None
    else:
        assert joined == "\0".join(map(ngrams._prepared, texts))


def test_radix_sort_equals_numpy_sort() -> None:
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 1000, 100_000):
        cells = rng.integers(0, 2**31, size).astype(np.int32)
        cells[: size // 3] %= 70_000  # many equal high halves
        assert np.array_equal(ngrams._sorted(cells), np.sort(cells))
    edge = np.array([2**31 - 1, 0, 65_535, 65_536, 1, 2**16 * 3 + 7, 2**16 * 3], dtype=np.int32)
    assert np.array_equal(ngrams._sorted(edge), np.sort(edge))


def test_identity_offset_map_is_recognised() -> None:
    _, starts, ends = normalize.normalize_parts_many(["你好 hello"])[0]
    assert _unedited(starts, ends)
    _, starts, ends = normalize.normalize_parts_many(["傻 逼\u200b欠钱"])[0]
    assert not _unedited(starts, ends)
    assert not _unedited([0, 1], [1, 2])
    assert not _unedited(range(1, 3), range(2, 4))

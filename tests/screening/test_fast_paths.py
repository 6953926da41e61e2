"""The screening fast paths give exactly what the slow ones give (proposed: tests/screening/test_fast_paths.py)."""

from __future__ import annotations

import numpy as np
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.screening import matcher, normalize
from faircollect.screening.anchors import requirements
from faircollect.screening.corpus_data import load_corpus
from faircollect.screening.screener import _rounded, default_screener


def test_cheap_checks_cover_the_exact_patterns_on_every_code_point() -> None:
    """The stdlib-`re` prefilters must find whatever the `regex` patterns find (a `regex` upgrade with a new
    Unicode version could break that)."""
    han = regex.compile(r"\p{Han}")
    sep = regex.compile(normalize._SEP)
    for cp in range(0x110000):
        ch = chr(cp)
        if han.match(ch):
            assert normalize._MAY_HAN_SEP.match(ch + " "), hex(cp)
            assert matcher._MAY_MIX.match(ch + "a") and matcher._MAY_MIX.match("a" + ch), hex(cp)
        if sep.match(ch):
            assert normalize._MAY_HAN_SEP.match("\u4e00" + ch), hex(cp)
        if normalize._DROP.match(ch):
            assert normalize._MAY_DROP.search(ch), hex(cp)


_texts = st.text(
    alphabet=st.sampled_from([*"傻逼還錢欠款你您 *.-_sbfuck1!@$3ＳＢ，。\u200b\x00aeiouxyz滚滚\n", "\ud800"]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=8))
def test_batch_normalisation_equals_one_by_one(texts: list[str]) -> None:
    assert normalize.normalize_many(texts) == [normalize.normalize(t) for t in texts]


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

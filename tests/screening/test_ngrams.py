"""The shipped n-gram transform gives scikit-learn's TF-IDF exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.screening.classifier import make_vectorizer
from faircollect.screening.ngrams import CharNgrams

_TRAIN = [
    "您好，您本期应还1,250元，请按时还款。",
    "你个傻逼，快还钱！！",
    "We know where you live.   Pay   today.",
    "Your payment of $240.00 is due on May 3.",
    "再不还钱警察就上门抓你",
    "ΣΊΣΥΦΟΣ İstanbul ﬁ",
]


def _pair() -> tuple[object, CharNgrams]:
    sk = make_vectorizer().set_params(min_df=1).fit(_TRAIN)
    return sk, CharNgrams.from_sklearn(sk)


def test_same_as_scikit_learn_on_known_texts() -> None:
    sk, ours = _pair()
    texts = [*_TRAIN, "", "x", "还钱 还钱\t\t还钱", "NEW words 新词"]
    expected = sk.transform(texts).toarray()  # type: ignore[attr-defined]
    assert np.allclose(ours.transform(texts).toarray(), expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_same_as_scikit_learn_on_any_text(texts: list[str]) -> None:
    sk, ours = _pair()
    assert np.allclose(ours.transform(texts).toarray(), sk.transform(texts).toarray())  # type: ignore[attr-defined]

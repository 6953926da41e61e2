"""The shipped model: it loads, its metadata is complete, and it was trained on the shipped corpus."""

from __future__ import annotations

from faircollect.policy.screener import LABELS
from faircollect.screening.classifier import HEADS, STACKED
from faircollect.screening.corpus_data import corpus_sha256
from faircollect.screening.screener import load_model, model_meta


def test_model_loads_with_complete_thresholds() -> None:
    model = load_model()
    th = model.thresholds
    assert model.coef.shape[1] == len(HEADS)
    assert model.nb_coef is not None and model.nb_coef.shape == (model.coef.shape[0], len(STACKED))
    assert model.stack is not None and model.stack.coef.shape[1] == len(STACKED)
    assert model.label_coef is not None and model.label_coef.shape == (model.coef.shape[0], 2 * len(LABELS))
    assert model.label_intercept is not None and model.label_intercept.shape == (2 * len(LABELS),)
    assert set(th.label) == set(LABELS)
    assert 0.0 < th.review <= th.block <= th.free < 1.0
    assert th.review <= th.review_free <= th.free
    assert 0.0 < th.debt < 1.0
    assert all(0.0 < t < 1.0 for t in th.label.values())


def test_model_matches_the_shipped_corpus() -> None:
    meta = model_meta()
    assert meta["corpus_sha256"] == corpus_sha256()
    assert meta["version"] and meta["trained_at"]
    assert meta["n_test"] >= 0.2 * (meta["n_train"] + meta["n_test"])

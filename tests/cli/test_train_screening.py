"""`make train` reproduces the shipped screening model from the shipped corpus (fixed seed)."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np

from faircollect.cli.train_screening import MODEL_DIR, main
from faircollect.screening.screener import META_FILE, MODEL_FILE


def test_training_reproduces_the_shipped_model(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--out", str(tmp_path)]) == 0
    assert "trained on" in capsys.readouterr().out
    fresh, shipped = joblib.load(tmp_path / MODEL_FILE), joblib.load(MODEL_DIR / MODEL_FILE)
    assert fresh["ngrams"]["vocabulary"] == shipped["ngrams"]["vocabulary"]
    assert np.array_equal(fresh["ngrams"]["idf"], shipped["ngrams"]["idf"])
    # lbfgs stops at its tolerance, so the last digits depend on the BLAS build; figures below must not
    assert np.allclose(fresh["coef"], shipped["coef"], rtol=1e-3, atol=1e-2)
    assert np.allclose(fresh["intercept"], shipped["intercept"], rtol=1e-3, atol=1e-2)
    assert fresh["thresholds"] == shipped["thresholds"]
    meta = json.loads((tmp_path / META_FILE).read_text("utf-8"))
    shipped_meta = json.loads((MODEL_DIR / META_FILE).read_text("utf-8"))
    volatile = {"trained_at", "sklearn", "scikit_learn"}
    assert {k: v for k, v in meta.items() if k not in volatile} == {
        k: v for k, v in shipped_meta.items() if k not in volatile
    }

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
    assert np.array_equal(fresh["coef"], shipped["coef"])
    assert fresh["thresholds"] == shipped["thresholds"]
    meta = json.loads((tmp_path / META_FILE).read_text("utf-8"))
    shipped_meta = json.loads((MODEL_DIR / META_FILE).read_text("utf-8"))
    assert {k: v for k, v in meta.items() if k != "trained_at"} == {
        k: v for k, v in shipped_meta.items() if k != "trained_at"
    }

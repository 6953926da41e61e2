"""Train the shipped screening model: `python -m faircollect.cli.train_screening` (what `make train` runs).

The training itself is pure (faircollect.screening.train): it reads the corpus shipped in the package, keeps
the TRAIN split only, chooses thresholds and the uncertain band by 5-fold cross-validation on it and fits
with a fixed seed. This shell writes model/screening.joblib and model/screening.json and prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib

import faircollect.screening
from faircollect.policy.screener import LABELS
from faircollect.screening.classifier import LinearModel
from faircollect.screening.corpus_data import CorpusError, corpus_bytes, load_corpus, split
from faircollect.screening.matcher import default_matcher
from faircollect.screening.screener import META_FILE, MODEL_FILE
from faircollect.screening.train import metadata, payload, train

MODEL_DIR = Path(faircollect.screening.__file__).resolve().parent / "model"


def save(model: LinearModel, out_dir: Path, meta: dict[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(payload(model), out_dir / MODEL_FILE, compress=3)
    (out_dir / META_FILE).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faircollect.cli.train_screening", description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument(
        "--lenient", action="store_true", help="skip bad corpus lines (while files are being written)"
    )
    args = parser.parse_args(argv)
    files = corpus_bytes()
    try:
        records = load_corpus(files, strict=not args.lenient)
    except CorpusError as exc:
        print(f"corpus/{exc}", file=sys.stderr)
        return 2
    train_records, test_records = split(records)
    model, cv = train(train_records, default_matcher())
    trained_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    save(model, args.out, metadata(model, cv, files, len(train_records), len(test_records), trained_at))
    _report(model, cv, len(train_records), len(test_records), args.out)
    return 0


def _report(model: LinearModel, cv: dict[str, Any], n_train: int, n_test: int, out: Path) -> None:
    print(f"trained on {n_train} records ({n_test} held out); wrote {out}")
    for label in LABELS:
        f = cv[label]
        print(
            f"  {label:26s} cv P={f['precision']:.3f} R={f['recall']:.3f} F1={f['f1']:.3f} n={f['support']:4d}"
            f"  label≥{model.thresholds.label[label]:.2f}"
        )
    th = model.thresholds
    print(
        f"  violation: block≥{th.block:.2f} (pattern) / {th.free:.2f} (none); review≥{th.review:.2f} / {th.review_free:.2f}"
    )
    keys = ("macro_f1", "lawful_blocked", "lawful_reviewed", "violations_allowed", "debt_related_accuracy")
    print(f"  cv: { {k: cv[k] for k in keys} }")
    print(f"  trusted rules: {', '.join(th.trusted)}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Evaluation figures (pure): per-label precision/recall/F1, macro-F1, verdict shares, out-of-domain shares.

`faircollect screen-eval` reads the files and prints what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from faircollect.policy.screener import LABELS, ScreenResult
from faircollect.screening.corpus_data import Record


@dataclass(frozen=True, slots=True)
class LabelFigures:
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


def label_figures(
    gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
) -> dict[str, LabelFigures]:
    """Per label, over all messages. A label nobody has and nobody predicts scores 1.0 (nothing to miss)."""
    out: dict[str, LabelFigures] = {}
    for label in LABELS:
        tp = fp = fn = 0
        for g, p in zip(gold, predicted, strict=True):
            has, said = label in g, label in p
            tp += has and said
            fp += said and not has
            fn += has and not said
        precision = tp / (tp + fp) if tp + fp else 1.0 if not fn else 0.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = LabelFigures(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn, tp + fp)
    return out


def macro_f1(figures: dict[str, LabelFigures]) -> float:
    return round(sum(f.f1 for f in figures.values()) / len(figures), 4)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def corpus_report(records: Sequence[Record], results: Sequence[ScreenResult]) -> dict[str, Any]:
    """Figures on the project's own (test) split."""
    figures = label_figures([r.labels for r in records], [res.labels for res in results])
    lawful = [res for r, res in zip(records, results, strict=True) if not r.labels]
    violations = [res for r, res in zip(records, results, strict=True) if r.labels]
    debt_right = sum(r.debt_related == res.debt_related for r, res in zip(records, results, strict=True))
    exact = sum(set(r.labels) == set(res.labels) for r, res in zip(records, results, strict=True))
    return {
        "messages": len(records),
        "lawful": len(lawful),
        "violations": len(violations),
        "labels": {label: asdict(f) for label, f in figures.items()},
        "macro_f1": macro_f1(figures),
        "lawful_blocked": share(sum(res.verdict == "block" for res in lawful), len(lawful)),
        "lawful_reviewed": share(sum(res.verdict == "review" for res in lawful), len(lawful)),
        "violations_allowed": share(sum(res.verdict == "allow" for res in violations), len(violations)),
        "violations_reviewed": share(sum(res.verdict == "review" for res in violations), len(violations)),
        "exact_label_set": share(exact, len(records)),
        "debt_related_accuracy": share(debt_right, len(records)),
    }


def cold_report(
    fine_labels: Sequence[int], offensive: Sequence[int], results: Sequence[ScreenResult]
) -> dict[str, Any]:
    """COLD test split: fine-grained 1 = attacks an individual; offensive 0 = safe."""
    attacks = [res for f, res in zip(fine_labels, results, strict=True) if f == 1]
    safe = [res for o, res in zip(offensive, results, strict=True) if o == 0]
    return {
        "attacks_individual": len(attacks),
        "attacks_labelled_insult": share(sum("abuse.insult" in r.labels for r in attacks), len(attacks)),
        "attacks_flagged_any": share(sum(r.verdict != "allow" for r in attacks), len(attacks)),
        "safe": len(safe),
        "safe_given_label": share(sum(bool(r.labels) for r in safe), len(safe)),
        "safe_sent_to_review": share(sum(r.verdict == "review" for r in safe), len(safe)),
    }


def fraud_report(classes: Sequence[str], results: Sequence[ScreenResult]) -> dict[str, Any]:
    """Telecom fraud texts: class 01 impersonates police/courts; class 00 is ordinary SMS."""
    impostor = [res for c, res in zip(classes, results, strict=True) if c == "01"]
    normal = [res for c, res in zip(classes, results, strict=True) if c == "00"]
    flagged = sum(bool({"deception.legal", "threat.arrest"} & set(r.labels)) for r in impostor)
    return {
        "class01": len(impostor),
        "class01_legal_or_arrest": share(flagged, len(impostor)),
        "class01_flagged_any": share(sum(r.verdict != "allow" for r in impostor), len(impostor)),
        "class00": len(normal),
        "class00_given_label": share(sum(bool(r.labels) for r in normal), len(normal)),
        "class00_sent_to_review": share(sum(r.verdict == "review" for r in normal), len(normal)),
    }

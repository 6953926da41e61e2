"""Training of the shipped screening model, pure: the corpus records in, the model and its figures out.

Keeps the TRAIN split only (corpus_data.is_test), chooses the thresholds and the uncertain band by 5-fold
cross-validation on the train split and fits on all of it. Fixed seed: the same corpus gives the same
weights. Writing the model files is the shell's (`python -m faircollect.cli.train_screening`, `make train`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sklearn
from scipy.special import expit
from sklearn.model_selection import KFold

from faircollect.policy.screener import LABELS
from faircollect.screening.classifier import (
    CLASS_WEIGHT,
    HEADS,
    SEED,
    STACKED,
    FloatArray,
    LinearModel,
    Stack,
    Thresholds,
    choose_thresholds,
    decide,
    design,
    fit_heads,
    fit_label_heads,
    fit_nb_heads,
    fit_vectorizer,
    in_review_band,
    label_choice,
    pattern_features,
    stack_inputs,
    targets,
    trusted_mask,
    trusted_rules,
)
from faircollect.screening.corpus_data import (
    Record,
    corpus_sha256,
)
from faircollect.screening.matcher import Hit, Matcher
from faircollect.screening.ngrams import CharNgrams
from faircollect.screening.screener import analyse

MODEL_VERSION = "3"
FOLDS = 5


@dataclass
class Inputs:
    """What the classifier sees, and what the decision uses, for each message."""

    texts: list[str]
    dense: list[list[float]]
    fired: npt.NDArray[np.bool_]  # per message and label: an unsuppressed pattern hit
    covered: npt.NDArray[np.bool_]  # a notice about scams or a news report is in the message
    evidence: npt.NDArray[np.bool_]  # any pattern hit (even suppressed) or a debt cue
    hits: list[tuple[Hit, ...]]

    def trusted_labels(self, trusted: Sequence[str], rows: Sequence[int]) -> npt.NDArray[np.bool_]:
        """Per message of `rows` and per label: did one of the `trusted` rules fire?"""
        keys = frozenset(trusted)  # once, not per message
        masks = [trusted_mask(self.hits[i], keys) for i in rows]
        return np.array(masks, dtype=bool).reshape(-1, len(LABELS))


def inputs(matcher: Matcher, texts: Sequence[str]) -> Inputs:
    n = len(texts)
    out = Inputs([], [], np.zeros((n, len(LABELS)), bool), np.zeros(n, bool), np.zeros(n, bool), [])
    context_ids = matcher.context_rule_ids()
    for i, text in enumerate(texts):
        a = analyse(matcher, text)
        out.texts.append(a.norm.text)
        out.dense.append(pattern_features(a.hits, a.debt_cues, context_ids, a.context))
        for h in a.hits:
            if h.suppressed_by is None:
                out.fired[i, LABELS.index(h.label)] = True
        out.covered[i] = bool(matcher.message_rule_labels(a.context))
        out.evidence[i] = bool(a.hits) or a.debt_cues > 0
        out.hits.append(a.hits)
    return out


def train(records: Sequence[Record], matcher: Matcher) -> tuple[LinearModel, dict[str, Any]]:
    """Fit on `records` (the train split); returns the model and cross-validation figures.

    Both first stages and the label heads are fitted in each of the 5 folds; the first stages' out-of-fold
    logits train the second stage (whose own out-of-fold scores, cross-fitted over the same folds, choose
    the thresholds, with the label heads' out-of-fold choice scores for the label thresholds). The trusted
    rules are chosen inside each fold too, so the out-of-fold figures (and the block threshold chosen from
    them) count what a rule trusted on luck costs on messages it was not chosen on."""
    data = inputs(matcher, [r.text for r in records])
    texts, dense = data.texts, data.dense
    dense_array = np.asarray(dense, dtype=np.float64)
    gold = [r.labels for r in records]
    y = targets(gold, [r.debt_related for r in records])
    z_plain = np.zeros(y.shape)
    z_nb = np.zeros((len(records), len(STACKED)))
    z_labels = np.zeros((len(records), 2 * len(LABELS)))
    oof_trusted = np.zeros((len(records), len(LABELS)), dtype=bool)
    folds = list(KFold(FOLDS, shuffle=True, random_state=SEED).split(texts))
    for fit_idx, val_idx in folds:
        vec = fit_vectorizer([texts[i] for i in fit_idx])
        x_fit = design(vec, [texts[i] for i in fit_idx], [dense[i] for i in fit_idx])
        x_val = design(vec, [texts[i] for i in val_idx], [dense[i] for i in val_idx])
        coef, intercept = fit_heads(x_fit, y[fit_idx])
        z_plain[val_idx] = logits(x_val, coef, intercept)
        coef, intercept = fit_nb_heads(x_fit, y[fit_idx], dense_array.shape[1])
        z_nb[val_idx] = logits(x_val, coef, intercept)
        coef, intercept = fit_label_heads(x_fit, y[fit_idx], dense_array.shape[1])
        z_labels[val_idx] = logits(x_val, coef, intercept)
        fold_trusted = trusted_rules([data.hits[i] for i in fit_idx], [gold[i] for i in fit_idx])
        oof_trusted[val_idx] = data.trusted_labels(fold_trusted, val_idx)
    second = stack_inputs(z_plain, z_nb, dense_array)
    oof = np.hstack([expit(z_plain), label_choice(z_labels)])
    for fit_idx, val_idx in folds:
        oof[np.ix_(val_idx, STACKED)] = Stack.fit(second[fit_idx], y[fit_idx]).apply(second[val_idx])
    thresholds = choose_thresholds(y, oof, data.fired, data.covered, data.evidence, oof_trusted)
    thresholds.trusted = trusted_rules(data.hits, gold)
    vec = fit_vectorizer(texts)
    x = design(vec, texts, dense)
    coef, intercept = fit_heads(x, y)
    nb_coef, nb_intercept = fit_nb_heads(x, y, dense_array.shape[1])
    label_coef, label_intercept = fit_label_heads(x, y, dense_array.shape[1])
    model = LinearModel(
        CharNgrams.from_sklearn(vec),
        coef,
        intercept,
        matcher.context_rule_ids(),
        thresholds,
        nb_coef=nb_coef,
        nb_intercept=nb_intercept,
        stack=Stack.fit(second, y),
        label_coef=label_coef,
        label_intercept=label_intercept,
    )
    return model, cv_figures(y, oof, data, thresholds, oof_trusted)


def logits(x: Any, coef: FloatArray, intercept: FloatArray) -> FloatArray:
    z: FloatArray = np.asarray(x @ coef) + intercept
    return z


def cv_figures(
    y: npt.NDArray[np.int_], oof: FloatArray, data: Inputs, th: Thresholds, trusted: npt.NDArray[np.bool_]
) -> dict[str, Any]:
    """The decision applied to the out-of-fold scores (`trusted`: the labels of the rules each message's
    fold trusted): per-label figures and verdict shares."""
    v = oof[:, HEADS.index("violation")]
    labels = decide(oof, data.fired, data.covered, trusted, th)
    blocked = np.asarray(labels.any(axis=1), dtype=bool)
    cv: dict[str, Any] = {}
    for j, label in enumerate(LABELS):
        pred, truth = labels[:, j], y[:, j].astype(bool)
        tp = int(np.sum(pred & truth))
        cv[label] = {
            "precision": round(tp / max(int(pred.sum()), 1), 4),
            "recall": round(tp / max(int(truth.sum()), 1), 4),
            "f1": round(2 * tp / max(int(pred.sum()) + int(truth.sum()), 1), 4),
            "support": int(truth.sum()),
        }
    violation = y[:, HEADS.index("violation")].astype(bool)
    flagged = in_review_band(v, data.evidence, th)
    cv["macro_f1"] = round(sum(cv[label]["f1"] for label in LABELS) / len(LABELS), 4)
    cv["lawful_blocked"] = round(float(np.mean(blocked[~violation])), 4)
    cv["lawful_reviewed"] = round(float(np.mean((flagged & ~blocked)[~violation])), 4)
    cv["violations_allowed"] = round(float(np.mean(~(blocked | flagged)[violation])), 4)
    debt = oof[:, HEADS.index("debt_related")] >= th.debt
    cv["debt_related_accuracy"] = round(
        float(np.mean(debt == y[:, HEADS.index("debt_related")].astype(bool))), 4
    )
    return cv


def payload(model: LinearModel) -> dict[str, Any]:
    """The shipped model as plain data (dicts, lists, numpy arrays): loading it does not depend on the
    scikit-learn version. The n-gram weights are kept in float32 (half the file; scores move by ~1e-7)."""
    if not isinstance(model.vectorizer, CharNgrams):
        raise TypeError("the shipped model keeps a CharNgrams vectoriser")
    return {
        "ngrams": model.vectorizer.to_dict(),
        "coef": model.coef.astype(np.float32),
        "intercept": model.intercept,
        "nb_coef": None if model.nb_coef is None else model.nb_coef.astype(np.float32),
        "nb_intercept": model.nb_intercept,
        "stack": None if model.stack is None else model.stack.to_dict(),
        "label_coef": None if model.label_coef is None else model.label_coef.astype(np.float32),
        "label_intercept": model.label_intercept,
        "context_ids": model.context_ids,
        "thresholds": model.thresholds.to_dict(),
    }


def metadata(
    model: LinearModel,
    cv: dict[str, Any],
    files: dict[str, bytes],
    n_train: int,
    n_test: int,
    trained_at: str,
) -> dict[str, Any]:
    """What screening.json records beside the model: corpus hash, split, seed, thresholds, CV figures."""
    return {
        "version": MODEL_VERSION,
        "trained_at": trained_at,
        "corpus_sha256": corpus_sha256(files),
        "corpus_files": sorted(files),
        "n_train": n_train,
        "n_test": n_test,
        "seed": SEED,
        "folds": FOLDS,
        "sklearn": sklearn.__version__,
        "features": "char 1-4-gram TF-IDF (min_df 2, sublinear tf, l2) + pattern features; plain and NB-weighted "
        "logistic regressions, stacked by a logistic regression over both and the pattern features; labels of "
        "a violation chosen by plain and NB-weighted label heads fitted on violations only",
        "thresholds": model.thresholds.to_dict(),
        "class_weight": CLASS_WEIGHT,
        "cv_train": cv,
        "split_rule": "test iff int(sha256(id).hexdigest(), 16) % 100 < 25",
    }

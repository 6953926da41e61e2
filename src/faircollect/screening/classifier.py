"""Classifier: character n-gram TF-IDF plus pattern features, two linear first stages and a second stage.

Heads are the seven labels of taxonomy.md, `debt_related`, and `violation` (the message carries any label).
The `violation` head decides whether a message is blocked (it has all the corpus's violations as
positives, so it is far better trained than any one label); the label heads, fitted on the violations
only (`fit_label_heads`), then choose which labels it carries. The pattern features (a label's unsuppressed hit, a hit cancelled by context, which context rule
cancelled it, debt cues) let the model learn how far to trust the lexicons; the n-grams catch what the
lexicons miss. The first stages are one logistic regression per head, plain and NB-weighted
(`fit_heads`, `fit_nb_heads`); the second stage (`Stack`) rescores each head from all of their logits,
their products head by head and the pattern features (`stack_inputs`). Scores are logistic probabilities;
the thresholds and the uncertain band are chosen by cross-validation on the train split
(`choose_thresholds`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import ThreadpoolController

from faircollect.policy.screener import LABELS
from faircollect.screening.matcher import Hit

HEADS = (*LABELS, "debt_related", "violation")
# `LinearModel.scores` returns the HEADS' probabilities, then one column per label that chooses which labels
# a confident violation carries (P(label | violation), from the label heads, when the model has them)
CHOICE = slice(len(HEADS), len(HEADS) + len(LABELS))
SEED = 20261129
CLASS_WEIGHT: str | None = "balanced"
C_REG = 32.0  # inverse regularisation, chosen by cross-validation on the train split

FloatArray = npt.NDArray[np.float64]


def pattern_features(
    hits: Sequence[Hit], debt_cues: int, context_ids: Sequence[str], present: AbstractSet[str] = frozenset()
) -> list[float]:
    """Dense features from the matcher: what fired, what context cancelled, which context is in the
    message at all, how much debt talk."""
    fired: set[str] = set()
    cancelled: set[str] = set()
    rules: set[str] = set()
    for h in hits:
        if h.suppressed_by is None:
            fired.add(h.label)
        else:
            cancelled.add(h.label)
            rules.add(h.suppressed_by)
    cancelled -= fired
    row = [1.0 if label in fired else 0.0 for label in LABELS]
    row += [1.0 if label in cancelled else 0.0 for label in LABELS]
    row += [1.0 if cid in rules else 0.0 for cid in context_ids]
    row += [1.0 if cid in present else 0.0 for cid in context_ids]
    row += [min(debt_cues, 3) / 3.0, 1.0 if debt_cues == 0 else 0.0]
    return row


@dataclass
class Thresholds:
    """The decision, all chosen by cross-validation on the train split (docs/screening.md).

    A message is a confident violation when the `violation` score reaches `block` and an unsuppressed
    pattern fired, or reaches `free` without one (the n-grams alone must be sure: their scores drift on text
    unlike the corpus). A confident violation carries the labels whose scores reach `label[...]` (at least
    the one nearest its threshold). Besides, an unsuppressed hit of a `trusted` rule makes its label
    confident by itself: rules that were right at least TRUST_PRECISION of the time on the train split
    (and seldom hit a lawful message). Patterns do not drift on unfamiliar text the way n-gram scores do, so
    this path catches e.g. an impostor posing as police in a text that reads nothing like a collector's.
    The uncertain band: `violation` ≥ `review` with some evidence (a pattern hit, even a suppressed one, or
    a debt cue), or ≥ `review_free` without. `debt` is the `debt_related` cut."""

    block: float = 0.5
    free: float = 0.85
    review: float = 0.3
    review_free: float = 0.5
    debt: float = 0.5
    label: dict[str, float] = field(default_factory=dict)
    trusted: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "free": self.free,
            "review": self.review,
            "review_free": self.review_free,
            "debt": self.debt,
            "label": dict(self.label),
            "trusted": list(self.trusted),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Thresholds:
        return cls(
            float(data["block"]),
            float(data["free"]),
            float(data["review"]),
            float(data["review_free"]),
            float(data["debt"]),
            {str(k): float(v) for k, v in data["label"].items()},
            tuple(str(r) for r in data["trusted"]),
        )


def _one_class(column: npt.NDArray[np.int_]) -> float | None:
    """The intercept of a head with one class in this fit (a constant score at its base rate), else None."""
    if column.min() == column.max():
        return 8.0 if column[0] else -8.0
    return None


def _liblinear(c: float) -> LogisticRegression:
    """A first-stage head: balanced class weights, fixed seed, deterministic solver."""
    return LogisticRegression(
        C=c, class_weight=CLASS_WEIGHT, solver="liblinear", random_state=SEED, max_iter=2000
    )


def _fit_columns(
    y: npt.NDArray[np.int_],
    heads: Sequence[int],
    n_weights: int,
    fit_one: Callable[[int, npt.NDArray[np.int_]], tuple[FloatArray, float]],
) -> tuple[FloatArray, FloatArray]:
    """One weight column and intercept per head of `heads` (columns of y): `fit_one(j, column)` fits one
    (its weights padded with zeros to `n_weights`), a head with one class gets a constant score."""
    coef = np.zeros((n_weights, len(heads)))
    intercept = np.zeros(len(heads))
    for k, j in enumerate(heads):
        column = y[:, j]
        constant = _one_class(column)
        if constant is None:
            coef[:, k], intercept[k] = fit_one(j, column)
        else:
            intercept[k] = constant
    return coef, intercept


def _padded(weights: FloatArray, n_weights: int) -> FloatArray:
    return np.concatenate([weights, np.zeros(n_weights - len(weights))])


# The heads the second stage scores again (all but `debt_related`, which keeps its first-stage score).
STACKED = tuple(j for j, head in enumerate(HEADS) if head != "debt_related")
LOGIT_CLIP = 13.8155  # logit of 1e-6: the first-stage scores the second stage reads stay finite
STACK_C = 1.0  # the second stage's inverse regularisation (standardised inputs)


@dataclass
class Stack:
    """The second stage: per stacked head, a logistic regression over `stack_inputs` (the first stages'
    logits of every stacked head, plain and NB-weighted, their products and the pattern features). It lets
    each label read the others' scores (violence next to intimidation, arrest next to legal) and how far to
    trust each pattern in company. Fitted on out-of-fold first-stage scores, so it learns how the first
    stages do on unseen text."""

    mean: FloatArray  # shape (n_inputs,): standardisation of the inputs
    scale: FloatArray
    coef: FloatArray  # shape (n_inputs, len(STACKED))
    intercept: FloatArray  # shape (len(STACKED),)

    @classmethod
    def fit(cls, inputs: FloatArray, y: npt.NDArray[np.int_]) -> Stack:
        mean = inputs.mean(axis=0)
        scale = inputs.std(axis=0)
        scale[scale == 0] = 1.0
        std = (inputs - mean) / scale

        def fit_one(_: int, column: npt.NDArray[np.int_]) -> tuple[FloatArray, float]:
            model = LogisticRegression(C=STACK_C, solver="lbfgs", max_iter=3000).fit(std, column)
            return model.coef_[0], float(model.intercept_[0])

        coef, intercept = _fit_columns(y, STACKED, inputs.shape[1], fit_one)
        return cls(mean, scale, coef, intercept)

    def apply(self, inputs: FloatArray) -> FloatArray:
        z = ((inputs - self.mean) / self.scale) @ self.coef + self.intercept
        out: FloatArray = expit(z)
        return out

    def to_dict(self) -> dict[str, FloatArray]:
        return {"mean": self.mean, "scale": self.scale, "coef": self.coef, "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stack:
        return cls(*(np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef", "intercept")))


def stack_inputs(z_plain: FloatArray, z_nb: FloatArray, dense: FloatArray) -> FloatArray:
    """The second stage's inputs: both first stages' logits of the stacked heads, their products head by head
    (large when both stages are sure the same way, negative when they disagree: the one interaction a linear
    second stage cannot form itself), and the pattern features (not the debt cues, as for the label heads)."""
    plain = np.clip(z_plain[:, STACKED], -LOGIT_CLIP, LOGIT_CLIP)
    nb = np.clip(z_nb, -LOGIT_CLIP, LOGIT_CLIP)
    return np.hstack([plain, nb, plain * nb, dense[:, : dense.shape[1] - DEBT_FEATURES]])


@dataclass
class LinearModel:
    """A fitted vectoriser and one weight column per head (numpy, so prediction is one sparse product);
    with `nb_coef` and `stack`, NB-weighted columns for the stacked heads and the second stage over both;
    with `label_coef`, the label heads that choose a violation's labels (`fit_label_heads`)."""

    vectorizer: Vectorizer
    coef: FloatArray  # shape (n_features, n_heads)
    intercept: FloatArray  # shape (n_heads,)
    context_ids: list[str]
    thresholds: Thresholds
    meta: dict[str, Any] = field(default_factory=dict)
    nb_coef: FloatArray | None = None  # shape (n_features, len(STACKED))
    nb_intercept: FloatArray | None = None
    stack: Stack | None = None
    label_coef: FloatArray | None = None  # shape (n_features, 2 * len(LABELS)): fit_label_heads
    label_intercept: FloatArray | None = None
    _weights: FloatArray = field(init=False, repr=False)
    _bias: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # one sparse product gives every first-stage head; the weight blocks become views of the joined
        # weights, so the model holds them once
        blocks = {"coef": (self.coef, self.intercept)}
        if self.nb_coef is not None and self.nb_intercept is not None:
            blocks["nb_coef"] = (self.nb_coef, self.nb_intercept)
        if self.label_coef is not None and self.label_intercept is not None:
            blocks["label_coef"] = (self.label_coef, self.label_intercept)
        # float64 whatever the stored blocks are (the shipped file keeps them in float32)
        self._weights = np.hstack([w for w, _ in blocks.values()], dtype=np.float64)
        self._bias = np.concatenate([b for _, b in blocks.values()], dtype=np.float64)
        start = 0
        for name, (weights, _) in blocks.items():
            setattr(self, name, self._weights[:, start : start + weights.shape[1]])
            start += weights.shape[1]

    def scores(self, texts: Sequence[str], dense: Sequence[Sequence[float]] | FloatArray) -> FloatArray:
        """Probabilities, shape (len(texts), len(HEADS) + len(LABELS)): the product of `design` with the
        weights, taken block by block (n-grams, then pattern features) rather than on the stacked matrix,
        which is slower to build (only the order of the additions differs: scores agree to about 1e-15);
        then the second stage, if the model has one. The last len(LABELS) columns (CHOICE) choose a
        violation's labels: `label_choice` of the label heads, or the label scores if there are none."""
        # The dense products here are small (a batch by a few dozen columns), yet large enough for
        # OpenBLAS to start threads, which then spin on another core for as long as the batch takes:
        # twice the CPU time for the same wall-clock time. One BLAS thread while scoring.
        with _blas().limit(limits=1, user_api="blas"):
            return self._scores(texts, dense)

    def _scores(self, texts: Sequence[str], dense: Sequence[Sequence[float]] | FloatArray) -> FloatArray:
        ngrams = self.vectorizer.transform(texts)
        width = ngrams.shape[1]
        extra = np.asarray(dense, dtype=np.float64).reshape(len(texts), -1)
        z = np.asarray(ngrams @ self._weights[:width]) + (extra * PATTERN_SCALE) @ self._weights[width:]
        z += self._bias
        heads, n = len(HEADS), len(LABELS)
        out: FloatArray = np.empty((len(texts), heads + n))
        out[:, :heads] = expit(z[:, :heads])
        if self.stack is not None:
            nb = z[:, heads : heads + len(STACKED)]
            out[:, STACKED] = self.stack.apply(stack_inputs(z[:, :heads], nb, extra))
        if self.label_coef is not None:
            out[:, CHOICE] = label_choice(z[:, z.shape[1] - 2 * n :])
        else:
            out[:, CHOICE] = out[:, :n]
        return out


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


NGRAMS = (1, 4)  # character n-gram lengths
MIN_DF = 2  # an n-gram must occur in this many training messages ...
MAX_FEATURES = 150_000  # ... and be among this many most frequent ones


def make_vectorizer(vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        min_df=MIN_DF,
        sublinear_tf=True,
        vocabulary=vocabulary,
        dtype=np.float64,
    )


def fit_vectorizer(texts: Sequence[str], max_features: int = MAX_FEATURES) -> TfidfVectorizer:
    """The vectoriser of `texts`: the `max_features` most frequent n-grams found in at least MIN_DF of them,
    ties at the cut broken by the n-gram itself (alphabetically).

    scikit-learn's own `max_features` ranks with an unstable sort, so which of the n-grams tied at the cut it
    keeps depends on the CPU: numpy sorts with AVX-512 where the CPU has it, and orders ties differently.
    The same corpus then gave different vocabularies, hence models, on different machines."""
    counts = CountVectorizer(analyzer="char", ngram_range=NGRAMS, min_df=MIN_DF)
    x = counts.fit_transform(texts)
    terms = counts.get_feature_names_out()  # alphabetical
    totals = np.asarray(x.sum(axis=0)).ravel()
    keep = np.sort(np.argsort(-totals, kind="stable")[:max_features])  # stable: ties stay alphabetical
    return make_vectorizer(vocabulary=[str(t) for t in terms[keep]]).fit(texts)


# How much the pattern features weigh beside an L2-normalised n-gram row.
PATTERN_SCALE = 1.0


class Vectorizer(Protocol):
    """scikit-learn's TfidfVectorizer while training; ngrams.CharNgrams in the shipped model."""

    def transform(self, texts: Sequence[str]) -> Any: ...


def design(
    vectorizer: Vectorizer, texts: Sequence[str], dense: Sequence[Sequence[float]]
) -> sparse.csr_matrix:
    ngrams = vectorizer.transform(texts)
    extra = sparse.csr_matrix(np.asarray(dense, dtype=np.float64).reshape(len(texts), -1) * PATTERN_SCALE)
    return sparse.hstack([ngrams, extra], format="csr")


DEBT_FEATURES = 2  # the last dense columns: only the debt_related head may use them


def fit_heads(
    x: sparse.csr_matrix, y: npt.NDArray[np.int_], c: float = C_REG, heads: Sequence[int] | None = None
) -> tuple[FloatArray, FloatArray]:
    """One logistic regression per head column of y (or per column of `heads`); fixed seed, deterministic
    solver. The label heads do not see the debt features: in the corpus every lawful message speaks of a
    debt, and a label must not learn that "no debt words" means a violation."""
    x_labels = x[:, : x.shape[1] - DEBT_FEATURES]

    def fit_one(j: int, column: npt.NDArray[np.int_]) -> tuple[FloatArray, float]:
        xj = x if HEADS[j] == "debt_related" else x_labels
        model = _liblinear(c).fit(xj, column)
        return _padded(model.coef_[0], x.shape[1]), float(model.intercept_[0])

    coef, intercept = _fit_columns(y, range(y.shape[1]) if heads is None else heads, x.shape[1], fit_one)
    return coef, intercept


NB_ALPHA = 1.0  # smoothing of the log-count ratios


def fit_nb_heads(
    x: sparse.csr_matrix,
    y: npt.NDArray[np.int_],
    n_dense: int,
    c: float = C_REG,
    heads: Sequence[int] = STACKED,
) -> tuple[FloatArray, FloatArray]:
    """NB-weighted logistic regressions for the STACKED heads (Wang & Manning 2012, "NBSVM"): each head's
    n-gram columns scaled by their log-count ratio r = log((p/|p|)/(q/|q|)) (an n-gram counted as present
    or absent, in that head's positive and negative messages), the pattern columns (last `n_dense`) not.
    The scaling is folded into the weights, so the model stays one weight column per head over `design`."""
    n_ngrams = x.shape[1] - n_dense
    present = x[:, :n_ngrams].copy()
    present.data[:] = 1.0
    usable = x[:, : x.shape[1] - DEBT_FEATURES]  # sliced once, not per head

    def fit_one(j: int, column: npt.NDArray[np.int_]) -> tuple[FloatArray, float]:
        p = np.asarray(present[column == 1].sum(axis=0)).ravel() + NB_ALPHA
        q = np.asarray(present[column == 0].sum(axis=0)).ravel() + NB_ALPHA
        scale = np.r_[np.log((p / p.sum()) / (q / q.sum())), np.ones(n_dense)][: usable.shape[1]]
        model = _liblinear(c).fit(usable.multiply(scale[None, :]).tocsr(), column)
        return _padded(model.coef_[0] * scale, x.shape[1]), float(model.intercept_[0])

    coef, intercept = _fit_columns(y, heads, x.shape[1], fit_one)
    return coef, intercept


def fit_label_heads(
    x: sparse.csr_matrix, y: npt.NDArray[np.int_], n_dense: int, c: float = C_REG
) -> tuple[FloatArray, FloatArray]:
    """The label heads: a plain and an NB-weighted logistic regression per label, fitted on the violations
    only, so they learn P(label | violation): what tells violence from intimidation or arrest from fake
    legal process, not what tells a violation from a lawful message (the violation head's job). Columns:
    the plain heads, then the NB ones, in LABELS order."""
    rows = y[:, HEADS.index("violation")] == 1
    x_v, y_v, labels = x[rows], y[rows], range(len(LABELS))
    plain, plain_b = fit_heads(x_v, y_v, c, heads=labels)
    nb, nb_b = fit_nb_heads(x_v, y_v, n_dense, c, heads=labels)
    return np.hstack([plain, nb]), np.concatenate([plain_b, nb_b])


def label_choice(z_labels: FloatArray) -> FloatArray:
    """P(label | violation) from the label heads' logits (plain, then NB): the mean of the two logits."""
    n = len(LABELS)
    out: FloatArray = expit((z_labels[:, :n] + z_labels[:, n:]) / 2.0)
    return out


def targets(labels: Sequence[Sequence[str]], debt: Sequence[bool]) -> npt.NDArray[np.int_]:
    y = np.zeros((len(labels), len(HEADS)), dtype=np.int_)
    for i, (row, d) in enumerate(zip(labels, debt, strict=True)):
        for label in row:
            y[i, HEADS.index(label)] = 1
        y[i, HEADS.index("debt_related")] = int(d)
        y[i, HEADS.index("violation")] = int(bool(row))
    return y


# Decision parameters (docs/screening.md). Shares are of the train split's messages, out of fold.
FREE = 0.85  # lowest violation score that blocks without any pattern evidence
REVIEW_FREE_FLOOR = 0.5  # lowest violation score that sends to review without any evidence
MAX_LAWFUL_BLOCKED = 0.02  # lawful messages the gate and the trusted rules may block (the target) ...
# ... less one standard error of the out-of-fold share (lawful_budget): a threshold set at exactly 2 % out of
# fold lands above 2 % on new text about half the time.
MAX_VIOLATIONS_ALLOWED = 0.02  # violations neither blocked nor reviewed (target: 3 %)
TRUST_MIN_HITS = 8  # a rule is trusted after this many unsuppressed hits on the train split ...
TRUST_PRECISION = 0.9  # ... this share of them on messages with its label ...
TRUST_LAWFUL = 0.01  # ... and at most this share on lawful messages (chosen by cross-validation, docs)
GRID = np.round(np.arange(0.05, 0.995, 0.005), 3)

BoolArray = npt.NDArray[np.bool_]


def lawful_budget(n_lawful: int, target: float = MAX_LAWFUL_BLOCKED) -> float:
    """The share of lawful messages the decision may block out of fold: the target less one standard error
    of a share measured on `n_lawful` messages."""
    return target - math.sqrt(target * (1.0 - target) / max(n_lawful, 1))


def _f1(pred: BoolArray, truth: BoolArray) -> float:
    tp = float(np.sum(pred & truth))
    denom = float(np.sum(pred) + np.sum(truth))
    return 2 * tp / denom if denom else 0.0


def gate(violation: FloatArray, fired: BoolArray, covered: BoolArray, th: Thresholds) -> BoolArray:
    """Confident violations. `covered`: a notice about scams or a news report is in the message; then only
    a pattern that fired outside that context can make it a violation."""
    out = np.where(fired, violation >= th.block, violation >= th.free)
    return np.asarray(out & ~(covered & ~fired), dtype=bool)


def in_review_band(violation: FloatArray, evidence: BoolArray, th: Thresholds) -> BoolArray:
    """Per message: is its violation score in the uncertain band (lower with evidence than without)?"""
    return np.asarray(violation >= np.where(evidence, th.review, th.review_free), dtype=bool)


def decide(
    scores: FloatArray, fired_labels: BoolArray, covered: BoolArray, trusted_labels: BoolArray, th: Thresholds
) -> BoolArray:
    """The confident labels of each message (rows: messages, columns: LABELS): the violation gate's labels
    plus the labels of trusted rules that fired."""
    fired = np.asarray(fired_labels.any(axis=1), dtype=bool)
    blocked = gate(scores[:, HEADS.index("violation")], fired, covered, th)
    out = assign_labels(scores[:, CHOICE], th) & blocked[:, None]
    return np.asarray(out | trusted_labels, dtype=bool)


@lru_cache(maxsize=65536)  # a few thousand distinct rules and words; called for every hit
def rule_key(rule: str, label: str) -> str:
    """Rules are judged one by one, except lexicon words and pinyin matches, judged per label."""
    return f"{rule.split(':', 1)[0]}:{label}" if rule.startswith(("term:", "pinyin:")) else rule


def trusted_mask(hits: Sequence[Hit], trusted: Collection[str]) -> list[bool]:
    """Per label: did a trusted rule fire (unsuppressed)?"""
    keys = trusted if isinstance(trusted, AbstractSet) else set(trusted)
    fired = {h.label for h in hits if h.suppressed_by is None and rule_key(h.rule, h.label) in keys}
    return [label in fired for label in LABELS]


def trusted_rules(
    hits_per_message: Sequence[Sequence[Hit]], labels: Sequence[Sequence[str]]
) -> tuple[str, ...]:
    """Rules whose unsuppressed hits were right often enough on the train split."""
    stats: dict[str, list[int]] = {}
    for hits, gold in zip(hits_per_message, labels, strict=True):
        for key, label in {(rule_key(h.rule, h.label), h.label) for h in hits if h.suppressed_by is None}:
            row = stats.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += label in gold
            row[2] += not gold
    return tuple(
        sorted(
            key
            for key, (n, right, lawful) in stats.items()
            if n >= TRUST_MIN_HITS and right >= TRUST_PRECISION * n and lawful <= TRUST_LAWFUL * n
        )
    )


def assign_labels(scores: FloatArray, th: Thresholds) -> BoolArray:
    """Labels of confident violations: those reaching their threshold, else the nearest one."""
    cuts = np.array([th.label[label] for label in LABELS])
    out = np.asarray(scores >= cuts, dtype=bool)
    empty = ~out.any(axis=1)
    if empty.any():
        nearest = np.argmax(scores / cuts, axis=1)
        out[np.where(empty)[0], nearest[empty]] = True
    return out


def choose_thresholds(
    y: npt.NDArray[np.int_],
    oof: FloatArray,
    fired_labels: BoolArray,
    covered: BoolArray,
    evidence: BoolArray,
    trusted_labels: BoolArray,
    max_lawful_blocked: float | None = None,
    max_allowed: float = MAX_VIOLATIONS_ALLOWED,
) -> Thresholds:
    """From out-of-fold scores on the train split (rows: messages; `fired`, `covered`, `evidence`: per
    message). `block` is the lowest violation threshold (most violations caught) that blocks at most
    `max_lawful_blocked` of the lawful messages (by default `lawful_budget` of their number); label
    thresholds (on the CHOICE columns) maximise each label's F1 among the blocked messages; `review` is the
    highest threshold leaving at most `max_allowed` of the violations neither blocked nor reviewed; `debt`
    maximises F1 of `debt_related`. `trusted_labels`: the labels of trusted rules that fired (always
    confident, counted in the lawful budget)."""
    fired = np.asarray(fired_labels.any(axis=1), dtype=bool)
    th = Thresholds(free=FREE)
    v = oof[:, HEADS.index("violation")]
    violation = y[:, HEADS.index("violation")].astype(bool)
    lawful = ~violation
    if max_lawful_blocked is None:
        max_lawful_blocked = lawful_budget(int(lawful.sum()))
    # The lowest block threshold within the lawful budget; past FREE, `free` rises with it.
    th.block = th.free = float(GRID[-1])
    for t in GRID:
        trial = Thresholds(block=float(t), free=max(FREE, float(t)))
        blocked_trial = gate(v, fired, covered, trial) | trusted_labels.any(axis=1)
        if float(np.mean(blocked_trial[lawful])) <= max_lawful_blocked:
            th.block, th.free = trial.block, trial.free
            break
    blocked = gate(v, fired, covered, th)
    for j, label in enumerate(LABELS):
        truth = y[:, j].astype(bool)
        trusted_j = trusted_labels[:, j]
        choice = oof[:, CHOICE.start + j]
        th.label[label] = float(
            max(GRID, key=lambda t: (_f1((blocked & (choice >= t)) | trusted_j, truth), t))
        )
    blocked = blocked | trusted_labels.any(axis=1)
    th.review, th.review_free = th.block, max(th.block, REVIEW_FREE_FLOOR)
    for t in GRID[::-1]:
        review_free = max(float(t), REVIEW_FREE_FLOOR)
        flagged = np.where(evidence, v >= t, v >= review_free)
        th.review, th.review_free = float(min(t, th.block)), float(min(review_free, th.free))
        if float(np.mean(~(blocked | flagged)[violation])) <= max_allowed:
            break
    j = HEADS.index("debt_related")
    debt_truth = y[:, j].astype(bool)
    th.debt = float(max(GRID, key=lambda t: (_f1(oof[:, j] >= t, debt_truth), t)))
    return th

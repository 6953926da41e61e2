"""The decision's parameters as training chooses them (classifier.choose_thresholds and friends)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from faircollect.policy.screener import LABELS
from faircollect.screening.classifier import (
    C_REG,
    CHOICE,
    CLASS_WEIGHT,
    DEBT_FEATURES,
    GRID,
    HEADS,
    MAX_LAWFUL_BLOCKED,
    MIN_DF,
    NGRAMS,
    SEED,
    STACK_C,
    STACKED,
    LinearModel,
    Stack,
    Thresholds,
    choose_thresholds,
    decide,
    fit_heads,
    fit_label_heads,
    fit_nb_heads,
    fit_vectorizer,
    gate,
    in_review_band,
    label_choice,
    lawful_budget,
    make_vectorizer,
    stack_inputs,
    trusted_rules,
)
from faircollect.screening.matcher import Hit

V = HEADS.index("violation")


def test_lawful_budget_is_the_target_less_one_standard_error() -> None:
    assert lawful_budget(1000) == pytest.approx(0.02 - math.sqrt(0.02 * 0.98 / 1000))
    assert lawful_budget(100) < lawful_budget(1000) < lawful_budget(100_000) < MAX_LAWFUL_BLOCKED
    assert lawful_budget(0) < 0  # no lawful messages to learn from: nothing may be blocked on scores alone


def _data(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold-like scores: violations score higher than lawful messages, with overlap."""
    rng = np.random.default_rng(seed)
    violation = rng.random(n) < 0.6
    y = np.zeros((n, len(HEADS)), dtype=np.int_)
    y[:, V] = violation
    for i in np.where(violation)[0]:
        y[i, rng.integers(len(LABELS))] = 1
    oof = rng.random((n, len(HEADS) + len(LABELS))) * 0.6  # the heads, then the label-choice columns
    oof[:, V] = np.clip(np.where(violation, rng.normal(0.85, 0.15, n), rng.normal(0.3, 0.25, n)), 0, 1)
    return y, oof


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(200, 1500), with_patterns=st.booleans())
def test_block_is_the_lowest_threshold_within_the_lawful_budget(
    seed: int, n: int, with_patterns: bool
) -> None:
    y, oof = _data(seed, n)
    rng = np.random.default_rng(seed + 1)
    fired = rng.random((n, len(LABELS))) < (0.3 if with_patterns else 0.0)
    covered = np.zeros(n, dtype=bool)
    evidence = fired.any(axis=1) | (rng.random(n) < 0.5)
    trusted = np.zeros((n, len(LABELS)), dtype=bool)
    th = choose_thresholds(y, oof, fired, covered, evidence, trusted)
    lawful = y[:, V] == 0
    budget = lawful_budget(int(lawful.sum()))
    v, any_fired = oof[:, V], fired.any(axis=1)
    blocked = gate(v, any_fired, covered, th)
    assert blocked[lawful].mean() <= budget or th.block == GRID[-1]
    lower = GRID[np.less(GRID, th.block)]
    if lower.size:  # one step lower would have blocked too many lawful messages
        looser = Thresholds(block=float(lower[-1]), free=max(0.85, float(lower[-1])))
        assert gate(v, any_fired, covered, looser)[lawful].mean() > budget
    # the uncertain band sits below the block threshold and leaves few violations neither blocked nor reviewed
    assert th.review <= th.block and th.review_free <= th.free
    flagged = in_review_band(v, evidence, th)
    violations = ~lawful
    missed = ~(blocked | flagged | trusted.any(axis=1))
    assert missed[violations].mean() <= 0.02 or th.review == GRID[0]


def test_an_explicit_budget_overrides_the_default() -> None:
    y, oof = _data(3, 1000)
    n = len(y)
    none = np.zeros((n, len(LABELS)), dtype=bool)
    args = (y, oof, none, np.zeros(n, bool), np.ones(n, bool), none)
    strict, default, loose = (choose_thresholds(*args, max_lawful_blocked=b) for b in (0.005, None, 0.1))
    assert strict.block >= default.block >= loose.block
    assert strict.block > loose.block


def _hit(rule: str, label: str, suppressed: str | None = None) -> Hit:
    return Hit(label, 0, 1, rule, suppressed)


def test_trusted_rules_need_hits_precision_and_few_lawful_messages() -> None:
    good = [(_hit("r-good", "abuse.insult"),)] * 9
    few = [(_hit("r-few", "abuse.insult"),)] * 7
    lawful_heavy = [(_hit("r-lawful", "abuse.insult"),)] * 10
    hits = good + few + lawful_heavy + [(_hit("r-good", "abuse.insult", "ctx-news"),)]
    labels = [("abuse.insult",)] * 9 + [("abuse.insult",)] * 7 + [("abuse.insult",)] * 9 + [()] + [()]
    # r-lawful: 9 right of 10 (90 %) but 1 of 10 on a lawful message (10 % > 5 %); the suppressed hit of
    # r-good on a lawful message does not count against it
    assert trusted_rules(hits, labels) == ("r-good",)


# --- the two first stages and the second stage ---------------------------------------------------


def _sparse_problem(seed: int) -> tuple[sparse.csr_matrix, np.ndarray, int]:
    """Random binary 'n-gram' columns, then 4 dense pattern columns whose last DEBT_FEATURES are debt cues;
    y has a column per head, each driven by a few columns so every head has both classes."""
    rng = np.random.default_rng(seed)
    n, n_ngrams, n_dense = 240, 30, 4
    ngrams = (rng.random((n, n_ngrams)) < 0.2).astype(float)
    dense = (rng.random((n, n_dense)) < 0.3).astype(float)
    y = np.zeros((n, len(HEADS)), dtype=np.int_)
    for j in range(len(HEADS)):
        y[:, j] = ((ngrams[:, j % n_ngrams] + dense[:, j % 2] + rng.random(n)) > 1.0).astype(int)
    return sparse.csr_matrix(np.hstack([ngrams, dense])), y, n_dense


class _RowsOf:
    """A vectoriser whose "texts" are row numbers of a fixed n-gram matrix."""

    def __init__(self, x: sparse.csr_matrix, n_ngrams: int) -> None:
        self.ngrams = x[:, :n_ngrams]

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return self.ngrams[[int(t) for t in texts]]


def test_nb_heads_fold_the_ratio_scaling_into_the_weights() -> None:
    """The shipped weights on unscaled features give the decision function of the regression fitted on the
    scaled features; the debt columns get no weight."""
    x, y, n_dense = _sparse_problem(3)
    coef, intercept = fit_nb_heads(x, y, n_dense)
    assert coef.shape == (x.shape[1], len(STACKED))
    assert np.all(coef[-DEBT_FEATURES:] == 0.0)
    present = x[:, : x.shape[1] - n_dense].toarray() > 0
    for k, j in enumerate(STACKED):
        pos, neg = present[y[:, j] == 1].sum(0) + 1.0, present[y[:, j] == 0].sum(0) + 1.0
        ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
        scale = np.r_[ratio, np.ones(n_dense)][: x.shape[1] - DEBT_FEATURES]
        scaled = x[:, : x.shape[1] - DEBT_FEATURES].toarray() * scale
        ref = LogisticRegression(C=C_REG, class_weight=CLASS_WEIGHT, solver="liblinear", random_state=SEED)
        ref.fit(scaled, y[:, j])
        np.testing.assert_allclose(
            x.toarray() @ coef[:, k] + intercept[k], ref.decision_function(scaled), atol=1e-8
        )


def test_stack_round_trips_and_scores_as_its_regressions() -> None:
    rng = np.random.default_rng(5)
    inputs = rng.normal(size=(300, 6)) * [1, 5, 0.1, 2, 1, 0]  # one constant column
    y = np.zeros((300, len(HEADS)), dtype=np.int_)
    for j in range(len(HEADS)):
        y[:, j] = (inputs[:, j % 5] + rng.normal(size=300) > 0).astype(int)
    stack = Stack.fit(inputs, y)
    again = Stack.from_dict(stack.to_dict())
    np.testing.assert_array_equal(again.apply(inputs), stack.apply(inputs))
    std = (inputs - inputs.mean(0)) / np.where(inputs.std(0) == 0, 1.0, inputs.std(0))
    for k, j in enumerate(STACKED):
        ref = LogisticRegression(C=STACK_C, solver="lbfgs", max_iter=3000).fit(std, y[:, j])
        np.testing.assert_allclose(stack.apply(inputs)[:, k], ref.predict_proba(std)[:, 1], atol=1e-6)


def test_model_scores_are_the_second_stage_over_both_first_stages() -> None:
    """LinearModel.scores (one product over both first stages) equals the stages composed by hand; the
    debt head keeps its first-stage score."""
    x, y, n_dense = _sparse_problem(7)
    n_ngrams = x.shape[1] - n_dense

    coef, intercept = fit_heads(x, y)
    nb_coef, nb_intercept = fit_nb_heads(x, y, n_dense)
    label_coef, label_intercept = fit_label_heads(x, y, n_dense)
    dense = x[:, n_ngrams:].toarray()
    z_plain = x.toarray() @ coef + intercept
    z_nb = x.toarray() @ nb_coef + nb_intercept
    z_labels = x.toarray() @ label_coef + label_intercept
    stack = Stack.fit(stack_inputs(z_plain, z_nb, dense), y)
    model = LinearModel(
        _RowsOf(x, n_ngrams),
        coef,
        intercept,
        [],
        Thresholds(),
        nb_coef=nb_coef,
        nb_intercept=nb_intercept,
        stack=stack,
        label_coef=label_coef,
        label_intercept=label_intercept,
    )
    got = model.scores([str(i) for i in range(x.shape[0])], dense)
    want = 1.0 / (1.0 + np.exp(-z_plain))
    want[:, list(STACKED)] = stack.apply(stack_inputs(z_plain, z_nb, dense))
    np.testing.assert_allclose(got[:, : len(HEADS)], want, atol=1e-9)
    n = len(LABELS)
    choice = 1.0 / (1.0 + np.exp(-(z_labels[:, :n] + z_labels[:, n:]) / 2))
    np.testing.assert_allclose(got[:, CHOICE], choice, atol=1e-9)
    np.testing.assert_allclose(label_choice(z_labels), choice, atol=1e-12)
    debt = HEADS.index("debt_related")
    assert debt not in STACKED
    np.testing.assert_allclose(got[:, debt], 1.0 / (1.0 + np.exp(-z_plain[:, debt])), atol=1e-12)


def test_a_stacked_model_holds_its_first_stage_weights_once() -> None:
    """coef and nb_coef keep their values but become views of the joined weights the product uses."""
    x, y, n_dense = _sparse_problem(5)
    coef, intercept = fit_heads(x, y)
    nb_coef, nb_intercept = fit_nb_heads(x, y, n_dense)
    model = LinearModel(
        _RowsOf(x, x.shape[1] - n_dense),
        coef.copy(),
        intercept,
        [],
        Thresholds(),
        nb_coef=nb_coef.copy(),
        nb_intercept=nb_intercept,
    )
    np.testing.assert_array_equal(model.coef, coef)
    assert model.nb_coef is not None
    np.testing.assert_array_equal(model.nb_coef, nb_coef)
    assert np.shares_memory(model.coef, model._weights)
    assert np.shares_memory(model.nb_coef, model._weights)


def test_scoring_runs_with_one_blas_thread() -> None:
    """The small products of scoring must not start BLAS threads (they spin on another core meanwhile);
    the process's setting is back afterwards."""
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    seen: list[list[int]] = []

    class _Recording(_RowsOf):
        def transform(self, texts: list[str]) -> sparse.csr_matrix:
            seen.append(blas_threads())
            return super().transform(texts)

    x, y, n_dense = _sparse_problem(17)
    n_ngrams = x.shape[1] - n_dense
    coef, intercept = fit_heads(x, y)
    model = LinearModel(_Recording(x, n_ngrams), coef, intercept, [], Thresholds())
    before = blas_threads()
    model.scores(["0", "1"], x[:2, n_ngrams:].toarray())
    assert seen and all(n == 1 for n in seen[0])
    assert blas_threads() == before


def test_a_model_without_second_stage_scores_its_first_stage() -> None:
    """A version-1 model (one logistic regression per head, no NB heads, no stack) still loads and scores."""
    x, y, n_dense = _sparse_problem(11)
    n_ngrams = x.shape[1] - n_dense

    coef, intercept = fit_heads(x, y)
    model = LinearModel(_RowsOf(x, n_ngrams), coef, intercept, [], Thresholds())
    got = model.scores([str(i) for i in range(x.shape[0])], x[:, n_ngrams:].toarray())
    want = 1.0 / (1.0 + np.exp(-(x.toarray() @ coef + intercept)))
    np.testing.assert_allclose(got[:, : len(HEADS)], want, atol=1e-12)
    # without label heads, a violation's labels are chosen by the label scores themselves
    np.testing.assert_array_equal(got[:, CHOICE], got[:, : len(LABELS)])


def test_label_heads_are_fitted_on_violations_only() -> None:
    """Plain then NB-weighted columns per label, equal to the same heads fitted on the violation rows; a
    lawful message changes nothing."""
    x, y, n_dense = _sparse_problem(13)
    rows = y[:, V] == 1
    coef, intercept = fit_label_heads(x, y, n_dense)
    n = len(LABELS)
    assert coef.shape == (x.shape[1], 2 * n) and intercept.shape == (2 * n,)
    labels = list(range(n))
    plain, plain_b = fit_heads(x[rows], y[rows], heads=labels)
    nb, nb_b = fit_nb_heads(x[rows], y[rows], n_dense, heads=labels)
    np.testing.assert_array_equal(coef, np.hstack([plain, nb]))
    np.testing.assert_array_equal(intercept, np.r_[plain_b, nb_b])
    ref = LogisticRegression(C=C_REG, class_weight=CLASS_WEIGHT, solver="liblinear", random_state=SEED)
    ref.fit(x[rows][:, : x.shape[1] - DEBT_FEATURES], y[rows, 0])
    np.testing.assert_allclose(coef[: x.shape[1] - DEBT_FEATURES, 0], ref.coef_[0], atol=1e-10)
    # adding lawful messages (violation 0) leaves the label heads as they were
    extra = sparse.vstack([x, x[:20]], format="csr")
    y_extra = np.vstack([y, np.zeros((20, y.shape[1]), dtype=np.int_)])
    again, again_b = fit_label_heads(extra, y_extra, n_dense)
    np.testing.assert_array_equal(again, coef)
    np.testing.assert_array_equal(again_b, intercept)


def test_a_blocked_message_takes_its_labels_from_the_choice_columns() -> None:
    """decide() gates on the violation head and picks labels by CHOICE, not by the label scores."""
    th = Thresholds(block=0.9, free=0.9)
    th.label = dict.fromkeys(LABELS, 0.5)
    scores = np.zeros((2, len(HEADS) + len(LABELS)))
    scores[:, V] = [0.95, 0.5]  # the first is blocked, the second is not
    scores[:, 0] = 0.99  # the first label scores high on both ...
    scores[:, CHOICE.start + 1] = 0.8  # ... but the choice columns say the second label
    none = np.zeros((2, len(LABELS)), dtype=bool)
    got = decide(scores, none, np.zeros(2, dtype=bool), none, th)
    want = np.zeros((2, len(LABELS)), dtype=bool)
    want[0, 1] = True
    np.testing.assert_array_equal(got, want)


def test_fit_vectorizer_breaks_ties_at_the_cut_by_the_ngram_whatever_the_text_order() -> None:
    """The vocabulary must not depend on the machine's sort (numpy orders ties differently with AVX-512):
    of n-grams tied at the cut, the alphabetically first are kept, and the order of the texts is irrelevant."""
    texts = ["ab ab", "ab ab", "cd", "cd", "ef", "ef", "gh", "gh", "xx"]  # 'x' and 'xx': in one text only
    vec = fit_vectorizer(texts, max_features=4)
    # 'a', 'b' and 'ab' occur 4 times; every other n-gram twice (the first of those, alphabetically: ' ')
    assert sorted(vec.vocabulary_) == [" ", "a", "ab", "b"]
    assert sorted(vec.vocabulary_) == sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    assert fit_vectorizer(texts[::-1], max_features=4).vocabulary_ == vec.vocabulary_
    tied = fit_vectorizer(["cd", "cd", "ab", "ab"], max_features=3)
    assert sorted(tied.vocabulary_) == ["a", "ab", "b"]  # six n-grams occur twice: the first three kept


def test_fit_vectorizer_is_scikit_learns_when_no_tie_is_cut() -> None:
    texts = ["aaaa", "aaab", "aabb", "abbb", "bbbc", "aaaa", "cab", "bca"]
    counts = CountVectorizer(analyzer="char", ngram_range=NGRAMS, min_df=MIN_DF)
    totals = sorted(np.asarray(counts.fit_transform(texts).sum(axis=0)).ravel(), reverse=True)
    cut = next(k for k in range(3, len(totals)) if totals[k - 1] > totals[k])  # no tie across the cut
    ours = fit_vectorizer(texts, max_features=cut)
    theirs = make_vectorizer().set_params(max_features=cut).fit(texts)
    assert ours.vocabulary_ == theirs.vocabulary_
    assert np.array_equal(ours.idf_, theirs.idf_)
    assert np.array_equal(ours.transform(texts).toarray(), theirs.transform(texts).toarray())

"""The decision's parameters as training chooses them (classifier.choose_thresholds and friends)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.policy.screener import LABELS
from faircollect.screening.classifier import (
    GRID,
    HEADS,
    MAX_LAWFUL_BLOCKED,
    Thresholds,
    choose_thresholds,
    gate,
    in_review_band,
    lawful_budget,
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
    oof = rng.random((n, len(HEADS))) * 0.6
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

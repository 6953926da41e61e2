"""APR by IRR: textbook cases, errors that say why, and properties."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from faircollect.ledger.apr import IrrError, irr, loan_apr
from faircollect.ledger.model import Cashflow, Loan, parse_loan
from faircollect.ledger.schedule import add_months, build_schedule

D = Decimal


def make(**fields: Any) -> Loan:
    base: dict[str, Any] = {
        "principal": 10000, "start": "2025-01-15", "method": "equal_installment",
        "annual_rate": 0.12, "periods": 12,
    }  # fmt: skip
    return parse_loan({**base, **fields})


def apr_of(loan: Loan) -> Any:
    return loan_apr(loan, build_schedule(loan))


def test_twelve_percent_equal_installment_is_twelve_percent_nominal() -> None:
    result = apr_of(make())
    assert result.periods_per_year == 12 and result.basis == "periodic"
    assert result.apr_nominal == pytest.approx(0.12, abs=1e-5)  # cent rounding of the payments only
    assert result.irr_period == pytest.approx(0.01, abs=1e-6)
    # effective = 1.01^12 − 1 = 12.6825%
    assert result.apr_effective == pytest.approx(0.126825, abs=1e-5)


def test_upfront_fee_raises_the_apr() -> None:
    # 300 deducted upfront: the borrower gets 9 700 but repays the 10 000 schedule (888.49 a month).
    # Solving 9700 = 888.49 × (1 − (1+i)^−12) / i: at i = 1.48% the right side is 9 703.29, at 1.49%
    # it is 9 697.25, so i ≈ 1.4854% a month, ≈ 17.83% nominal.
    result = apr_of(make(upfront_fees=300))
    assert result.apr_nominal == pytest.approx(0.17825, abs=5e-5)
    assert result.apr_nominal > apr_of(make()).apr_nominal


def test_flat_fee_loan_hidden_cost() -> None:
    # "0% interest" with a 1% monthly service fee on the original principal: the classic disguise.
    # 12 × (833.33 + 100) on 10 000 received; the IRR is about 1.788% a month, 21.5% nominal.
    result = apr_of(make(annual_rate=0, fees=[{"name": "service", "amount": 100, "per": "period"}]))
    assert result.apr_nominal == pytest.approx(0.2146, abs=5e-4)


def test_irr_two_periods_by_hand() -> None:
    # 100 = 60/(1+r) + 60/(1+r)^2 → with x = 1/(1+r): 60x² + 60x − 100 = 0,
    # x = (−60 + √(3600 + 24000)) / 120 = 0.884437…, r = 1/x − 1 = 0.130662…
    x = (-60 + math.sqrt(3600 + 24000)) / 120
    assert irr([0, 1, 2], [100, -60, -60]) == pytest.approx(1 / x - 1, rel=1e-12)
    assert irr([0, 1], [100, -110]) == pytest.approx(0.10, rel=1e-12)
    assert irr([0, 1], [100, -100]) == pytest.approx(0.0, abs=1e-12)
    assert irr([0, 1], [100, -90]) == pytest.approx(-0.10, rel=1e-12)


def test_irr_extreme_but_valid() -> None:
    # 10 doubles every period → 100% per period; 1 000 000% per period still brackets.
    assert irr([0, 1], [10, -20]) == pytest.approx(1.0, rel=1e-12)
    assert irr([0, 1], [1, -10001]) == pytest.approx(10000, rel=1e-9)
    assert irr([0, 30], [100, -101]) == pytest.approx(1.01 ** (1 / 30) - 1, rel=1e-9)


@pytest.mark.parametrize(
    ("times", "amounts", "why"),
    [
        ([0, 1], [100, 50], "need money received and money paid back"),
        ([0, 1], [-100, -50], "need money received and money paid back"),
        ([0, 1, 2], [100, -250, 160], "change sign more than once"),
        ([1, 1], [100, -100], "need money received"),
        ([0, 0.01], [1e7, -0.01], "it is −100%"),
    ],
)
def test_no_irr_says_why(times: list[float], amounts: list[float], why: str) -> None:
    with pytest.raises(IrrError, match=why):
        irr(times, amounts)


def test_xirr_one_year_actual_365() -> None:
    # 100 received, 110 paid 365 days later → 10% effective; daily rate 1.1^(1/365) − 1.
    loan = make(principal=100, cashflows=[{"date": "2026-01-15", "amount": 110}])
    result = apr_of(loan)
    assert result.basis == "actual_365" and result.periods_per_year == 365
    assert result.apr_effective == pytest.approx(0.10, rel=1e-9)
    assert result.irr_period == pytest.approx(1.1 ** (1 / 365) - 1, rel=1e-9)


def test_unfinished_cashflows_have_no_apr() -> None:
    loan = make(cashflows=[{"date": "2025-02-15", "amount": 1000}])
    with pytest.raises(IrrError, match="pay back 1000 but the borrower received 10000"):
        apr_of(loan)


rates = st.integers(min_value=0, max_value=4000).map(lambda bp: D(bp) / 10000)
methods = st.sampled_from(["equal_installment", "equal_principal", "interest_only", "bullet"])


@settings(max_examples=80, deadline=None)
@given(
    rate=rates,
    method=methods,
    periods=st.integers(min_value=1, max_value=36),
    fee_low=st.integers(min_value=0, max_value=500),
    fee_step=st.integers(min_value=1, max_value=500),
    upfront=st.booleans(),
)
def test_apr_is_monotone_in_fees(
    rate: Decimal, method: str, periods: int, fee_low: int, fee_step: int, upfront: bool
) -> None:
    def loan(fee: int) -> Loan:
        if upfront:
            return make(annual_rate=rate, method=method, periods=periods, upfront_fees=fee)
        return make(
            annual_rate=rate,
            method=method,
            periods=periods,
            fees=[{"name": "f", "amount": fee, "per": "period"}],
        )

    low, high = apr_of(loan(fee_low)), apr_of(loan(fee_low + fee_step))
    assert high.apr_nominal > low.apr_nominal
    assert high.apr_effective > low.apr_effective


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(min_value=100, max_value=3600).map(lambda bp: D(bp) / 10000),
    periods=st.integers(min_value=3, max_value=36),
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 28)),
    method=st.sampled_from(["equal_installment", "equal_principal"]),
)
def test_xirr_on_monthly_dates_matches_periodic_irr(
    rate: Decimal, periods: int, start: date, method: str
) -> None:
    loan = make(annual_rate=rate, periods=periods, start=start.isoformat(), method=method)
    schedule = build_schedule(loan)
    periodic = loan_apr(loan, schedule)
    dated = replace(
        loan, cashflows=tuple(Cashflow(add_months(start, i.number), i.payment) for i in schedule.installments)
    )
    actual = loan_apr(dated, schedule)
    # Months of 28–31 days against 365/12 = 30.42: n months differ from n × 30.42 days by at most about
    # 3 days, so the rates differ by at most about 3 / (30.42 n) relative, plus a little for weighting.
    assert actual.apr_effective == pytest.approx(periodic.apr_effective, rel=0.15 / periods + 0.005)


@settings(max_examples=200, deadline=None)
@given(
    received=st.floats(min_value=1.0, max_value=1e7),
    shares=st.lists(st.floats(min_value=0.01, max_value=2.0), min_size=1, max_size=40),
    gaps=st.lists(st.floats(min_value=0.05, max_value=5.0), min_size=40, max_size=40),
)
def test_irr_discounts_to_zero(received: float, shares: list[float], gaps: list[float]) -> None:
    # Payments between 1% and 200% of the cash received, at increasing times.
    times = [0.0, *itertools.accumulate(gaps[: len(shares)])]
    amounts = [received, *(-received * f for f in shares)]
    try:
        r = irr(times, amounts)
    except IrrError as exc:  # only when the payments are tiny against the cash received
        assert "−100%" in str(exc) and sum(shares) < 1
        return
    assert r > -1
    # Near −100% the rate itself (1 + r ≈ 1e-13) cannot carry the root's precision; check elsewhere.
    assume(r > -0.9)
    factors = [math.exp(-t * math.log1p(r)) for t in times]
    terms = [a * f for a, f in zip(amounts, factors, strict=True)]
    # Relative to the discounted flows themselves (both sides are equal at the root; far below −50%
    # the later terms are large and cancel, so that is the precision a float NPV can show).
    assert abs(sum(terms)) <= 1e-9 * sum(abs(t) for t in terms)
    if sum(shares) >= 1:
        assert r >= -1e-12

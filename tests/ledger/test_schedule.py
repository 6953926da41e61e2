"""Schedules worked by hand (arithmetic in the comments) and their invariants as properties."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.ledger.model import parse_loan
from faircollect.ledger.schedule import Schedule, add_months, annuity_payment, build_schedule

D = Decimal


def schedule(**fields: Any) -> Schedule:
    base: dict[str, Any] = {"start": "2025-01-15", "period": "month"}
    return build_schedule(parse_loan({**base, **fields}))


def test_equal_installment_by_hand() -> None:
    # 10 000 at 18%/year → r = 0.015 per month, n = 12.
    # A = 10000 × 0.015 / (1 − 1.015^−12) = 150 / 0.163612 = 916.7999… → 916.80
    # Period 1: interest 10000 × 0.015 = 150.00, principal 916.80 − 150.00 = 766.80, balance 9233.20
    # Period 2: interest 9233.20 × 0.015 = 138.498 → 138.50, principal 778.30, balance 8454.90
    s = schedule(principal=10000, method="equal_installment", annual_rate=0.18, periods=12)
    first, second, last = s.installments[0], s.installments[1], s.installments[-1]
    assert (first.interest, first.principal, first.balance) == (D("150.00"), D("766.80"), D("9233.20"))
    assert (second.interest, second.principal, second.balance) == (D("138.50"), D("778.30"), D("8454.90"))
    assert all(i.payment == D("916.80") for i in s.installments[:-1])
    # The last period takes the rounding: principal 903.26 left, interest 903.26 × 0.015 = 13.55 → 916.81.
    assert (last.principal, last.interest, last.payment) == (D("903.26"), D("13.55"), D("916.81"))
    assert last.balance == 0
    assert s.total_interest == D("1001.61")  # 11 × 916.80 + 916.81 − 10 000
    assert [i.due for i in s.installments[:2]] == [date(2025, 2, 15), date(2025, 3, 15)]


def test_equal_principal_by_hand() -> None:
    # 12 000 at 24% → r = 0.02; principal 1 000 each month; interest on the balance before payment:
    # 12 000 × 0.02 = 240, 11 000 × 0.02 = 220, … 1 000 × 0.02 = 20; total 0.02 × 1 000 × (12 + … + 1) = 1 560.
    s = schedule(principal=12000, method="equal_principal", annual_rate=0.24, periods=12)
    assert [i.payment for i in s.installments] == [D(1240 - 20 * k) for k in range(12)]
    assert s.total_interest == D(1560)
    assert s.total_payments == D(13560)


def test_equal_principal_rounding_goes_to_last_period() -> None:
    # 100 / 3 = 33.333… → 33.33, 33.33 and the rest 100 − 66.66 = 33.34.
    s = schedule(principal=100, method="equal_principal", annual_rate=0, periods=3)
    assert [i.principal for i in s.installments] == [D("33.33"), D("33.33"), D("33.34")]


def test_interest_only_by_hand() -> None:
    # 5 000 at 12% → 50 interest a month for 6 months, principal with the last: 5 050.
    s = schedule(principal=5000, method="interest_only", annual_rate=0.12, periods=6)
    assert [i.payment for i in s.installments] == [D(50)] * 5 + [D(5050)]
    assert [i.balance for i in s.installments] == [D(5000)] * 5 + [D(0)]


def test_bullet_daily_by_hand() -> None:
    # 1 000 at 36.5%/year daily: 0.001 a day × 10 days = 10 simple interest, all paid on day 10.
    s = schedule(
        principal=1000, method="bullet", annual_rate=0.365, periods=10, period="day", start="2025-03-01"
    )
    assert [i.payment for i in s.installments] == [D(0)] * 9 + [D(1010)]
    assert s.installments[-1].due == date(2025, 3, 11)


def test_weekly_due_dates_and_fees() -> None:
    # Zero rate, 4 weeks: 25 a week; a one-off fee of 9 in the first week and 1 every week.
    s = schedule(
        principal=100, method="equal_installment", annual_rate=0, periods=4, period="week",
        fees=[{"name": "setup", "amount": 9, "per": "once"}, {"name": "svc", "amount": 1, "per": "period"}],
    )  # fmt: skip
    assert [i.payment for i in s.installments] == [D(35), D(26), D(26), D(26)]
    assert [i.due for i in s.installments] == [
        date(2025, 1, 22),
        date(2025, 1, 29),
        date(2025, 2, 5),
        date(2025, 2, 12),
    ]
    assert s.total_fees == D(13)


def test_annuity_payment_textbook() -> None:
    # 100 000 at 12% over 12 months: 100000 × 0.01 / (1 − 1.01^−12) = 8 884.88
    assert annuity_payment(D(100000), D("0.01"), 12) == D("8884.88")
    assert annuity_payment(D(1200), D(0), 12) == D(100)


def test_add_months_clamps_to_month_end() -> None:
    start = date(2024, 1, 31)
    assert [add_months(start, k) for k in range(4)] == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30),
    ]  # fmt: skip
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


loans = st.fixed_dictionaries(
    {
        "principal": st.integers(min_value=1, max_value=10_000_000).map(lambda c: D(c) / 100),
        "annual_rate": st.integers(min_value=0, max_value=5000).map(lambda bp: D(bp) / 10000),
        "periods": st.integers(min_value=1, max_value=60),
        "method": st.sampled_from(["equal_installment", "equal_principal", "interest_only", "bullet"]),
        "period": st.sampled_from(["month", "week", "day"]),
        "fee": st.integers(min_value=0, max_value=10_000).map(lambda c: D(c) / 100),
        "start": st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat),
    }
)


@settings(max_examples=150, deadline=None)
@given(loans)
def test_schedule_sums(fields: dict[str, Any]) -> None:
    fee = fields.pop("fee")
    s = schedule(**fields, fees=[{"name": "svc", "amount": fee, "per": "period"}])
    rows = s.installments
    assert len(rows) == fields["periods"]
    assert s.total_principal == fields["principal"]  # principal sums exactly, to the cent
    assert s.total_payments == fields["principal"] + s.total_interest + s.total_fees
    assert s.total_fees == fee * fields["periods"]
    assert rows[-1].balance == 0
    assert all(i.principal >= 0 and i.interest >= 0 and i.balance >= 0 for i in rows)
    assert all(a.balance >= b.balance and a.due < b.due for a, b in itertools.pairwise(rows))
    assert all(i.payment == i.principal + i.interest + i.fees for i in rows)
    assert all(v == v.quantize(D("0.01")) for i in rows for v in (i.principal, i.interest, i.fees))
    if fields["method"] == "equal_installment" and fields["principal"] >= len(rows):
        # Level payments; only the last one differs, by the accumulated rounding of a few cents.
        # (With less than a unit of money per period the cent rounding of the level payment can exceed
        # the balance, and the schedule clamps it instead.)
        # The half-cent error of the rounded level payment and of each interest amount compounds at the
        # period rate r: at most 0.01 × ((1 + r)^n − 1) / r by the last period.
        level, r, n = (
            rows[0].payment,
            fields["annual_rate"] / {"month": 12, "week": 52, "day": 365}[fields["period"]],
            len(rows),
        )
        drift = D(n) if r == 0 else ((1 + r) ** n - 1) / r
        assert all(i.payment == level for i in rows[:-1])
        assert abs(rows[-1].payment - level) <= D("0.01") * drift + D("0.01")

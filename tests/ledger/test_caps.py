"""Caps by jurisdiction, lender type and contract date; the excess and the lawful balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.ledger.lpr import parse_lpr_csv
from faircollect.ledger.model import parse_loan
from faircollect.ledger.report import Analysis, analyze

D = Decimal


def run(lpr_text: str | None = None, **fields: Any) -> Analysis:
    base: dict[str, Any] = {
        "principal": 10000, "start": "2025-01-15", "method": "equal_installment", "annual_rate": 0.12,
        "periods": 12, "jurisdiction": "cn", "lender_type": "private",
    }  # fmt: skip
    lpr = parse_lpr_csv(lpr_text, "mine.csv") if lpr_text else None
    return analyze(parse_loan({**base, **fields}), lpr)


def names(a: Analysis) -> list[str]:
    return [c.name for c in a.caps.caps]


def test_switch_to_lpr_rule_on_2020_08_20() -> None:
    before = run(start="2020-08-19")
    assert names(before) == ["CN.Interest.2015.enforceable_24", "CN.Interest.2015.void_36"]
    assert [c.limit for c in before.caps.caps] == [D("0.24"), D("0.36")]
    assert all(c.confidence == "S" for c in before.caps.caps)
    after = run(start="2020-08-20")
    assert names(after) == ["CN.Interest.4LPR"]
    assert after.caps.caps[0].limit == D("0.1540")  # 4 × 3.85%
    assert after.caps.caps[0].confidence == "C"


@pytest.mark.parametrize(
    ("signed", "limit"),
    [
        ("2021-12-19", "0.1540"), ("2021-12-20", "0.1520"),
        ("2022-01-19", "0.1520"), ("2022-01-20", "0.1480"),
        ("2022-08-21", "0.1480"), ("2022-08-22", "0.1460"),
        ("2023-06-19", "0.1460"), ("2023-06-20", "0.1420"),
        ("2023-08-20", "0.1420"), ("2023-08-21", "0.1380"),
        ("2024-07-21", "0.1380"), ("2024-07-22", "0.1340"),
        ("2024-10-20", "0.1340"), ("2024-10-21", "0.1240"),
        ("2025-05-19", "0.1240"), ("2025-05-20", "0.1200"),
    ],
)  # fmt: skip
def test_cap_at_lpr_change_dates(signed: str, limit: str) -> None:
    cap = run(start="2025-11-01", contract_date=signed).caps.caps[0]
    assert cap.limit == D(limit)


def test_same_loan_lawful_the_day_before_a_cut_and_not_on_it() -> None:
    # 15.3% nominal: under 4 × 3.85% = 15.4%, over 4 × 3.80% = 15.2%.
    day_before = run(start="2021-12-19", annual_rate=0.153).caps.caps[0]
    on_the_day = run(start="2021-12-20", annual_rate=0.153).caps.caps[0]
    assert (day_before.exceeded, day_before.excess.total) == (False, D(0))
    assert on_the_day.exceeded and on_the_day.excess.total > 0


def test_contract_date_decides_not_start() -> None:
    a = run(start="2022-02-01", contract_date="2021-12-01")
    assert a.caps.caps[0].limit == D("0.1540")


def test_stale_lpr_lowers_confidence_and_says_so() -> None:
    cap = run(start="2026-06-01").caps.caps[0]
    assert cap.confidence == "U"
    assert "assumed unchanged" in cap.note["en"] and "--lpr" in cap.note["en"]


def test_user_lpr_table() -> None:
    cap = run(lpr_text="date,lpr_1y\n2020-01-01,5.00\n", start="2025-01-15").caps.caps[0]
    assert cap.limit == D("0.2000")
    assert "mine.csv" in cap.note["en"]


def test_pre_2020_loan_between_24_and_36() -> None:
    a = run(start="2019-05-01", annual_rate=0.30)
    low, high = a.caps.caps
    assert (low.exceeded, high.exceeded) == (True, False)
    assert a.caps.binding is low
    assert "Art. 31" in low.note["en"]


def test_licensed_lender_cap_is_secondary() -> None:
    a = run(lender_type="licensed", annual_rate=0.30)
    (cap,) = a.caps.caps
    assert (cap.name, cap.limit, cap.confidence, cap.exceeded) == (
        "CN.Interest.licensed24",
        D("0.24"),
        "S",
        True,
    )
    assert "Secondary source" in cap.note["en"] and "二手来源" in cap.note["zh"]


def test_us_mla_only_for_covered_borrowers() -> None:
    covered = run(jurisdiction="us", lender_type="other", covered_borrower=True, annual_rate=0.30,
                  upfront_fees=500)  # fmt: skip
    (cap,) = covered.caps.caps
    assert (cap.name, cap.limit, cap.confidence) == ("US.MLA.mapr36", D("0.36"), "U")
    assert cap.exceeded  # 30% rate + 5% upfront fee on a 1-year loan ≈ 40% APR
    civilian = run(jurisdiction="us", lender_type="other", annual_rate=0.30)
    assert civilian.caps.caps == () and "MLA" in civilian.caps.notes[0]["en"]


def test_no_jurisdiction_no_caps() -> None:
    a = run(jurisdiction=None, lender_type=None)
    assert a.caps.caps == () and a.caps.binding is None


def test_uk_hcstc_by_hand() -> None:
    # £200 for 30 days at 292%/year = 0.8% a day (bullet) → interest 200 × 0.008 × 30 = 48.
    # A £20 arrangement fee pushes cost to 68 against the allowance 0.008 × 200 × 30 = 48: excess 20.
    # Default fees 25 > 15: excess 10. Total cost 48 + 20 + 25 = 93 ≤ 200: within 100% of credit.
    a = run(
        principal=200, start="2025-03-01", method="bullet", annual_rate=2.92, periods=30, period="day",
        fees=[{"name": "arrangement", "amount": 20, "per": "once"}], default_fees=[{"name": "late", "amount": 25}],
        jurisdiction="uk", lender_type="hcstc",
    )  # fmt: skip
    daily, default, total = a.caps.caps
    assert (daily.exceeded, daily.excess.total) == (True, D(20))
    assert daily.value == D("0.011333")  # 0.008 × 68 / 48
    assert (default.exceeded, default.excess.total) == (True, D(10))
    assert (total.exceeded, total.value, total.excess.total) == (False, D("0.465"), D(0))
    assert a.caps.binding is daily


def test_uk_total_cost_cap() -> None:
    # £100 over 150 days at exactly 0.8%/day: interest 100 × 0.008 × 150 = 120 > 100% of credit.
    a = run(principal=100, start="2025-03-01", method="bullet", annual_rate=2.92, periods=150, period="day",
            jurisdiction="uk", lender_type="hcstc")  # fmt: skip
    daily, _, total = a.caps.caps
    assert not daily.exceeded
    assert (total.exceeded, total.excess.total) == (True, D(20))


def test_excess_one_period_by_hand() -> None:
    # 10 000 for one month at 36%: payment 10 000 + 300 = 10 300. Cap 4 × 3.85% = 15.4% (2020-08-20):
    # allowed interest 10 000 × 0.154 / 12 = 128.33; not owed 10 300 − 10 128.33 = 171.67.
    a = run(start="2020-08-20", method="bullet", annual_rate=0.36, periods=1)
    (row,) = a.caps.caps[0].excess.rows
    assert (row.charged, row.allowed, row.above_cap, row.unenforceable) == (
        D(300),
        D("128.33"),
        D("171.67"),
        D("171.67"),
    )
    assert a.caps.caps[0].excess.total == D("171.67")
    assert a.caps.caps[0].excess.lawful_total == D("10128.33")


def test_excess_on_dated_cashflows_by_hand() -> None:
    # 100 received, 130 paid a year (365 days) later; cap 15.4% effective → 100 × 0.154 = 15.40 allowed,
    # 130 − 115.40 = 14.60 not owed.
    a = run(principal=100, start="2020-08-20", cashflows=[{"date": "2021-08-20", "amount": 130}])
    cap = a.caps.caps[0]
    assert cap.basis == "apr_effective"
    assert cap.excess.total == D("14.60")


def test_upfront_fee_is_never_lent() -> None:
    # 1 000 "lent" at 0% for 1 month with 100 deducted upfront: the borrower got 900 and repays 1 000.
    # Allowed: 900 × 0.154 / 12 = 11.55; not owed 1 000 − 911.55 = 88.45.
    a = run(principal=1000, upfront_fees=100, start="2020-08-20", method="bullet", annual_rate=0, periods=1)
    assert a.caps.caps[0].excess.total == D("88.45")


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(min_value=0, max_value=6000).map(lambda bp: D(bp) / 10000),
    upfront=st.integers(min_value=0, max_value=2000),
    fee=st.integers(min_value=0, max_value=200),
    periods=st.integers(min_value=1, max_value=36),
    method=st.sampled_from(["equal_installment", "equal_principal", "interest_only", "bullet"]),
    signed=st.dates(min_value=date(2020, 8, 20), max_value=date(2025, 10, 31)),
)
def test_excess_accounts_balance(
    rate: D, upfront: int, fee: int, periods: int, method: str, signed: date
) -> None:
    a = run(
        annual_rate=rate, upfront_fees=upfront, periods=periods, method=method, start=signed.isoformat(),
        fees=[{"name": "svc", "amount": fee, "per": "period"}],
    )  # fmt: skip
    cap = a.caps.caps[0]
    excess = cap.excess
    if not cap.exceeded:
        assert excess.total == 0
        return
    # Everything paid = cash received + lawful interest + what is not owed − what is still lawfully owed.
    rows = excess.rows
    paid = sum((r.payment for r in rows), D(0))
    lawful_interest = sum((r.allowed for r in rows), D(0))
    final = rows[-1].lawful_balance or D(0)
    assert paid == a.loan.net_received + lawful_interest + excess.total - final
    # … which is the upfront deduction plus the cost charged above the cap, period by period.
    assert excess.total - final == D(upfront) + sum((r.above_cap or D(0) for r in rows), D(0))
    assert excess.lawful_total == a.schedule.total_payments - excess.total
    assert all(r.unenforceable is not None and r.unenforceable >= 0 for r in rows)

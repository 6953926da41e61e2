"""Payments against a schedule: allocation order, days past due, buckets, lawful payoff."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from faircollect.ledger.model import Cashflow, parse_loan
from faircollect.ledger.payments import allocate, bucket
from faircollect.ledger.report import balance_view
from faircollect.ledger.schedule import build_schedule

D = Decimal
# 12 000 at 24%, equal principal from 2025-01-10: installments 1 240, 1 220, 1 200, … (see test_schedule).
LOAN: dict[str, Any] = {
    "principal": 12000, "start": "2025-01-10", "method": "equal_principal", "annual_rate": 0.24,
    "periods": 12, "fees": [{"name": "svc", "amount": 10, "per": "period"}],
}  # fmt: skip


def pay(*flows: tuple[str, int | str], as_of: str = "2025-06-01", **fields: Any) -> Any:
    loan = parse_loan({**LOAN, **fields})
    payments = [Cashflow(date.fromisoformat(d), D(a)) for d, a in flows]
    return allocate(build_schedule(loan), payments, date.fromisoformat(as_of))


@pytest.mark.parametrize(
    ("days", "name"),
    [(-5, "M0"), (0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (150, "M5"),
     (151, "M6"), (180, "M6"), (181, "M6+"), (1000, "M6+")],
)  # fmt: skip
def test_buckets(days: int, name: str) -> None:
    assert bucket(days) == name


def test_partial_payment_by_hand() -> None:
    # Installment 1 = 1 000 principal + 240 interest + 10 fee = 1 250, paid in full on its due date.
    # 1 000 on 2025-03-12 goes to installment 2 (1 000 + 220 + 10 = 1 230): fee 10, interest 220,
    # principal 1 000 − 10 − 220 = 770; 1 230 − 1 000 = 230 still owed.
    b = pay(("2025-02-10", 1250), ("2025-03-12", 1000))
    first, second = b.statuses[:2]
    assert first.settled_on == date(2025, 2, 10) and first.outstanding == 0
    assert second.paid == {"fees": D(10), "interest": D(220), "principal": D(770)}
    assert second.outstanding == D(230)
    # As of 2025-06-01 installments 2 (due 03-10), 3 (04-10) and 4 (05-10) are past due:
    # 230 + 1 210 + 1 190 = 2 630; oldest due 2025-03-10 → 21 + 30 + 31 + 1 = 83 days, bucket M3.
    assert b.past_due == D(2630)
    assert (b.days_past_due, b.bucket) == (83, "M3")
    assert b.paid == D(2250)
    assert b.principal_outstanding == D(12000 - 1000 - 770)


def test_contract_allocation_order() -> None:
    # Principal first: the 1 000 pays principal 1 000 of installment 1; 250 of interest and fees stay due.
    b = pay(("2025-02-10", 1000), allocation=["principal", "interest", "fees"])
    assert b.statuses[0].paid == {"principal": D(1000), "interest": D(0), "fees": D(0)}
    assert b.statuses[0].outstanding == D(250)


def test_due_today_is_not_past_due() -> None:
    b = pay(as_of="2025-02-10")
    assert (b.days_past_due, b.bucket, b.past_due) == (0, "M0", 0)
    b = pay(as_of="2025-02-11")
    assert (b.days_past_due, b.bucket, b.past_due) == (1, "M1", D(1250))


def test_payments_after_as_of_are_ignored_and_overpayment_kept() -> None:
    b = pay(("2025-02-10", 1250), ("2025-07-01", 99999), as_of="2025-02-10")
    assert b.paid == D(1250) and b.unapplied == 0
    everything = build_schedule(parse_loan(LOAN)).total_payments
    b = pay(("2025-02-10", str(everything + 5)), as_of="2025-02-10")
    assert (b.outstanding, b.unapplied, b.days_past_due) == (0, D(5), 0)
    assert all(s.settled_on == date(2025, 2, 10) for s in b.statuses)


def test_lawful_payoff_under_the_cap() -> None:
    # 24% + fees on a private loan of 2025-01-10: cap 4 × 3.10% = 12.4%. After one payment of 1 250,
    # interest at the cap is 12 000 × (1.124^(31/365) − 1) = 119.73, so the lawful balance is
    # 12 000 + 119.73 − 1 250 = 10 869.73; to 2025-06-01 (111 days) it grows by
    # 10 869.73 × (1.124^(111/365) − 1) = 393.35 → payoff 11 263.08.
    loan = parse_loan({**LOAN, "jurisdiction": "cn", "lender_type": "private",
                       "cashflows": [{"date": "2025-02-10", "amount": 1250}]})  # fmt: skip
    view = balance_view(loan, date(2025, 6, 1))
    assert view.cap is not None and view.cap.name == "CN.Interest.4LPR"
    assert view.lawful_payoff == D("11263.08")
    assert view.paid_not_owed == 0
    assert view.balance.bucket == "M3"  # installment 2, due 2025-03-10, unpaid: 83 days


def test_no_cap_no_payoff() -> None:
    view = balance_view(parse_loan(LOAN), date(2025, 6, 1))
    assert view.cap is None and view.lawful_payoff is None

"""Loan input validation: typed Decimal money, every problem named by field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from faircollect.ledger.model import Loan, LoanError, cents, parse_loan

BASE: dict[str, Any] = {
    "principal": 10000,
    "upfront_fees": 300,
    "start": "2025-01-15",
    "method": "equal_installment",
    "annual_rate": 0.18,
    "periods": 12,
    "period": "month",
    "fees": [{"name": "service", "amount": 50, "per": "period"}],
    "cashflows": [{"date": "2025-02-15", "amount": 1000.0}],
    "jurisdiction": "cn",
    "lender_type": "licensed",
}


def errors_of(data: Any) -> list[str]:
    with pytest.raises(LoanError) as info:
        parse_loan(data)
    return info.value.errors


def test_schema_example_parses_to_decimals() -> None:
    loan = parse_loan(BASE)
    assert loan.principal == Decimal("10000")
    assert loan.annual_rate == Decimal("0.18")  # float 0.18 goes through its repr, not its binary value
    assert loan.cashflows[0].amount == Decimal("1000.0")
    assert loan.fees[0].per == "period"
    assert loan.net_received == Decimal("9700")
    assert loan.signed_on == date(2025, 1, 15)  # contract_date defaults to start
    assert loan.periods_per_year == 12
    assert loan.allocation == ("fees", "interest", "principal")


def test_defaults_for_optional_fields() -> None:
    loan = parse_loan({k: BASE[k] for k in ("principal", "start", "method", "annual_rate", "periods")})
    assert (loan.period, loan.upfront_fees, loan.fees, loan.cashflows) == ("month", Decimal(0), (), ())
    assert loan.jurisdiction is None and loan.lender_type is None and loan.covered_borrower is False


def test_periods_error_names_the_field() -> None:
    assert errors_of({**BASE, "periods": 0}) == [
        "LOAN.json: periods: must be a positive integer (at most 3650)"
    ]
    assert errors_of({**BASE, "periods": 1.5})[0].startswith("LOAN.json: periods:")
    assert errors_of({**BASE, "periods": True})[0].startswith("LOAN.json: periods:")


def test_every_problem_is_reported_at_once() -> None:
    errors = errors_of(
        {"principal": "x", "start": "15/01/2025", "method": "balloon", "periods": -1, "extra": 1}
    )
    fields = [e.split(": ")[1] for e in errors]
    assert fields == ["extra", "principal", "start", "method", "annual_rate", "periods"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"principal": 0}, "principal"),
        ({"principal": 10.001}, "principal"),
        ({"upfront_fees": -1}, "upfront_fees"),
        ({"upfront_fees": 10000}, "upfront_fees"),
        ({"annual_rate": -0.1}, "annual_rate"),
        ({"annual_rate": "NaN"}, "annual_rate"),
        ({"period": "year"}, "period"),
        ({"fees": [{"name": "x", "amount": 1, "per": "day"}]}, "fees[0].per"),
        ({"fees": [{"amount": 1, "per": "once"}]}, "fees[0].name"),
        ({"fees": [3]}, "fees[0]"),
        ({"fees": {}}, "fees"),
        ({"cashflows": [{"date": "2025-01-14", "amount": 5}]}, "cashflows[0].date"),
        ({"cashflows": [{"date": "2025-02-14", "amount": 0}]}, "cashflows[0].amount"),
        ({"jurisdiction": "fr"}, "jurisdiction"),
        ({"lender_type": "bank"}, "lender_type"),
        ({"contract_date": "2025-02-01"}, "contract_date"),
        ({"covered_borrower": "yes"}, "covered_borrower"),
        ({"allocation": ["interest", "principal"]}, "allocation"),
    ],
)
def test_bad_fields(patch: dict[str, Any], field: str) -> None:
    errors = errors_of({**BASE, **patch})
    assert len(errors) == 1
    assert errors[0].startswith(f"LOAN.json: {field}: "), errors


def test_not_an_object() -> None:
    assert errors_of([1, 2]) == ["LOAN.json: loan: must be a JSON object"]


def test_source_name_is_used() -> None:
    with pytest.raises(LoanError) as info:
        parse_loan({**BASE, "periods": 0}, "loans/a.json")
    assert info.value.errors[0].startswith("loans/a.json: periods:")


def test_cashflows_sorted_by_date() -> None:
    loan = parse_loan(
        {**BASE, "cashflows": [{"date": "2025-03-15", "amount": 2}, {"date": "2025-02-15", "amount": 1}]}
    )
    assert [c.amount for c in loan.cashflows] == [1, 2]


def test_cents_rounds_half_up() -> None:
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("2.344999")) == Decimal("2.34")


def test_loan_is_immutable() -> None:
    loan = parse_loan(BASE)
    assert isinstance(loan, Loan)
    with pytest.raises(AttributeError):
        loan.principal = Decimal(1)  # type: ignore[misc]

"""Repayment schedules: 等额本息, 等额本金, 先息后本 and bullet, with per-period and one-off fees.

The period rate is the annual rate divided by the periods per year (12, 52 or 365). Every amount is
rounded to the cent; the rounding difference goes into the last period, so principal sums exactly to
the loan and each payment is exactly principal + interest + fees.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from faircollect.ledger.model import CENT, Loan, cents

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Installment:
    number: int
    due: date
    principal: Decimal
    interest: Decimal
    fees: Decimal
    balance: Decimal  # principal still owed after this installment

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def part(self, component: str) -> Decimal:
        """One of the components payments are allocated to: fees, interest or principal."""
        return {"fees": self.fees, "interest": self.interest, "principal": self.principal}[component]

    @property
    def cost(self) -> Decimal:
        """Interest and fees: what the period costs the borrower on top of principal."""
        return self.interest + self.fees


@dataclass(frozen=True, slots=True)
class Schedule:
    loan: Loan
    installments: tuple[Installment, ...]

    @property
    def total_principal(self) -> Decimal:
        return sum((i.principal for i in self.installments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.installments), ZERO)

    @property
    def total_fees(self) -> Decimal:
        return sum((i.fees for i in self.installments), ZERO)

    @property
    def total_payments(self) -> Decimal:
        return sum((i.payment for i in self.installments), ZERO)

    @property
    def total_cost(self) -> Decimal:
        """Everything paid beyond the cash received: interest, fees and the upfront deduction."""
        return self.total_interest + self.total_fees + self.loan.upfront_fees


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later, clamped to the month's end (Jan 31 → Feb 28 → Mar 31)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(start: date, period: str, number: int) -> date:
    if period == "month":
        return add_months(start, number)
    return start + timedelta(days=number * (7 if period == "week" else 1))


def period_rate(loan: Loan) -> Decimal:
    return loan.annual_rate / loan.periods_per_year


def annuity_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """等额本息 instalment: P·r / (1 − (1 + r)^−n), or P / n at a zero rate; rounded to the cent."""
    if rate == 0:
        return cents(principal / periods)
    return cents(principal * rate / (1 - (1 + rate) ** -periods))


def _principal_parts(loan: Loan, rate: Decimal) -> list[tuple[Decimal, Decimal]]:
    """(principal, interest) per period, before fees; the last period takes the rounding difference."""
    n, balance = loan.periods, loan.principal
    parts: list[tuple[Decimal, Decimal]] = []
    if loan.method == "bullet":
        # 到期一次还本付息: simple interest for the whole term, all paid at maturity.
        return [(ZERO, ZERO)] * (n - 1) + [(balance, cents(balance * rate * n))]
    level = annuity_payment(balance, rate, n)
    # Rounded down so that n − 1 equal parts never exceed the principal; the last part takes the rest.
    equal_part = (balance / n).quantize(CENT, rounding=ROUND_DOWN)
    for number in range(1, n + 1):
        interest = cents(balance * rate)
        if number == n:
            part = balance
        elif loan.method == "equal_installment":
            part = min(max(level - interest, ZERO), balance)
        elif loan.method == "equal_principal":
            part = equal_part
        else:  # interest_only (先息后本)
            part = ZERO
        parts.append((part, interest))
        balance -= part
    return parts


def build_schedule(loan: Loan) -> Schedule:
    rate = period_rate(loan)
    per_period = sum((f.amount for f in loan.fees if f.per == "period"), ZERO)
    once = sum((f.amount for f in loan.fees if f.per == "once"), ZERO)
    balance = loan.principal
    rows = []
    for number, (part, interest) in enumerate(_principal_parts(loan, rate), start=1):
        balance -= part
        fees = per_period + (once if number == 1 else ZERO)
        rows.append(
            Installment(number, due_date(loan.start, loan.period, number), part, interest, fees, balance)
        )
    return Schedule(loan, tuple(rows))

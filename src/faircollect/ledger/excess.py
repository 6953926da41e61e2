"""The excess: what a loan charges above a legal cap, and the lawful balance.

Rate caps (4 × LPR, 24%, 36% MAPR) use the lawful-balance method Chinese courts apply to interest above
the cap (超出部分冲抵本金): the lawful balance starts at the cash actually received (principal minus
upfront fees, SPC private-lending provisions Art. 26), earns interest at the cap, and every payment
reduces it. Money paid beyond the lawful balance is not owed. So the total excess is zero exactly when
the loan's APR (on the same basis) is at or below the cap, and

    total − final lawful balance = payments − cash received − lawful interest
                                 = upfront fees + Σ (charged cost − lawful interest) per period.

The UK high-cost short-term credit cap is a cost cap per day on the principal outstanding; its excess is
the term's cost above 0.8% a day of the principal outstanding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from faircollect.ledger.model import Cashflow, Loan, cents
from faircollect.ledger.schedule import Schedule

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExcessRow:
    number: int
    date: date
    payment: Decimal
    charged: Decimal | None  # contract interest + fees of the period (None for bare cash flows)
    allowed: Decimal  # cost the cap allows for the period
    above_cap: Decimal | None  # charged − allowed (negative = below the cap)
    unenforceable: Decimal | None  # part of this payment that is not owed (rate caps)
    lawful_balance: Decimal | None  # lawful debt left after the payment (rate caps only)


@dataclass(frozen=True, slots=True)
class Excess:
    total: Decimal  # not enforceable; refundable if already paid
    contract_total: Decimal  # everything the contract (or the cash flows) makes the borrower pay
    lawful_balance: Decimal | None  # lawful debt left after the last payment (rate caps)
    rows: tuple[ExcessRow, ...]

    @property
    def lawful_total(self) -> Decimal:
        return self.contract_total - self.total


def _apply(balance: Decimal, interest: Decimal, payment: Decimal) -> tuple[Decimal, Decimal]:
    """(unenforceable part of the payment, lawful balance after it)."""
    owed = balance + interest
    return max(ZERO, payment - owed), max(ZERO, owed - payment)


def rate_cap_excess(schedule: Schedule, cap: Decimal) -> Excess:
    """Lawful-balance method over the schedule's periods at cap / periods per year (nominal basis)."""
    loan = schedule.loan
    rate = cap / loan.periods_per_year
    balance, rows = loan.net_received, []
    for inst in schedule.installments:
        allowed = cents(balance * rate)
        unenforceable, after = _apply(balance, allowed, inst.payment)
        rows.append(
            ExcessRow(
                inst.number,
                inst.due,
                inst.payment,
                inst.cost,
                allowed,
                inst.cost - allowed,
                unenforceable,
                after,
            )
        )
        balance = after
    return _summary(rows, schedule.total_payments, balance)


def _accrue(balance: Decimal, cap: Decimal, start: date, end: date) -> Decimal:
    """Interest at the cap as an effective annual rate over actual days (actual/365)."""
    years = Decimal((end - start).days) / 365
    return cents(balance * ((1 + cap) ** years - 1))


def dated_rate_cap_excess(loan: Loan, cap: Decimal, flows: Sequence[Cashflow] | None = None) -> Excess:
    """Lawful-balance method over dated payments (default: the loan's cash flows)."""
    flows = loan.cashflows if flows is None else flows
    balance, previous, rows = loan.net_received, loan.start, []
    for number, flow in enumerate(flows, start=1):
        allowed = _accrue(balance, cap, previous, flow.date)
        unenforceable, after = _apply(balance, allowed, flow.amount)
        rows.append(ExcessRow(number, flow.date, flow.amount, None, allowed, None, unenforceable, after))
        balance, previous = after, flow.date
    contract_total = sum((c.amount for c in flows), ZERO)
    return _summary(rows, contract_total, balance)


def lawful_payoff(
    loan: Loan, cap: Decimal, payments: Sequence[Cashflow], as_of: date
) -> tuple[Decimal, Decimal]:
    """(lawful payoff amount on `as_of`, amount already paid that was not owed) under a rate cap."""
    flows = [p for p in payments if p.date <= as_of]
    excess = dated_rate_cap_excess(loan, cap, flows)
    balance = excess.lawful_balance if excess.lawful_balance is not None else ZERO
    last = flows[-1].date if flows else loan.start
    return balance + _accrue(balance, cap, last, as_of), excess.total


def daily_cost_excess(schedule: Schedule, daily_cap: Decimal) -> Excess:
    """Cost charged above `daily_cap` × principal outstanding per day over the whole term (UK HCSTC).

    Each row shows the period's cost (upfront fees in the first) against what the cap allows for its
    days; the cap holds when the term's total cost stays within the sum of the allowances, so interest a
    bullet loan charges at maturity is set against the days it accrued over. The rows carry no
    per-period unenforceable amount: the excess is the term total above the allowance.
    """
    loan = schedule.loan
    outstanding, previous, rows = loan.principal, loan.start, []
    for inst in schedule.installments:
        charged = inst.cost + (loan.upfront_fees if inst.number == 1 else ZERO)
        allowed = cents(daily_cap * (inst.due - previous).days * outstanding)
        rows.append(
            ExcessRow(inst.number, inst.due, inst.payment, charged, allowed, charged - allowed, None, None)
        )
        outstanding, previous = inst.balance, inst.due
    above = sum((r.above_cap for r in rows if r.above_cap is not None), ZERO)
    return Excess(max(ZERO, above), schedule.total_payments, None, tuple(rows))


def _summary(rows: list[ExcessRow], contract_total: Decimal, balance: Decimal | None) -> Excess:
    total = sum((r.unenforceable for r in rows if r.unenforceable is not None), ZERO)
    return Excess(total, contract_total, balance, tuple(rows))


def flat_excess(amount: Decimal, contract_total: Decimal) -> Excess:
    """An excess with no per-period rows (a cap on a total, such as a fee or the total cost)."""
    return Excess(max(ZERO, amount), contract_total, None, ())

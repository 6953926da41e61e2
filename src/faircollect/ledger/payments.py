"""Actual payments against a schedule: allocation, what is past due, days past due and the M bucket.

Each payment goes to the oldest installment with anything unpaid, and within an installment to its
components in the contract's order (fees → interest → principal by default, as 民法典 Art. 561 orders
costs, interest and principal). Money paid beyond the whole schedule is kept as an unapplied credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from faircollect.ledger.model import Cashflow
from faircollect.ledger.schedule import Installment, Schedule

ZERO = Decimal(0)
BUCKET_DAYS = 30


@dataclass(frozen=True, slots=True)
class InstallmentStatus:
    installment: Installment
    paid: dict[str, Decimal]  # component → amount paid
    settled_on: date | None  # day the installment was paid in full

    def owed(self, component: str) -> Decimal:
        return self.installment.part(component) - self.paid[component]

    @property
    def outstanding(self) -> Decimal:
        return self.installment.payment - sum(self.paid.values(), ZERO)


@dataclass(frozen=True, slots=True)
class Balance:
    as_of: date
    paid: Decimal  # payments made on or before as_of
    past_due: Decimal  # unpaid amounts due before as_of
    outstanding: Decimal  # everything the schedule still asks for
    principal_outstanding: Decimal
    unapplied: Decimal  # paid beyond the whole schedule
    days_past_due: int
    bucket: str
    statuses: tuple[InstallmentStatus, ...]


def bucket(days_past_due: int) -> str:
    """M0 = not overdue, M1 = 1–30 days, M2 = 31–60, … M6 = 151–180, M6+ = more than 180 days."""
    if days_past_due <= 0:
        return "M0"
    months = (days_past_due - 1) // BUCKET_DAYS + 1
    return f"M{months}" if months <= 6 else "M6+"


def allocate(schedule: Schedule, payments: Sequence[Cashflow], as_of: date) -> Balance:
    order = schedule.loan.allocation
    paid = [dict.fromkeys(order, ZERO) for _ in schedule.installments]
    settled: list[date | None] = [None] * len(schedule.installments)
    unapplied = ZERO
    counted = [p for p in sorted(payments, key=lambda p: p.date) if p.date <= as_of]
    for payment in counted:
        left = payment.amount
        for index, inst in enumerate(schedule.installments):
            for component in order:
                take = min(left, inst.part(component) - paid[index][component])
                if take > 0:
                    paid[index][component] += take
                    left -= take
            if settled[index] is None and sum(paid[index].values(), ZERO) == inst.payment:
                settled[index] = payment.date
            if left == 0:
                break
        unapplied += left
    statuses = tuple(
        InstallmentStatus(inst, paid[i], settled[i]) for i, inst in enumerate(schedule.installments)
    )
    overdue = [s for s in statuses if s.outstanding > 0 and s.installment.due < as_of]
    dpd = (as_of - overdue[0].installment.due).days if overdue else 0
    return Balance(
        as_of=as_of,
        paid=sum((p.amount for p in counted), ZERO),
        past_due=sum((s.outstanding for s in overdue), ZERO),
        outstanding=sum((s.outstanding for s in statuses), ZERO),
        principal_outstanding=sum((s.owed("principal") for s in statuses), ZERO),
        unapplied=unapplied,
        days_past_due=dpd,
        bucket=bucket(dpd),
        statuses=statuses,
    )

"""Whole-loan analyses as plain JSON-ready dicts (schema.md "Loan"), shared by the CLI and the API.

Money is written as JSON numbers with two decimals (floats print cents exactly); rates as fractions
rounded to 10 decimals; non-finite rates (absurd loans) as null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from faircollect.i18n import pick
from faircollect.ledger.apr import AprResult, loan_apr
from faircollect.ledger.caps import CapReport, CapResult, evaluate_caps
from faircollect.ledger.excess import Excess, lawful_payoff
from faircollect.ledger.lpr import LprTable, default_lpr
from faircollect.ledger.model import Loan
from faircollect.ledger.payments import Balance, allocate
from faircollect.ledger.schedule import Schedule, build_schedule

RATE_DIGITS = 10


@dataclass(frozen=True, slots=True)
class Analysis:
    loan: Loan
    schedule: Schedule
    apr: AprResult
    caps: CapReport


def analyze(loan: Loan, lpr: LprTable | None = None) -> Analysis:
    """Schedule, APR by IRR and the caps; raises IrrError when no APR exists."""
    schedule = build_schedule(loan)
    apr = loan_apr(loan, schedule)
    return Analysis(loan, schedule, apr, evaluate_caps(loan, schedule, apr, lpr or default_lpr()))


def money(amount: Decimal | None) -> float | None:
    return None if amount is None else float(amount)


def rate(value: float | Decimal) -> float | None:
    number = float(value)
    return round(number, RATE_DIGITS) if math.isfinite(number) else None


def cap_dict(cap: CapResult, lang: str) -> dict[str, Any]:
    return {
        "name": cap.name,
        "title": pick(cap.title, lang),
        "limit": rate(cap.limit),
        "unit": cap.unit,
        "basis": cap.basis,
        "value": rate(cap.value),
        "exceeded": cap.exceeded,
        "excess": money(cap.excess.total),
        "citation": cap.citation,
        "confidence": cap.confidence,
        "note": pick(cap.note, lang) if cap.note else None,
    }


def excess_dict(cap: CapResult | None, excess: Excess | None) -> dict[str, Any]:
    if cap is None or excess is None:
        return {"cap": None, "total": 0.0, "per_period": []}
    return {
        "cap": cap.name,
        "limit": rate(cap.limit),
        "total": money(excess.total),
        "contract_total": money(excess.contract_total),
        "lawful_total": money(excess.lawful_total),
        "lawful_balance": money(excess.lawful_balance),
        "per_period": [
            {
                "number": r.number,
                "date": r.date.isoformat(),
                "payment": money(r.payment),
                "charged": money(r.charged),
                "allowed": money(r.allowed),
                "above_cap": money(r.above_cap),
                "unenforceable": money(r.unenforceable),
                "lawful_balance": money(r.lawful_balance),
            }
            for r in excess.rows
        ],
    }


def apr_dict(analysis: Analysis, lang: str) -> dict[str, Any]:
    """`ledger apr --format json` (schema.md): irr_period, periods_per_year, apr_nominal, apr_effective, caps, excess."""
    apr, report = analysis.apr, analysis.caps
    binding = report.binding
    excess = excess_dict(binding, binding.excess if binding else None)
    if report.notes:  # why no cap was checked; kept inside `excess` so the top level stays schema.md's
        excess["notes"] = [pick(n, lang) for n in report.notes]
    return {
        "irr_period": rate(apr.irr_period),
        "periods_per_year": apr.periods_per_year,
        "apr_nominal": rate(apr.apr_nominal),
        "apr_effective": rate(apr.apr_effective),
        "caps": [cap_dict(c, lang) for c in report.caps],
        "excess": excess,
    }


def schedule_dict(schedule: Schedule) -> dict[str, Any]:
    loan = schedule.loan
    return {
        "principal": money(loan.principal),
        "upfront_fees": money(loan.upfront_fees),
        "net_received": money(loan.net_received),
        "method": loan.method,
        "period": loan.period,
        "installments": [
            {
                "number": i.number,
                "due": i.due.isoformat(),
                "principal": money(i.principal),
                "interest": money(i.interest),
                "fees": money(i.fees),
                "payment": money(i.payment),
                "balance": money(i.balance),
            }
            for i in schedule.installments
        ],
        "totals": {
            "principal": money(schedule.total_principal),
            "interest": money(schedule.total_interest),
            "fees": money(schedule.total_fees),
            "payments": money(schedule.total_payments),
            "cost": money(schedule.total_cost),
        },
    }


@dataclass(frozen=True, slots=True)
class BalanceView:
    balance: Balance
    cap: CapResult | None
    lawful_payoff: Decimal | None  # what may lawfully be demanded to settle on as_of (rate caps)
    paid_not_owed: Decimal | None


def balance_view(loan: Loan, as_of: date, lpr: LprTable | None = None) -> BalanceView:
    """The loan's `cashflows` as payments against its contract schedule, as of a date."""
    contract = replace(loan, cashflows=())
    analysis = analyze(contract, lpr)
    balance = allocate(analysis.schedule, loan.cashflows, as_of)
    cap = analysis.caps.binding
    if cap is None or cap.unit != "rate_per_year":
        return BalanceView(balance, cap, None, None)
    payoff, not_owed = lawful_payoff(loan, cap.limit, loan.cashflows, as_of)
    return BalanceView(balance, cap, payoff, not_owed)


def balance_dict(view: BalanceView) -> dict[str, Any]:
    b = view.balance
    return {
        "as_of": b.as_of.isoformat(),
        "paid": money(b.paid),
        "past_due": money(b.past_due),
        "outstanding": money(b.outstanding),
        "principal_outstanding": money(b.principal_outstanding),
        "unapplied": money(b.unapplied),
        "days_past_due": b.days_past_due,
        "bucket": b.bucket,
        "cap": view.cap.name if view.cap else None,
        "lawful_payoff": money(view.lawful_payoff),
        "paid_not_owed": money(view.paid_not_owed),
        "installments": [
            {
                "number": s.installment.number,
                "due": s.installment.due.isoformat(),
                "payment": money(s.installment.payment),
                "paid": {k: money(v) for k, v in s.paid.items()},
                "outstanding": money(s.outstanding),
                "settled_on": s.settled_on.isoformat() if s.settled_on else None,
            }
            for s in b.statuses
        ],
    }

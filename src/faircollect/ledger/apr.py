"""True cost of credit by internal rate of return (IRR), the method Chinese regulators use for 综合年化成本.

Cash flows are seen from the borrower: the net cash received at time 0 is positive, every payment
(principal, interest and fees) is negative. The IRR is the rate at which they discount to zero.

Root finding works on x = ln(1 + r), which maps r ∈ (−1, ∞) onto the whole real line, and on
h(x) = ln(PV of the money paid) − ln(PV of the money received) instead of the NPV itself. With one sign
change h is strictly monotone and nearly straight, and log-sum-exp keeps it free of overflow at any rate.
The solver brackets a sign change of h first, then narrows the bracket with Newton steps that fall back
to bisection whenever a step would leave the bracket or stops shrinking fast, so it either returns a root
inside a proven bracket or raises IrrError saying why.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from faircollect.ledger.model import Loan
from faircollect.ledger.schedule import Schedule

DAYS_PER_YEAR = 365  # actual/365 for irregular cash flows
# |ln(1 + r)| per unit of time. Dated flows are in years, so a day-long loan that returns 100× the cash
# received has x ≈ 1 700; 10 000 leaves room for anything a contract can state.
_X_LIMIT = 10_000.0
_TOLERANCE = 1e-15
_MAX_STEPS = 200

LogRatio = Callable[[float], tuple[float, float]]


class IrrError(ValueError):
    """No IRR exists for these cash flows, or it is not unique; the message says why."""


@dataclass(frozen=True, slots=True)
class AprResult:
    irr_period: float
    periods_per_year: int
    apr_nominal: float  # irr_period × periods_per_year
    apr_effective: float  # (1 + irr_period) ** periods_per_year − 1
    basis: str  # "periodic" (the schedule's periods) or "actual_365" (dated cash flows)


def _log_pv(times: Sequence[float], logs: Sequence[float], x: float) -> tuple[float, float]:
    """(ln Σ e^(log − t·x), −weighted mean time): ln PV of one side and its slope in x."""
    if len(times) == 1:  # the usual received side: one disbursement
        return logs[0] - times[0] * x, -times[0]
    exponents = [g - t * x for t, g in zip(times, logs, strict=True)]
    top = max(exponents)
    total = weighted = 0.0
    for t, e in zip(times, exponents, strict=True):
        w = math.exp(e - top)
        total += w
        weighted += t * w
    return top + math.log(total), -weighted / total


def _log_ratio(times: Sequence[float], amounts: Sequence[float]) -> LogRatio:
    """x ↦ (h, dh/dx), h = ln PV(paid) − ln PV(received); zero exactly where the NPV is zero."""
    received = [(t, math.log(a)) for t, a in zip(times, amounts, strict=True) if a > 0]
    paid = [(t, math.log(-a)) for t, a in zip(times, amounts, strict=True) if a < 0]
    rt, rl = [t for t, _ in received], [g for _, g in received]
    pt, pl = [t for t, _ in paid], [g for _, g in paid]

    def h(x: float) -> tuple[float, float]:
        out, out_slope = _log_pv(pt, pl, x)
        into, into_slope = _log_pv(rt, rl, x)
        return out - into, out_slope - into_slope

    return h


def _merge(times: Sequence[float], amounts: Sequence[float]) -> tuple[list[float], list[float]]:
    """Sum flows at the same time and drop zeros, sorted by time."""
    merged: dict[float, float] = {}
    for t, a in zip(times, amounts, strict=True):
        merged[t] = merged.get(t, 0.0) + a
    keys = sorted(t for t, a in merged.items() if a != 0.0)
    return keys, [merged[t] for t in keys]


def _sign_changes(amounts: Sequence[float]) -> int:
    signs = [a > 0 for a in amounts]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def _bracket(h: LogRatio) -> tuple[float, float, float, float]:
    """Widen [lo, hi] around 0 until h changes sign: (lo, h(lo), hi, h(hi))."""
    lo, hi = -0.5, 0.5
    h_lo, h_hi = h(lo)[0], h(hi)[0]
    while h_lo * h_hi > 0:
        if lo <= -_X_LIMIT and hi >= _X_LIMIT:
            raise IrrError(f"no IRR between r = −100% and r = e^{_X_LIMIT:g} per unit of time")
        lo, hi = max(lo * 2, -_X_LIMIT), min(hi * 2, _X_LIMIT)
        h_lo, h_hi = h(lo)[0], h(hi)[0]
    return lo, h_lo, hi, h_hi


def _root(h: LogRatio, lo: float, h_lo: float, hi: float, h_hi: float) -> float:
    """A root inside [lo, hi], where h changes sign (Newton kept inside the bracket, as in rtsafe)."""
    if h_lo == 0:
        return lo
    if h_hi == 0:
        return hi
    rising = h_lo < 0
    x = 0.0 if lo < 0.0 < hi else (lo + hi) / 2  # r = 0%: real loans sit close to it
    step = before = hi - lo
    for _ in range(_MAX_STEPS):
        value, slope = h(x)
        if abs(value) <= _TOLERANCE:
            return x
        if (value < 0) == rising:
            lo = x
        else:
            hi = x
        newton = x - value / slope if slope != 0 else math.nan
        # Newton only while it stays inside the bracket and at least halves the step before last.
        if lo < newton < hi and abs(newton - x) < abs(before) / 2:
            before, step = step, newton - x
            x = newton
        else:
            before, step = step, (hi - lo) / 2
            x = lo + step
        if abs(step) <= _TOLERANCE * max(1.0, abs(x)):
            return x
    raise IrrError(f"IRR search did not converge in {_MAX_STEPS} steps (bracket {lo:.3g}..{hi:.3g})")


def irr(times: Sequence[float], amounts: Sequence[float]) -> float:
    """The rate r per unit of time with Σ amount · (1 + r)^−time = 0.

    Raises IrrError when the flows all have one sign, or change sign more than once (the IRR may then
    not be unique and a lending APR is not defined).
    """
    times, amounts = _merge(times, amounts)
    if not any(a > 0 for a in amounts) or not any(a < 0 for a in amounts):
        raise IrrError("no IRR: the cash flows need money received and money paid back")
    if _sign_changes(amounts) > 1:
        raise IrrError("no unique IRR: the cash flows change sign more than once")
    h = _log_ratio(times, amounts)
    rate = math.expm1(_root(h, *_bracket(h)))
    if rate <= -1.0:
        raise IrrError("no usable IRR: it is −100% (the payments are negligible against the money received)")
    return rate


def schedule_flows(schedule: Schedule) -> tuple[list[float], list[float]]:
    """(period number, amount) from the borrower's side: net cash received, then each payment."""
    loan = schedule.loan
    times = [0.0] + [float(i.number) for i in schedule.installments]
    amounts = [float(loan.net_received)] + [-float(i.payment) for i in schedule.installments]
    return times, amounts


def dated_flows(loan: Loan) -> tuple[list[float], list[float]]:
    """(years since start, actual/365, amount) for the actual cash flows."""
    times = [0.0] + [(c.date - loan.start).days / DAYS_PER_YEAR for c in loan.cashflows]
    amounts = [float(loan.net_received)] + [-float(c.amount) for c in loan.cashflows]
    return times, amounts


def _compound(rate: float, periods: int) -> float:
    """(1 + rate)^periods − 1, infinite rather than an OverflowError for absurd rates."""
    try:
        return math.expm1(periods * math.log1p(rate))
    except OverflowError:
        return math.inf


def loan_apr(loan: Loan, schedule: Schedule) -> AprResult:
    """APR by IRR over the schedule, or over the actual `cashflows` (actual/365) when given."""
    if not loan.cashflows:
        rate = irr(*schedule_flows(schedule))
        ppy = loan.periods_per_year
        return AprResult(rate, ppy, rate * ppy, _compound(rate, ppy), "periodic")
    paid = sum((c.amount for c in loan.cashflows), Decimal(0))
    if paid < loan.net_received:
        raise IrrError(
            f"no APR: the cash flows pay back {paid} but the borrower received {loan.net_received}; "
            "list every payment of a finished loan, or use `ledger balance` for a loan still running"
        )
    effective = irr(*dated_flows(loan))
    daily = (1 + effective) ** (1 / DAYS_PER_YEAR) - 1
    return AprResult(daily, DAYS_PER_YEAR, daily * DAYS_PER_YEAR, effective, "actual_365")

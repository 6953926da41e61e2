"""Ledger throughput: APR computations per second.

    .venv/bin/python benchmarks/ledger_apr.py [--seconds 1.0]

Prints, for each case, how many computations ran per second of this process's CPU time and per second of
wall time (best of 3 timed rounds each):
- irr 12 / irr 360: the IRR root finder alone on a 12- and a 360-period schedule;
- xirr 36: the IRR over 36 dated cash flows (actual/365);
- analyze 12m / analyze 360m: the whole `ledger apr` core (schedule in Decimal, IRR, caps and the
  excess with its lawful balance) for a 12-month and a 30-year loan.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from faircollect.ledger import analyze, build_schedule, parse_loan
from faircollect.ledger.apr import dated_flows, irr, schedule_flows
from faircollect.ledger.model import Cashflow
from faircollect.ledger.schedule import add_months


def loan(periods: int) -> dict[str, object]:
    return {
        "principal": 100000, "upfront_fees": 3000, "start": "2025-01-15", "method": "equal_installment",
        "annual_rate": 0.18, "periods": periods, "fees": [{"name": "service", "amount": 50, "per": "period"}],
        "jurisdiction": "cn", "lender_type": "private",
    }  # fmt: skip


def rate(fn: Callable[[], object], seconds: float, clock: Callable[[], float]) -> float:
    """Calls per second of `clock`, best of three rounds of about `seconds` / 3 each."""
    best = 0.0
    for _ in range(3):
        calls, began = 0, clock()
        while (elapsed := clock() - began) < seconds / 3:
            fn()
            calls += 1
        best = max(best, calls / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per case (default 1.0)")
    seconds = parser.parse_args().seconds
    short, long = parse_loan(loan(12)), parse_loan(loan(360))
    flows12, flows360 = schedule_flows(build_schedule(short)), schedule_flows(build_schedule(long))
    sched36 = build_schedule(parse_loan(loan(36)))
    dated = replace(
        parse_loan(loan(36)),
        cashflows=tuple(
            Cashflow(add_months(date(2025, 1, 15), i.number), i.payment) for i in sched36.installments
        ),
    )
    xflows = dated_flows(dated)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("irr 12", lambda: irr(*flows12)),
        ("irr 360", lambda: irr(*flows360)),
        ("xirr 36", lambda: irr(*xflows)),
        ("analyze 12m", lambda: analyze(short)),
        ("analyze 360m", lambda: analyze(long)),
    ]
    print(f"# ledger_apr  python {platform.python_version()}  {platform.machine()}  {date.today()}")
    # CPU time of this process as well as wall time: on a shared machine the first is the stable figure.
    print(f"{'case':<14} {'per CPU s':>12} {'per wall s':>12}")
    for name, fn in cases:
        cpu, wall = rate(fn, seconds, time.process_time), rate(fn, seconds, time.perf_counter)
        print(f"{name:<14} {cpu:>12,.0f} {wall:>12,.0f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())

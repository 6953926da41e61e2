"""Loan ledger (pure core): schedules, APR by IRR, legal caps, the unenforceable excess, payments.

from faircollect.ledger import parse_loan, analyze
analysis = analyze(parse_loan({"principal": 10000, "start": "2025-01-15", ...}))
analysis.apr.apr_nominal, [c.name for c in analysis.caps.caps]
"""

from faircollect.ledger.apr import AprResult, IrrError, irr, loan_apr
from faircollect.ledger.caps import CapReport, CapResult, evaluate_caps
from faircollect.ledger.lpr import LprTable, default_lpr, parse_lpr_csv
from faircollect.ledger.model import Cashflow, Fee, Loan, LoanError, parse_loan
from faircollect.ledger.payments import Balance, allocate, bucket
from faircollect.ledger.report import Analysis, analyze, apr_dict, balance_view, schedule_dict
from faircollect.ledger.schedule import Installment, Schedule, build_schedule

__all__ = [
    "Analysis",
    "AprResult",
    "Balance",
    "CapReport",
    "CapResult",
    "Cashflow",
    "Fee",
    "Installment",
    "IrrError",
    "Loan",
    "LoanError",
    "LprTable",
    "Schedule",
    "allocate",
    "analyze",
    "apr_dict",
    "balance_view",
    "bucket",
    "build_schedule",
    "default_lpr",
    "evaluate_caps",
    "irr",
    "loan_apr",
    "parse_loan",
    "parse_lpr_csv",
    "schedule_dict",
]

"""The Loan record of schema.md ("Loan (ledger input)"), parsed from JSON into typed objects.

Money is Decimal throughout. JSON numbers arrive as int, float or Decimal (the CLI parses floats as
Decimal); a float is converted through its shortest repr, so `1000.1` becomes `Decimal("1000.1")`.
Every problem is collected and reported together, each naming its field: `LOAN.json: periods: ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

METHODS = ("equal_installment", "equal_principal", "interest_only", "bullet")
PERIODS = ("month", "week", "day")
PERIODS_PER_YEAR = {"month": 12, "week": 52, "day": 365}
FEE_PER = ("period", "once")
JURISDICTIONS = ("cn", "us", "uk")
# private = 民间借贷 (not a licensed financial institution); licensed = 持牌机构 (banks, consumer-finance
# companies, micro-lenders); hcstc = UK high-cost short-term credit; other = no lender-specific cap.
LENDER_TYPES = ("private", "licensed", "hcstc", "other")
COMPONENTS = ("fees", "interest", "principal")
DEFAULT_ALLOCATION = COMPONENTS  # fees → interest → principal unless the contract says otherwise
CENT = Decimal("0.01")
MAX_PERIODS = 3650

T = TypeVar("T")


def cents(amount: Decimal) -> Decimal:
    """Round half up to the cent, the way a statement shows money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Fee:
    name: str
    amount: Decimal
    per: str  # "period" | "once"


@dataclass(frozen=True, slots=True)
class Cashflow:
    """One actual payment by the borrower."""

    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Loan:
    principal: Decimal
    start: date
    method: str
    annual_rate: Decimal
    periods: int
    period: str = "month"
    upfront_fees: Decimal = Decimal(0)
    fees: tuple[Fee, ...] = ()
    cashflows: tuple[Cashflow, ...] = ()
    jurisdiction: str | None = None
    lender_type: str | None = None
    contract_date: date | None = None
    covered_borrower: bool = False
    default_fees: tuple[Fee, ...] = ()  # charged on default (late); UK HCSTC caps them
    allocation: tuple[str, ...] = DEFAULT_ALLOCATION

    @property
    def signed_on(self) -> date:
        """The contract date; defaults to the start date."""
        return self.contract_date or self.start

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period]

    @property
    def net_received(self) -> Decimal:
        """What the borrower actually got: principal minus fees deducted upfront (砍头息)."""
        return self.principal - self.upfront_fees


class LoanError(ValueError):
    """Bad ledger input (a loan, or an LPR table); `errors` are `SOURCE[:LINE]: field: problem` lines."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class _Reader:
    """Reads fields from one JSON object, collecting errors instead of stopping at the first."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def fail(self, name: str, problem: str) -> None:
        self.errors.append(f"{self.source}: {name}: {problem}")

    def get(self, data: Mapping[str, Any], key: str, name: str, conv: Callable[[Any], T], default: T) -> T:
        if key not in data or data[key] is None:
            return default
        try:
            return conv(data[key])
        except (TypeError, ValueError, InvalidOperation) as exc:
            self.fail(name, str(exc) or "invalid value")
            return default

    def need(self, data: Mapping[str, Any], key: str, name: str, conv: Callable[[Any], T], default: T) -> T:
        if key not in data or data[key] is None:
            self.fail(name, "required")
            return default
        return self.get(data, key, name, conv, default)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise TypeError("must be a number")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _money(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise ValueError("must not be negative")
    if number != cents(number):
        raise ValueError("must be a whole number of cents")
    return number


def _positive_money(value: Any) -> Decimal:
    number = _money(value)
    if number <= 0:
        raise ValueError("must be positive")
    return number


def _rate(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0 or number > 100:
        raise ValueError("must be an annual rate as a fraction between 0 and 100 (0.18 = 18%)")
    return number


def _periods(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_PERIODS:
        raise ValueError(f"must be a positive integer (at most {MAX_PERIODS})")
    return value


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise TypeError("must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be a date YYYY-MM-DD, not {value!r}") from None


def _choice(options: Sequence[str]) -> Callable[[Any], str]:
    def conv(value: Any) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}, not {value!r}")
        return str(value)

    return conv


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("must be true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _list(r: _Reader, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        r.fail(key, "must be a list")
        return []
    good: list[Mapping[str, Any]] = []
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            good.append(item)
        else:
            r.fail(f"{key}[{i}]", "must be an object")
    return good


def _fees(r: _Reader, data: Mapping[str, Any], key: str, with_per: bool) -> tuple[Fee, ...]:
    out = []
    for i, item in enumerate(_list(r, data, key)):
        name = r.need(item, "name", f"{key}[{i}].name", _text, "")
        amount = r.need(item, "amount", f"{key}[{i}].amount", _money, Decimal(0))
        per = r.need(item, "per", f"{key}[{i}].per", _choice(FEE_PER), "once") if with_per else "once"
        out.append(Fee(name, amount, per))
    return tuple(out)


def _allocation(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or sorted(value) != sorted(COMPONENTS):
        raise ValueError(f"must list each of {', '.join(COMPONENTS)} once, in the contract's order")
    return tuple(value)


def parse_loan(data: Any, source: str = "LOAN.json") -> Loan:
    """Validate a decoded JSON object into a Loan, or raise LoanError listing every problem."""
    r = _Reader(source)
    if not isinstance(data, Mapping):
        raise LoanError([f"{source}: loan: must be a JSON object"])
    known = {f for f in Loan.__dataclass_fields__}
    for key in data:
        if key not in known:
            r.fail(str(key), "unknown field")
    before = len(r.errors)
    principal = r.need(data, "principal", "principal", _positive_money, Decimal(1))
    principal_ok = len(r.errors) == before
    start = r.need(data, "start", "start", _date, date(2000, 1, 1))
    loan = Loan(
        principal=principal,
        start=start,
        method=r.need(data, "method", "method", _choice(METHODS), "equal_installment"),
        annual_rate=r.need(data, "annual_rate", "annual_rate", _rate, Decimal(0)),
        periods=r.need(data, "periods", "periods", _periods, 1),
        period=r.get(data, "period", "period", _choice(PERIODS), "month"),
        upfront_fees=r.get(data, "upfront_fees", "upfront_fees", _money, Decimal(0)),
        fees=_fees(r, data, "fees", with_per=True),
        cashflows=_cashflows(r, data, start),
        jurisdiction=r.get(data, "jurisdiction", "jurisdiction", _choice(JURISDICTIONS), None),
        lender_type=r.get(data, "lender_type", "lender_type", _choice(LENDER_TYPES), None),
        contract_date=r.get(data, "contract_date", "contract_date", _date, None),
        covered_borrower=r.get(data, "covered_borrower", "covered_borrower", _bool, False),
        default_fees=_fees(r, data, "default_fees", with_per=False),
        allocation=r.get(data, "allocation", "allocation", _allocation, DEFAULT_ALLOCATION),
    )
    if principal_ok and loan.upfront_fees >= principal:
        r.fail("upfront_fees", "must be less than the principal (the borrower must receive something)")
    if loan.contract_date is not None and loan.contract_date > start:
        r.fail("contract_date", "must not be after start")
    if r.errors:
        raise LoanError(r.errors)
    return loan


def _cashflows(r: _Reader, data: Mapping[str, Any], start: date) -> tuple[Cashflow, ...]:
    out = []
    for i, item in enumerate(_list(r, data, "cashflows")):
        when = r.need(item, "date", f"cashflows[{i}].date", _date, start)
        amount = r.need(item, "amount", f"cashflows[{i}].amount", _positive_money, Decimal(1))
        if when < start:
            r.fail(f"cashflows[{i}].date", f"must not be before start {start.isoformat()}")
        out.append(Cashflow(when, amount))
    return tuple(sorted(out, key=lambda c: c.date))


__all__ = [
    "CENT",
    "COMPONENTS",
    "JURISDICTIONS",
    "LENDER_TYPES",
    "METHODS",
    "PERIODS",
    "PERIODS_PER_YEAR",
    "Cashflow",
    "Fee",
    "Loan",
    "LoanError",
    "cents",
    "parse_loan",
]

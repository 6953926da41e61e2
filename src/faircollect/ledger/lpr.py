"""The one-year LPR history (data/lpr.csv, see data/SOURCE.md), or a user's own file in the same format."""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

from faircollect.ledger.model import LoanError

DEFAULT_SOURCE = "faircollect/ledger/data/lpr.csv"


@dataclass(frozen=True, slots=True)
class LprTable:
    """Announcements sorted by date; the rate in force on a day is the last one on or before it."""

    dates: tuple[date, ...]
    rates: tuple[Decimal, ...]  # fractions: 0.0385 for 3.85%
    source: str

    def rate_on(self, day: date) -> Decimal | None:
        """The 1Y LPR in force on `day`, or None before the first announcement."""
        index = bisect.bisect_right(self.dates, day)
        return self.rates[index - 1] if index else None

    @property
    def last_date(self) -> date:
        return self.dates[-1]


def parse_lpr_csv(text: str, source: str) -> LprTable:
    """Parse `date,lpr_1y[,note]` rows (percent), `#` comments allowed; errors name file and line."""
    errors: list[str] = []
    rows: dict[date, Decimal] = {}
    data_lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.startswith("#")]
    reader = csv.reader(line for _, line in data_lines)
    header_seen = False
    for (number, _), cells in zip(data_lines, reader, strict=True):
        if not cells or not "".join(cells).strip():
            continue
        if not header_seen:
            header_seen = True
            if [c.strip() for c in cells[:2]] != ["date", "lpr_1y"]:
                errors.append(f"{source}:{number}: header: must start with date,lpr_1y")
            continue
        if len(cells) < 2:
            errors.append(f"{source}:{number}: lpr_1y: missing")
            continue
        try:
            day = date.fromisoformat(cells[0].strip())
        except ValueError:
            errors.append(f"{source}:{number}: date: must be YYYY-MM-DD, not {cells[0]!r}")
            continue
        try:
            percent = Decimal(cells[1].strip())
        except InvalidOperation:
            errors.append(f"{source}:{number}: lpr_1y: must be a number in percent, not {cells[1]!r}")
            continue
        if not Decimal(0) < percent < Decimal(100):
            errors.append(f"{source}:{number}: lpr_1y: must be a percentage between 0 and 100")
            continue
        rows[day] = percent / 100
    if not rows and not errors:
        errors.append(f"{source}:1: lpr_1y: no rates found")
    if errors:
        raise LoanError(errors)
    dates = tuple(sorted(rows))
    return LprTable(dates, tuple(rows[d] for d in dates), source)


@lru_cache(maxsize=1)
def default_lpr() -> LprTable:
    """The history shipped with the package."""
    text = resources.files("faircollect.ledger").joinpath("data", "lpr.csv").read_text(encoding="utf-8")
    return parse_lpr_csv(text, DEFAULT_SOURCE)

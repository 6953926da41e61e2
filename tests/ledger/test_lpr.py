"""The shipped LPR history and user-supplied tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from faircollect.ledger.lpr import default_lpr, parse_lpr_csv
from faircollect.ledger.model import LoanError


def test_shipped_history_starts_with_the_reform() -> None:
    table = default_lpr()
    assert table.dates[0] == date(2019, 8, 20)
    assert table.rate_on(date(2019, 8, 19)) is None
    assert table.rate_on(date(2019, 8, 20)) == Decimal("0.0425")
    assert table.rate_on(date(2020, 8, 20)) == Decimal("0.0385")
    assert list(table.dates) == sorted(table.dates)
    assert all(Decimal("0.02") < r < Decimal("0.05") for r in table.rates)


def test_rate_in_force_is_the_last_announcement_on_or_before() -> None:
    table = default_lpr()
    assert table.rate_on(date(2021, 12, 19)) == Decimal("0.0385")
    assert table.rate_on(date(2021, 12, 20)) == Decimal("0.0380")  # announced that morning
    assert table.rate_on(date(2030, 1, 1)) == table.rates[-1]


def test_user_table_with_comments_and_notes() -> None:
    table = parse_lpr_csv("# mine\ndate,lpr_1y,note\n2024-01-22,3.45,x\n\n2023-01-20,3.65\n", "my.csv")
    assert table.dates == (date(2023, 1, 20), date(2024, 1, 22))  # sorted
    assert table.rate_on(date(2023, 6, 1)) == Decimal("0.0365")
    assert table.source == "my.csv"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("rate,date\n2024-01-22,3.45\n", "my.csv:1: header: must start with date,lpr_1y"),
        ("date,lpr_1y\n2024-01-22,abc\n", "my.csv:2: lpr_1y: must be a number in percent, not 'abc'"),
        ("# c\ndate,lpr_1y\n22/01/2024,3.45\n", "my.csv:3: date: must be YYYY-MM-DD, not '22/01/2024'"),
        ("date,lpr_1y\n2024-01-22,345\n", "my.csv:2: lpr_1y: must be a percentage between 0 and 100"),
        ("date,lpr_1y\n2024-01-22\n", "my.csv:2: lpr_1y: missing"),
        ("date,lpr_1y\n", "my.csv:1: lpr_1y: no rates found"),
    ],
)
def test_bad_tables_name_line_and_field(text: str, error: str) -> None:
    with pytest.raises(LoanError) as info:
        parse_lpr_csv(text, "my.csv")
    assert info.value.errors == [error]

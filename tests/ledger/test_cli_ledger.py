"""`faircollect ledger apr | schedule | balance` end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from faircollect.cli import ledger

SCHEMA_EXAMPLE: dict[str, Any] = {
    "principal": 10000, "upfront_fees": 300, "start": "2025-01-15", "method": "equal_installment",
    "annual_rate": 0.18, "periods": 12, "period": "month", "fees": [{"name": "service", "amount": 50, "per": "period"}],
    "jurisdiction": "cn", "lender_type": "licensed",
}  # fmt: skip


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()
    ledger.register(root)

    @root.callback()
    def main() -> None:
        """Keeps `ledger` a sub-command even when it is the only group."""

    return root


def write(tmp_path: Path, data: Any, name: str = "loan.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def invoke(app: typer.Typer, *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, ["ledger", *args], input=stdin)


def test_apr_json_has_the_schema_keys(app: typer.Typer, tmp_path: Path) -> None:
    result = invoke(app, "apr", write(tmp_path, SCHEMA_EXAMPLE), "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["irr_period", "periods_per_year", "apr_nominal", "apr_effective", "caps", "excess"]
    assert data["periods_per_year"] == 12
    assert data["apr_nominal"] == pytest.approx(data["irr_period"] * 12)
    assert data["apr_effective"] == pytest.approx((1 + data["irr_period"]) ** 12 - 1)
    (cap,) = data["caps"]
    assert {"name", "limit", "basis", "exceeded", "citation", "confidence"} <= set(cap)
    assert (cap["name"], cap["limit"], cap["exceeded"], cap["confidence"]) == (
        "CN.Interest.licensed24",
        0.24,
        True,
        "S",
    )
    assert "Secondary source" in cap["note"]
    assert data["excess"]["cap"] == "CN.Interest.licensed24"
    assert data["excess"]["total"] == cap["excess"] > 0
    assert len(data["excess"]["per_period"]) == 12


def test_apr_table_in_chinese_from_stdin(app: typer.Typer) -> None:
    result = invoke(app, "apr", "-", "--lang", "zh", stdin=json.dumps(SCHEMA_EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "名义年化" in result.stdout and "CN.Interest.licensed24" in result.stdout
    assert "34.4121%" in result.stdout  # nominal APR of the schema example


def test_schedule_json_and_table(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, SCHEMA_EXAMPLE)
    data = json.loads(invoke(app, "schedule", path, "--format", "json").stdout)
    assert data["totals"] == {
        "principal": 10000.0,
        "interest": 1001.61,
        "fees": 600.0,
        "payments": 11601.61,
        "cost": 1901.61,
    }
    assert data["installments"][0] == {
        "number": 1, "due": "2025-02-15", "principal": 766.8, "interest": 150.0, "fees": 50.0,
        "payment": 966.8, "balance": 9233.2,
    }  # fmt: skip
    table = invoke(app, "schedule", path, "--lang", "en")
    assert table.exit_code == 0 and "Repayment schedule" in table.stdout and "11,601.61" in table.stdout


def test_balance_json(app: typer.Typer, tmp_path: Path) -> None:
    loan = {**SCHEMA_EXAMPLE, "cashflows": [{"date": "2025-02-15", "amount": 966.8}]}
    result = invoke(app, "balance", write(tmp_path, loan), "--as-of", "2025-04-20", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Installment 2 (due 2025-03-15) unpaid on 2025-04-20: 36 days → M2; 3 (due 04-15) too.
    assert (data["days_past_due"], data["bucket"], data["past_due"]) == (36, "M2", 1933.6)
    assert data["cap"] == "CN.Interest.licensed24" and data["lawful_payoff"] > 0
    assert (
        invoke(app, "balance", write(tmp_path, loan), "--as-of", "2025-04-20", "--lang", "en").exit_code == 0
    )


def test_lpr_override(app: typer.Typer, tmp_path: Path) -> None:
    loan = write(tmp_path, {**SCHEMA_EXAMPLE, "lender_type": "private"})
    lpr = write(tmp_path, "date,lpr_1y\n2024-01-01,10.00\n", "lpr.csv")
    data = json.loads(invoke(app, "apr", loan, "--format", "json", "--lpr", lpr).stdout)
    assert data["caps"][0]["limit"] == 0.4 and not data["caps"][0]["exceeded"]
    assert data["excess"]["total"] == 0


def test_bad_field_exits_2_naming_it(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, {**SCHEMA_EXAMPLE, "periods": 0}, "LOAN.json")
    result = invoke(app, "apr", path, "--format", "json")
    assert result.exit_code == 2
    assert f"{path}: periods: must be a positive integer" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output


def test_bad_json_names_the_line(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, '{"principal": 100,\n "start": }', "LOAN.json")
    result = invoke(app, "schedule", path)
    assert result.exit_code == 2
    assert f"{path}:2: json: Expecting value" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["apr", "/nonexistent/loan.json"], "/nonexistent/loan.json: file: cannot read"),
        (["apr", "LOAN", "--format", "xml"], "--format: must be json or table"),
        (["apr", "LOAN", "--lang", "fr"], "--lang: must be zh or en"),
        (["balance", "LOAN", "--as-of", "June"], "--as-of: must be a date"),
        (["apr", "LOAN", "--lpr", "BADLPR"], ":2: lpr_1y: must be a number in percent"),
    ],
)
def test_bad_options_exit_2(app: typer.Typer, tmp_path: Path, args: list[str], message: str) -> None:
    loan = write(tmp_path, SCHEMA_EXAMPLE)
    bad_lpr = write(tmp_path, "date,lpr_1y\n2024-01-01,ten\n", "lpr.csv")
    args = [loan if a == "LOAN" else bad_lpr if a == "BADLPR" else a for a in args]
    result = invoke(app, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_unfinished_cashflows_exit_2_with_reason(app: typer.Typer, tmp_path: Path) -> None:
    loan = {**SCHEMA_EXAMPLE, "cashflows": [{"date": "2025-02-15", "amount": 1000.0}]}
    result = invoke(app, "apr", write(tmp_path, loan, "LOAN.json"))
    assert result.exit_code == 2
    assert "LOAN.json: cashflows: no APR: the cash flows pay back 1000.0" in result.stderr
    assert "ledger balance" in result.stderr


def test_stdin_errors_are_named_stdin(app: typer.Typer) -> None:
    result = invoke(app, "schedule", "-", stdin=json.dumps({**SCHEMA_EXAMPLE, "method": "balloon"}))
    assert result.exit_code == 2
    assert "<stdin>: method: must be one of equal_installment" in result.stderr


def test_absurd_rate_prints_null_not_infinity(app: typer.Typer, tmp_path: Path) -> None:
    # 0.01 received for one day, 1 000 repaid: 99 999 900% a day; compounded over 365 days it overflows.
    loan = {"principal": 1000, "upfront_fees": 999.99, "start": "2025-01-01", "method": "bullet",
            "annual_rate": 0, "periods": 1, "period": "day"}  # fmt: skip
    result = invoke(app, "apr", write(tmp_path, loan), "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["irr_period"] == pytest.approx(99999, rel=1e-9)
    assert data["apr_effective"] is None
    assert data["caps"] == []
    assert "No cap checked" in data["excess"]["notes"][0]


def test_registered_in_the_faircollect_command(tmp_path: Path) -> None:
    from faircollect.cli.app import app as faircollect

    result = CliRunner().invoke(
        faircollect, ["ledger", "schedule", write(tmp_path, SCHEMA_EXAMPLE), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["payments"] == 11601.61

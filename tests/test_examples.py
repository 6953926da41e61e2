"""The example files the README's quick start uses work as shown."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from faircollect.cli.app import app

EXAMPLES = Path(__file__).parents[1] / "examples"
runner = CliRunner()


def test_overlay_example_loads_and_tightens() -> None:
    result = runner.invoke(app, ["policy", "check", str(EXAMPLES / "lender-overlay.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("acme ") and "cn → acme" in result.stdout


def test_audit_examples_with_the_overlay() -> None:
    result = runner.invoke(
        app,
        [
            "audit",
            "--no-screen",
            "--pack",
            str(EXAMPLES / "lender-overlay.yaml"),
            str(EXAMPLES / "contacts.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    policy = [r for r in rows if r["severity"] == "policy"]
    assert [(r["contact"], r["rule"]) for r in policy] == [("c5", "acme.cn.gbt45251.quiet_hours")]


def test_csv_examples_with_events() -> None:
    result = runner.invoke(
        app,
        ["audit", "--no-screen", "--events", str(EXAMPLES / "events.csv"), str(EXAMPLES / "contacts.csv")],
    )
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2


def test_loan_example() -> None:
    result = runner.invoke(app, ["ledger", "apr", str(EXAMPLES / "loan.json"), "--format", "json"])
    assert result.exit_code == 0, result.output
    apr = json.loads(result.stdout)
    assert 0.34 < apr["apr_nominal"] < 0.35
    assert any(cap["exceeded"] for cap in apr["caps"])

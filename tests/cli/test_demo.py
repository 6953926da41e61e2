"""`faircollect demo --no-serve`: audit report, evidence report, gate database and a working dialer key."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from faircollect.cli.app import app
from faircollect.store.db import make_engine
from faircollect.store.keys import authenticate


def test_demo_writes_everything_and_prints_a_dialer_key(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        app, ["demo", "--no-serve", "--debtors", "20", "--out", str(out), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "agency" in (out / "audit.html").read_text("utf-8")
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text("utf-8").splitlines()]
    assert findings and all(f["pack"]["id"] == "cn" for f in findings)
    for name in ("findings.json", "report.html", "report.pdf", "manifest.json"):
        assert (out / "evidence" / name).is_file()
    key = next(line for line in result.stdout.splitlines() if line.startswith("FAIRCOLLECT_KEY=")).split(
        "=", 1
    )[1]
    found = authenticate(make_engine(str(out / "demo.db")), key)
    assert found is not None and found.role == "dialer"
    assert "/v1/check" in result.stdout

"""End-to-end `faircollect audit`, `check` and `policy show` on fixture files, including bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from faircollect.cli.app import app

FIX = Path(__file__).parents[1] / "fixtures" / "audit"
runner = CliRunner()


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input, env={"FAIRCOLLECT_LANG": ""})


def test_audit_jsonl_finds_each_rule_once() -> None:
    result = run("audit", "--no-screen", "--lang", "en", str(FIX / "contacts.jsonl"))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["contact"], r["code"]) for r in rows] == [
        ("c4", "frequency.connected_calls_day"),
        ("c5", "time.quiet_hours"),
        ("c6", "third_party.not_permitted"),
        ("c7", "hold.dispute"),
        ("c8", "visit.team_size"),
        ("c8", "hold.dispute"),
    ]
    first = rows[0]
    assert (
        first["severity"] == "violation"
        and first["pack"]["id"] == "cn"
        and len(first["pack"]["sha256"]) == 64
    )
    assert first["evidence"] == {"counted": ["c1", "c2", "c3"], "limit": 3}
    assert first["citation"].startswith("GB/T 45251-2025") and "zh" in first["message"]


def test_audit_csv_with_events_file_matches_jsonl() -> None:
    result = run(
        "audit",
        "--no-screen",
        "--format",
        "csv",
        "--events",
        str(FIX / "events.csv"),
        str(FIX / "contacts.csv"),
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["contact"], r["code"]) for r in rows] == [
        ("c4", "frequency.connected_calls_day"),
        ("c7", "hold.dispute"),
    ]
    assert rows[0]["agency"] == "agency-a" and rows[0]["pack"] == "cn"


def test_audit_reads_stdin() -> None:
    text = (FIX / "contacts.jsonl").read_text("utf-8")
    result = run("audit", "--no-screen", "-", input=text)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 6


def test_audit_table_and_html_have_the_summary(tmp_path: Path) -> None:
    table = run("audit", "--no-screen", "--format", "table", "--lang", "en", str(FIX / "contacts.jsonl"))
    assert table.exit_code == 0
    assert "8 contacts, 2 debtors, 6 findings" in table.stdout
    assert "by collector" in table.stdout and "agency-a" in table.stdout
    out = tmp_path / "report.html"
    html = run(
        "audit",
        "--no-screen",
        "--format",
        "html",
        "--lang",
        "zh",
        "--out",
        str(out),
        str(FIX / "contacts.jsonl"),
    )
    assert html.exit_code == 0
    page = out.read_text("utf-8")
    assert "催收合规审计报告" in page and "按催收员" in page and "frequency.connected_calls_day" in page


def test_audit_without_screener_says_content_rules_are_off() -> None:
    result = run("audit", "--no-screen", str(FIX / "contacts.jsonl"))
    assert "content rules" in result.stderr


def test_bad_input_exits_2_with_every_bad_line_and_no_output() -> None:
    result = run("audit", "--no-screen", str(FIX / "bad.jsonl"))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].endswith(
        "bad.jsonl:2: at: needs a UTC offset, e.g. 2026-03-02T21:05:00+08:00, not '2026-03-02 09:00'"
    )
    assert any(":4: json:" in line for line in lines)
    assert "5 error(s); nothing was written" in lines[-1]
    assert "Traceback" not in result.output


def test_bad_pack_and_format() -> None:
    assert run("audit", "--pack", "fr", str(FIX / "contacts.jsonl")).exit_code == 2
    result = run("audit", "--format", "pdf", str(FIX / "contacts.jsonl"))
    assert result.exit_code == 2 and "--format" in result.stderr


PLANNED = {"channel": "call", "account": "L-1", "debtor": "D-1", "tz": "Asia/Shanghai"}


def test_check_allows_then_blocks_with_next_allowed_at(tmp_path: Path) -> None:
    ok = run(
        "check",
        "--pack",
        "cn",
        "--now",
        "2026-03-05T10:00:00+08:00",
        "--no-screen",
        input=json.dumps(PLANNED),
    )
    assert ok.exit_code == 0, ok.output
    decision = json.loads(ok.stdout)
    assert decision["verdict"] == "allow" and decision["pack"]["id"] == "cn"
    blocked = run(
        "check",
        "--pack",
        "cn",
        "--now",
        "2026-03-02T13:00:00+08:00",
        "--no-screen",
        "--history",
        str(FIX / "contacts.jsonl"),
        input=json.dumps(PLANNED),
    )
    decision = json.loads(blocked.stdout)
    assert decision["verdict"] == "block"
    assert [f["code"] for f in decision["findings"]] == ["frequency.connected_calls_day"]
    assert decision["next_allowed_at"] == "2026-03-03T08:00:00+08:00"


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ("{nope", "<stdin>:1: json:"),
        (
            '{"channel": "call", "account": "a", "debtor": "d", "outcome": "connected"}',
            "outcome: a planned contact",
        ),
        ("[1, 2]", "one JSON object"),
    ],
)
def test_check_bad_input(stdin: str, says: str) -> None:
    result = run("check", "--no-screen", input=stdin)
    assert result.exit_code == 2 and says in result.stderr


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_policy_show(fmt: str) -> None:
    zh = run("policy", "show", "cn", "--format", fmt, "--lang", "zh")
    assert zh.exit_code == 0
    assert "中国大陆催收行为规范" in zh.stdout and "22:00" in zh.stdout
    en = run("policy", "show", "us", "--format", fmt, "--lang", "en")
    assert "1006.14" in en.stdout


def test_policy_markdown_lists_every_rule_with_confidence() -> None:
    out = run("policy", "show", "uk", "--format", "markdown", "--lang", "en").stdout
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert len(rows) == 18
    assert "unconfirmed" in out and "our own policy" in out


def test_policy_check_validates_overlays(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "id: p\nname: {zh: 甲, en: A}\nversion: '1'\neffective: 2026-01-01\nextends: cn\nrules:\n"
        "  - id: cn.gbt45251.voice_cap\n    params: {max: 4}\n",
        "utf-8",
    )
    result = run("policy", "check", str(pack))
    assert result.exit_code == 2 and "loosens legal rule cn.gbt45251.voice_cap" in result.stderr

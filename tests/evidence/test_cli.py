from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from faircollect.cli.app import app
from faircollect.evidence.examples import CALLS, SMS
from tests.evidence.test_android_xml import BOMB


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_scan_the_bundled_example(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("faircollect.cli.evidence.load_screener", lambda: None)
    statement = tmp_path / "statement.txt"
    statement.write_text("他们给我妈妈打电话。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "evidence",
            "scan",
            str(SMS),
            str(CALLS),
            "--collector",
            "+86 135 5555 6666",
            "--statement",
            str(statement),
            "--no-pdf",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no content screener installed" in result.stderr
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert doc["lang"] == "zh" and doc["tz"] == "Asia/Shanghai" and doc["screener"] is False
    assert "+8613555556666" in {c["number"] for c in doc["collectors"]}
    assert doc["allegations"] == [{"text": "他们给我妈妈打电话。"}]
    assert not any(f["code"].startswith("content.") for f in doc["findings"])  # content rules were off
    assert str(out / "manifest.json") in result.stdout


def test_lang_and_tz_options(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("faircollect.cli.evidence.load_screener", lambda: None)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["evidence", "scan", str(SMS), "--lang", "en", "--tz", "Asia/Urumqi", "--no-pdf", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert doc["lang"] == "en" and doc["tz"] == "Asia/Urumqi"
    assert "Debt-collection evidence report" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tz", "Mars/Olympus"], "--tz: unknown IANA time zone"),
        (["--pack", "xx"], "xx"),
        (["--lang", "fr"], "--lang: must be zh or en"),
    ],
)
def test_bad_options_exit_2(runner: CliRunner, tmp_path: Path, args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["evidence", "scan", str(SMS), *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not (tmp_path / "o").exists()


def test_bad_files_exit_2_with_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bomb = tmp_path / "sms-bomb.xml"
    bomb.write_text(BOMB, encoding="utf-8")
    result = runner.invoke(app, ["evidence", "scan", str(bomb), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bomb}:2: xml: ")
    assert "Traceback" not in result.output
    bad = tmp_path / "log.csv"
    bad.write_text("at,direction,channel,number\nnope,incoming,sms,1\n", encoding="utf-8")
    result = runner.invoke(
        app, ["evidence", "scan", str(bad), str(tmp_path / "missing.xml"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and f"{tmp_path / 'missing.xml'}:0: file: not found" in result.stderr
    result = runner.invoke(app, ["evidence", "scan", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"{bad}:2: at: " in result.stderr
    assert not (tmp_path / "o").exists()


def test_no_collectors_still_gives_a_complete_report(runner: CliRunner, tmp_path: Path) -> None:
    quiet = tmp_path / "sms-quiet.xml"
    quiet.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n"
        '<sms address="+8613912345678" date="1772373600000" type="1" body="周末回家吃饭" />\n</smses>\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["evidence", "scan", str(quiet), "--collector", "13800138000,13900139000", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert [c["number"] for c in doc["collectors"]] == ["+8613800138000", "+8613900139000"]
    assert doc["findings"] == [] and doc["totals"]["collector_contacts"] == 0
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(out / "report.pdf").pages)
    assert "未显示可证明的违规" in text and "附录" in text

"""`faircollect screen` and `faircollect screen-eval` end to end (Typer's runner, stdin as bytes)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from faircollect.cli.app import app

runner = CliRunner()


def test_screen_jsonl_and_plain_lines() -> None:
    stdin = (
        '{"id": "m1", "text": "你个傻 逼，快还钱"}\n'
        "您好，您本期应还1,250元，请按时还款。\n"
        "\n"
        '{"id": 7, "text": "We know where you live. Pay today or else."}\n'
    ).encode()
    result = runner.invoke(app, ["screen"], input=stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["m1", "2", "7"]
    assert rows[0]["labels"] == ["abuse.insult"] and rows[0]["verdict"] == "block"
    assert rows[0]["spans"] == [{"start": 2, "end": 5, "label": "abuse.insult", "match": "傻 逼"}]
    assert rows[1]["labels"] == [] and rows[1]["debt_related"] is True
    assert rows[2]["verdict"] != "allow" and rows[2]["scores"]["harassment.intimidation"] > 0.5
    assert set(rows[0]) == {"id", "labels", "verdict", "debt_related", "scores", "spans"}


def test_screen_table() -> None:
    result = runner.invoke(app, ["screen", "--format", "table", "--lang", "en"], input="煞笔还钱\n".encode())
    assert result.exit_code == 0, result.output
    assert "abuse.insult" in result.stdout and "煞笔" in result.stdout and "verdict" in result.stdout


def test_screen_table_in_chinese() -> None:
    result = runner.invoke(app, ["screen", "--format", "table", "--lang", "zh"], input="煞笔还钱\n".encode())
    assert result.exit_code == 0 and "结论" in result.stdout


def test_invalid_utf8_exits_2_with_line() -> None:
    result = runner.invoke(app, ["screen"], input=b"ok\n\xff\xfe bad\n")
    assert result.exit_code == 2
    assert "<stdin>:2: text: invalid UTF-8" in result.stderr
    assert result.stdout == ""


def test_bad_json_exits_2_with_line_and_field() -> None:
    result = runner.invoke(app, ["screen"], input=b'{"id": "a"}\n{"text": 5}\n{oops\n')
    assert result.exit_code == 2
    assert "<stdin>:1: text:" in result.stderr
    assert "<stdin>:2: text:" in result.stderr
    assert "<stdin>:3: line: not valid JSON" in result.stderr


def test_bad_format_exits_2() -> None:
    result = runner.invoke(app, ["screen", "--format", "xml"], input=b"x\n")
    assert result.exit_code == 2 and "--format" in result.stderr


def test_screen_eval_without_external_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen-eval", "--format", "json", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    split = report["test_split"]
    assert split["messages"] > 0 and 0 <= split["macro_f1"] <= 1
    assert set(split["labels"]) >= {"abuse.insult", "threat.arrest"}
    assert "skipped" in report["cold"] and "skipped" in report["telecom_fraud"]


def test_screen_eval_reads_out_of_domain_files(tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    cold.mkdir()
    (cold / "test.csv").write_text(
        "\ufeff,split,topic,label,fine-grained-label,TEXT\n"
        "1,test,race,1,1,你就是个傻逼\n2,test,race,0,0,今天天气不错\n",
        encoding="utf-8",
    )
    fraud = tmp_path / "telecom_fraud_texts_5"
    fraud.mkdir()
    (fraud / "label00-last.csv").write_text(
        "content,label\n【银行】您的快递已到，请查收。,0\n", encoding="utf-8"
    )
    (fraud / "label01-last.csv").write_text(
        "content,label\n这里是市公安局，你的银行卡涉嫌洗钱犯罪，马上冻结你名下所有账户。,冒充公检法及政府机关类\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["screen-eval", "--format", "json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cold"]["attacks_individual"] == 1 and report["cold"]["safe"] == 1
    assert report["telecom_fraud"]["class01"] == 1 and report["telecom_fraud"]["class00"] == 1


def test_screen_eval_table() -> None:
    result = runner.invoke(app, ["screen-eval", "--data-dir", "/nonexistent", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.stdout


def test_lone_surrogate_in_json_exits_2() -> None:
    result = runner.invoke(app, ["screen"], input=b'{"id": "s", "text": "abc\\ud800"}\n')
    assert result.exit_code == 2
    assert "<stdin>:1: text: lone surrogate" in result.stderr

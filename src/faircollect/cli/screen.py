"""`faircollect screen` (text on stdin → screening output) and `faircollect screen-eval` (evaluation figures)."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from faircollect.cli.common import LangOption, bad_input, resolve_lang, settle
from faircollect.i18n import pick
from faircollect.policy.screener import LABELS, ScreenResult

# Beside the clone: /work/main/src/faircollect/cli/screen.py → /work/shared/data (CI has ../shared too).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
BATCH = 512
_SURROGATE = re.compile("[\ud800-\udfff]")

FormatOption = Annotated[str, typer.Option("--format", help="jsonl | table")]
EvalFormatOption = Annotated[str, typer.Option("--format", help="json | table")]


def _texts(lang: str) -> dict[str, dict[str, str]]:
    return {
        "id": {"zh": "编号", "en": "id"},
        "verdict": {"zh": "结论", "en": "verdict"},
        "labels": {"zh": "标签", "en": "labels"},
        "debt": {"zh": "涉债", "en": "debt"},
        "spans": {"zh": "证据片段", "en": "spans"},
        "label": {"zh": "标签", "en": "label"},
    }


def read_inputs(raw: bytes, name: str = "<stdin>") -> list[tuple[str, str]]:
    """(id, text) pairs from JSONL {"id","text"} lines or plain lines; bad lines exit 2 with FILE:LINE."""
    errors: list[str] = []
    items: list[tuple[str, str]] = []
    for lineno, line_bytes in enumerate(raw.split(b"\n"), start=1):
        try:
            line = line_bytes.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            errors.append(
                f"{name}:{lineno}: text: invalid UTF-8 at byte {exc.start} / 第{lineno}行不是有效的 UTF-8"
            )
            continue
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            item = _json_item(line, name, lineno, errors)
            if item is not None:
                items.append(item)
        else:
            items.append((str(lineno), line))
    if errors:
        bad_input(errors)
    return items


def _json_item(line: str, name: str, lineno: int, errors: list[str]) -> tuple[str, str] | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        errors.append(f"{name}:{lineno}: line: not valid JSON ({exc.msg}) / 不是有效的 JSON")
        return None
    if not isinstance(data, dict):
        errors.append(f"{name}:{lineno}: line: must be a JSON object / 须为 JSON 对象")
        return None
    text = data.get("text")
    if not isinstance(text, str):
        errors.append(f"{name}:{lineno}: text: missing or not a string / 缺少 text 或不是字符串")
        return None
    if _SURROGATE.search(text):
        errors.append(
            f"{name}:{lineno}: text: lone surrogate escape (not valid Unicode) / 含无效的 Unicode 代理字符"
        )
        return None
    ident = data.get("id", lineno)
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        errors.append(f"{name}:{lineno}: id: must be a string or an integer / id 须为字符串或整数")
        return None
    return str(ident), text


def _batches(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


_settle_once = cache(settle)  # screen-eval screens up to three sets in one process


def screen_texts(texts: Sequence[str]) -> list[ScreenResult]:
    from faircollect.screening.screener import default_screener

    screener = default_screener()
    if len(texts) > BATCH:
        _settle_once()
    out: list[ScreenResult] = []
    for batch in _batches(texts):
        out.extend(screener.screen_many(batch))
    return out


def _table(items: Sequence[tuple[str, str]], results: Sequence[ScreenResult], lang: str) -> None:
    t = _texts(lang)
    table = Table(show_lines=False)
    for key in ("id", "verdict", "labels", "debt", "spans"):
        table.add_column(pick(t[key], lang))
    for (ident, _), res in zip(items, results, strict=True):
        spans = "; ".join(f"{s.match}[{s.start}:{s.end}]" for s in res.spans)
        table.add_row(ident, res.verdict, ", ".join(res.labels), "yes" if res.debt_related else "no", spans)
    Console(width=160).print(table)


def register(app: typer.Typer) -> None:
    @app.command("screen")
    def screen(fmt: FormatOption = "jsonl", lang: LangOption = None) -> None:
        """Screen messages on stdin (JSONL {"id","text"} or plain lines) / 检查标准输入中的消息内容"""
        language = resolve_lang(lang)
        if fmt not in ("jsonl", "table"):
            bad_input([f"--format: must be jsonl or table, not {fmt!r} / 格式须为 jsonl 或 table"])
        items = read_inputs(sys.stdin.buffer.read())
        results = screen_texts([text for _, text in items])
        if fmt == "table":
            _table(items, results, language)
            return
        for (ident, _), res in zip(items, results, strict=True):
            sys.stdout.write(json.dumps(res.to_dict(ident), ensure_ascii=False) + "\n")

    @app.command("screen-eval")
    def screen_eval(
        fmt: EvalFormatOption = "table",
        data_dir: Annotated[
            Path, typer.Option("--data-dir", help="external evaluation data (skipped when absent)")
        ] = DEFAULT_DATA_DIR,
        lang: LangOption = None,
    ) -> None:
        """Figures on the corpus test split and out-of-domain sets / 在测试集和外部数据上评估"""
        language = resolve_lang(lang)
        if fmt not in ("json", "table"):
            bad_input([f"--format: must be json or table, not {fmt!r} / 格式须为 json 或 table"])
        report = evaluation(data_dir)
        if fmt == "json":
            sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        else:
            _eval_table(report, language)


def evaluation(data_dir: Path) -> dict[str, Any]:
    """The full report: corpus test split, then COLD and telecom fraud when their files are there."""
    from faircollect.screening.corpus_data import load_corpus, split
    from faircollect.screening.evaluate import cold_report, corpus_report, fraud_report
    from faircollect.screening.screener import model_meta

    _, test = split(load_corpus())
    report: dict[str, Any] = {"model": _model_summary(model_meta())}
    report["test_split"] = corpus_report(test, screen_texts([r.text for r in test]))
    cold = data_dir / "cold" / "test.csv"
    if cold.is_file():
        rows = _csv_rows(cold, "utf-8-sig")
        results = screen_texts([row["TEXT"] for row in rows])
        report["cold"] = cold_report(
            [int(row["fine-grained-label"]) for row in rows], [int(row["label"]) for row in rows], results
        )
    else:
        report["cold"] = {"skipped": f"{cold} not found"}
    fraud_dir = data_dir / "telecom_fraud_texts_5"
    if (fraud_dir / "label00-last.csv").is_file() and (fraud_dir / "label01-last.csv").is_file():
        classes: list[str] = []
        texts: list[str] = []
        for cls in ("00", "01"):
            for row in _csv_rows(fraud_dir / f"label{cls}-last.csv", "utf-8"):
                classes.append(cls)
                texts.append(row["content"])
        report["telecom_fraud"] = fraud_report(classes, screen_texts(texts))
    else:
        report["telecom_fraud"] = {"skipped": f"{fraud_dir} not found"}
    return report


def _model_summary(meta: dict[str, Any]) -> dict[str, Any]:
    keys = ("version", "trained_at", "corpus_sha256", "n_train", "n_test")
    return {k: meta.get(k) for k in keys}


def _csv_rows(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _eval_table(report: dict[str, Any], lang: str) -> None:
    console = Console(width=120)
    split = report["test_split"]
    t = _texts(lang)
    table = Table(title=pick({"zh": "测试集（按标签）", "en": "Test split, per label"}, lang))
    for head in (pick(t["label"], lang), "P", "R", "F1", pick({"zh": "样本数", "en": "support"}, lang)):
        table.add_column(head)
    for label in LABELS:
        f = split["labels"][label]
        table.add_row(
            label, f"{f['precision']:.3f}", f"{f['recall']:.3f}", f"{f['f1']:.3f}", str(f["support"])
        )
    console.print(table)
    lines = [
        (pick({"zh": "宏平均 F1", "en": "macro-F1"}, lang), split["macro_f1"]),
        (pick({"zh": "合法消息被拦截", "en": "lawful blocked"}, lang), split["lawful_blocked"]),
        (pick({"zh": "合法消息送人工复核", "en": "lawful sent to review"}, lang), split["lawful_reviewed"]),
        (pick({"zh": "违规消息被放行", "en": "violations allowed"}, lang), split["violations_allowed"]),
        (pick({"zh": "涉债判断准确率", "en": "debt_related accuracy"}, lang), split["debt_related_accuracy"]),
    ]
    for name, value in lines:
        console.print(f"{name}: {value}")
    ood = [
        (
            "cold",
            "attacks_labelled_insult",
            "attacks_individual",
            {
                "zh": "COLD：个人攻击被标为 abuse.insult",
                "en": "COLD: attacks on an individual labelled abuse.insult",
            },
        ),
        (
            "cold",
            "safe_given_label",
            "safe",
            {"zh": "COLD：安全评论被打上标签", "en": "COLD: safe comments given a label"},
        ),
        (
            "telecom_fraud",
            "class01_legal_or_arrest",
            "class01",
            {
                "zh": "电信诈骗 01 类（冒充公检法）被标为 deception.legal 或 threat.arrest",
                "en": "telecom fraud class 01 (posing as police, courts) labelled deception.legal or threat.arrest",
            },
        ),
        (
            "telecom_fraud",
            "class00_given_label",
            "class00",
            {
                "zh": "电信诈骗 00 类（普通短信）被打上标签",
                "en": "telecom fraud class 00 (ordinary SMS) given a label",
            },
        ),
    ]
    skipped_keys: set[str] = set()
    for key, figure, count, title in ood:
        part = report[key]
        if "skipped" not in part:
            console.print(f"{pick(title, lang)}: {part[figure]} (n={part[count]})")
        elif key not in skipped_keys:
            skipped_keys.add(key)
            skipped = {"zh": "未找到数据，已跳过", "en": "data not found, skipped"}
            console.print(f"{key}: {pick(skipped, lang)} ({part['skipped']})")

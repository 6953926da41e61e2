"""`faircollect demo`: a synthetic month of a lender's collection, audited; a borrower's evidence report from
the bundled example export; then a demo gate database and the server, with a dialer key and a curl example."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from faircollect.audit.html import render_html
from faircollect.audit.runner import run_audit
from faircollect.audit.summary import summarize
from faircollect.audit.synthetic import generate_month, to_jsonl_lines
from faircollect.cli.common import LangOption, load_pack_or_exit, load_screener, resolve_lang
from faircollect.i18n import pick
from faircollect.io.writers import write_jsonl
from faircollect.model import Contact, Event, Record
from faircollect.policy.screener import Screener

if TYPE_CHECKING:
    from faircollect.gate.service import Gate
    from faircollect.store.translog import TransparencyLog

GATE_DAYS = 2  # the gate database gets the last two days of contacts (and every event)


def _say(lang: str, zh: str, en: str) -> None:
    print(pick({"zh": zh, "en": en}, lang), file=sys.stderr)


def _audit(out: Path, records: list[Record], screener: Screener | None, lang: str) -> None:
    pack = load_pack_or_exit("cn")
    result = run_audit(pack, records, lambda: screener)
    summary = summarize(result.findings, result.contacts, result.debtors)
    warnings = [] if screener else [pick({"zh": "未安装内容筛查", "en": "no screener installed"}, lang)]
    (out / "audit.html").write_text(render_html(pack, summary, result.findings, lang, warnings), "utf-8")
    with open(out / "findings.jsonl", "w", encoding="utf-8") as f:
        write_jsonl(result.findings, f, lang)
    top = ", ".join(f"{agency} {n}" for agency, n in summary.by_agency[:3])
    _say(
        lang,
        f"审计：{summary.contacts} 条联系，{summary.debtors} 名债务人，{summary.findings} 项发现（最多：{top}）"
        f"\n  报告 {out / 'audit.html'}",
        f"audit: {summary.contacts} contacts, {summary.debtors} debtors, {summary.findings} findings "
        f"(most: {top})\n  report {out / 'audit.html'}",
    )


def _evidence(out: Path, screener: Screener | None, lang: str) -> None:
    from faircollect.evidence.examples import report

    target = out / "evidence"
    written = report(target, screener)
    findings = json.loads((target / "findings.json").read_text("utf-8"))
    _say(
        lang,
        f"证据包：示例手机导出 → {len(findings['findings'])} 项发现，{len(written)} 个文件\n"
        f"  报告 {target / 'report.html'}（及 report.pdf、投诉书草稿）",
        f"evidence kit: example phone export → {len(findings['findings'])} findings, {len(written)} files\n"
        f"  report {target / 'report.html'} (and report.pdf, complaint drafts)",
    )


def _gate_db(out: Path, records: list[Record], now: datetime, lang: str) -> tuple[Gate, TransparencyLog, str]:
    from faircollect.cli.serve import build_gate
    from faircollect.gate.service import Caller
    from faircollect.store.keys import create_key

    db = out / "demo.db"
    for old in out.glob("demo.db*"):
        old.unlink()
    gate, translog = build_gate(str(db), "cn", log_key=out / "demo-log.key")
    since = now - timedelta(days=GATE_DAYS)
    loaded = refused = 0
    for r in records:
        if isinstance(r, Event):
            reply = gate.record_event(r.to_dict(), Caller())
        elif isinstance(r, Contact) and r.at >= since:
            reply = gate.record_contact(r.to_dict(), Caller())
        else:
            continue
        loaded += reply.status < 400
        refused += reply.status >= 400
    _, key = create_key(gate.engine, "dialer", "demo dialer")
    _say(
        lang,
        f"门控数据库：{db}（载入 {loaded} 条记录，{refused} 条被拒）",
        f"gate database: {db} ({loaded} records loaded, {refused} refused)",
    )
    return gate, translog, key


def demo(
    out: Annotated[Path, typer.Option("--out", help="where to write everything")] = Path("demo-out"),
    seed: Annotated[int, typer.Option("--seed", help="the synthetic month's seed")] = 7,
    debtors: Annotated[int, typer.Option("--debtors", min=1)] = 400,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="start the gate server at the end")
    ] = True,
    lang: LangOption = None,
) -> None:
    """Build the demo: audit a synthetic month, an evidence report, a gate database; then serve it.
    演示：审计一个月的模拟催收记录、生成借款人证据报告、建立门控数据库并启动服务。"""
    language = resolve_lang(lang, "cn")
    if out.exists():
        shutil.rmtree(out / "evidence", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    start = (now - timedelta(days=30)).date()
    records = generate_month(seed=seed, debtors=debtors, start=start, days=30)
    records = [r for r in records if r.at <= now]
    with open(out / "contacts.jsonl", "w", encoding="utf-8") as f:
        for line in to_jsonl_lines(records):
            f.write(line + "\n")
    _say(language, f"模拟数据：{out / 'contacts.jsonl'}", f"synthetic month: {out / 'contacts.jsonl'}")
    screener = load_screener()
    _audit(out, records, screener, language)
    _evidence(out, screener, language)
    gate, translog, key = _gate_db(out, records, now, language)
    debtor = next(r for r in reversed(records) if isinstance(r, Contact))
    body = json.dumps(
        {
            "channel": "call",
            "account": debtor.account,
            "debtor": debtor.debtor,
            "tz": debtor.tz or "Asia/Shanghai",
        },
        ensure_ascii=False,
    )
    print(f"FAIRCOLLECT_KEY={key}")
    print(
        f"curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
        f"-d '{body}' http://127.0.0.1:{port}/v1/check"
    )
    if not serve:
        return
    import uvicorn

    from faircollect.api.app import create_app
    from faircollect.cli.common import settle

    _say(
        language,
        f"门控服务：http://127.0.0.1:{port}  （接口文档 /docs；Ctrl-C 停止）",
        f"gate server: http://127.0.0.1:{port}  (API docs at /docs; Ctrl-C to stop)",
    )
    app = create_app(gate, translog)
    settle()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)

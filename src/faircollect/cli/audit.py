"""`faircollect audit`: replay contacts (and events) through the engine and report every finding."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from faircollect.audit.html import render_html
from faircollect.audit.runner import AuditResult, ScreenerFactory, run_audit
from faircollect.audit.summary import Summary, summarize
from faircollect.cli.common import LangOption, bad_input, load_pack_or_exit, load_screener, resolve_lang
from faircollect.i18n import pick
from faircollect.io.readers import read_paths
from faircollect.io.writers import write_csv, write_jsonl
from faircollect.model import Finding, Record
from faircollect.policy.engine import content_rules_off
from faircollect.policy.pack import Pack
from faircollect.policy.screener import Screener

FORMATS = ("jsonl", "csv", "table", "html")
PROGRESS_FROM = 50_000  # records; smaller inputs finish before a bar is worth drawing
CONTENT_OFF = {
    "zh": "未安装内容筛查：内容规则（威胁、辱骂、冒充司法机关等）及第三方披露规则未启用",
    "en": "no screener installed: content rules (threats, insults, impersonation …) and third_party.disclosure are off",
}


def audit(
    inputs: Annotated[
        list[str], typer.Argument(help="contacts: JSONL (mixed with events) or CSV; - for stdin")
    ],
    pack: Annotated[str, typer.Option("--pack", help="cn | us | uk | PATH to a pack")] = "cn",
    events: Annotated[str | None, typer.Option("--events", help="events file (JSONL or CSV)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl | csv | table | html")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="local processes")] = 1,
    cluster: Annotated[str | None, typer.Option("--cluster", help="Dask scheduler, tcp://host:8786")] = None,
    no_screen: Annotated[bool, typer.Option("--no-screen", help="skip content screening")] = False,
    lang: LangOption = None,
) -> None:
    """Replay contacts and events through the rule engine; one finding per line in jsonl.
    用规则引擎回放催收记录，输出每一条违规发现。"""
    if fmt not in FORMATS:
        bad_input([f"--format: must be one of {', '.join(FORMATS)}, not {fmt!r}"])
    resolved = load_pack_or_exit(pack)
    language = resolve_lang(lang, resolved.jurisdiction)
    read = read_paths(inputs, "mixed")
    if events:
        read.extend(read_paths([events], "events"))
    if read.error_count:
        bad_input(read.errors, read.error_count)
    screener = None if no_screen else load_screener()
    warnings = []
    if content_rules_off(resolved, screener):
        warnings.append(CONTENT_OFF[language])
        print(f"warning / 注意: {CONTENT_OFF['zh']}; {CONTENT_OFF['en']}", file=sys.stderr)
    factory: ScreenerFactory = (
        (lambda: screener) if workers == 1 and not cluster else _screener_factory(no_screen)
    )
    result = _run(resolved, read.records, factory, workers, cluster)
    if result.orphan_events:
        print(
            f"warning: {len(result.orphan_events)} event(s) name no account or party in the input "
            f"(first: {result.orphan_events[0]}) / 有事件未对应任何账户或当事人",
            file=sys.stderr,
        )
    summary = summarize(result.findings, result.contacts, result.debtors)
    _write(resolved, result.findings, summary, fmt, out, language, warnings)


def _screener_factory(no_screen: bool) -> ScreenerFactory:
    return _none if no_screen else load_screener


def _none() -> Screener | None:
    return None


def _run(
    pack: Pack, records: list[Record], factory: ScreenerFactory, workers: int, cluster: str | None
) -> AuditResult:
    total = len(records)
    bar = (
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        if total >= PROGRESS_FROM
        else None
    )
    with bar if bar is not None else nullcontext():
        task = bar.add_task("audit", total=total) if bar is not None else None

        def advance(n: int) -> None:
            if bar is not None and task is not None:
                bar.advance(task, n)

        return run_audit(pack, records, factory, workers=workers, cluster=cluster, progress=advance)


def _write(
    pack: Pack,
    findings: list[Finding],
    summary: Summary,
    fmt: str,
    out: Path | None,
    lang: str,
    warnings: list[str],
) -> None:
    if fmt == "html":
        text = render_html(pack, summary, findings, lang, warnings)
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, "utf-8")
            print(f"{out}", file=sys.stderr)
        return
    with open(out, "w", encoding="utf-8", newline="") if out else nullcontext(sys.stdout) as stream:
        if fmt == "jsonl":
            write_jsonl(findings, stream, lang)
        elif fmt == "csv":
            write_csv(findings, stream, lang)
        else:
            _table(pack, findings, summary, lang, stream)


def _table(pack: Pack, findings: list[Finding], summary: Summary, lang: str, stream: TextIO) -> None:
    console = Console(file=stream, width=160, force_terminal=False)
    zh = lang == "zh"
    console.print(
        f"{pick(pack.name, lang)} ({pack.ref.id} {pack.ref.sha256[:12]}) — "
        + (
            f"{summary.contacts} 条联系，{summary.debtors} 名债务人，{summary.findings} 项发现"
            f"（违法违规 {summary.violations}，内部政策 {summary.policy}）"
            if zh
            else f"{summary.contacts} contacts, {summary.debtors} debtors, {summary.findings} findings "
            f"({summary.violations} violations, {summary.policy} policy)"
        )
    )
    titles = (
        ("按规则", "按催收员", "按机构", "按当地时刻", "发现")
        if zh
        else ("by rule", "by collector", "by agency", "by local hour", "findings")
    )
    for title, rows in (
        (titles[0], summary.by_code),
        (titles[1], summary.by_collector[:20]),
        (titles[2], summary.by_agency),
        (titles[3], [(f"{h:02d}:00", n) for h, n in enumerate(summary.by_hour) if n]),
    ):
        console.print(f"\n{title}", markup=False)
        table = Table()
        table.add_column("")
        table.add_column("n", justify="right")
        for name, n in rows:
            table.add_row(str(name), str(n))
        console.print(table)
    console.print(f"\n{titles[4]}", markup=False)
    table = Table()
    for col in ("at", "contact", "debtor", "collector", "code", "message"):
        table.add_column(col)
    for f in findings[:200]:
        table.add_row(
            f.at.strftime("%Y-%m-%d %H:%M") if f.at else "",
            f.contact,
            f.debtor or "",
            f.collector or "",
            f.code,
            pick(f.message, lang),
        )
    console.print(table)
    if len(findings) > 200:
        console.print(
            f"… {len(findings) - 200} more / 另有 {len(findings) - 200} 项（用 --format jsonl 查看全部）"
        )


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)

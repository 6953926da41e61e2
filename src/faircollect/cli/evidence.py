"""`faircollect evidence scan`: a borrower's phone export → findings, report, complaint drafts, manifest.

Runs entirely offline on the borrower's machine; nothing is sent anywhere.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfoNotFoundError

import typer

from faircollect.cli.common import LangOption, bad_input, load_pack_or_exit, load_screener, resolve_lang
from faircollect.evidence.analyze import BadInput
from faircollect.evidence.importers import EvidenceError
from faircollect.evidence.kit import Options, run
from faircollect.evidence.statement import read_statement
from faircollect.model import zone

NO_SCREENER = (
    "warning / 注意: no content screener installed; collectors are recognised by wording only and content "
    "rules (threats, insults …) are off / 未安装内容筛查：仅按措辞识别催收号码，内容规则未启用"
)


def scan(
    exports: Annotated[
        list[Path], typer.Argument(help="sms-*.xml, calls-*.xml, sms.db, CallHistory.storedata, *.csv")
    ],
    out: Annotated[Path, typer.Option("--out", help="output directory")],
    pack: Annotated[str, typer.Option("--pack", help="cn | us | uk | PATH to a pack")] = "cn",
    collector: Annotated[
        list[str] | None,
        typer.Option("--collector", help="a number known to be a collector (repeatable, or comma-separated)"),
    ] = None,
    statement: Annotated[
        Path | None, typer.Option("--statement", help="the borrower's own account: text, or a JSON list")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="the borrower's IANA zone (default: the pack's)")
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="skip report.pdf")] = False,
    lang: LangOption = None,
) -> None:
    """Read a phone export, find the collectors, judge every contact, write the evidence report.
    读取手机导出记录，识别催收号码，逐条判断联系是否违规，生成证据报告与投诉书草稿。"""
    resolved = load_pack_or_exit(pack)
    # the report speaks the language of the authority it is for: Chinese for cn, English for us/uk
    language = (
        resolve_lang(lang, resolved.jurisdiction)
        if lang
        else ("zh" if resolved.jurisdiction == "cn" else "en")
    )
    zone_name = tz or resolved.default_tz
    try:
        zone(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        bad_input([f"--tz: unknown IANA time zone {zone_name!r} / 未知时区"])
    missing = [f"{p}:0: file: not found / 文件不存在" for p in exports if not p.is_file()]
    if missing:
        bad_input(missing)
    allegations = []
    screener = load_screener()
    if screener is None:
        print(NO_SCREENER, file=sys.stderr)
    try:
        if statement is not None:
            allegations = read_statement(statement)
        result, written = run(
            Options(
                paths=exports,
                out_dir=out,
                pack=resolved,
                lang=language,
                tz=zone_name,
                collectors=[n.strip() for value in collector or [] for n in value.split(",") if n.strip()],
                statement=allegations,
                screener=screener,
                pdf=not no_pdf,
            )
        )
    except BadInput as e:
        bad_input(e.errors)
    except EvidenceError as e:
        bad_input(str(e).splitlines())
    print(
        f"{len(result.collectors)} collector number(s), {len(result.contacts)} contacts, "
        f"{len(result.findings)} finding(s) / 催收号码 {len(result.collectors)} 个，违规 {len(result.findings)} 处",
        file=sys.stderr,
    )
    for path in written:
        print(path)


def register(app: typer.Typer) -> None:
    evidence = typer.Typer(
        help="Borrower's evidence kit: phone export → report / 借款人证据工具：手机导出记录 → 证据报告",
        no_args_is_help=True,
    )
    evidence.command("scan")(scan)
    app.add_typer(evidence, name="evidence")

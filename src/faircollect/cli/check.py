"""`faircollect check`: one planned contact (JSON on stdin) → the gate's Decision, offline."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Annotated

import typer

from faircollect.cli.common import LangOption, bad_input, load_pack_or_exit, load_screener, resolve_lang
from faircollect.io.readers import read_path
from faircollect.io.validate import RecordError, contact_from_dict, parse_time
from faircollect.policy.engine import decide


def check(
    pack: Annotated[str, typer.Option("--pack", help="cn | us | uk | PATH")] = "cn",
    history: Annotated[
        str | None, typer.Option("--history", help="the debtor's earlier contacts and events")
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="ISO 8601 time to judge at (default: the clock)")
    ] = None,
    no_screen: Annotated[bool, typer.Option("--no-screen", help="skip content screening")] = False,
    lang: LangOption = None,
) -> None:
    """Read one planned contact (JSON, no outcome) on stdin and print a Decision.
    从标准输入读取一条拟进行的联系（JSON），输出是否允许及原因。"""
    resolved = load_pack_or_exit(pack)
    language = resolve_lang(lang, resolved.jurisdiction)
    try:
        moment = parse_time(now, "--now") if now else datetime.now(timezone.utc)
    except RecordError as e:
        bad_input([f"{e.field}: {e.problem}"])
    raw = sys.stdin.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        bad_input([f"<stdin>:{e.lineno}: json: {e.msg}"])
    if not isinstance(data, dict):
        bad_input(["<stdin>:1: json: the planned contact must be one JSON object"])
    data.setdefault("at", moment.isoformat())
    data.pop("type", None)
    data.setdefault("id", "planned")
    try:
        planned = contact_from_dict(data, planned=True, line=1)
    except RecordError as e:
        bad_input([f"<stdin>:1: {e.field}: {e.problem}"])
    records = []
    if history:
        read = read_path(history, "mixed")
        if read.error_count:
            bad_input(read.errors, read.error_count)
        records = [r for r in read.records if getattr(r, "debtor", planned.debtor) == planned.debtor]
    decision = decide(resolved, planned, records, moment, None if no_screen else load_screener())
    print(json.dumps(decision.to_dict(language), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    app.command("check")(check)

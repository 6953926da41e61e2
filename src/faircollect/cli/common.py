"""Helpers shared by the command modules: language option, bad-input exits."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
from typing import Annotated, NoReturn

import typer

from faircollect.i18n import LANGS, default_lang
from faircollect.policy.pack import Pack, PackError, load_pack
from faircollect.policy.screener import Screener

LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="zh | en (default: Chinese for Chinese users and the cn pack)"),
]

MAX_ERRORS = 50


def resolve_lang(lang: str | None, jurisdiction: str | None = None) -> str:
    if lang is None:
        return default_lang(jurisdiction)
    if lang not in LANGS:
        bad_input([f"--lang: must be zh or en, not {lang!r} / 语言须为 zh 或 en"])
    return lang


def bad_input(errors: Iterable[str], total: int | None = None) -> NoReturn:
    """Print `FILE:LINE: field: problem` lines (up to MAX_ERRORS) and exit 2; never a traceback."""
    errors = list(errors)
    for line in errors[:MAX_ERRORS]:
        print(line, file=sys.stderr)
    count = total if total is not None else len(errors)
    if count > MAX_ERRORS:
        print(f"... {count - MAX_ERRORS} more errors / 另有 {count - MAX_ERRORS} 处错误", file=sys.stderr)
    print(
        f"{count} error(s); nothing was written / 共 {count} 处错误，未输出任何结果",
        file=sys.stderr,
    )
    raise typer.Exit(2)


def load_screener() -> Screener | None:
    """The shipped screener if it loads and answers a probe, else None: content rules are then off, and
    every command that uses it says so (audit, check, serve, the evidence kit)."""
    try:
        from faircollect.screening.screener import default_screener

        screener = default_screener()
        screener.screen("您的借款已逾期，请尽快还款")
    except Exception as e:  # a missing or broken model must not stop the command: rules go off, loudly
        print(f"screener unavailable / 内容筛查不可用: {type(e).__name__}: {e}", file=sys.stderr)
        return None
    return screener


def load_pack_or_exit(name: str) -> Pack:
    try:
        return load_pack(name)
    except PackError as e:
        bad_input(str(e).splitlines())


def settle() -> None:
    """Exempt what start-up built (the screener's model and lexicons, ~300,000 objects) from the cyclic
    garbage collector: a full collection over them takes ~90 ms, a pause every request would feel, and the
    collector's passes over a long input would walk them again and again."""
    gc.collect()
    gc.freeze()

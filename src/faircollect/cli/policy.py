"""`faircollect policy`: publish a pack as a collection policy, or validate a pack file."""

from __future__ import annotations

import html
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from faircollect.cli.common import LangOption, load_pack_or_exit, resolve_lang
from faircollect.i18n import pick
from faircollect.policy.pack import Pack, PackRule

policy_app = typer.Typer(help="Policy packs / 规则包", no_args_is_help=True)

HEAD = {
    "zh": {
        "intro": "本机构在催收中遵守以下规则。每条规则注明依据及其来源的可信度。",
        "rule": "规则",
        "what": "内容",
        "params": "参数",
        "basis": "依据",
        "confidence": "来源可信度",
        "severity": "性质",
        "violation": "法律法规/行业规范",
        "policy": "本机构内部政策",
        "hash": "规则包指纹（SHA-256）",
        "effective": "生效日期",
        "version": "版本",
        "confirmed": "已核实原文",
        "secondary": "二手来源",
        "unconfirmed": "未核实",
    },
    "en": {
        "intro": "We follow these rules when collecting. Each rule names its source and how well that source is confirmed.",
        "rule": "Rule",
        "what": "What it means for you",
        "params": "Parameters",
        "basis": "Legal basis",
        "confidence": "Source confidence",
        "severity": "Kind",
        "violation": "law, regulation or standard",
        "policy": "our own policy",
        "hash": "Pack fingerprint (SHA-256)",
        "effective": "Effective",
        "version": "Version",
        "confirmed": "text confirmed",
        "secondary": "secondary source",
        "unconfirmed": "unconfirmed",
    },
}


def _params(r: PackRule) -> str:
    return ", ".join(f"{k}={v}" for k, v in r.params.items())


def markdown(pack: Pack, lang: str) -> str:
    h = HEAD[lang]
    lines = [
        f"# {pick(pack.name, lang)}",
        "",
        pick(pack.description, lang),
        "",
        h["intro"],
        "",
        f"- {h['version']}: {pack.version} · {h['effective']}: {pack.effective.isoformat()}",
        f"- {h['hash']}: `{pack.ref.sha256}`",
        "",
        f"| {h['rule']} | {h['what']} | {h['params']} | {h['basis']} | {h['confidence']} | {h['severity']} |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in pack.rules:
        cells = [
            f"`{r.code}`",
            pick(r.explain, lang),
            _params(r),
            pick(r.citation, lang),
            h[r.confidence],
            h[r.severity],
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def html_page(pack: Pack, lang: str) -> str:
    h = HEAD[lang]
    e = html.escape
    rows = "\n".join(
        f"<tr><td><code>{e(r.code)}</code></td><td>{e(pick(r.explain, lang))}</td><td>{e(_params(r))}</td>"
        f"<td>{e(pick(r.citation, lang))}</td><td>{e(h[r.confidence])}</td><td>{e(h[r.severity])}</td></tr>"
        for r in pack.rules
    )
    return f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8"><title>{e(pick(pack.name, lang))}</title>
<style>body{{font-family:"Noto Sans CJK SC",system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}}
th{{background:#f4f6f9}}</style></head><body>
<h1>{e(pick(pack.name, lang))}</h1><p>{e(pick(pack.description, lang))}</p><p>{e(h["intro"])}</p>
<p>{e(h["version"])}: {e(pack.version)} · {e(h["effective"])}: {pack.effective.isoformat()} ·
{e(h["hash"])}: <code>{pack.ref.sha256}</code></p>
<table><tr><th>{e(h["rule"])}</th><th>{e(h["what"])}</th><th>{e(h["params"])}</th><th>{e(h["basis"])}</th>
<th>{e(h["confidence"])}</th><th>{e(h["severity"])}</th></tr>
{rows}
</table></body></html>
"""


@policy_app.command("show")
def show(
    pack: Annotated[str, typer.Argument(help="cn | us | uk | PATH")],
    fmt: Annotated[str, typer.Option("--format", help="table | markdown | html")] = "table",
    lang: LangOption = None,
) -> None:
    """Print a pack as the collection policy a lender publishes. 以对借款人公开的催收政策形式输出规则包。"""
    resolved = load_pack_or_exit(pack)
    language = resolve_lang(lang, resolved.jurisdiction)
    if fmt == "markdown":
        print(markdown(resolved, language), end="")
    elif fmt == "html":
        print(html_page(resolved, language), end="")
    elif fmt == "table":
        h = HEAD[language]
        table = Table(
            title=f"{pick(resolved.name, language)} · {resolved.ref.id} · {resolved.ref.sha256[:16]}"
        )
        for col in ("rule", "what", "params", "basis", "confidence"):
            table.add_column(h[col])
        for r in resolved.rules:
            table.add_row(
                r.code, pick(r.explain, language), _params(r), pick(r.citation, language), h[r.confidence]
            )
        Console(width=200).print(table)
    else:
        from faircollect.cli.common import bad_input

        bad_input([f"--format: must be table, markdown or html, not {fmt!r}"])


@policy_app.command("check")
def check_pack(pack: Annotated[str, typer.Argument(help="PATH of a pack (or cn | us | uk)")]) -> None:
    """Validate a pack (and what it extends); print its id and SHA-256. 校验规则包。"""
    resolved = load_pack_or_exit(pack)
    print(
        f"{resolved.ref.id} {resolved.ref.sha256} ({len(resolved.rules)} rules; {' → '.join(resolved.lineage)})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")

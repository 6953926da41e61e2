"""What every complaint draft is built from: the proven facts, worded once, with examples per finding."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from faircollect.evidence.analyze import Scan, totals
from faircollect.evidence.report.html import describe_call, stamp
from faircollect.evidence.report.texts import CODE_NAMES
from faircollect.i18n import pick
from faircollect.model import Finding

EXAMPLES = 10  # per finding code in a letter; the report lists them all


@dataclass(frozen=True, slots=True)
class Example:
    at: str
    number: str
    channel: str
    detail: str
    message: str


@dataclass(frozen=True, slots=True)
class Facts:
    numbers: list[str]
    tally: dict[str, Any]
    codes: Counter[str]
    examples: dict[str, list[Example]]
    citations: dict[str, str]
    channels: dict[str, set[str]]  # per finding code, the channels it happened on
    pack_id: str
    pack_sha256: str

    def has(self, *prefixes: str) -> bool:
        return any(code.startswith(prefixes) for code in self.codes)


def gather(result: Scan, pack_id: str, pack_sha256: str, lang: str) -> Facts:
    by_id = result.by_id()
    examples: dict[str, list[Example]] = {}
    citations: dict[str, str] = {}
    channels: dict[str, set[str]] = {}
    for f in result.findings:
        citations.setdefault(f.code, pick(f.citation, lang))
        channels.setdefault(f.code, set()).add(f.channel or "")
        bucket = examples.setdefault(f.code, [])
        if len(bucket) < EXAMPLES:
            bucket.append(_example(f, by_id, lang))
    return Facts(
        numbers=sorted(result.collectors),
        tally=totals(result),
        codes=Counter(f.code for f in result.findings),
        examples=examples,
        citations=citations,
        channels=channels,
        pack_id=pack_id,
        pack_sha256=pack_sha256,
    )


def _example(f: Finding, by_id: dict[str, Any], lang: str) -> Example:
    c = by_id.get(f.contact)
    detail = ""
    if c is not None:
        detail = describe_call(c, lang) if c.channel == "call" else f"“{(c.text or '')[:200]}”"
    return Example(
        at=stamp(f.at) if f.at else "",
        number=f.collector or "",
        channel=f.channel or "",
        detail=detail,
        message=pick(f.message, lang),
    )


def code_name(code: str, lang: str) -> str:
    return pick(CODE_NAMES.get(code, {"en": code}), lang)


def finding_lines(facts: Facts, lang: str) -> list[str]:
    """One block per finding code: name, count, source, then dated examples."""
    lines: list[str] = []
    for code, n in sorted(facts.codes.items()):
        if lang == "zh":
            lines.append(f"- {code_name(code, lang)}：共 {n} 次（依据：{facts.citations[code]}）")
        else:
            lines.append(f"- {code_name(code, lang)}: {n} time(s) (source: {facts.citations[code]})")
        for ex in facts.examples[code]:
            lines.append(f"  - {ex.at} {ex.number} {ex.detail} — {ex.message}")
        rest = n - len(facts.examples[code])
        if rest > 0:
            lines.append(
                f"  - 其余 {rest} 次见证据报告 report.pdf"
                if lang == "zh"
                else f"  - {rest} more in the evidence report (report.pdf)"
            )
    return lines

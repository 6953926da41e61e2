"""The evidence kit end to end: exports in, findings.json, report.html/.pdf, drafts and manifest.json out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faircollect import __version__
from faircollect.evidence import manifest
from faircollect.evidence.analyze import CachingScreener, Scan, judge, scan, totals
from faircollect.evidence.complaints import write_drafts
from faircollect.evidence.report import html, pdf
from faircollect.evidence.report.html import stamp
from faircollect.evidence.report.texts import LIMITS
from faircollect.policy.pack import Pack
from faircollect.policy.screener import Screener


@dataclass(slots=True)
class Options:
    paths: Sequence[Path]
    out_dir: Path
    pack: Pack
    lang: str
    tz: str
    collectors: Sequence[str] = ()
    statement: list[dict[str, str]] = field(default_factory=list)
    screener: Screener | None = None
    pdf: bool = True
    now: datetime | None = None


def run(opts: Options) -> tuple[Scan, list[Path]]:
    """Analyse, then write every output; returns the scan and the files written (manifest last)."""
    screener = CachingScreener(opts.screener) if opts.screener is not None else None
    result = scan(opts.paths, opts.pack.jurisdiction, opts.tz, opts.collectors, screener)
    judge(result, opts.pack, screener)
    generated = (opts.now or datetime.now(UTC)).astimezone(UTC)
    out = opts.out_dir
    out.mkdir(parents=True, exist_ok=True)
    written = [_findings_json(result, opts, generated)]
    ctx = html.context(result, opts.pack, opts.lang, generated, opts.statement, screener is not None)
    (out / "report.html").write_text(html.render(ctx), encoding="utf-8")
    written.append(out / "report.html")
    if opts.pdf:
        pdf.write_pdf(ctx, out / "report.pdf", ctx["t"]["title"])
        written.append(out / "report.pdf")
    written += write_drafts(result, opts.pack.ref.id, opts.pack.ref.sha256, out / "complaints")
    written.append(manifest.write(opts.paths, written, out, opts.pack.ref, generated))
    return result, written


def findings_document(result: Scan, opts: Options, generated: datetime) -> dict[str, Any]:
    by_id = result.by_id()
    paths = [str(i.stats.path) for i in result.inputs]
    tally = totals(result)
    tally["first"] = tally["first"].isoformat() if tally["first"] else None
    tally["last"] = tally["last"].isoformat() if tally["last"] else None
    busiest = tally["busiest_day"]
    tally["busiest_day"] = {"day": busiest[0].isoformat(), "contacts": busiest[1]} if busiest else None
    findings = []
    for f in result.findings:
        d = f.to_dict(opts.lang)
        c = by_id.get(f.contact)
        if c is not None:
            d["quote"] = c.text
            d["number"] = c.collector
            d["local_time"] = stamp(c.local())
            d["outcome"] = c.outcome
            d["duration_s"] = c.duration_s
            source = int(c.id[1:].split("-")[0]) - 1
            d["source"] = {"path": paths[source], "line": c.line}
        findings.append(d)
    return {
        "tool": {"name": "faircollect", "version": __version__},
        "generated_at": generated.isoformat(timespec="seconds"),
        "pack": opts.pack.ref.to_dict(),
        "jurisdiction": result.jurisdiction,
        "tz": result.tz,
        "lang": opts.lang,
        "screener": opts.screener is not None,
        "inputs": [i.to_dict() for i in result.inputs],
        "collectors": [c.to_dict() for c in result.collectors.values()],
        "totals": tally,
        "findings": findings,
        "allegations": opts.statement,
        "limits": LIMITS,
    }


def _findings_json(result: Scan, opts: Options, generated: datetime) -> Path:
    target = opts.out_dir / "findings.json"
    doc = findings_document(result, opts, generated)
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return target

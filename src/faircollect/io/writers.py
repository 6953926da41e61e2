"""Write findings as JSONL (one per line) or CSV (flat columns)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from faircollect.i18n import pick
from faircollect.model import Finding

CSV_COLUMNS = (
    "contact",
    "at",
    "code",
    "rule",
    "severity",
    "debtor",
    "account",
    "party",
    "channel",
    "collector",
    "agency",
    "message",
    "citation",
    "evidence",
    "pack",
    "pack_sha256",
)


def write_jsonl(findings: Iterable[Finding], out: TextIO, lang: str) -> int:
    n = 0
    for f in findings:
        out.write(json.dumps(f.to_dict(lang), ensure_ascii=False, sort_keys=False) + "\n")
        n += 1
    return n


def write_csv(findings: Iterable[Finding], out: TextIO, lang: str) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for f in findings:
        writer.writerow(
            [
                f.contact,
                f.at.isoformat() if f.at else "",
                f.code,
                f.rule,
                f.severity,
                f.debtor or "",
                f.account or "",
                f.party or "",
                f.channel or "",
                f.collector or "",
                f.agency or "",
                pick(f.message, lang),
                pick(f.citation, lang),
                json.dumps(f.evidence, ensure_ascii=False, sort_keys=True),
                f.pack.id if f.pack else "",
                f.pack.sha256 if f.pack else "",
            ]
        )
        n += 1
    return n

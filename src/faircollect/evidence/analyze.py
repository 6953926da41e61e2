"""From phone exports to findings: two streaming passes, then the engine over the collectors' contacts.

Pass 1 reads every input, hashes it, counts its records and decides who the collectors are. Pass 2 reads
the inputs again and keeps only the collectors' records, as Contacts seen from the collector's side. So
memory grows with the collectors' contacts, never with the size of the export.

Mapping of a phone record to a Contact (documented in docs/evidence-kit.md):
- a received text or a call that rang the borrower's phone → `direction` outbound (the collector acted);
  a text the borrower sent or a call the borrower made → inbound.
- `debtor` = `party` = "borrower", `role` debtor; `account` = the collector's number (the export cannot say
  which debt a contact was about, so each number stands for one account); `collector` = the same number;
  `address` = "borrower-phone": every export is of the borrower's own phone, so all attempts reached the
  same line, which is what "attempts per contact method" counts.
- blocked calls (Android type 6) are unanswered attempts: the collector dialled, the phone refused.
- each collector number is judged on its own (see `judge`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from faircollect.evidence import importers
from faircollect.evidence.collectors import Collector, given, judge_message
from faircollect.evidence.importers import EvidenceError, ImportStats, PhoneRecord
from faircollect.evidence.phones import normalize, region_of
from faircollect.model import Contact, Finding, zone
from faircollect.policy.engine import audit_stream
from faircollect.policy.pack import Pack
from faircollect.policy.screener import Screener, ScreenResult

DEBTOR = "borrower"
ADDRESS = "borrower-phone"
QUOTE_LIMIT = 300
UNKNOWN = frozenset({"unknown"})  # a withheld number: no one can be named from it


class BadInput(EvidenceError):
    """Several bad-input lines at once (`FILE:LINE: field: problem`)."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class CachingScreener:
    """The same text is screened once (bank and collector templates repeat thousands of times)."""

    def __init__(self, inner: Screener, size: int = 4096) -> None:
        self.inner = inner
        self._screen = lru_cache(maxsize=size)(inner.screen)

    def screen(self, text: str) -> ScreenResult:
        return self._screen(text)


@dataclass(slots=True)
class Input:
    stats: ImportStats
    sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = self.stats.to_dict()
        d["sha256"] = self.sha256
        return d


@dataclass(slots=True)
class Scan:
    """Everything the report, findings.json and the complaint drafts are made from."""

    jurisdiction: str
    tz: str
    inputs: list[Input]
    collectors: dict[str, Collector]
    contacts: list[Contact]
    findings: list[Finding] = field(default_factory=list)
    records: int = 0

    def by_id(self) -> dict[str, Contact]:
        return {c.id: c for c in self.contacts}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def scan(
    paths: Sequence[Path],
    jurisdiction: str,
    tz: str,
    named: Iterable[str] = (),
    screener: Screener | None = None,
) -> Scan:
    """Read the exports and pick the collectors' contacts (no rules applied yet)."""
    region = region_of(jurisdiction)
    collectors: dict[str, Collector] = {}
    for raw in named:
        number = normalize(raw, region)
        collectors.setdefault(number, given(number, raw))
    inputs = [Input(ImportStats(path, "unknown")) for path in paths]
    records = 0
    for source, item in enumerate(inputs):
        item.sha256 = sha256_file(item.stats.path)
        for ordinal, rec in enumerate(_read(item.stats, source, region, tz)):
            records += 1
            if (
                rec.incoming
                and rec.text
                and rec.channel != "call"
                and rec.number not in collectors
                and rec.number not in UNKNOWN
            ):
                why = judge_message(rec.text, screener)
                if why is not None:
                    collectors[rec.number] = Collector(
                        rec.number, _message_reason(why, rec, source, ordinal, tz)
                    )
    errors = [e for item in inputs for e in item.stats.errors]
    if errors:
        raise BadInput(errors)
    contacts = []
    for source, item in enumerate(inputs):
        quiet = ImportStats(item.stats.path, item.stats.format)  # pass 2 counts nothing twice
        for ordinal, rec in enumerate(_read(quiet, source, region, tz)):
            who = collectors.get(rec.number)
            if who is not None:
                contacts.append(to_contact(rec, f"e{source + 1}-{ordinal + 1}", tz))
                _count(who, rec)
    return Scan(jurisdiction, tz, inputs, collectors, contacts, records=records)


def _read(stats: ImportStats, source: int, region: str, tz: str) -> Iterator[PhoneRecord]:
    return importers.read(stats.path, source, region, tz, stats)


def _message_reason(
    why: dict[str, Any], rec: PhoneRecord, source: int, ordinal: int, tz: str
) -> dict[str, Any]:
    return {
        "kind": "message",
        "zh": why["zh"],
        "en": why["en"],
        "contact": f"e{source + 1}-{ordinal + 1}",
        "at": rec.at.astimezone(zone(tz)).isoformat(),
        "quote": (rec.text or "")[:QUOTE_LIMIT],
        "cues": why["cues"],
        "labels": why["labels"],
    }


def to_contact(rec: PhoneRecord, contact_id: str, tz: str) -> Contact:
    return Contact(
        id=contact_id,
        at=rec.at,
        channel=rec.channel,
        account=rec.number,
        debtor=DEBTOR,
        direction="outbound" if rec.incoming else "inbound",
        outcome=rec.outcome,
        party=DEBTOR,
        role="debtor",
        tz=tz,
        address=ADDRESS,
        collector=rec.number,
        text=rec.text,
        duration_s=rec.duration_s,
        line=rec.line,
    )


def _count(who: Collector, rec: PhoneRecord) -> None:
    c = who.counts
    side = "to_borrower" if rec.incoming else "from_borrower"
    keys = [f"{rec.channel}_{side}"]
    if rec.channel == "call":
        keys.append(f"call_{rec.outcome}")
        if rec.kind == "call-blocked":
            keys.append("call_blocked")
        c["talk_seconds"] = c.get("talk_seconds", 0) + int(rec.duration_s or 0)
    for key in keys:
        c[key] = c.get(key, 0) + 1


def judge(result: Scan, pack: Pack, screener: Screener | None) -> None:
    """The engine over each collector number's contacts on its own; findings in time order.

    Daily caps count "across the lender"; the export cannot show that two numbers work for the same
    lender, so each number is judged alone. That can only undercount, never claim more than is proven.
    """
    streams: dict[str, list[Contact]] = {}
    for c in result.contacts:
        streams.setdefault(c.account, []).append(c)
    findings = [f for stream in streams.values() for f in audit_stream(pack, stream, screener)]
    result.findings = sorted(
        findings, key=lambda f: (f.at or datetime.min.replace(tzinfo=UTC), f.contact, f.code)
    )


def totals(result: Scan) -> dict[str, Any]:
    """Plain counts the export proves, for the summary."""
    out = [c for c in result.contacts if c.outbound]
    calls = [c for c in out if c.channel == "call"]
    days = Counter(c.local().date() for c in out)
    codes = Counter(f.code for f in result.findings)
    return {
        "records_read": result.records,
        "collectors": len(result.collectors),
        "collector_contacts": len(result.contacts),
        "contacts_to_borrower": len(out),
        "contacts_from_borrower": len(result.contacts) - len(out),
        "messages_to_borrower": sum(1 for c in out if c.channel != "call"),
        "calls_to_borrower": len(calls),
        "calls_connected": sum(1 for c in calls if c.outcome == "connected"),
        "calls_unanswered": sum(1 for c in calls if c.outcome != "connected"),
        "talk_seconds": int(sum(c.duration_s or 0 for c in calls)),
        "first": min((c.local() for c in out), default=None),
        "last": max((c.local() for c in out), default=None),
        "days_with_contact": len(days),
        "busiest_day": max(days.items(), key=lambda kv: (kv[1], kv[0]), default=None),
        "findings": len(result.findings),
        "findings_by_code": dict(sorted(codes.items())),
    }

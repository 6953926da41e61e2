"""Summaries of an audit: findings by code, collector, agency and local hour of day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from faircollect.model import Finding


@dataclass
class Summary:
    contacts: int
    debtors: int
    findings: int
    violations: int
    policy: int
    by_code: list[tuple[str, int]] = field(default_factory=list)
    by_collector: list[tuple[str, int]] = field(default_factory=list)
    by_agency: list[tuple[str, int]] = field(default_factory=list)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    contacts_with_findings: int = 0


def summarize(findings: Sequence[Finding], contacts: int, debtors: int) -> Summary:
    by_code = Counter(f.code for f in findings)
    by_collector = Counter(f.collector or "—" for f in findings)
    by_agency = Counter(f.agency or "(lender)" for f in findings)
    by_hour = [0] * 24
    for f in findings:
        if f.at is not None:
            by_hour[f.at.hour] += 1
    violations = sum(1 for f in findings if f.severity == "violation")
    return Summary(
        contacts=contacts,
        debtors=debtors,
        findings=len(findings),
        violations=violations,
        policy=len(findings) - violations,
        by_code=by_code.most_common(),
        by_collector=by_collector.most_common(),
        by_agency=by_agency.most_common(),
        by_hour=by_hour,
        contacts_with_findings=len({f.contact for f in findings}),
    )

"""Small builders for contacts, events and a screener double used across the tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from faircollect.io.validate import contact_from_dict, event_from_dict
from faircollect.model import Contact, Event
from faircollect.policy.screener import ScreenResult, Span

_ids = itertools.count(1)


def contact(at: str, **fields: Any) -> Contact:
    """A contact at `at` (ISO with offset); defaults: a connected outbound call to debtor d1 on account a1."""
    d: dict[str, Any] = {"id": f"c{next(_ids)}", "at": at, "channel": "call", "account": "a1", "debtor": "d1"}
    d.update(fields)
    planned = d.pop("planned", False)
    if d["channel"] == "call" and "outcome" not in d and not planned:
        d["outcome"] = "connected"
    if d["channel"] == "visit" and "team_size" not in d:
        d["team_size"] = 2
    return contact_from_dict(d, planned=planned)


def event(at: str, kind: str, **fields: Any) -> Event:
    d: dict[str, Any] = {"id": f"e{next(_ids)}", "at": at, "kind": kind}
    if "account" not in fields and "party" not in fields:
        d["account"] = "a1"
    d.update(fields)
    return event_from_dict(d)


def codes(findings: list[Any]) -> list[tuple[str, str]]:
    return [(f.contact, f.code) for f in findings]


@dataclass
class KeywordScreener:
    """A test double: a label when a keyword occurs; `debt_related` when a debt word occurs."""

    keywords: dict[str, str] = field(
        default_factory=lambda: {
            "老赖": "abuse.insult",
            "deadbeat": "abuse.insult",
            "坐牢": "threat.arrest",
            "通讯录": "privacy.exposure",
            "小心": "threat.violence",
        }
    )
    unsure: tuple[str, ...] = ("maybe",)
    debt_words: tuple[str, ...] = ("欠款", "还款", "debt", "owe", "逾期")
    calls: int = 0

    def screen(self, text: str) -> ScreenResult:
        self.calls += 1
        labels, spans = [], []
        for word, label in self.keywords.items():
            start = text.find(word)
            if start >= 0:
                labels.append(label)
                spans.append(Span(start, start + len(word), label, word))
        debt = any(w in text for w in self.debt_words)
        unsure = any(w in text for w in self.unsure)
        verdict = "block" if labels else ("review" if unsure else "allow")
        return ScreenResult(tuple(dict.fromkeys(labels)), verdict, debt, {}, tuple(spans))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)

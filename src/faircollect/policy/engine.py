"""The rule engine: the only place where collection rules are applied.

Pure: a resolved pack, one debtor's contacts and events, an optional screener and (for the gate) "now" in;
findings or a Decision out. The gate, the audit and the evidence kit all call these three functions, so a
contact is judged the same way everywhere.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from faircollect.model import CHANNELS, Contact, Decision, Event, Finding, Record, sort_key
from faircollect.policy.history import History
from faircollect.policy.pack import Pack, PackRule
from faircollect.policy.registry import Hit, RuleDef, RuleFn
from faircollect.policy.screener import Screener

Step = tuple[RuleFn, Mapping[str, Any], PackRule, RuleDef]
Plan = dict[str, tuple[Step, ...]]
MAX_STEPS = 64  # next_allowed_at search: each step moves strictly forward to where an obstacle clears


@lru_cache(maxsize=256)
def _plan(pack: Pack, kinds: frozenset[str], screening: bool) -> Plan:
    """The rules that can apply, per channel, to a stream with these event kinds: a rule that needs an
    event kind the stream lacks, or a screener that is not installed, is left out before the replay."""
    plan: dict[str, list[Step]] = {ch: [] for ch in CHANNELS}
    for pr in pack.rules:
        d = pr.definition
        if d.needs_events and kinds.isdisjoint(d.needs_events):
            continue
        if d.needs_screener and not screening:
            continue
        for ch in d.channels or CHANNELS:
            plan[ch].append((d.fn, pr.params, pr, d))
    return {ch: tuple(rules) for ch, rules in plan.items()}


def _plan_for(pack: Pack, records: Iterable[Record], screener: Screener | None) -> Plan:
    kinds = frozenset(r.kind for r in records if type(r) is Event)
    return _plan(pack, kinds, screener is not None)


def content_rules_off(pack: Pack, screener: Screener | None) -> bool:
    """True when the pack has rules that need a screener and none is installed."""
    return screener is None and any(r.definition.needs_screener for r in pack.rules)


def _evaluate(pack: Pack, plan: Plan, h: History, c: Contact) -> list[Finding]:
    if c.direction != "outbound":
        return []
    found: list[Finding] = []
    for fn, params, pr, d in plan[c.channel]:
        hit = fn(h, c, params)
        if hit is not None:
            found.append(_finding(pack, pr, d, c, hit, h))
    return found


def _finding(pack: Pack, pr: PackRule, d: RuleDef, c: Contact, hit: Hit, h: History) -> Finding:
    return Finding(
        contact=c.id,
        code=pr.code,
        rule=pr.id,
        severity=pr.severity,
        citation=dict(pr.citation),
        message=hit.message,
        evidence=hit.evidence,
        pack=pack.ref,
        clears_at=hit.clears_at if d.time_or_frequency else None,
        at=h.local(c),
        debtor=c.debtor,
        account=c.account,
        party=c.party,
        channel=c.channel,
        collector=c.collector,
        agency=c.agency,
    )


def audit_stream(pack: Pack, records: Iterable[Record], screener: Screener | None = None) -> list[Finding]:
    """Replay one debtor's contacts and events (any order) and return every finding, in time order."""
    ordered = sorted(records, key=sort_key)
    plan = _plan_for(pack, ordered, screener)
    h = History(screener)
    found: list[Finding] = []
    for record in ordered:
        if type(record) is Contact and record.direction == "outbound":
            found.extend(_evaluate(pack, plan, h, record))
        h.add(record)
    return found


def _history_of(records: Iterable[Record], screener: Screener | None = None) -> History:
    h = History(screener)
    for record in sorted(records, key=sort_key):
        h.add(record)
    return h


def judge(
    pack: Pack, contact: Contact, history: Iterable[Record], screener: Screener | None = None
) -> list[Finding]:
    """Findings of one recorded contact, given what came before it (later records are ignored)."""
    key = sort_key(contact)
    before = [r for r in history if sort_key(r) < key and not (type(r) is Contact and r.id == contact.id)]
    return _evaluate(pack, _plan_for(pack, before, screener), _history_of(before, screener), contact)


def decide(
    pack: Pack,
    planned: Contact,
    history: Sequence[Record],
    now: datetime,
    screener: Screener | None = None,
) -> Decision:
    """The gate's answer for a planned contact (no outcome yet: judged as its worst outcome).

    `history` holds the debtor's recorded contacts and events and any open reservations (contacts whose
    outcome is None). The Decision leaves `reservation` and `receipt` for the gate to fill.
    """
    planned = as_it_can_happen(planned, now)
    plan = _plan_for(pack, history, screener)
    h = _history_of(history, screener)
    findings = _evaluate(pack, plan, h, planned)
    screening = None
    if planned.text and planned.direction == "outbound":
        result = h.screen(planned.text)
        if result is not None:
            screening = result.to_dict()
        elif content_rules_off(pack, screener):
            screening = {
                "status": "off",
                "message": {
                    "zh": "未安装内容筛查，内容规则未启用",
                    "en": "no screener installed: content rules are off",
                },
            }
    if findings:
        return Decision(
            verdict="block",
            findings=findings,
            next_allowed_at=_next_allowed(pack, plan, h, planned, findings),
            pack=pack.ref,
            screening=screening,
        )
    review = screening is not None and screening.get("verdict") == "review"
    return Decision(
        verdict="review" if review else "allow",
        findings=[],
        next_allowed_at=planned.at,
        pack=pack.ref,
        screening=screening,
    )


def as_it_can_happen(planned: Contact, now: datetime) -> Contact:
    """A planned contact dated in the past can only happen now: it is judged, and must be counted, at now
    (on the planned offset's clock)."""
    if planned.at < now:
        return dataclasses.replace(planned, at=now.astimezone(planned.at.tzinfo))
    return planned


def _next_allowed(
    pack: Pack, plan: Plan, h: History, planned: Contact, findings: list[Finding]
) -> datetime | None:
    """The earliest instant at which the same contact passes every rule, or None if waiting cannot cure it.

    Each time or frequency finding says when its obstacle clears; the obstacle holds until then, so no
    earlier instant can pass. Jump to the latest of those instants and judge again, until nothing blocks.
    An event on the way (consent to other hours, say) can lift an obstacle early, so a jump stops at the
    next event and judges there.
    """
    event_times = sorted({e.at for events in h.events.values() for e in events})
    current = planned.at
    for _ in range(MAX_STEPS + len(event_times)):  # each event can stop one jump
        if any(f.clears_at is None for f in findings):
            return None
        target = max(f.clears_at for f in findings if f.clears_at is not None)
        following = event_times[bisect_right(event_times, current) :]
        if following and following[0] < target:
            target = following[0]
        current = target
        moved = dataclasses.replace(planned, at=target.astimezone(planned.at.tzinfo))
        findings = _evaluate(pack, plan, h, moved)
        if not findings:
            return moved.at
    return None


__all__ = ["as_it_can_happen", "audit_stream", "content_rules_off", "decide", "judge"]

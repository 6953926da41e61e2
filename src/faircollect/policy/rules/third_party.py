"""Third-party rules: who besides the obligors may be contacted, how often, and what they may be told."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faircollect.model import OBLIGORS, Contact, Event
from faircollect.policy.history import History
from faircollect.policy.registry import Hit, Param, rule


def _non_obligor(c: Contact) -> bool:
    return c.role not in OBLIGORS


def _about_debtor(e: Event, c: Contact) -> bool:
    return e.at <= c.at and (e.party is None or e.party == c.debtor)


def debtor_unreachable(h: History, c: Contact) -> Event | None:
    """The `debtor_unreachable` event in force: not followed by `debtor_reached`, nor by a connected call or
    inbound contact with the debtor."""
    marks = [e for e in h.events.get("debtor_unreachable", ()) if _about_debtor(e, c)]
    if not marks:
        return None
    last = max(marks, key=lambda e: e.at)
    if any(last.at <= e.at and _about_debtor(e, c) for e in h.events.get("debtor_reached", ())):
        return None
    if h.reached_between(last.at, c.at):
        return None
    return last


@rule("third_party.not_permitted")
def not_permitted(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if not _non_obligor(c):
        return None
    if debtor_unreachable(h, c) is not None:
        return None
    if any(_about_debtor(e, c) for e in h.events.get("deceased", ())):
        return None
    return Hit(
        message={
            "zh": "债务人可以联系上时联系了非义务人（紧急联系人、单位或其他第三方）",
            "en": "a non-obligor (contact person, employer or other third party) was contacted while the "
            "debtor was reachable",
        },
        evidence={"party": c.party, "role": c.role},
    )


@rule("third_party.refused", needs_events=("party_refused",))
def refused(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    event = h.active("party_refused", c)
    if event is None:
        return None
    return Hit(
        message={
            "zh": "此人已明确拒绝再被联系",
            "en": "this person has refused further contact",
        },
        evidence={"event": event.id},
    )


def _communication(c: Contact) -> bool:
    """A contact that reached the person: a connected (or still pending) call, a message not failed, a met
    visit, a letter."""
    if c.channel == "call":
        return c.outcome in ("connected", None)
    if c.channel == "visit":
        return c.outcome in ("met", None)
    return c.outcome != "failed"


@rule("third_party.repeat", params={"max": Param("int", "lower", 1)})
def repeat(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if not _non_obligor(c) or not _communication(c):
        return None
    if h.has("party_requested_contact") and h.active("party_requested_contact", c):
        return None
    earlier = [x for x in h.by_party.get(c.party, ()) if x.outbound and _non_obligor(x) and _communication(x)]
    if len(earlier) < p["max"]:
        return None
    return Hit(
        message={
            "zh": f"对同一第三方的第 {len(earlier) + 1} 次联系（仅可联系 {p['max']} 次以核实位置）",
            "en": f"contact number {len(earlier) + 1} with the same third party (location contacts are "
            f"limited to {p['max']})",
        },
        evidence={"counted": [x.id for x in earlier], "limit": p["max"]},
    )


@rule("third_party.disclosure", needs_text=True, needs_screener=True)
def disclosure(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if not _non_obligor(c) or not c.text:
        return None
    result = h.screen(c.text)
    if result is None or not (result.debt_related or result.labels):
        return None
    return Hit(
        message={
            "zh": "发给非义务人的内容提及了债务",
            "en": "a message to a non-obligor speaks of the debt",
        },
        evidence={
            "party": c.party,
            "debt_related": result.debt_related,
            "labels": list(result.labels),
            "quote": c.text,
            "spans": [s.to_dict() for s in result.spans],
        },
    )

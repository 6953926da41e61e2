"""Visit rules: field visits in person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faircollect.model import Contact
from faircollect.policy.history import History
from faircollect.policy.registry import Hit, Param, rule

VISIT = frozenset({"visit"})


@rule("visit.team_size", params={"min": Param("int", "higher", 2)}, channels=VISIT)
def team_size(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.team_size is None or c.team_size >= p["min"]:
        return None
    return Hit(
        message={
            "zh": f"上门催收人员 {c.team_size} 人，少于规定的 {p['min']} 人",
            "en": f"a field visit by {c.team_size} collector(s); at least {p['min']} are required",
        },
        evidence={"team_size": c.team_size, "min": p["min"]},
    )


@rule("visit.vulnerable", channels=VISIT, needs_events=("vulnerable",))
def vulnerable(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    event = h.active("vulnerable", c)
    if event is None:
        return None
    return Hit(
        message={
            "zh": "对方已被识别为弱势客户，不得上门",
            "en": "the person is known to be vulnerable; no visit",
        },
        evidence={"event": event.id},
    )

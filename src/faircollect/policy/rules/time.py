"""Time rules: when a contact may happen on the contacted person's clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from faircollect.model import CHANNELS, Contact
from faircollect.policy.clock import at_local, in_window, minutes
from faircollect.policy.history import History
from faircollect.policy.registry import Hit, Param, rule


@rule(
    "time.quiet_hours",
    params={
        "start": Param("clock", "higher", "08:00", "first minute of the allowed window"),
        "end": Param("clock", "lower", "22:00", "end of the allowed window (exclusive)"),
    },
    channels=CHANNELS - {"letter"},
)
def quiet_hours(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    start, end = minutes(p["start"]), minutes(p["end"])
    local = c.local_at or h.local(c)
    if in_window(local, start, end):
        return None
    if h.has("consent_hours") and h.active("consent_hours", c):
        return None
    day = local.date()
    if start <= end and local.hour * 60 + local.minute >= end:
        day += timedelta(days=1)
    opens = at_local(day, start, local.tzinfo or c.local_zone())
    hhmm = local.strftime("%H:%M")
    return Hit(
        message={
            "zh": f"当地时间 {hhmm} 不在允许的联系时段 {p['start']}–{p['end']} 内",
            "en": f"local time {hhmm} is outside the allowed window {p['start']}–{p['end']}",
        },
        evidence={"local_time": local.isoformat(), "window": [p["start"], p["end"]]},
        clears_at=opens,
    )

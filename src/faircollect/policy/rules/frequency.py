"""Frequency rules: how many contacts of a kind one person may get in a local day or rolling window.

A contact with no outcome yet (a planned call or an open reservation) counts as its worst outcome for each
tally, so the gate never lets two dialers take the last slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from faircollect.model import MESSAGE_CHANNELS, PLACED, UNANSWERED, Contact
from faircollect.policy.clock import day_start
from faircollect.policy.history import History
from faircollect.policy.registry import Hit, Param, rule

CALL = frozenset({"call"})


def connected(c: Contact) -> bool:
    return c.channel == "call" and (c.outcome == "connected" or c.outcome is None)


def unanswered(c: Contact) -> bool:
    return c.channel == "call" and (c.outcome in UNANSWERED or c.outcome is None)


def placed(c: Contact) -> bool:
    """US: a call that was placed (rang, connected or reached voicemail); busy and failed were not."""
    return c.channel == "call" and (c.outcome in PLACED or c.outcome is None)


def _next_day(h: History, c: Contact) -> Any:
    local = h.local(c)
    return day_start(local.date() + timedelta(days=1), local.tzinfo or c.local_zone())


def _over_cap(h: History, c: Contact, counted: list[Contact], limit: int, what: dict[str, str]) -> Hit | None:
    if len(counted) < limit:
        return None
    n = len(counted) + 1
    return Hit(
        message={
            "zh": f"当地日内第 {n} 次{what['zh']}，上限 {limit} 次",
            "en": f"{what['en']} number {n} on one local day; the limit is {limit}",
        },
        evidence={"counted": [x.id for x in counted], "limit": limit},
        clears_at=_next_day(h, c),
    )


@rule("frequency.connected_calls_day", params={"max": Param("int", "lower", 3)}, channels=CALL)
def connected_calls_day(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.role != "debtor" or c.outcome not in ("connected", None):
        return None
    counted = [x for x in h.same_day(c) if x.outbound and x.role == "debtor" and connected(x)]
    return _over_cap(h, c, counted, p["max"], {"zh": "接通的外呼", "en": "connected outbound call"})


@rule("frequency.unanswered_attempts_day", params={"max": Param("int", "lower", 6)}, channels=CALL)
def unanswered_attempts_day(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.outcome not in UNANSWERED and c.outcome is not None:
        return None
    counted = [
        x
        for x in h.same_day(c)
        if x.outbound and unanswered(x) and (c.address is None or x.address == c.address)
    ]
    return _over_cap(h, c, counted, p["max"], {"zh": "未接通的拨打", "en": "unanswered attempt"})


@rule("frequency.calls_day", params={"max": Param("int", "lower", 3)}, channels=CALL)
def calls_day(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if not placed(c):
        return None
    counted = [x for x in h.same_day(c) if x.outbound and placed(x)]
    return _over_cap(h, c, counted, p["max"], {"zh": "外呼", "en": "placed call"})


@rule("frequency.messages_day", params={"max": Param("int", "lower", 3)}, channels=MESSAGE_CHANNELS)
def messages_day(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    counted = [x for x in h.same_day(c) if x.outbound and x.channel in MESSAGE_CHANNELS]
    return _over_cap(h, c, counted, p["max"], {"zh": "发送的消息", "en": "message"})


def _consented(h: History, c: Contact) -> bool:
    return h.has("consent_contact") and h.active("consent_contact", c, default_days=7) is not None


def _window(h: History, c: Contact, days: int) -> Iterable[Contact]:
    return (x for x in h.days_back(c, days) if x.account == c.account)


@rule(
    "frequency.calls_7_days",
    params={"max": Param("int", "lower", 7), "days": Param("int", "higher", 7)},
    channels=CALL,
)
def calls_7_days(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    # rules.md counts every placed call here; consent_contact lifts only the wait after a conversation
    if not placed(c):
        return None
    limit, days = p["max"], p["days"]
    counted = [x for x in _window(h, c, days) if x.outbound and placed(x)]
    if len(counted) < limit:
        return None
    dates = sorted(h.local(x).date() for x in counted)
    # the window must lose enough of its oldest calls to hold only limit - 1 of them
    frees: date = dates[len(dates) - limit] + timedelta(days=days)
    local = h.local(c)
    return Hit(
        message={
            "zh": f"{days} 天内就同一笔债务对同一人的第 {len(counted) + 1} 次通话尝试，上限 {limit} 次",
            "en": f"call number {len(counted) + 1} to this person about this debt within {days} days; "
            f"the limit is {limit}",
        },
        evidence={"counted": [x.id for x in counted], "limit": limit, "days": days},
        clears_at=day_start(frees, local.tzinfo or c.local_zone()),
    )


@rule("frequency.after_conversation", params={"days": Param("int", "higher", 7)}, channels=CALL)
def after_conversation(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if not placed(c) or _consented(h, c):
        return None
    days = p["days"]
    talks = [x for x in _window(h, c, days) if connected(x)]
    if not talks:
        return None
    last = max(talks, key=lambda x: x.at)
    local = h.local(c)
    frees = h.local(last).date() + timedelta(days=days)
    return Hit(
        message={
            "zh": f"{h.local(last):%m-%d} 已就该债务与此人通话，{days} 天内不得再次致电",
            "en": f"a conversation about this debt took place on {h.local(last):%Y-%m-%d}; "
            f"no call for {days} days after it",
        },
        evidence={"conversation": last.id, "days": days},
        clears_at=day_start(frees, local.tzinfo or c.local_zone()),
    )

"""Holds and preferences: states (disputes, cease requests, pauses, opt-outs …) during which contact stops."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faircollect.model import Contact, Event
from faircollect.policy.history import History
from faircollect.policy.registry import Hit, Param, rule


def _held(event: Event | None, zh: str, en: str) -> Hit | None:
    if event is None:
        return None
    evidence: dict[str, Any] = {"event": event.id, "since": event.at.isoformat()}
    if event.until is not None:
        evidence["until"] = event.until.isoformat()
    return Hit(message={"zh": zh, "en": en}, evidence=evidence)


@rule("hold.dispute", needs_events=("dispute_opened",))
def dispute(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.purpose == "dispute_response":
        return None
    return _held(
        h.active("dispute_opened", c, match_party=False),
        "该账户存在未解决的争议，争议处理完毕前应暂停催收",
        "the account has an open dispute; collection is suspended until it is resolved",
    )


@rule("hold.cease", needs_events=("cease_request",))
def cease(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.purpose in ("cease_ack", "remedy_notice"):
        return None
    return _held(
        h.active("cease_request", c),
        "对方已书面要求停止联系",
        "the person asked in writing that contact stop",
    )


@rule("hold.attorney", needs_events=("attorney_represented",))
def attorney(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.role != "debtor":
        return None
    return _held(
        h.active("attorney_represented", c),
        "债务人已委托律师，应与律师联系",
        "the debtor is represented by an attorney; contact the attorney instead",
    )


@rule(
    "hold.breathing_space",
    params={"default_days": Param("int", "higher", 60)},
    needs_events=("breathing_space_start",),
)
def breathing_space(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    return _held(
        h.active("breathing_space_start", c, match_party=False, default_days=p["default_days"]),
        "该账户处于债务喘息期（Breathing Space），不得催收",
        "the account is in a breathing-space moratorium; no collection contact",
    )


@rule("hold.hardship", needs_events=("hardship_pause",))
def hardship(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    return _held(
        h.active("hardship_pause", c, match_party=False),
        "该账户处于困难暂停期，暂停催收",
        "the account is in a hardship pause; collection is paused",
    )


@rule("hold.deceased", needs_events=("deceased",))
def deceased(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    if c.role != "debtor":
        return None
    return _held(
        h.active("deceased", c),
        "债务人已身故，不得再向其本人催收",
        "the debtor is deceased; contact addressed to them must stop",
    )


@rule("channel.opted_out", needs_events=("opt_out",))
def opted_out(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
    event = h.active("opt_out", c, match_channel=True)
    return _held(
        event,
        f"对方已拒绝通过「{c.channel}」渠道联系",
        f"the person opted out of contact by {c.channel}",
    )

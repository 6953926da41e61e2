"""Canonical records of schema.md: Contact, Event, Finding, Decision.

The core works on these typed objects; validation of untrusted input happens at the boundary
(`faircollect.io.validate`). Field names are a contract: keep them exactly as in schema.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

# The vocabularies of schema.md, once: Literal types for annotations and OpenAPI, sets for checks.
Channel = Literal["call", "sms", "app", "im", "email", "visit", "letter"]
Direction = Literal["outbound", "inbound"]
CallOutcome = Literal["connected", "unanswered", "voicemail", "busy", "failed"]
MessageOutcome = Literal["sent", "delivered", "failed"]
VisitOutcome = Literal["met", "not_met"]
Outcome = Literal[CallOutcome, MessageOutcome, VisitOutcome]
Role = Literal["debtor", "co_borrower", "guarantor", "contact_person", "employer", "third_party"]
Purpose = Literal["collection", "cease_ack", "remedy_notice", "dispute_response", "service"]
EventKind = Literal[
    "cease_request",
    "dispute_opened",
    "dispute_resolved",
    "opt_out",
    "opt_in",
    "consent_hours",
    "consent_contact",
    "debtor_unreachable",
    "debtor_reached",
    "party_refused",
    "party_requested_contact",
    "hardship_pause",
    "breathing_space_start",
    "breathing_space_end",
    "vulnerable",
    "attorney_represented",
    "deceased",
]

CHANNELS = frozenset(get_args(Channel))
MESSAGE_CHANNELS = frozenset({"sms", "im", "app", "email"})
DIRECTIONS = frozenset(get_args(Direction))
CALL_OUTCOMES = frozenset(get_args(CallOutcome))
MESSAGE_OUTCOMES = frozenset(get_args(MessageOutcome))
VISIT_OUTCOMES = frozenset(get_args(VisitOutcome))
OUTCOMES = CALL_OUTCOMES | MESSAGE_OUTCOMES | VISIT_OUTCOMES
ROLES = frozenset(get_args(Role))
OBLIGORS = frozenset({"debtor", "co_borrower", "guarantor"})
PURPOSES = frozenset(get_args(Purpose))
EVENT_KINDS = frozenset(get_args(EventKind))
# the record fields of schema.md "Contact", in its order (besides `type`)
CONTACT_FIELDS = (
    "id",
    "at",
    "tz",
    "channel",
    "direction",
    "outcome",
    "account",
    "debtor",
    "party",
    "role",
    "address",
    "collector",
    "agency",
    "text",
    "purpose",
    "duration_s",
    "team_size",
)
EVENT_FIELDS = ("id", "at", "kind", "account", "party", "channel", "until")
UNANSWERED = frozenset({"unanswered", "voicemail", "busy"})
PLACED = frozenset({"connected", "unanswered", "voicemail"})

Verdict = Literal["allow", "block", "review"]
Severity = Literal["violation", "policy"]


@lru_cache(maxsize=512)
def zone(name: str) -> tzinfo:
    """An IANA zone, cached (ZoneInfo construction is not free on the hot path)."""
    return ZoneInfo(name)


@dataclass(slots=True)
class Contact:
    """One collection interaction, seen from the collecting side (schema.md "Contact").

    `outcome` is None only for a planned contact or a reservation still waiting for its outcome
    (the gate); such a contact counts in every tally as its worst outcome.
    """

    id: str
    at: datetime
    channel: str
    account: str
    debtor: str
    direction: str = "outbound"
    outcome: str | None = None
    party: str = ""
    role: str = "debtor"
    tz: str | None = None
    address: str | None = None
    collector: str | None = None
    agency: str | None = None
    text: str | None = None
    purpose: str = "collection"
    duration_s: float | None = None
    team_size: int | None = None
    line: int = 0  # where it came from, for messages; not part of the record
    # `at` on the person's clock, filled by the engine on first use; never copied by dataclasses.replace
    local_at: datetime | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.party:
            self.party = self.debtor

    @property
    def outbound(self) -> bool:
        return self.direction == "outbound"

    @property
    def pending(self) -> bool:
        """A call with no outcome yet: planned, or reserved and not yet reported."""
        return self.outcome is None and self.channel == "call"

    def local_zone(self) -> tzinfo:
        if self.tz:
            return zone(self.tz)
        off = self.at.utcoffset()
        return timezone(off if off is not None else timedelta(0))

    def local(self) -> datetime:
        """`at` on the contacted person's clock (without `tz`, `at` already is: its offset is the clock)."""
        if not self.tz:
            return self.at
        return self.at.astimezone(zone(self.tz))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": "contact", "id": self.id, "at": self.at.isoformat()}
        for name in CONTACT_FIELDS[2:]:
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        return d


@dataclass(slots=True)
class Event:
    """Something that changes what may be done next (schema.md "Event")."""

    id: str
    at: datetime
    kind: str
    account: str | None = None
    party: str | None = None
    channel: str | None = None
    until: datetime | None = None
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": "event", "id": self.id, "at": self.at.isoformat(), "kind": self.kind}
        for name in ("account", "party", "channel"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        if self.until is not None:
            d["until"] = self.until.isoformat()
        return d


Record = Contact | Event


@dataclass(frozen=True, slots=True)
class PackRef:
    id: str
    sha256: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "sha256": self.sha256}


@dataclass(slots=True)
class Finding:
    """One broken rule on one contact (schema.md "Finding").

    `citation` and `message` carry both languages; `to_dict(lang)` renders `citation` as the string of
    the chosen language, as schema.md shows, and keeps both in `citations`.
    `clears_at` is set by time and frequency rules: the instant from which waiting cures this finding.
    """

    contact: str
    code: str
    rule: str
    severity: Severity
    citation: dict[str, str]
    message: dict[str, str]
    evidence: dict[str, Any] = field(default_factory=dict)
    pack: PackRef | None = None
    clears_at: datetime | None = None
    # context copied from the contact, for summaries and CSV
    at: datetime | None = None
    debtor: str | None = None
    account: str | None = None
    party: str | None = None
    channel: str | None = None
    collector: str | None = None
    agency: str | None = None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d: dict[str, Any] = {
            "contact": self.contact,
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "citation": self.citation.get(lang) or self.citation.get("en", ""),
            "citations": dict(self.citation),
            "message": dict(self.message),
            "evidence": self.evidence,
        }
        if self.pack is not None:
            d["pack"] = self.pack.to_dict()
        for name in ("debtor", "account", "party", "channel", "collector", "agency"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        if self.at is not None:
            d["at"] = self.at.isoformat()
        return d


@dataclass(slots=True)
class Decision:
    """The gate's answer for one planned contact (schema.md "Decision")."""

    verdict: Verdict
    findings: list[Finding]
    next_allowed_at: datetime | None
    pack: PackRef
    reservation: dict[str, Any] | None = None
    receipt: dict[str, Any] | None = None
    screening: dict[str, Any] | None = None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d: dict[str, Any] = {
            "verdict": self.verdict,
            "findings": [f.to_dict(lang) for f in self.findings],
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
            "reservation": self.reservation,
            "pack": self.pack.to_dict(),
            "receipt": self.receipt,
        }
        if self.screening is not None:
            d["screening"] = self.screening
        return d


def sort_key(record: Record) -> tuple[datetime, int, str]:
    """Time order; at the same instant events come first ("active at or before the contact")."""
    return (record.at, 0 if isinstance(record, Event) else 1, record.id)

"""Request and response shapes for OpenAPI. Bodies are validated again by the shared record validator,
so the HTTP API accepts exactly what the files and the CLI accept."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from faircollect.model import Channel, Direction, EventKind, Outcome, Purpose, Role

Time = Field(default=None, description="ISO 8601 with a UTC offset, e.g. 2026-03-02T21:05:00+08:00")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ContactFields(_In):
    type: Literal["contact"] | None = None
    id: str | None = Field(default=None, max_length=200)
    tz: str | None = Field(default=None, description="the contacted person's IANA zone")
    channel: Channel
    direction: Direction | None = None
    account: str = Field(max_length=200)
    debtor: str = Field(max_length=200)
    party: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    address: str | None = Field(default=None, max_length=320)
    collector: str | None = Field(default=None, max_length=200)
    agency: str | None = Field(default=None, max_length=200)
    text: str | None = None
    purpose: Purpose | None = None
    duration_s: float | None = Field(default=None, ge=0)
    team_size: int | None = Field(default=None, ge=0)
    pack: str | None = Field(default=None, description="a pack this server offers; default: the server's")


class PlannedContactIn(_ContactFields):
    """A planned contact: no outcome; `at` is the planned time (default now); `id` is optional."""

    at: str | None = Time


class ContactIn(_ContactFields):
    """A contact that happened (required `id`, `at`; `outcome` required for calls)."""

    id: str = Field(max_length=200)
    at: str = Field(description="ISO 8601 with a UTC offset")
    outcome: Outcome | None = None


class OutcomeIn(_In):
    outcome: Outcome
    at: str | None = Time
    duration_s: float | None = Field(default=None, ge=0)
    text: str | None = None


class EventIn(_In):
    type: Literal["event"] | None = None
    id: str = Field(max_length=200)
    at: str = Field(description="ISO 8601 with a UTC offset")
    kind: EventKind
    account: str | None = Field(default=None, max_length=200)
    party: str | None = Field(default=None, max_length=200)
    channel: Channel | None = None
    until: str | None = Time


# --- responses (documentation; the gate builds the JSON) --------------------------------------------


class Texts(BaseModel):
    zh: str
    en: str


class PackRefOut(BaseModel):
    id: str
    sha256: str


class ReservationOut(BaseModel):
    id: str
    expires_at: str
    expired: bool | None = None


class FindingOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    contact: str
    code: str
    rule: str
    severity: Literal["violation", "policy"]
    citation: str
    message: dict[str, str]
    evidence: dict[str, Any]


class ReasonOut(BaseModel):
    code: str
    message: Texts
    detail: str | None = None


class DecisionOut(BaseModel):
    id: str | None = Field(description="the stored decision's id (null when the gate failed closed)")
    verdict: Literal["allow", "block", "review"]
    findings: list[FindingOut]
    next_allowed_at: str | None
    reservation: ReservationOut | None
    pack: PackRefOut
    receipt: dict[str, Any] | None
    screening: dict[str, Any] | None = None
    reason: ReasonOut | None = Field(default=None, description="why the gate failed closed (HTTP 503)")


class RecordedContactOut(BaseModel):
    contact: dict[str, Any]
    findings: list[FindingOut]
    pack: PackRefOut
    receipt: dict[str, Any] | None
    reservation: ReservationOut | None = None


class RecordedEventOut(BaseModel):
    event: dict[str, Any]
    receipt: dict[str, Any] | None


class HistoryCursor(BaseModel):
    after_contact: int
    after_decision: int


class AccountHistoryOut(BaseModel):
    account: str
    debtor: str
    contacts: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    next: HistoryCursor | None


class ErrorBody(BaseModel):
    code: str
    status: int
    message: Texts
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]

"""Turn request bodies into records through the shared validator (`faircollect.io.validate`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faircollect.gate.errors import invalid
from faircollect.io.validate import RecordError, contact_from_dict, event_from_dict, parse_time
from faircollect.model import Contact, Event

OUTCOME_FIELDS = frozenset({"outcome", "at", "duration_s", "text"})
NUL = "\x00"


def no_nul(value: Any, field: str = "body") -> None:
    """Refuse U+0000 anywhere in a body: PostgreSQL text cannot hold it, and no record needs it (422, not a
    store failure that would fail closed)."""
    if isinstance(value, str):
        if NUL in value:
            raise invalid(field, "must not contain the NUL character (U+0000)")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            no_nul(key, field)
            no_nul(item, str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            no_nul(item, field)


def planned_contact(body: Mapping[str, Any]) -> Contact:
    no_nul(body)
    try:
        return contact_from_dict(body, planned=True)
    except RecordError as e:
        raise invalid(e.field, e.problem) from None


def recorded_contact(body: Mapping[str, Any]) -> Contact:
    no_nul(body)
    try:
        return contact_from_dict(body)
    except RecordError as e:
        raise invalid(e.field, e.problem) from None


def event(body: Mapping[str, Any]) -> Event:
    no_nul(body)
    try:
        return event_from_dict(body)
    except RecordError as e:
        raise invalid(e.field, e.problem) from None


def outcome_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an outcome report may set on its reservation's contact."""
    no_nul(body)
    unknown = set(body) - OUTCOME_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], "unknown field")
    if not isinstance(body.get("outcome"), str) or not body["outcome"]:
        raise invalid("outcome", "required")
    if body.get("at") is not None:
        try:
            parse_time(body["at"])
        except RecordError as e:
            raise invalid(e.field, e.problem) from None
    return {k: v for k, v in body.items() if v is not None}


def text_field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(name, "must be a non-empty string")
    return value

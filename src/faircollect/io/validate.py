"""Validate untrusted JSON-like objects into Contact and Event records.

Every problem is a `RecordError(field, problem)`; the readers add file and line. The core never sees
an unvalidated record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from faircollect.model import (
    CALL_OUTCOMES,
    CHANNELS,
    CONTACT_FIELDS,
    DIRECTIONS,
    EVENT_FIELDS,
    EVENT_KINDS,
    MESSAGE_OUTCOMES,
    PURPOSES,
    ROLES,
    VISIT_OUTCOMES,
    Contact,
    Event,
    zone,
)

ACCEPTED_CONTACT_FIELDS = frozenset({"type", "pack", *CONTACT_FIELDS})  # `pack`: a gate check may name one
ACCEPTED_EVENT_FIELDS = frozenset({"type", *EVENT_FIELDS})
OUTCOMES_BY_CHANNEL = {
    "call": CALL_OUTCOMES,
    "visit": VISIT_OUTCOMES,
    "letter": MESSAGE_OUTCOMES,
}


class RecordError(ValueError):
    """One bad field of one record."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(d: Mapping[str, Any], name: str, required: bool = False) -> str | None:
    value = d.get(name)
    if _blank(value):
        if required:
            raise RecordError(name, "required")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # ids and numbers written without quotes
    if not isinstance(value, str):
        raise RecordError(name, f"must be a string, not {type(value).__name__}")
    return value


def parse_time(value: Any, name: str = "at") -> datetime:
    """ISO 8601 with a UTC offset (`Z` allowed); a naive time is ambiguous and refused."""
    if value.__class__ is str and value[-6:-5] in ("+", "-") and value[-3:-2] == ":":
        try:  # the common case: an explicit offset, no surrounding blanks
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return parsed
        except ValueError:
            pass
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise RecordError(name, f"not an ISO 8601 time: {value!r}") from None
    else:
        raise RecordError(name, "required (ISO 8601 time with offset)")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise RecordError(name, f"needs a UTC offset, e.g. 2026-03-02T21:05:00+08:00, not {value!r}")
    return parsed


def _zone_name(d: Mapping[str, Any]) -> str | None:
    name = _text(d, "tz")
    if name is None:
        return None
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordError("tz", f"unknown IANA time zone {name!r}") from None
    return name


def _choice(d: Mapping[str, Any], name: str, allowed: frozenset[str], default: str | None) -> str | None:
    value = d.get(name)
    if value is None:
        return default
    if value.__class__ is not str:
        value = _text(d, name)
    if value not in allowed:
        raise RecordError(name, f"{value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _number(d: Mapping[str, Any], name: str) -> float | None:
    value = d.get(name)
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise RecordError(name, "must be a number")
    try:
        number = float(str(value) if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RecordError(name, f"must be a number, not {value!r}") from None
    if number < 0 or number != number:
        raise RecordError(name, "must be zero or more")
    return number


def _check_outcome(channel: str, outcome: str | None, planned: bool) -> None:
    if planned:
        if outcome is not None:
            raise RecordError("outcome", "a planned contact has no outcome yet")
        return
    if outcome is None:
        if channel == "call":
            raise RecordError("outcome", "required for calls")
        return
    allowed = OUTCOMES_BY_CHANNEL.get(channel, MESSAGE_OUTCOMES)
    if outcome not in allowed:
        raise RecordError(
            "outcome", f"{outcome!r} is not an outcome of a {channel}: {', '.join(sorted(allowed))}"
        )


TEXT_FIELDS = ("id", "account", "debtor", "party", "address", "collector", "agency", "text")
NUMBER_FIELDS = ("duration_s", "team_size")


def _present(d: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that carry a value: CSV leaves empty cells, JSON may carry nulls."""
    return {
        k: v for k, v in d.items() if v is not None and not (v.__class__ is str and (not v or v.isspace()))
    }


def _texts(d: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        value = d.get(name)
        if value is None or value.__class__ is str:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            d[name] = str(value)  # ids and numbers written without quotes
        else:
            raise RecordError(name, f"must be a string, not {type(value).__name__}")


def contact_from_dict(d: Mapping[str, Any], planned: bool = False, line: int = 0) -> Contact:
    """A Contact from a JSON object or CSV row. `planned`: a gate check, which has no outcome."""
    if not ACCEPTED_CONTACT_FIELDS.issuperset(d):
        raise RecordError(sorted(set(d) - ACCEPTED_CONTACT_FIELDS)[0], "unknown field")
    v = _present(d)
    _texts(v)
    channel = _choice(v, "channel", CHANNELS, None)
    if channel is None:
        raise RecordError("channel", "required")
    outcome = _text(v, "outcome")
    _check_outcome(channel, outcome, planned)
    duration = _number(v, "duration_s") if "duration_s" in v else None
    team = _number(v, "team_size") if "team_size" in v else None
    if channel == "visit" and team is None:
        raise RecordError("team_size", "required for visits")
    if team is not None and team != int(team):
        raise RecordError("team_size", "must be a whole number")
    for name in ("account", "debtor") if planned else ("id", "account", "debtor"):
        if name not in v:
            raise RecordError(name, "required")
    debtor: str = v["debtor"]
    return Contact(
        id=v.get("id", ""),
        at=parse_time(d.get("at")),
        channel=channel,
        account=v["account"],
        debtor=debtor,
        direction=_choice(v, "direction", DIRECTIONS, "outbound") or "outbound",
        outcome=outcome,
        party=v.get("party") or debtor,
        role=_choice(v, "role", ROLES, "debtor") or "debtor",
        tz=_zone_name(v) if "tz" in v else None,
        address=v.get("address"),
        collector=v.get("collector"),
        agency=v.get("agency"),
        text=v.get("text"),
        purpose=_choice(v, "purpose", PURPOSES, "collection") or "collection",
        duration_s=duration,
        team_size=None if team is None else int(team),
        line=line,
    )


def event_from_dict(d: Mapping[str, Any], line: int = 0) -> Event:
    unknown = set(d) - ACCEPTED_EVENT_FIELDS
    if unknown:
        raise RecordError(sorted(unknown)[0], "unknown field")
    kind = _choice(d, "kind", EVENT_KINDS, None)
    if kind is None:
        raise RecordError("kind", "required")
    account, party = _text(d, "account"), _text(d, "party")
    if account is None and party is None:
        raise RecordError("account", "an event needs an account, a party or both")
    channel = _choice(d, "channel", CHANNELS, None)
    if kind in ("opt_out", "opt_in") and channel is None:
        raise RecordError("channel", f"required for {kind}")
    until = None if _blank(d.get("until")) else parse_time(d.get("until"), "until")
    at = parse_time(d.get("at"))
    if until is not None and until <= at:
        raise RecordError("until", "must be after at")
    return Event(
        id=_text(d, "id", required=True) or "",
        at=at,
        kind=kind,
        account=account,
        party=party,
        channel=channel,
        until=until,
        line=line,
    )


def record_from_dict(d: Mapping[str, Any], line: int = 0) -> Contact | Event:
    """A record of a mixed JSONL stream: `type` is `contact` (the default) or `event`."""
    kind = d.get("type", "contact")
    if kind == "event":
        return event_from_dict(d, line)
    if kind != "contact":
        raise RecordError("type", f"must be contact or event, not {kind!r}")
    return contact_from_dict(d, line=line)

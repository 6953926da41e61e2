"""A generic CSV for anything else (a WeChat chat exported by a third-party tool, a hand-made log).

Columns: `at, direction, channel, number, text, duration_s, outcome`.
- `at`: ISO 8601 (an offset is recommended; without one the borrower's zone is assumed) or epoch milliseconds.
- `direction`: from the borrower's phone, `incoming`/`received` (the other side wrote or called) or
  `outgoing`/`sent`; the schema's words are accepted too and keep their meaning from the collector's side:
  `outbound` = the collector contacted the borrower, `inbound` = the borrower contacted the collector.
- `channel`: call, sms, im, app, email. `outcome`: for calls connected/unanswered/voicemail/busy/failed
  (if empty: connected when `duration_s` > 0, else unanswered); for messages delivered (incoming) or sent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from faircollect.evidence.importers.base import EvidenceError, ImportStats, PhoneRecord, from_epoch_ms
from faircollect.evidence.phones import normalize
from faircollect.model import CALL_OUTCOMES, MESSAGE_OUTCOMES, zone

COLUMNS = ("at", "direction", "channel", "number", "text", "duration_s", "outcome")
REQUIRED = ("at", "direction", "channel", "number")
INCOMING = {"incoming": True, "received": True, "in": True, "outbound": True}
OUTGOING = {"outgoing": False, "sent": False, "out": False, "inbound": False}
CHANNELS = frozenset({"call", "sms", "im", "app", "email"})
MAX_FIELD = 1_000_000


def read(path: Path, source: int, region: str, tz: str, stats: ImportStats) -> Iterator[PhoneRecord]:
    stats.format = "csv"
    csv.field_size_limit(MAX_FIELD)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise EvidenceError(
                f"{path}:1: header: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
            )
        reader.fieldnames = header
        try:
            for row in reader:
                record = _row(row, path, reader.line_num, source, region, tz, stats)
                if record is not None:
                    yield record
        except csv.Error as exc:
            raise EvidenceError(f"{path}:{reader.line_num}: csv: {exc}") from None


def _row(
    row: dict[str, str | None], path: Path, line: int, source: int, region: str, tz: str, stats: ImportStats
) -> PhoneRecord | None:
    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    errors = len(stats.errors)
    at = _time(get("at"), tz)
    if at is None:
        stats.error(line, "at", f"not ISO 8601 or epoch milliseconds: {get('at')!r}")
    direction = get("direction").lower()
    incoming = INCOMING.get(direction, OUTGOING.get(direction))
    if incoming is None:
        stats.error(line, "direction", f"expected incoming or outgoing, not {direction!r}")
    channel = get("channel").lower()
    if channel not in CHANNELS:
        stats.error(line, "channel", f"expected one of {', '.join(sorted(CHANNELS))}, not {channel!r}")
    duration = None
    if get("duration_s"):
        try:
            duration = float(get("duration_s"))
        except ValueError:
            stats.error(line, "duration_s", f"not a number: {get('duration_s')!r}")
    outcome = get("outcome").lower() or None
    allowed = CALL_OUTCOMES if channel == "call" else MESSAGE_OUTCOMES
    if outcome is not None and outcome not in allowed:
        stats.error(line, "outcome", f"expected one of {', '.join(sorted(allowed))}, not {outcome!r}")
    if len(stats.errors) > errors or at is None or incoming is None:
        return None
    if outcome is None:
        if channel == "call":
            outcome = "connected" if (duration or 0) > 0 else "unanswered"
        else:
            outcome = "delivered" if incoming else "sent"
    stats.counts[channel] += 1
    raw = get("number")
    return PhoneRecord(
        source,
        line,
        at,
        channel,
        normalize(raw, region),
        incoming,
        text=get("text") or None,
        duration_s=duration,
        outcome=outcome,
        kind=f"csv-{channel}",
        raw_number=raw,
    )


def _time(value: str, tz: str) -> datetime | None:
    if value.isdigit():
        return from_epoch_ms(int(value))
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone(tz))
    return at.astimezone(UTC)

"""What every importer yields: one record of the borrower's phone, before anyone is judged a collector.

Directions here are the phone's: `incoming` means the other party started it (a received text, a call that
rang this phone). `analyze` turns them into Contacts seen from the collector's side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

EPOCH_1970 = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_2001 = datetime(2001, 1, 1, tzinfo=UTC)


class EvidenceError(ValueError):
    """Bad input: the message says where (`FILE:LINE: field: problem`)."""


@dataclass(slots=True)
class PhoneRecord:
    source: int  # index of the input file
    line: int  # line in an XML/CSV file, ROWID in a database
    at: datetime  # UTC
    channel: str  # sms | call | im | app | email
    number: str  # normalised (phones.normalize)
    incoming: bool  # the other party started it
    text: str | None = None
    duration_s: float | None = None
    outcome: str | None = (
        None  # contact outcome: connected | unanswered | voicemail | delivered | sent | failed
    )
    kind: str = ""  # the export's own kind: sms, mms, call-incoming, call-blocked, …
    raw_number: str = ""


@dataclass(slots=True)
class ImportStats:
    """Per input: what was read and what was skipped (drafts, outbox, unreadable rows)."""

    path: Path
    format: str
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def error(self, line: int, fld: str, problem: str) -> None:
        self.errors.append(f"{self.path}:{line}: {fld}: {problem}")

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "format": self.format,
            "records": dict(sorted(self.counts.items())),
            "skipped": dict(sorted(self.skipped.items())),
        }


class Importer(Protocol):
    def __call__(
        self, path: Path, source: int, region: str, tz: str, stats: ImportStats
    ) -> Iterator[PhoneRecord]: ...


def from_epoch_ms(value: str | int | float) -> datetime:
    return EPOCH_1970 + timedelta(milliseconds=float(value))


def from_apple_date(value: float | int) -> datetime:
    """2001-epoch dates: seconds on old iOS, nanoseconds on newer versions."""
    v = float(value)
    if abs(v) > 1e11:  # 1e11 s would be the year 5170; it must be nanoseconds
        v /= 1e9
    return EPOCH_2001 + timedelta(seconds=v)

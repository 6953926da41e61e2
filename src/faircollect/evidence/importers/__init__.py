"""Phone-export importers: each streams PhoneRecords from one file, whatever its format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from faircollect.evidence.importers import android_xml, generic_csv, iphone
from faircollect.evidence.importers.base import EvidenceError, ImportStats, PhoneRecord

__all__ = ["EvidenceError", "ImportStats", "PhoneRecord", "detect", "read"]


def detect(path: Path) -> str:
    """`xml`, `sqlite` or `csv`, from the file's first bytes (iPhone backups name files by hash)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise EvidenceError(f"{path}:0: file: {exc.strerror}") from None
    if head.startswith(iphone.SQLITE_MAGIC):
        return "sqlite"
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if stripped.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return "xml"
    if path.suffix.lower() in (".csv", ".txt") or b"," in head:
        return "csv"
    raise EvidenceError(f"{path}:1: format: not an Android XML export, an iPhone database or a CSV file")


def read(path: Path, source: int, region: str, tz: str, stats: ImportStats) -> Iterator[PhoneRecord]:
    kind = detect(path)
    if kind == "sqlite":
        return iphone.read(path, source, region, tz, stats)
    if kind == "xml":
        return android_xml.read(path, source, region, tz, stats)
    return generic_csv.read(path, source, region, tz, stats)

"""Read contacts and events from JSONL (mixed) and CSV (contacts; events in a second file), files or stdin.

Every bad line is reported as `FILE:LINE: field: problem`; a reader never returns a partial result as if it
were complete: callers check `errors` before using `records`.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from faircollect.io.validate import RecordError, contact_from_dict, event_from_dict, record_from_dict
from faircollect.model import Contact, Record

Kind = Literal["mixed", "contacts", "events"]
MAX_KEPT_ERRORS = 1000


@dataclass
class ReadResult:
    records: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    lines: int = 0

    def error(self, where: str, line: int, problem: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(f"{where}:{line}: {problem}")

    def extend(self, other: ReadResult) -> None:
        self.records.extend(other.records)
        self.errors.extend(other.errors[: MAX_KEPT_ERRORS - len(self.errors)])
        self.error_count += other.error_count
        self.lines += other.lines


def _open(path: str) -> tuple[TextIO, str]:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="strict"), "<stdin>"
    return open(path, encoding="utf-8-sig", newline=""), path


def _is_csv(path: str, head: str) -> bool:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return True
    if suffix in (".jsonl", ".ndjson", ".json"):
        return False
    return not head.lstrip().startswith("{")


def read_path(path: str, kind: Kind = "mixed") -> ReadResult:
    """Read one file (`-` = stdin); the format comes from the suffix, or from the first character.

    Lines are parsed as they are read, so memory holds the records, not the text as well.
    """
    result = ReadResult()
    try:
        stream, where = _open(path)
    except OSError as e:
        result.error(path, 0, f"file: cannot open: {e.strerror or e}")
        return result
    collecting = gc.isenabled()
    gc.disable()  # millions of new long-lived objects: collections during the load only cost time
    try:
        with stream:
            head = stream.readline()
            lines = itertools.chain([head], stream)
            if _is_csv(path, head):
                _read_csv(lines, where, kind, result)  # the csv module wants the line ends
            else:
                _read_jsonl(_lines(lines), where, kind, result)
    except UnicodeDecodeError as e:
        result.error(where, 0, f"file: not UTF-8 text ({e.reason} at byte {e.start})")
        return result
    finally:
        if collecting:
            gc.enable()
    _check_unique(result, where)
    prefix = len(where) + 1
    result.errors.sort(key=lambda e: int(e[prefix:].split(":", 1)[0]))
    return result


def _lines(stream: Iterable[str]) -> Iterator[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def read_paths(paths: Iterable[str], kind: Kind = "mixed") -> ReadResult:
    total = ReadResult()
    for path in paths:
        total.extend(read_path(path, kind))
    return total


def _parse(d: dict[str, Any], kind: Kind, line: int) -> Record:
    if kind == "mixed":
        return record_from_dict(d, line)
    if kind == "events":
        d = {k: v for k, v in d.items() if k != "type"}
        return event_from_dict(d, line)
    if d.get("type", "contact") != "contact":
        raise RecordError("type", "this file holds contacts only; put events in the --events file")
    return contact_from_dict(d, line=line)


def _read_jsonl(lines: Iterable[str], where: str, kind: Kind, result: ReadResult) -> None:
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        result.lines += 1
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            result.error(where, number, f"json: {e.msg} (column {e.colno})")
            continue
        if not isinstance(obj, dict):
            result.error(where, number, "json: each line must be one JSON object")
            continue
        try:
            result.records.append(_parse(obj, kind, number))
        except RecordError as e:
            result.error(where, number, f"{e.field}: {e.problem}")


def _read_csv(lines: Iterable[str], where: str, kind: Kind, result: ReadResult) -> None:
    reader = csv.reader(lines)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as e:
        result.error(where, 1, f"csv: {e}")
        return
    if "id" not in header or "at" not in header:
        result.error(where, 1, "header: needs at least the columns id and at (schema.md field names)")
        return
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        result.lines += 1
        if len(row) != len(header):
            result.error(where, number, f"csv: {len(row)} cells, the header has {len(header)}")
            continue
        d = {h: (cell if cell.strip() else None) for h, cell in zip(header, row, strict=True)}
        try:
            result.records.append(_parse(d, kind, number))
        except RecordError as e:
            result.error(where, number, f"{e.field}: {e.problem}")


def _check_unique(result: ReadResult, where: str) -> None:
    ids = [r.id if type(r) is Contact else "\0event:" + r.id for r in result.records]
    if len(set(ids)) == len(ids):
        return
    seen: dict[str, int] = {}
    for key, r in zip(ids, result.records, strict=True):
        if key in seen:
            result.error(where, r.line, f"id: {r.id!r} already used on line {seen[key]}")
        else:
            seen[key] = r.line

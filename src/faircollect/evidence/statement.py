"""The borrower's own statement (`--statement FILE`): allegations, kept apart from what the export proves.

Plain text (one allegation per paragraph, or per line when there are no blank lines) or a JSON list of
strings or of objects `{"text": …, "at": …}`.
"""

from __future__ import annotations

import json
from pathlib import Path

from faircollect.evidence.importers import EvidenceError

MAX_BYTES = 1_000_000


def read_statement(path: Path) -> list[dict[str, str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"{path}:0: statement: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise EvidenceError(f"{path}:0: statement: larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EvidenceError(f"{path}:{line}: statement: not UTF-8 text") from None
    if text.lstrip().startswith("["):
        return _json(path, text)
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    if len([b for b in blocks if b]) <= 1:
        blocks = [b.strip() for b in text.splitlines()]
    return [{"text": b} for b in blocks if b]


def _json(path: Path, text: str) -> list[dict[str, str]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvidenceError(f"{path}:{exc.lineno}: statement: invalid JSON ({exc.msg})") from None
    if not isinstance(items, list):
        raise EvidenceError(f"{path}:1: statement: expected a JSON list")
    out = []
    for n, item in enumerate(items, 1):
        if isinstance(item, str) and item.strip():
            out.append({"text": item.strip()})
        elif isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"].strip():
            entry = {"text": item["text"].strip()}
            if item.get("at") is not None:
                entry["at"] = str(item["at"])
            out.append(entry)
        else:
            raise EvidenceError(
                f'{path}:1: statement[{n}]: expected a non-empty string or an object with "text"'
            )
    return out

"""Android "SMS Backup & Restore" exports (`sms-*.xml`, `calls-*.xml`), read as a stream.

lxml iterparse with entity resolution, DTD loading and network access off; any DOCTYPE or ENTITY
declaration is refused before parsing (entity bombs, external entities), and every record element is
cleared once read, so memory stays flat however long the export is.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from lxml import etree

from faircollect.evidence.importers.base import EvidenceError, ImportStats, PhoneRecord, from_epoch_ms
from faircollect.evidence.phones import normalize

PROLOG_LIMIT = 65536
RECORD_TAGS = frozenset({"sms", "mms", "call"})
ROOTS = {"smses": "android-sms", "calls": "android-calls"}

# sms `type`: 1 received, 2 sent, 5 failed; 3 draft, 4 outbox and 6 queued never left the phone
SMS_TYPES: dict[str, tuple[bool, str]] = {
    "1": (True, "delivered"),
    "2": (False, "sent"),
    "5": (False, "failed"),
}
# call `type` → (incoming, outcome when not connected, kind). 6 = the phone's block list refused it: the
# collector still dialled, so it is recorded as an unanswered attempt, marked "blocked".
CALL_TYPES: dict[str, tuple[bool, str, str]] = {
    "1": (True, "unanswered", "call-incoming"),
    "2": (False, "unanswered", "call-outgoing"),
    "3": (True, "unanswered", "call-missed"),
    "4": (True, "voicemail", "call-voicemail"),
    "5": (True, "unanswered", "call-rejected"),
    "6": (True, "unanswered", "call-blocked"),
    "7": (True, "unanswered", "call-answered-elsewhere"),
}
CONNECTABLE = frozenset({"1", "2", "7"})  # these types are a conversation when duration > 0


def check_prolog(path: Path) -> None:
    """Refuse DOCTYPE and ENTITY declarations (where entity bombs and external entities live)."""
    with path.open("rb") as fh:
        head = fh.read(PROLOG_LIMIT)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            if len(head) < PROLOG_LIMIT:
                return  # empty or whitespace only: the parser reports it
            raise EvidenceError(f"{path}:1: xml: no root element in the first {PROLOG_LIMIT} bytes")
        line = text.count("\n", 0, i) + 1
        if text.startswith("<?", i) or text.startswith("<!--", i):
            closing = "?>" if text[i + 1] == "?" else "-->"
            end = text.find(closing, i)
            if end < 0:
                raise EvidenceError(f"{path}:{line}: xml: unterminated declaration or comment")
            i = end + len(closing)
            continue
        if text.startswith("<!", i):
            word = text[i + 2 : i + 9].upper()
            raise EvidenceError(
                f"{path}:{line}: xml: {word.split()[0] if word.split() else 'DTD'} declarations are not allowed "
                "(entity bombs and external entities are refused) / 不接受 DOCTYPE/ENTITY 声明"
            )
        return


def read(path: Path, source: int, region: str, tz: str, stats: ImportStats) -> Iterator[PhoneRecord]:
    check_prolog(path)
    parser = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    try:
        for event, elem in parser:
            if event == "start":
                if depth == 0:
                    _check_root(path, elem, stats)
                depth += 1
                continue
            depth -= 1
            if depth != 1 or elem.tag not in RECORD_TAGS:
                if depth == 1:
                    stats.skipped[f"element-{elem.tag}"] += 1
                    _release(elem)
                continue
            record = _convert(elem, source, region, stats)
            _release(elem)
            if record is not None:
                yield record
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise EvidenceError(f"{path}:{line}: xml: {exc.msg}") from None


def _check_root(path: Path, root: etree._Element, stats: ImportStats) -> None:
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise EvidenceError(f"{path}:{_line(root)}: xml: DOCTYPE declarations are not allowed")
    if root.tag not in ROOTS:
        raise EvidenceError(
            f"{path}:{_line(root)}: root: expected <smses> or <calls> (SMS Backup & Restore), not <{root.tag}>"
        )
    stats.format = ROOTS[str(root.tag)]


def _line(elem: etree._Element) -> int:
    line = getattr(elem, "sourceline", None)  # lxml-stubs type it loosely
    return line if isinstance(line, int) else 0


def _release(elem: etree._Element) -> None:
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _date(elem: etree._Element, stats: ImportStats) -> datetime | None:
    raw = elem.get("date")
    try:
        return from_epoch_ms(int(raw or ""))
    except (ValueError, OverflowError):
        stats.error(_line(elem), "date", f"not epoch milliseconds: {raw!r}")
        return None


def _convert(elem: etree._Element, source: int, region: str, stats: ImportStats) -> PhoneRecord | None:
    tag = str(elem.tag)
    line = _line(elem)
    if tag == "sms":
        kind = SMS_TYPES.get(elem.get("type", ""))
        if kind is None:
            stats.skipped[f"sms-type-{elem.get('type')}"] += 1
            return None
        at = _date(elem, stats)
        if at is None:
            return None
        raw = elem.get("address", "")
        stats.counts["sms"] += 1
        return PhoneRecord(
            source,
            line,
            at,
            "sms",
            normalize(raw.split("~")[0], region),
            kind[0],
            text=elem.get("body"),
            outcome=kind[1],
            kind="sms",
            raw_number=raw,
        )
    if tag == "mms":
        return _mms(elem, source, region, stats, line)
    return _call(elem, source, region, stats, line)


def _mms(elem: etree._Element, source: int, region: str, stats: ImportStats, line: int) -> PhoneRecord | None:
    box = elem.get("msg_box", "")
    if box not in ("1", "2"):
        stats.skipped[f"mms-box-{box}"] += 1
        return None
    incoming = box == "1"
    at = _date(elem, stats)
    if at is None:
        return None
    wanted = "137" if incoming else "151"  # 137 = from, 151 = to
    raw = next((a.get("address", "") for a in elem.iter("addr") if a.get("type") == wanted), None)
    if raw is None:
        raw = elem.get("address", "").split("~")[0]
    texts = [p.get("text", "") for p in elem.iter("part") if p.get("ct") == "text/plain" and p.get("text")]
    stats.counts["mms"] += 1
    return PhoneRecord(
        source,
        line,
        at,
        "sms",
        normalize(raw, region),
        incoming,
        text="\n".join(texts) or None,
        outcome="delivered" if incoming else "sent",
        kind="mms",
        raw_number=raw,
    )


def _call(
    elem: etree._Element, source: int, region: str, stats: ImportStats, line: int
) -> PhoneRecord | None:
    ctype = elem.get("type", "")
    spec = CALL_TYPES.get(ctype)
    if spec is None:
        stats.skipped[f"call-type-{ctype}"] += 1
        return None
    at = _date(elem, stats)
    if at is None:
        return None
    raw_duration = elem.get("duration", "0")
    try:
        duration = float(raw_duration)
    except ValueError:
        stats.error(line, "duration", f"not a number of seconds: {raw_duration!r}")
        return None
    incoming, outcome, kind = spec
    if ctype in CONNECTABLE and duration > 0:
        outcome = "connected"
    raw = elem.get("number", "")
    stats.counts[kind] += 1
    return PhoneRecord(
        source,
        line,
        at,
        "call",
        normalize(raw, region),
        incoming,
        duration_s=duration,
        outcome=outcome,
        kind=kind,
        raw_number=raw,
    )

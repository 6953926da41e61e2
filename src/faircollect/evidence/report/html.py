"""The report as HTML (Jinja2 templates shipped in this package); the PDF is printed from the same HTML."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from faircollect.evidence.analyze import Scan, totals
from faircollect.evidence.report import charts
from faircollect.evidence.report.texts import CHANNEL_NAMES, CODE_NAMES, LIMITS, TEXTS, texts
from faircollect.i18n import pick
from faircollect.model import Contact, Finding
from faircollect.policy.clock import minutes
from faircollect.policy.pack import Pack


def environment() -> Environment:
    return Environment(
        loader=PackageLoader("faircollect.evidence.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def quiet_window(pack: Pack) -> tuple[int, int] | None:
    """The pack's allowed window in minutes, for marking the heatmap (None: the pack has no such rule)."""
    for rule in pack.rules:
        if rule.code == "time.quiet_hours":
            start, end = str(rule.params["start"]), str(rule.params["end"])
            return minutes(start), minutes(end)
    return None


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def describe_call(c: Contact, lang: str) -> str:
    if c.outcome == "connected":
        return pick(TEXTS["call_connected"], lang).format(s=int(c.duration_s or 0))
    if c.outcome == "voicemail":
        return pick(TEXTS["call_voicemail"], lang)
    return pick(TEXTS["call_unanswered"], lang)


def highlight(text: str, spans: list[dict[str, Any]]) -> Markup:
    """The quoted text, with the screener's spans marked (offsets index the original text)."""
    out, last = [], 0
    for span in sorted(spans, key=lambda s: int(s["start"])):
        start, end = int(span["start"]), int(span["end"])
        if start < last or end > len(text):
            continue
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def finding_row(f: Finding, c: Contact | None, lang: str) -> dict[str, Any]:
    quote: Markup | str = ""
    if c is not None:
        if c.channel == "call":
            quote = describe_call(c, lang)
        elif c.text:
            quote = highlight(c.text, list(f.evidence.get("spans", [])))
    return {
        "at": stamp(f.at) if f.at else "",
        "number": f.collector or (c.collector if c else ""),
        "channel": pick(CHANNEL_NAMES.get(f.channel or "", {}), lang) or (f.channel or ""),
        "quote": quote,
        "rule": f.rule,
        "code": f.code,
        "severity": pick(TEXTS[f"severity_{f.severity}"], lang),
        "what": pick(f.message, lang),
        "citation": pick(f.citation, lang),
        "contact": f.contact,
        "is_call": c is not None and c.channel == "call",
    }


def context(
    result: Scan,
    pack: Pack,
    lang: str,
    generated: datetime,
    statement: list[dict[str, str]],
    screener_on: bool,
) -> dict[str, Any]:
    t = texts(lang)
    by_id = result.by_id()
    tally = totals(result)
    messages = [c for c in result.contacts if c.channel != "call" and c.text is not None]
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in result.findings:
        groups.setdefault(f.code, []).append(finding_row(f, by_id.get(f.contact), lang))
    return {
        "tally": tally,
        "t": t,
        "lang": lang,
        "generated": generated.isoformat(timespec="seconds"),
        "pack": pack,
        "tz": result.tz,
        "inputs": [i.to_dict() for i in result.inputs],
        "facts": facts(tally, lang),
        "collectors": [
            {
                "number": c.number,
                "reason": pick(c.reason, lang),
                "quote": c.reason.get("quote"),
                "counts": counts_text(c.counts, lang),
            }
            for c in result.collectors.values()
        ],
        "daily_chart": charts.daily(result.contacts, lang),
        "heat_chart": charts.heatmap(result.contacts, quiet_window(pack), lang),
        "groups": groups,
        "rule_titles": {code: pick(CODE_NAMES.get(code, {"en": code}), lang) for code in groups},
        "statement": statement,
        "limits": [pick(x, lang) for x in LIMITS],
        "screener_on": screener_on,
        "messages": [
            {
                "at": stamp(c.local()),
                "number": c.collector,
                "direction": t["to_borrower"] if c.outbound else t["from_borrower"],
                "text": c.text,
                "contact": c.id,
            }
            for c in sorted(messages, key=lambda c: (c.at, c.id))
        ],
    }


COUNT_NAMES = {
    "sms_to_borrower": ("短信（发给借款人）", "texts to the borrower"),
    "sms_from_borrower": ("短信（借款人发出）", "texts from the borrower"),
    "im_to_borrower": ("聊天信息（发给借款人）", "chat messages to the borrower"),
    "im_from_borrower": ("聊天信息（借款人发出）", "chat messages from the borrower"),
    "call_to_borrower": ("来电", "calls to the borrower"),
    "call_from_borrower": ("借款人去电", "calls by the borrower"),
    "call_connected": ("接通", "connected"),
    "call_unanswered": ("未接通", "not answered"),
    "call_voicemail": ("语音信箱", "voicemail"),
    "call_blocked": ("被拦截", "blocked"),
    "talk_seconds": ("通话秒数", "seconds of talk"),
}


def counts_text(counts: dict[str, int], lang: str) -> str:
    parts = []
    for key, value in sorted(counts.items()):
        names = COUNT_NAMES.get(key, (key, key))
        parts.append(f"{names[0] if lang == 'zh' else names[1]}: {value}")
    return "; ".join(parts) or "0"


def facts(tally: dict[str, Any], lang: str) -> list[str]:
    zh = lang == "zh"
    lines = [
        (
            f"共读取 {tally['records_read']} 条手机记录，认定 {tally['collectors']} 个催收号码，涉及 {tally['collector_contacts']} 条记录。"
            if zh
            else f"{tally['records_read']} phone records read; {tally['collectors']} collector numbers; {tally['collector_contacts']} of the records involve them."
        ),
        (
            f"催收方主动联系借款人 {tally['contacts_to_borrower']} 次：来电 {tally['calls_to_borrower']} 次（接通 {tally['calls_connected']} 次，未接通 {tally['calls_unanswered']} 次，通话共 {tally['talk_seconds']} 秒），信息 {tally['messages_to_borrower']} 条。"
            if zh
            else f"The collectors contacted the borrower {tally['contacts_to_borrower']} times: {tally['calls_to_borrower']} calls ({tally['calls_connected']} connected, {tally['calls_unanswered']} not answered, {tally['talk_seconds']} s of talk) and {tally['messages_to_borrower']} messages."
        ),
        (
            f"借款人主动联系催收号码 {tally['contacts_from_borrower']} 次。"
            if zh
            else f"The borrower contacted the collector numbers {tally['contacts_from_borrower']} times."
        ),
    ]
    if tally["first"] is not None:
        first, last = stamp(tally["first"]), stamp(tally["last"])
        lines.append(
            f"首次联系 {first}，最后一次 {last}，共 {tally['days_with_contact']} 天有联系。"
            if zh
            else f"First contact {first}, last {last}; contacts on {tally['days_with_contact']} days."
        )
    if tally["busiest_day"] is not None:
        day, n = tally["busiest_day"]
        lines.append(f"联系最多的一天：{day}，共 {n} 次。" if zh else f"Busiest day: {day}, {n} contacts.")
    lines.append(
        f"规则引擎认定违规 {tally['findings']} 处。"
        if zh
        else f"The rule engine found {tally['findings']} breaches."
    )
    return lines


SECTIONS = ("front", "findings", "back", "appendix")
CHUNK_ROWS = 400  # findings or messages per PDF part: WeasyPrint's memory grows with a document's size


def render(ctx: dict[str, Any]) -> str:
    """The whole report as one HTML page."""
    return (
        environment()
        .get_template("report.html")
        .render(
            **ctx,
            show=SECTIONS,
            part=False,
            page_start=1,
            first_chunk=True,
            message_count=len(ctx["messages"]),
        )
    )


def parts(ctx: dict[str, Any], rows: int = CHUNK_ROWS) -> list[dict[str, Any]]:
    """The report cut into parts of at most `rows` findings or messages, each rendered on its own (PDF)."""
    out: list[dict[str, Any]] = [{"show": ("front",), "first_chunk": True}]
    flat = [(code, row) for code, group in ctx["groups"].items() for row in group]
    for start in range(0, max(len(flat), 1), rows):
        groups: dict[str, list[dict[str, Any]]] = {}
        for code, row in flat[start : start + rows]:
            groups.setdefault(code, []).append(row)
        out.append({"show": ("findings",), "groups": groups, "first_chunk": start == 0})
    out.append({"show": ("back",), "first_chunk": True})
    messages = ctx["messages"]
    for start in range(0, max(len(messages), 1), rows):
        out.append(
            {"show": ("appendix",), "messages": messages[start : start + rows], "first_chunk": start == 0}
        )
    return out


def render_part(ctx: dict[str, Any], part: dict[str, Any], page_start: int) -> str:
    values = {**ctx, "part": True, "page_start": page_start, "message_count": len(ctx["messages"])}
    values.update(part)
    return environment().get_template("report.html").render(**values)

"""Content rules: one per label of taxonomy.md, judged by the screener on outbound text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faircollect.model import Contact
from faircollect.policy.history import History
from faircollect.policy.registry import Hit, RuleFn, rule
from faircollect.policy.screener import LABELS

NAMES = {
    "threat.violence": ("暴力威胁", "a threat of violence"),
    "threat.arrest": ("以抓捕、坐牢相威胁", "a threat of arrest or jail"),
    "deception.legal": ("冒充司法机关或虚构法律程序", "false legal authority or process"),
    "deception.consequence": ("虚构不实后果", "a false consequence"),
    "abuse.insult": ("侮辱、辱骂", "insulting or abusive language"),
    "privacy.exposure": ("泄露或威胁泄露债务信息", "disclosing or threatening to disclose the debt"),
    "harassment.intimidation": ("恐吓、施压", "intimidation"),
}


def _content_rule(label: str) -> RuleFn:
    zh, en = NAMES[label]

    def check(h: History, c: Contact, p: Mapping[str, Any]) -> Hit | None:
        if not c.text:
            return None
        result = h.screen(c.text)
        if result is None or label not in result.labels:
            return None
        spans = [s for s in result.spans if s.label == label]
        quotes = "、".join(dict.fromkeys(s.match for s in spans)) or c.text[:60]
        return Hit(
            message={"zh": f"内容含{zh}：「{quotes}」", "en": f"the text contains {en}: “{quotes}”"},
            evidence={
                "quote": c.text,
                "spans": [s.to_dict() for s in spans],
                "score": result.scores.get(label),
            },
        )

    check.__name__ = "content_" + label.replace(".", "_")
    return check


for _label in LABELS:
    rule(f"content.{_label}", needs_text=True, needs_screener=True)(_content_rule(_label))

"""The audit's HTML report: summary cards, findings by code, hour, collector and agency, and the list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from jinja2 import Environment, PackageLoader, select_autoescape

from faircollect import __version__
from faircollect.audit.summary import Summary
from faircollect.i18n import pick
from faircollect.model import Finding
from faircollect.policy.pack import Pack

MAX_LISTED = 5000

TEXTS = {
    "zh": {
        "title": "催收合规审计报告",
        "pack": "规则包",
        "version": "版本",
        "generated": "生成于",
        "contacts": "联系记录",
        "debtors": "债务人",
        "findings": "违规发现",
        "violations": "违法违规",
        "policy": "违反内部政策",
        "with_findings": "有问题的联系",
        "by_code": "按规则",
        "by_hour": "按当地时刻",
        "by_collector": "按催收员",
        "by_agency": "按催收机构",
        "code": "规则代码",
        "rule_name": "规则说明",
        "count": "次数",
        "collector": "催收员",
        "agency": "机构",
        "list": "全部发现",
        "first": "前",
        "time": "时间（当地）",
        "contact": "联系编号",
        "debtor": "债务人",
        "what": "问题",
        "citation": "依据",
    },
    "en": {
        "title": "Collection compliance audit",
        "pack": "Policy pack",
        "version": "version",
        "generated": "generated",
        "contacts": "Contacts",
        "debtors": "Debtors",
        "findings": "Findings",
        "violations": "Violations",
        "policy": "Policy breaches",
        "with_findings": "Contacts with findings",
        "by_code": "By rule",
        "by_hour": "By local hour",
        "by_collector": "By collector",
        "by_agency": "By agency",
        "code": "Code",
        "rule_name": "Rule",
        "count": "Count",
        "collector": "Collector",
        "agency": "Agency",
        "list": "All findings",
        "first": "first",
        "time": "Time (local)",
        "contact": "Contact",
        "debtor": "Debtor",
        "what": "What happened",
        "citation": "Citation",
    },
}

_env = Environment(
    loader=PackageLoader("faircollect.audit", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(
    pack: Pack, summary: Summary, findings: Sequence[Finding], lang: str, warnings: Sequence[str] = ()
) -> str:
    explain: dict[str, str] = {}
    for r in pack.rules:
        explain.setdefault(r.code, pick(r.explain, lang))
    return _env.get_template("report.html").render(
        t=TEXTS[lang],
        lang=lang,
        pack=pack,
        s=summary,
        findings=findings[:MAX_LISTED],
        explain=explain,
        warnings=warnings,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
    )

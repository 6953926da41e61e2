"""Who is a collector: the numbers the borrower names, and the numbers that sent collection messages.

A collection message is one that screening marks `debt_related` AND that reads as a demand for payment
or a notice of arrears (or carries a content label such as a threat about the debt). A relative asking
"did you pay back that loan?" is debt-related but neither, so it does not make the relative a collector.
The wording tests below run first (cheap) so most of a phone's messages are never screened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from faircollect.policy.screener import Screener

# a demand: pay / settle / deal with it now (urgency, not a polite "please pay on time")
_DEMAND_ZH = re.compile(
    r"(务必|必须|限期|速速|立即|马上|立刻|尽快|赶快|今天|今日|当天|\d+\s*(点|时|小时|天)(前|内))"
    r".{0,15}(还款|还钱|还清|结清|处理|归还|回款|打款|转账|缴清|偿还|还上|付清)"
)
# a demand reads as a collector's only with the marks of an account: a relative's "remember to pay your
# aunt back today" has none of them
_ACCOUNT_ZH = re.compile(
    r"您|贵|账户|账单|借款|贷款|订单|平台|欠款|逾期|本金|利息|罚息|金额|\d[\d,]*(\.\d+)?\s*元|[¥￥]|【"
)
# a notice of arrears, or the words of the trade
_ARREARS_ZH = re.compile(
    r"已逾期|逾期\s*\d+\s*天|逾期未还|欠款|拖欠|催收|贷后|法务部|委外|恶意欠|欠债不还|逃废债|未结清|应还金额|待还金额"
)
_DEMAND_EN = re.compile(
    r"\b(pay|repay|settle|clear)\b.{0,30}\b(now|immediately|today|tomorrow|by|within|before|in full)\b"
    r"|\b(overdue|past due|in arrears|arrears|outstanding balance|delinquent|debt collector|collection agency"
    r"|attempt to collect a debt|amount owed|you owe)\b",
    re.IGNORECASE,
)


def collection_cues(text: str) -> list[str]:
    """The wording that makes `text` read as a demand or an arrears notice (empty: it does not)."""
    cues = []
    for pattern in (_ARREARS_ZH, _DEMAND_ZH, _DEMAND_EN):
        m = pattern.search(text)
        if m and (pattern is not _DEMAND_ZH or _ACCOUNT_ZH.search(text)):
            cues.append(m.group(0))
    return cues


@dataclass(slots=True)
class Collector:
    number: str
    reason: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "reason": self.reason, "counts": dict(sorted(self.counts.items()))}


def given(number: str, raw: str) -> Collector:
    return Collector(
        number,
        {
            "kind": "given",
            "zh": f"借款人指定的催收号码（--collector {raw}）",
            "en": f"named by the borrower as a collector (--collector {raw})",
        },
    )


def judge_message(text: str, screener: Screener | None) -> dict[str, Any] | None:
    """Why this received message makes its sender a collector, or None."""
    cues = collection_cues(text)
    if screener is None:
        if not cues:
            return None
        return {
            "cues": cues,
            "labels": [],
            "zh": f"发来催收信息（措辞：{'、'.join(cues)}；未安装内容筛查）",
            "en": f"sent a collection message (wording: {'; '.join(cues)}; no content screener installed)",
        }
    if not cues and not _may_have_label(text):
        return None
    result = screener.screen(text)
    if not result.debt_related or not (cues or result.labels):
        return None
    found = "、".join(cues + list(result.labels))
    return {
        "cues": cues,
        "labels": list(result.labels),
        "zh": f"发来催收信息：筛查认定与债务有关，且为催款或逾期通知（{found}）",
        "en": f"sent a collection message: screening marks it debt-related and it demands payment or notifies arrears ({', '.join(cues + list(result.labels))})",
    }


# debt words without a demand: screened too, because a threat about a debt is a collection message
_DEBT_WORDS = re.compile(r"欠|债|贷|还钱|还款|\bdebt\b|\bloan\b|\bowe", re.IGNORECASE)


def _may_have_label(text: str) -> bool:
    return _DEBT_WORDS.search(text) is not None

"""Every word of the report, in Chinese and English."""

from __future__ import annotations

from faircollect.i18n import pick

TEXTS: dict[str, dict[str, str]] = {
    "title": {"zh": "催收证据报告", "en": "Debt-collection evidence report"},
    "subtitle": {
        "zh": "根据借款人手机导出记录自动生成；全程在本机离线完成，未向任何地方发送数据。",
        "en": "Generated from the borrower's own phone export, entirely offline on the borrower's machine; nothing was sent anywhere.",
    },
    "generated": {"zh": "生成时间", "en": "Generated"},
    "pack": {"zh": "规则包", "en": "Policy pack"},
    "zone": {"zh": "时区", "en": "Time zone"},
    "inputs": {"zh": "导入的文件", "en": "Input files"},
    "file": {"zh": "文件", "en": "File"},
    "format": {"zh": "格式", "en": "Format"},
    "records": {"zh": "记录数", "en": "Records"},
    "summary": {"zh": "一、导出记录证明的事实", "en": "1. Facts the export proves"},
    "summary_note": {
        "zh": "以下内容全部来自手机导出记录本身（时间、号码、次数、时长、原文），可由 findings.json 与 manifest.json 复核。",
        "en": "Everything below comes from the phone export itself (times, numbers, counts, durations, exact words) and can be checked against findings.json and manifest.json.",
    },
    "collectors": {"zh": "二、认定的催收号码", "en": "2. Numbers treated as collectors"},
    "number": {"zh": "号码", "en": "Number"},
    "reason": {"zh": "认定理由", "en": "Why"},
    "counts": {"zh": "记录", "en": "Records"},
    "charts": {"zh": "三、联系频率与时间", "en": "3. How often and when"},
    "findings": {"zh": "四、违规发现（逐条）", "en": "4. Findings, one by one"},
    "no_findings": {
        "zh": "按所选规则包，导出记录未显示可证明的违规。",
        "en": "Under the chosen pack the export shows no provable breach.",
    },
    "time": {"zh": "时间（当地）", "en": "Time (local)"},
    "channel": {"zh": "渠道", "en": "Channel"},
    "content": {"zh": "原文 / 通话", "en": "Words / call"},
    "rule": {"zh": "规则", "en": "Rule"},
    "citation": {"zh": "依据", "en": "Source"},
    "what": {"zh": "问题", "en": "What is wrong"},
    "allegations": {
        "zh": "五、借款人陈述（导出记录无法证明的部分）",
        "en": "5. The borrower's statement (not proven by the export)",
    },
    "allegations_note": {
        "zh": "以下为借款人本人的陈述，手机导出记录无法证明，与上文事实分开列出，需要其他证据（录音、截图、证人）。",
        "en": "What follows is the borrower's own account. The phone export cannot prove it; it is kept apart from the facts above and needs other evidence (recordings, screenshots, witnesses).",
    },
    "no_allegations": {
        "zh": "借款人未提供陈述（可用 --statement 文件补充）。",
        "en": "The borrower gave no statement (add one with --statement FILE).",
    },
    "limits": {"zh": "六、本报告不能证明的内容", "en": "6. What this report cannot prove"},
    "appendix": {
        "zh": "附录：催收号码发来的全部信息",
        "en": "Appendix: every message from the collector numbers",
    },
    "direction": {"zh": "方向", "en": "Direction"},
    "to_borrower": {"zh": "对方发给借款人", "en": "to the borrower"},
    "from_borrower": {"zh": "借款人发出", "en": "from the borrower"},
    "integrity": {"zh": "完整性", "en": "Integrity"},
    "integrity_note": {
        "zh": "manifest.json 记录了每个输入与输出文件的 SHA-256 值，可用于证明本报告及原始导出未被改动。",
        "en": "manifest.json holds the SHA-256 of every input and output file, so anyone can check that this report and the original export were not altered.",
    },
    "call_connected": {"zh": "接通，通话 {s} 秒", "en": "connected, {s} s talk"},
    "call_unanswered": {"zh": "未接通", "en": "not answered"},
    "call_blocked": {"zh": "未接通（被手机拦截）", "en": "not answered (blocked by the phone)"},
    "call_voicemail": {"zh": "语音信箱", "en": "voicemail"},
    "severity_violation": {"zh": "违反法规/标准", "en": "breach of law or standard"},
    "severity_policy": {"zh": "违反机构政策", "en": "breach of the lender's policy"},
    "screener_off": {
        "zh": "注意：未安装内容筛查，本报告未检查信息内容（威胁、辱骂、冒充等）。",
        "en": "Note: no content screener was installed, so the words of messages were not checked (threats, insults, impersonation).",
    },
}

CHANNEL_NAMES = {
    "call": {"zh": "电话", "en": "call"},
    "sms": {"zh": "短信", "en": "SMS"},
    "im": {"zh": "即时通讯", "en": "chat"},
    "app": {"zh": "应用消息", "en": "app"},
    "email": {"zh": "邮件", "en": "e-mail"},
}

# the facts a phone export cannot establish; always printed, so no reader takes the report for more
LIMITS = [
    {
        "zh": "号码背后是谁：报告只列号码，号码属于哪家机构或哪位催收员需对方或运营商确认。",
        "en": "Who is behind a number: the report lists numbers; which firm or collector used them must be confirmed by the firm or the carrier.",
    },
    {
        "zh": "通话内容：通话记录只有时间、时长与是否接通，没有内容；通话中说了什么需要录音证明。",
        "en": "What was said on calls: a call log has time, duration and whether it connected, not the words; those need a recording.",
    },
    {
        "zh": "对亲友、同事的联系：借款人手机上看不到催收方联系他人的记录。",
        "en": "Contacts with relatives, friends or colleagues: they do not appear on the borrower's phone.",
    },
    {
        "zh": "导出前已删除或被拦截软件丢弃的信息与通话。",
        "en": "Messages and calls deleted, or dropped by blocking apps, before the export was made.",
    },
    {
        "zh": "所欠金额是否正确、利率是否合法（可另用 faircollect ledger apr 计算）。",
        "en": "Whether the amount claimed is right or the interest lawful (see `faircollect ledger apr`).",
    },
]


def texts(lang: str) -> dict[str, str]:
    return {key: pick(value, lang) for key, value in TEXTS.items()}


CODE_NAMES: dict[str, dict[str, str]] = {
    "time.quiet_hours": {"zh": "在禁止时段联系", "en": "Contact at forbidden hours"},
    "frequency.connected_calls_day": {
        "zh": "单日接通电话超过上限",
        "en": "Too many connected calls in one day",
    },
    "frequency.unanswered_attempts_day": {
        "zh": "单日未接通拨打超过上限",
        "en": "Too many unanswered attempts in one day",
    },
    "frequency.calls_7_days": {"zh": "七日内来电超过上限", "en": "More than 7 calls in 7 days"},
    "frequency.after_conversation": {
        "zh": "通话后七日内再次来电",
        "en": "Call within 7 days after a conversation",
    },
    "frequency.calls_day": {"zh": "单日来电过多", "en": "Too many calls in one day"},
    "frequency.messages_day": {"zh": "单日信息过多", "en": "Too many messages in one day"},
    "content.threat.violence": {"zh": "暴力威胁", "en": "Threat of violence"},
    "content.threat.arrest": {"zh": "以抓捕、坐牢相威胁", "en": "Threat of arrest or jail"},
    "content.deception.legal": {"zh": "冒充司法机关或虚构法律程序", "en": "False legal authority or process"},
    "content.deception.consequence": {"zh": "虚构不实后果", "en": "False consequences"},
    "content.abuse.insult": {"zh": "侮辱、辱骂", "en": "Insults and abuse"},
    "content.privacy.exposure": {
        "zh": "泄露或威胁泄露债务信息",
        "en": "Disclosing or threatening to disclose the debt",
    },
    "content.harassment.intimidation": {"zh": "恐吓、施压", "en": "Intimidation"},
}

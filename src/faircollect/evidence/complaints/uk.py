"""UK: a complaint to the firm (CONC 7) and what to do after 8 weeks (Financial Ombudsman Service, DISP)."""

from __future__ import annotations

from faircollect.evidence.complaints.common import Facts, finding_lines


def _blank(what: str) -> str:
    return f"[TO FILL: {what}]"


def _summary(f: Facts) -> list[str]:
    t = f.tally
    if t["first"] is None:
        return [f"My phone records show contacts from {', '.join(f.numbers)}; see the attached report."]
    return [
        f"Between {t['first']:%d %B %Y %H:%M} and {t['last']:%d %B %Y %H:%M}, the number(s) {', '.join(f.numbers)} "
        f"contacted me {t['contacts_to_borrower']} times: {t['calls_to_borrower']} calls ({t['calls_connected']} "
        f"connected, {t['calls_unanswered']} not answered) and {t['messages_to_borrower']} messages, on "
        f"{t['days_with_contact']} days."
    ]


def firm(f: Facts) -> str:
    return "\n".join(
        [
            "# Complaint about debt collection",
            "",
            f"From: {_blank('your name, address, phone')}",
            f"To: {_blank('the lender or collection firm, complaints department')}",
            f"Account: {_blank('account or reference number')}",
            f"Date: {_blank('date')}",
            "",
            "I am making a formal complaint about how you have contacted me about this debt.",
            "",
            *_summary(f),
            "My phone's own records (exported and hashed; see the attached files) show:",
            *finding_lines(f, "en"),
            f"Other facts my phone cannot show: {_blank('e.g. contact with my family or employer, what was said on calls')}",
            "",
            "The FCA's rules (CONC 7.9, contact at unreasonable times and frequency, and CONC 7.11, misleading or "
            "threatening statements) require you to treat me fairly and with forbearance (CONC 7.3).",
            "",
            "I ask you to:",
            "1. stop contacting me at unreasonable times and at the frequency shown above;",
            "2. investigate and send me your final response;",
            f"3. {_blank('anything else: e.g. an affordable repayment plan, freezing interest, correcting my credit file')}",
            "",
            "Under the FCA's complaint rules (DISP 1.6) you have 8 weeks to send me a final response.",
            "",
            "Attached: report.pdf (evidence report), findings.json, manifest.json (SHA-256 of every file).",
            "",
            _blank("signature"),
            "",
        ]
    )


def ombudsman(f: Facts) -> str:
    return "\n".join(
        [
            "# After 8 weeks: the Financial Ombudsman Service",
            "",
            f"Complaint sent to the firm on: {_blank('date you sent it')}",
            f"Final response received on: {_blank('date, or: none after 8 weeks')}",
            "",
            "If the firm has not sent a final response within 8 weeks of your complaint, or you disagree with its "
            "final response, you can refer the complaint to the Financial Ombudsman Service (free for you; "
            "financial-ombudsman.org.uk). You must do so within 6 months of the firm's final response (DISP 2.8).",
            "",
            "What to send the Ombudsman:",
            "- your complaint to the firm (complaint-firm.en.md) and the firm's answer, if any;",
            "- the evidence report (report.pdf), findings.json and manifest.json;",
            f"- {_blank('anything else: recordings, letters, screenshots')}.",
            "",
            "Summary of the evidence:",
            *_summary(f),
            *finding_lines(f, "en"),
            "",
            "While a complaint is with the Ombudsman, the lender must not start court proceedings on the agreement "
            "(CONC 7.15).",
            "",
        ]
    )

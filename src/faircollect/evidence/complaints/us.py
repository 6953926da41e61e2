"""USA: a CFPB complaint narrative, a cease-communication letter (15 U.S.C. 1692c(c)) and a dispute letter (1692g(b))."""

from __future__ import annotations

from faircollect.evidence.complaints.common import Facts, finding_lines

# CFPB "Debt collection" issue → sub-issue labels (regulations.md §2.2), by finding code
CFPB: dict[str, tuple[str, str]] = {
    "time.quiet_hours": ("Communication tactics", "Called before 8am or after 9pm"),
    "frequency.calls_7_days": ("Communication tactics", "Frequent or repeated calls"),
    "frequency.after_conversation": ("Communication tactics", "Frequent or repeated calls"),
    "content.abuse.insult": ("Communication tactics", "Used obscene, profane, or other abusive language"),
    "content.threat.violence": ("Communication tactics", "Used obscene, profane, or other abusive language"),
    "content.harassment.intimidation": ("Communication tactics", "Frequent or repeated calls"),
    "content.threat.arrest": (
        "Took or threatened to take negative or legal action",
        "Threatened to arrest you or take you to jail if you do not pay",
    ),
    "content.deception.legal": (
        "False statements or representation",
        "Impersonated attorney, law enforcement, or government official",
    ),
    "content.deception.consequence": (
        "False statements or representation",
        "Indicated you were committing crime by not paying debt",
    ),
    "content.privacy.exposure": (
        "Threatened to contact someone or share information improperly",
        "Talked to a third-party about your debt",
    ),
}


def _blank(what: str) -> str:
    return f"[TO FILL: {what}]"


def _summary(f: Facts) -> list[str]:
    t = f.tally
    if t["first"] is None:
        return [f"My phone records show contacts from {', '.join(f.numbers)}; see the attached report."]
    return [
        f"Between {t['first']:%Y-%m-%d %H:%M} and {t['last']:%Y-%m-%d %H:%M} (my local time), the number(s) "
        f"{', '.join(f.numbers)} contacted me {t['contacts_to_borrower']} times: {t['calls_to_borrower']} calls "
        f"({t['calls_connected']} connected, {t['calls_unanswered']} not answered) and {t['messages_to_borrower']} "
        f"text messages, on {t['days_with_contact']} different days."
    ]


# texts and e-mails have their own CFPB issue ("Electronic communications")
ELECTRONIC: dict[str, tuple[str, str]] = {
    "time.quiet_hours": ("Electronic communications", "Contacted before 8am or after 9pm"),
    "content.abuse.insult": ("Electronic communications", "Used obscene, profane, or other abusive language"),
    "content.threat.violence": (
        "Electronic communications",
        "Used obscene, profane, or other abusive language",
    ),
    "content.harassment.intimidation": ("Electronic communications", "Frequent or repeated messages"),
    "frequency.messages_day": ("Electronic communications", "Frequent or repeated messages"),
}


def cfpb_issues(f: Facts) -> list[tuple[str, str]]:
    """The CFPB issue and sub-issue labels (regulations.md §2.2) that the findings fit."""
    found = set()
    for code in f.codes:
        channels = f.channels.get(code, set())
        if "call" in channels and code in CFPB:
            found.add(CFPB[code])
        if channels - {"call"}:
            found.add(ELECTRONIC.get(code) or CFPB.get(code) or ("", ""))
    return sorted(x for x in found if x[0])


def cfpb(f: Facts) -> str:
    issues = cfpb_issues(f)
    lines = [
        "# CFPB complaint: debt collection (narrative to paste at consumerfinance.gov/complaint)",
        "",
        "Product: Debt collection",
        *(f"Issue: {issue} — Sub-issue: {sub}" for issue, sub in issues),
        *(["Issue: " + _blank("choose the issue that fits")] if not issues else []),
        f"Company: {_blank('name of the debt collector / creditor')}",
        f"Account number: {_blank('account or reference number')}",
        "",
        "## What happened",
        *_summary(f),
        "My phone's own records (exported and hashed; see the attached files) show:",
        *finding_lines(f, "en"),
        f"Other facts my phone cannot show: {_blank('e.g. calls to my family or employer, what was said on calls')}",
        "",
        "## What I want the company to do",
        "Stop contacting me at inconvenient times and with the frequency shown above; stop any threatening, "
        "abusive or misleading statements; confirm in writing what it will do.",
        _blank("anything else, e.g. validation of the debt, correction of my credit report"),
        "",
        "## Documents to upload",
        "report.pdf (evidence report), findings.json, manifest.json (SHA-256 of every file).",
        "",
    ]
    return "\n".join(lines)


def cease(f: Facts) -> str:
    return "\n".join(
        [
            f"{_blank('your name')}",
            f"{_blank('your address')}",
            f"{_blank('date')}",
            "",
            f"To: {_blank('debt collector name and address')}",
            f"Re: account {_blank('account or reference number')}",
            "",
            "Sent by certified mail, return receipt requested.",
            "",
            "Under the Fair Debt Collection Practices Act, 15 U.S.C. 1692c(c), and Regulation F, 12 CFR 1006.6(c), "
            "I request that you cease all communication with me about this debt, by any medium, including calls "
            f"and text messages from the numbers {', '.join(f.numbers) or _blank('numbers used')}. You may only write "
            "to tell me that your collection efforts are ending or that you may or will invoke a specific remedy.",
            "",
            *_summary(f),
            "I keep records of every contact, with their times, and will report any further contact to the "
            "Consumer Financial Protection Bureau.",
            "",
            "Sincerely,",
            _blank("signature"),
            "",
        ]
    )


def dispute(f: Facts) -> str:
    return "\n".join(
        [
            f"{_blank('your name')}",
            f"{_blank('your address')}",
            f"{_blank('date')}",
            "",
            f"To: {_blank('debt collector name and address')}",
            f"Re: account {_blank('account or reference number')}, amount claimed {_blank('amount')}",
            "",
            "I dispute this debt. Under 15 U.S.C. 1692g(b) and 12 CFR 1006.38, please stop collection until you "
            "send me verification of the debt: the name and address of the original creditor, the amount and how "
            "it was calculated, and a copy of the agreement or judgment.",
            f"Why I dispute it: {_blank('e.g. not my debt, already paid, wrong amount')}",
            "",
            "While the dispute is open, any further collection contact is also recorded. So far:",
            *_summary(f),
            "",
            "Sincerely,",
            _blank("signature"),
            "",
            f"Note: a dispute sent within the validation period ({_blank('30 days after you received the validation notice')}) "
            "stops collection of the disputed part until verification is sent.",
            "",
        ]
    )

"""Complaint drafts beside the report: filled with what the evidence proves, marked blanks for the rest.

cn → to the lender and for the 12378 hotline (Chinese); us → CFPB narrative, cease-communication and
dispute letters; uk → complaint to the firm and the Ombudsman step (English): each goes to an authority
that reads that language.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from faircollect.evidence.analyze import Scan
from faircollect.evidence.complaints import cn, uk, us
from faircollect.evidence.complaints.common import Facts, gather

DRAFTS: dict[str, tuple[str, tuple[tuple[str, Callable[[Facts], str]], ...]]] = {
    "cn": ("zh", (("complaint-lender.zh.md", cn.lender), ("complaint-12378.zh.md", cn.hotline_12378))),
    "us": (
        "en",
        (
            ("cfpb-narrative.en.md", us.cfpb),
            ("cease-letter.en.md", us.cease),
            ("dispute-letter.en.md", us.dispute),
        ),
    ),
    "uk": ("en", (("complaint-firm.en.md", uk.firm), ("ombudsman-after-8-weeks.en.md", uk.ombudsman))),
}


def write_drafts(result: Scan, pack_id: str, pack_sha256: str, out_dir: Path) -> list[Path]:
    lang, drafts = DRAFTS.get(result.jurisdiction, DRAFTS["cn"])
    facts = gather(result, pack_id, pack_sha256, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in drafts:
        path = out_dir / name
        path.write_text(build(facts), encoding="utf-8")
        written.append(path)
    return written

"""The PDF: WeasyPrint prints the report in parts and pypdf joins them.

WeasyPrint keeps a whole document's layout in memory, so a report with thousands of findings is printed
a few hundred rows at a time, returning freed memory to the OS in between; each part starts its page
numbers where the last one ended. The Noto CJK
fonts are embedded as subsets (HarfBuzz-subset, Debian libharfbuzz-subset0, makes that fast).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import logging
from pathlib import Path
from typing import Any

from faircollect.evidence.report.html import parts, render_part


def write_pdf(ctx: dict[str, Any], target: Path, title: str = "") -> int:
    """Write the report of `ctx` (see html.context) to `target`; returns the number of pages."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML  # imported late: slow, and only this step needs it
    from weasyprint.urls import URLFetcher

    offline = URLFetcher(allowed_protocols=["data"])  # the embedded charts; never the network or files

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    writer = PdfWriter()
    page = 1
    gc.collect()
    gc.freeze()  # what exists now (the analysis, a screener model) stays out of the per-part collections
    try:
        for part in parts(ctx):
            _release_memory()
            document = HTML(
                string=render_part(ctx, part, page), base_url=str(target.parent), url_fetcher=offline
            ).render()
            buf = io.BytesIO()
            document.write_pdf(buf)
            page += len(document.pages)
            del document
            writer.append(PdfReader(buf))
    finally:
        gc.unfreeze()
    if title:
        writer.add_metadata({"/Title": title, "/Creator": "FairCollect evidence kit"})
    with target.open("wb") as fh:
        writer.write(fh)
    return page - 1


def _release_memory() -> None:
    """Give freed heap back to the OS between parts (glibc `malloc_trim`); without it the heap left
    fragmented by the analysis makes every part's layout claim fresh memory."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return
    trim(0)

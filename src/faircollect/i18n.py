"""Language choice. Every user-facing text has zh and en; Chinese users get Chinese by default."""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("zh", "en")


def default_lang(jurisdiction: str | None = None) -> str:
    """FAIRCOLLECT_LANG, else the locale (zh_* → zh), else the pack's country (cn → zh), else en."""
    explicit = os.environ.get("FAIRCOLLECT_LANG", "")
    if explicit in LANGS:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value.lower().startswith("zh"):
            return "zh"
        if value and not value.startswith(("C", "POSIX")):
            return "en"
    return "zh" if jurisdiction in (None, "cn") else "en"


def pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in `lang`, falling back to the other language rather than to nothing."""
    return texts.get(lang) or texts.get("en") or texts.get("zh") or ""

"""Phone numbers as they appear in exports, reduced to one canonical form per line.

Exports copy numbers as the phone stored them: `+86 138 0013 8000`, `8613800138000`, `008613800138000`,
`13800138000` and `+8613800138000` are one collector. Short codes (`95555`, `1069…` SMS gateways), sender
names and chat handles are kept as they are (digits only, or lower-cased text).
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-().\u00a0\u3000]+")
# country code, national trunk prefix, national significant number lengths
_REGIONS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "cn": ("86", "0", (11, 10, 9)),
    "us": ("1", "", (10,)),
    "uk": ("44", "0", (10, 9)),
}
WITHHELD = frozenset(
    {"", "null", "-1", "-2", "-3", "unknown", "private", "anonymous"}
)  # Android presentation values
_CN_SHORT = re.compile(r"^(?:1069\d*|10\d{3,6}|95\d{3,4}|96\d{3,4}|12\d{3,4}|400\d{7}|800\d{7})$")


@lru_cache(maxsize=1 << 16)  # a phone has few distinct numbers and many records each
def normalize(raw: str | None, region: str = "cn") -> str:
    """The canonical form of `raw`: E.164 (`+8613800138000`) when it is a full number, else digits or text.

    `region` is the borrower's country (the pack's jurisdiction); it decides what a number without a
    country code means.
    """
    if raw is None:
        return "unknown"
    if raw.strip().lower() in WITHHELD:
        return "unknown"
    text = _SEPARATORS.sub("", raw.strip())
    if not text:
        return "unknown"
    if not re.fullmatch(r"\+?\d+", text):
        return text.lower()  # a sender name, an e-mail address or a chat handle
    code, trunk, lengths = _REGIONS.get(region, _REGIONS["cn"])
    if text.startswith("+"):
        return text
    if text.startswith("00"):
        return "+" + text[2:]
    if region == "cn" and _CN_SHORT.match(text):
        return text
    if len(text) <= 6:
        return text  # a short code
    national = text
    if trunk and national.startswith(trunk) and len(national) - len(trunk) in lengths:
        national = national[len(trunk) :]
    elif national.startswith(code) and len(national) - len(code) in lengths:
        return "+" + national
    if len(national) in lengths:
        return f"+{code}{national}"
    for other_code, _, other_lengths in _REGIONS.values():
        if national.startswith(other_code) and len(national) - len(other_code) in other_lengths:
            return "+" + national
    return text


def region_of(jurisdiction: str) -> str:
    return jurisdiction if jurisdiction in _REGIONS else "cn"

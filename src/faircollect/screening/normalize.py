"""Normalise a message so that disguised words match, keeping a map back to the original offsets.

Steps, in order: traditional → simplified (OpenCC t2s), full-width → half-width and homoglyphs, case fold,
English leetspeak inside words, separators dropped between characters (傻 逼, 傻*逼, f.u.c.k), runs of three
or more identical characters collapsed, then data-driven substitutions: homophones (煞笔 → 傻逼), pinyin
initials (sb, nmsl) and masked English words (f***, sh*t).

Every character of the normalised text remembers the half-open range of the original text it came from,
so a match on the normalised text becomes a span of the ORIGINAL text (Python str offsets).

Speed: each costly step runs only when a cheap test says it can change something (most texts need few of
them). `normalize_parts_many` (the screener's path) converts a whole batch with one OpenCC call, runs the
cheap tests that seldom find anything once on the whole batch, and returns plain (text, starts, ends)
without building Normalized objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs
import opencc
import regex

from faircollect.screening.anchors import Prefilter
from faircollect.screening.lexicons import load_substitutions

# Zero-width and format characters carry nothing a reader sees; they only split words.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"

# Symbols people put between the characters of a word to dodge keyword lists.
# Invisible, control and format characters (but not newline and tab), dropped one by one.
_DROP = regex.compile(rf"[{_INVISIBLE}]|(?![\n\t])[\p{{Cc}}\p{{Cf}}]")
_SEP = r"[\s\*\-_\.·•|/\\~#@+^=`'\"<>()\[\]{}×✱★☆♥❤︎️\p{So}]"
_HAN = r"\p{Han}"
_HAN_SEP = regex.compile(rf"(?<={_HAN}){_SEP}+(?={_HAN})")
# Three or more single letters with separators between them: "f u c k", "s.h.i.t".
_SPELLED = regex.compile(r"(?<![a-z])[a-z](?:[\s\.\-_\*|·]+[a-z](?![a-z])){2,}")
_REPEAT = regex.compile(r"([^\d\s*#])\1{2,}")
# A Latin token that may hide leetspeak: letters mixed with digits or symbols.
_LATIN_TOKEN = regex.compile(r"[a-z0-9@$!*]+")
_LEET_HINT = regex.compile(r"[a-z][0-9@$!]|[0-9@$!][a-z]")  # cheap test before the token pass
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}

# Fast checks with the standard library's `re`, several times faster than `regex` on patterns this simple.
# Those named _MAY_* find a superset of what the exact pattern finds: when they find nothing, the exact
# pattern is not run. The character sets were checked against `regex` over every code point.
_RE_SURROGATE = re.compile("[\ud800-\udfff]")
_RE_ASCII_LETTER = re.compile("[a-z]")
# _LEET_HINT's test, faster: a leet character with a letter just before it or just after it.
_RE_LEET_HINT = re.compile(r"[0-9@$!](?:(?<=[a-z][0-9@$!])|(?=[a-z]))")
# Characters neither invisible nor control nor format (ranges fully assigned to other categories).
_MAY_DROP = re.compile(
    "[^\t\n\x20-\x7e\u00a0-\u00ac\u00ae-\u024f\u2010-\u2027\u2030-\u205e\u3000-\u303f"
    "\u4e00-\u9fff\uff01-\uff9f]"
)
# Every Han character is in this class (from U+2E80 on, less CJK punctuation and full-width forms).
MAYBE_HAN = "[\u2e80-\u2fff\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\ufeff\U00010000-\U0010ffff]"
# A possible Han character, possible separators, a possible Han character; a possible separator is anything
# but letters, digits, some ASCII punctuation, CJK characters and CJK punctuation that is not a symbol.
_MAY_SEP = (
    "[^A-Za-z0-9,!?;:%&$\u3001-\u3003\u3008-\u3011\u3014-\u301f\u2010-\u2021"
    "\u2023-\u2027\u3400-\u4dbf\u4e00-\u9fff\uff5f-\uff64]"
)
_MAY_HAN_SEP = re.compile(MAYBE_HAN + _MAY_SEP + "+" + MAYBE_HAN)
_MAY_SPELL = re.compile(r"[a-z][^a-z]+[a-z](?![a-z])")
_MAY_REPEAT = re.compile(r"(.)\1\1", re.DOTALL)


def _width_table() -> dict[int, str]:
    table: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    # Cyrillic and Greek letters that look like Latin ones (mixed-script disguises).
    for src, dst in zip(
        "аеорсухкмтвнАЕОРСУХКМТВНіјѕΑΒΕΗΙΚΜΝΟΡΤΧΥΖο",
        "aeopcyxkmtbhaeopcyxkmtbhijsabehikmnoptxyzo",
        strict=True,
    ):
        table[ord(src)] = dst
    return table


_WIDTH = _width_table()
_RE_WIDTH = re.compile("[" + "".join(map(re.escape, map(chr, sorted(_WIDTH)))) + "]")
_WIDTH_CHARS = {chr(cp): out for cp, out in _WIDTH.items()}


def _width(text: str) -> str:
    """text.translate(_WIDTH), faster: few characters of a text are in the table."""
    return _RE_WIDTH.sub(lambda m: _WIDTH_CHARS[m[0]], text)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def _t2s_char(ch: str) -> str:
    out: str = _converter().convert(ch)
    return out if len(out) == 1 else ch


@lru_cache(maxsize=8192)
def _lower_char(ch: str) -> str:
    out = ch.lower()
    return out if len(out) == 1 else ch


@dataclass(frozen=True, slots=True)
class Normalized:
    """The normalised text plus, for each of its characters, the original range [starts[i], ends[i])."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open range of the normalised text to one of the original text."""
        return original_span(self.starts, self.ends, len(self.original), start, end)


def _same_length(text: str, fn: Callable[[str], str], per_char: Callable[[str], str]) -> str:
    out = fn(text)
    if len(out) == len(text):
        return out
    return "".join(per_char(ch) for ch in text)


def _deleveet(match: regex.Match[str]) -> str:
    token: str = match.group(0)
    letters = sum(ch.isalpha() for ch in token)
    leet = sum(ch in _LEET for ch in token)
    if letters < 2 or leet == 0 or leet > 3:
        return token
    chars = list(token)
    for i, ch in enumerate(chars):
        if ch not in _LEET:
            continue
        before = i > 0 and (token[i - 1].isalpha() or token[i - 1] in _LEET)
        after = i + 1 < len(token) and (token[i + 1].isalpha() or token[i + 1] in _LEET)
        # Inside a word (l0ser, sh1t), or at an edge of a longer word ($hit, 5hit); not "5pm" or a trailing "!".
        inside = before and after
        edge = (before or after) and letters >= 3 and ch != "!"
        if inside or edge:
            chars[i] = _LEET[ch]
    return "".join(chars)


def _valid(text: str) -> str:
    """A lone surrogate (possible in a str decoded from JSON) is not Unicode text: OpenCC cannot encode it."""
    return _RE_SURROGATE.sub("\ufffd", text) if _RE_SURROGATE.search(text) else text


def _t2s(text: str) -> str:
    return _same_length(text, lambda t: _converter().convert(t), _t2s_char)


# OpenCC costs about a microsecond a call whatever the length, so a batch is converted in one call, the
# texts joined by a character that no dictionary entry holds: no conversion can span two texts.
_JOIN = "\x1e"


def _t2s_many(texts: Sequence[str]) -> list[str]:
    if len(texts) > 1 and not any(_JOIN in text for text in texts):
        parts = _converter().convert(_JOIN.join(texts)).split(_JOIN)
        if len(parts) == len(texts):
            pairs = zip(parts, texts, strict=True)
            return [part if len(part) == len(text) else "".join(map(_t2s_char, text)) for part, text in pairs]
    return [_t2s(text) for text in texts]


def _char_stage_latin(text: str) -> tuple[str, bool]:
    """The length-preserving rewrites after traditional → simplified (so the identity offset map still
    holds), and whether the result holds a Latin letter a-z. No later step adds a letter to a text without
    one (they delete characters or rewrite letters), so `False` spares their Latin-only checks."""
    return _leet_stage(_narrow_lower(text))


def _narrow_lower(text: str) -> str:
    """Full-width and look-alike letters to plain ones (_WIDTH), then lower case; same length."""
    return _same_length(_width(text), str.lower, _lower_char)


def _narrow_lower_many(texts: Sequence[str]) -> list[str]:
    """[_narrow_lower(t) for t in texts], each step run once on the batch joined by _JOIN. Both steps map
    each character on its own, but for one rule of str.lower (a final sigma: Σ → ς at the end of a word),
    which looks at the neighbouring letters and stops at a character neither cased nor case-ignorable, as
    _JOIN (a control character) is: so the joined result splits into the texts' own results."""
    joined = _JOIN.join(texts)
    if len(texts) > 1 and joined.count(_JOIN) == len(texts) - 1:
        joined = _width(joined)
        lowered = joined.lower()
        if len(lowered) == len(joined):  # else some text needs _lower_char
            return lowered.split(_JOIN)
    return list(map(_narrow_lower, texts))


def _leet_stage(text: str) -> tuple[str, bool]:
    """_char_stage_latin after _narrow_lower."""
    if _RE_ASCII_LETTER.search(text) is None:
        return text, False
    if not _RE_LEET_HINT.search(text):  # a letter touching a digit or symbol
        return text, True
    out: str = _LATIN_TOKEN.sub(_deleveet, text)
    return out, True


Edit = tuple[int, int, str]  # replace text[start:end] with the string


def _apply(
    text: str, starts: Sequence[int], ends: Sequence[int], edits: Sequence[Edit]
) -> tuple[str, list[int], list[int]]:
    """Apply non-overlapping edits (sorted by start), carrying each character's original range."""
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for start, end, repl in edits:
        out.append(text[pos:start])
        new_starts.extend(starts[pos:start])
        new_ends.extend(ends[pos:start])
        if repl:
            lo, hi = starts[start], ends[end - 1]
            if len(repl) == end - start:
                # Same length: keep the per-character map (煞笔 → 傻逼 maps 1:1).
                new_starts.extend(starts[start:end])
                new_ends.extend(ends[start:end])
            else:
                new_starts.extend([lo] * len(repl))
                new_ends.extend([hi] * len(repl))
            out.append(repl)
        pos = end
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends


def _collect(pattern: regex.Pattern[str], text: str, repl: Callable[[regex.Match[str]], str]) -> list[Edit]:
    return [(m.start(), m.end(), repl(m)) for m in pattern.finditer(text)]


def _merge(edits: list[Edit]) -> list[Edit]:
    """Sort edits and drop any that overlap an earlier one."""
    kept: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e[0], -e[1])):
        if edit[0] >= last_end:
            kept.append(edit)
            last_end = edit[1]
    return kept


def _stage_edits(text: str, latin: bool = True, drop: bool = True, repeat: bool = True) -> list[Edit]:
    """Deletions: invisible characters, separators inside words, repeated characters. `latin`: False when
    the text has no letter a-z; `drop`, `repeat`: False when _MAY_DROP, _MAY_REPEAT cannot match it."""
    edits: list[Edit] = []
    if drop and _MAY_DROP.search(text):
        edits += [(m.start(), m.end(), "") for m in _DROP.finditer(text)]
    if _MAY_HAN_SEP.search(text):
        edits += _collect(_HAN_SEP, text, lambda m: "")
    if latin and _MAY_SPELL.search(text):
        edits += _collect(_SPELLED, text, lambda m: regex.sub(r"[^a-z]", "", m.group(0)))
    if repeat and _MAY_REPEAT.search(text):
        edits += _collect(_REPEAT, text, lambda m: m.group(1))
    return _merge(edits) if edits else edits


class _Substitutions:
    """Homophones, pinyin initials and masked words from lexicons/substitutions.tsv.

    Homophones are literals (one Aho-Corasick scan); initials and masked words are regexes over Latin
    tokens, run only when the text has a Latin letter."""

    def __init__(self, table: Sequence[tuple[str, str, str]]) -> None:
        homophones = {v: c for k, v, c in table if k == "homophone"}
        self._homophones = list(homophones.items())
        self._ac = (
            ahocorasick_rs.AhoCorasick(
                [v for v, _ in self._homophones], matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST
            )
            if self._homophones
            else None
        )
        # Pinyin initials only as whole Latin tokens ("sb", never the "sb" in "usb"), then masked words;
        # a prefilter (anchors.py) runs only those whose literals occur.
        self._initials = {v: c for k, v, c in table if k == "initials"}
        latin = "|".join(map(regex.escape, sorted(self._initials, key=len, reverse=True)))
        self._latin: list[tuple[regex.Pattern[str], str | None]] = []  # None: look the initials up
        if latin:
            self._latin.append((regex.compile(rf"(?<![a-z0-9])(?:{latin})(?![a-z0-9])"), None))
        self._latin += [(regex.compile(v), c) for k, v, c in table if k == "regex"]
        self._latin_filter = Prefilter([pattern.pattern for pattern, _ in self._latin])

    def edits(self, text: str, latin: bool = True) -> list[Edit]:
        """`latin`: False when the text has no letter a-z."""
        out: list[Edit] = []
        if self._ac is not None:
            for index, start, end in self._ac.find_matches_as_indexes(text):
                out.append((start, end, self._homophones[index][1]))
        if latin and _RE_ASCII_LETTER.search(text):
            for index in self._latin_filter.candidates(text):
                pattern, canonical = self._latin[index]
                for m in pattern.finditer(text):
                    out.append(
                        (m.start(), m.end(), self._initials[m.group(0)] if canonical is None else canonical)
                    )
        return _merge([e for e in out if text[e[0] : e[1]] != e[2]]) if out else out


@lru_cache(maxsize=1)
def _substitutions() -> _Substitutions:
    return _Substitutions(load_substitutions())


def normalize(original: str) -> Normalized:
    """Normalise `original`; see the module docstring for the steps."""
    return _finish(original, _t2s(_valid(original)))


Parts = tuple[str, Sequence[int], Sequence[int]]  # Normalized's text, starts and ends (ranges if no edit)


def normalize_parts_many(originals: Sequence[str]) -> list[Parts]:
    """normalize() of each text as plain parts, without Normalized objects and their offset tuples (the
    screener's path: it maps offsets back only for the few spans it reports). The cheap checks that seldom find
    anything (surrogates, invisible characters, runs of one character) look at the whole batch first."""
    joined = "".join(originals)
    if _RE_SURROGATE.search(joined):
        originals = list(map(_valid, originals))
    staged = list(map(_leet_stage, _narrow_lower_many(_t2s_many(originals))))
    joined = "".join([text for text, _ in staged])
    drop = _MAY_DROP.search(joined) is not None
    repeat = _MAY_REPEAT.search(joined) is not None  # (a run across two texts only costs a look)
    return [_parts_of(text, latin, drop, repeat) for text, latin in staged]


def _finish(original: str, simplified: str) -> Normalized:
    text, starts, ends = _parts(simplified)
    return Normalized(original, text, tuple(starts), tuple(ends))


def _parts(simplified: str) -> Parts:
    return _parts_of(*_char_stage_latin(simplified))


def _parts_of(text: str, latin: bool, drop: bool = True, repeat: bool = True) -> Parts:
    """The parts of a text after _char_stage_latin; `drop` / `repeat` False: those checks found nothing."""
    starts: Sequence[int] = range(len(text))
    ends: Sequence[int] = range(1, len(text) + 1)
    edits = _stage_edits(text, latin, drop, repeat)
    if edits:
        text, starts, ends = _apply(text, starts, ends, edits)
    edits = _substitutions().edits(text, latin)
    if edits:
        text, starts, ends = _apply(text, starts, ends, edits)
    return text, starts, ends


def original_span(
    starts: Sequence[int], ends: Sequence[int], length: int, start: int, end: int
) -> tuple[int, int]:
    """Normalized.span on the parts (`length`: that of the original text)."""
    if end <= start:
        pos = starts[start] if start < len(starts) else length
        return pos, pos
    return starts[start], ends[end - 1]

"""Lexicon and pattern matching on normalised text, with context rules that keep lawful text from firing.

Literal words go through one Aho-Corasick automaton (ahocorasick-rs). Each regex rule is compiled on its own
and runs only when its literal anchors (anchors.py) occur in the text, found by a second automaton that
also tells which context rules and debt patterns can match.
Mixed-script disguises (sha逼) are matched by toneless pinyin. A hit is kept unless a context rule of
lexicons/context.yaml applies to it: negation just before it, an anti-fraud notice, a rumour being corrected,
a lawful consequence stated plainly, a news report. Suppressed hits are still reported (the classifier
uses them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick_rs
import regex
from pypinyin import Style, lazy_pinyin

from faircollect.screening import lexicons
from faircollect.screening.anchors import Prefilter
from faircollect.screening.context import ContextRule, ContextRules, TextContext
from faircollect.screening.normalize import MAYBE_HAN

# hyperscan (x86-64 only) is the planned fast engine for the regex rules; nothing uses it yet, and the
# import is guarded so that its absence (the usual case) changes nothing.
try:
    import hyperscan as _hyperscan  # noqa: F401

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_HYPERSCAN = False

_WORD = regex.compile(r"[a-z0-9]")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # what _WORD matches, as a set
_HAN = regex.compile(r"\p{Han}")
_MIXED = regex.compile(r"\p{Han}[a-z]|[a-z]\p{Han}")  # a Latin letter touching a Chinese character
# The same test with the standard library's faster `re`, loosened to a class holding every Han character.
# Written as "a letter, with a possible Han character just before or just after it" rather than as an
# alternation: the scan then stops only at letters (none in most Chinese texts), not at every Han character.
_MAY_MIX = re.compile(f"[a-z](?:(?<={MAYBE_HAN}[a-z])|(?={MAYBE_HAN}))")
# Short pinyin keys would match ordinary words; only these insults are looked up by sound.
_PINYIN_MIN_LEN = 5


_NO_CONTEXT: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Hit:
    """One match on the normalised text; `suppressed_by` names the context rule that cancelled it."""

    label: str
    start: int
    end: int
    rule: str
    suppressed_by: str | None = None


# A hit as a plain tuple, Hit's fields in order: (label, start, end, rule, suppressed_by).
RawHit = tuple[str, int, int, str, str | None]


def _expand(pattern: str, macros: dict[str, str]) -> str:
    for name, value in macros.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


class Matcher:
    """Finds label hits and debt cues in a normalised text. Build once; `hits` is pure."""

    def __init__(
        self,
        terms: Sequence[tuple[str, str, str]],
        patterns: Sequence[dict[str, Any]],
        context: Sequence[dict[str, Any]],
        debt: dict[str, Any],
        macros: dict[str, str],
        prefilter: bool = True,
    ) -> None:
        self._terms = [t for t in terms if t[2] in ("zh", "en")]
        self._ac = ahocorasick_rs.AhoCorasick([t[0] for t in self._terms])
        # Per term: its label, its rule name, whether it must stand as a whole word (English).
        self._term_hits = [(label, f"term:{term}", lang == "en") for term, label, lang in self._terms]
        # One compiled regex per rule, run only when its literal anchors occur (anchors.py).
        sources = [_expand(rule["pattern"], macros) for rule in patterns]
        self._rules = [
            (str(rule["label"]), str(rule["id"]), regex.compile(source))
            for rule, source in zip(patterns, sources, strict=True)
        ]
        context_sources = [_expand(c["pattern"], macros) for c in context]
        self._context = ContextRules(
            [
                ContextRule(c["id"], c["scope"], frozenset(c["labels"]), regex.compile(source))
                for c, source in zip(context, context_sources, strict=True)
            ]
        )
        self._pinyin_terms = [
            (key, term)
            for term, label, lang in self._terms
            if label == "abuse.insult" and lang == "zh"
            for key in [_pinyin_key(term)]
            if len(key) >= _PINYIN_MIN_LEN
        ]
        self._pinyin_ac = (
            ahocorasick_rs.AhoCorasick([k for k, _ in self._pinyin_terms]) if self._pinyin_terms else None
        )
        words = [w.lower() for lang in ("zh", "en") for w in debt["words"][lang]]
        self._debt_words = ahocorasick_rs.AhoCorasick(words)
        self._debt_word_ascii = [w.isascii() for w in words]  # English: whole words only
        debt_sources = [_expand(p, macros) for p in debt["patterns"]]
        self._debt_patterns = [regex.compile(p) for p in debt_sources]
        # One prefilter (one scan of the text) for every regex: rules, context rules, debt patterns.
        self._filter = Prefilter(
            [*sources, *context_sources, *debt_sources],
            prefilter,
            groups=(len(sources), len(context_sources), len(debt_sources)),
        )

    def _candidates(self, text: str) -> tuple[list[int], list[int], list[int]]:
        """The rules, context rules and debt patterns that may match `text` (each numbered from 0)."""
        rules, context, debt = self._filter.grouped(text)
        return rules, context, debt

    # -- label hits ---------------------------------------------------------------------------------

    def raw_hits(self, text: str) -> list[Hit]:
        """Every term and pattern hit, before context rules."""
        return [Hit(*h) for h in self._raw_hits(text, self._candidates(text)[0])]

    def _raw_hits(self, text: str, rules: Sequence[int]) -> list[RawHit]:
        """Hits as plain tuples (label, start, end, rule, None): far cheaper to build than Hit objects."""
        term_hits = self._term_hits
        hits: list[RawHit] = []
        for index, start, end in self._ac.find_matches_as_indexes(text, overlapping=True):
            label, rule, whole_word = term_hits[index]
            if whole_word and not _word_bounded(text, start, end):
                continue
            hits.append((label, start, end, rule, None))
        for index in rules:
            label, rule_id, pattern = self._rules[index]
            for m in pattern.finditer(text):
                start, end = m.span()
                if end > start:
                    hits.append((label, start, end, rule_id, None))
        if self._pinyin_ac is not None and _MAY_MIX.search(text):
            hits.extend(self._pinyin_hits(text))
        return hits

    def _pinyin_hits(self, text: str) -> list[RawHit]:
        """Mixed-script disguises (sha逼, 老lai, ren渣): match insults by toneless pinyin. The caller has
        checked that there are pinyin words and that the text may mix scripts (`_MAY_MIX`)."""
        assert self._pinyin_ac is not None
        if not _MIXED.search(text):
            return []
        stream, units = _pinyin_stream(text)
        out: list[RawHit] = []
        for index, start, end in self._pinyin_ac.find_matches_as_indexes(stream, overlapping=True):
            first = units[start]
            last = units[end - 1]
            if first is None or last is None:
                continue
            # Must start and end on whole syllables or whole Latin runs, and mix in a Latin letter:
            # Han-only homophones are listed in substitutions.tsv instead (pinyin alone over-matches).
            if (start > 0 and units[start - 1] == first) or (end < len(units) and units[end] == last):
                continue
            span = text[first : last + 1]
            if not _WORD.search(span):
                continue
            if _WORD.match(text[first]) and first > 0 and _WORD.match(text[first - 1]):
                continue
            if _WORD.match(text[last]) and last + 1 < len(text) and _WORD.match(text[last + 1]):
                continue
            out.append(("abuse.insult", first, last + 1, f"pinyin:{self._pinyin_terms[index][1]}", None))
        return out

    def hits(self, text: str) -> list[Hit]:
        """All hits, each marked with the context rule that suppresses it (if any)."""
        return self.scan(text)[0]

    def scan(self, text: str) -> tuple[list[Hit], int, frozenset[str]]:
        """The hits, the debt cues and the context rules present, at once (one prefilter scan for the three)."""
        hits, debt_cues, present = self.scan_raw(text)
        return [Hit(*h) for h in hits], debt_cues, present

    def scan_raw(self, text: str) -> tuple[list[RawHit], int, frozenset[str]]:
        """`scan` with each hit a plain tuple (Hit's fields in order): what the screener uses."""
        rules, context_rules, debt = self._candidates(text)
        hits = self._raw_hits(text, rules)
        if context_rules:
            context = self._context.scan(text, context_rules)
            if hits:
                hits = self._judged(hits, context)
            present = context.present
        else:  # no context rule can match: nothing is suppressed, none is present
            present = _NO_CONTEXT
        return hits, self._debt_cues(text, debt), present

    @staticmethod
    def _judged(raw: list[RawHit], context: TextContext) -> list[RawHit]:
        out = []
        suppressor = context.suppressor
        for hit in raw:
            label, start, end, rule, _ = hit
            by = suppressor(label, start, end)
            out.append(hit if by is None else (label, start, end, rule, by))
        return out

    # -- debt ---------------------------------------------------------------------------------------

    def debt_cues(self, text: str) -> int:
        """How many debt words and amount patterns the text holds."""
        return self._debt_cues(text, self._candidates(text)[2])

    def _debt_cues(self, text: str, candidates: Sequence[int]) -> int:
        count = 0
        for index, start, end in self._debt_words.find_matches_as_indexes(text):
            if self._debt_word_ascii[index] and not _word_bounded(text, start, end):
                continue
            count += 1
        patterns = self._debt_patterns
        for i in candidates:
            if patterns[i].search(text):
                count += 1
        return count

    def context_rule_ids(self) -> list[str]:
        return [c.id for c in self._context.rules]

    def message_rule_labels(self, rule_ids: Iterable[str]) -> frozenset[str]:
        """Labels covered by the message-scope rules among `rule_ids` (a notice about scams, a news report)."""
        labels = self._context.message_labels
        return frozenset(label for rule_id in rule_ids if rule_id in labels for label in labels[rule_id])


def _word_bounded(text: str, start: int, end: int) -> bool:
    return (start == 0 or text[start - 1] not in _WORD_CHARS) and (
        end >= len(text) or text[end] not in _WORD_CHARS
    )


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL)[0].lower()


def _pinyin_key(term: str) -> str:
    return "".join(_syllable(ch) if _HAN.match(ch) else ch for ch in term.lower())


@lru_cache(maxsize=16384)
def _stream_piece(ch: str) -> tuple[str, bool]:
    """What a character puts in the pinyin stream, and whether that stands for the character."""
    if _HAN.match(ch):
        return _syllable(ch), True
    if "a" <= ch <= "z":
        return ch, True
    return "|", False


def _pinyin_stream(text: str) -> tuple[str, list[int | None]]:
    """Han characters become their pinyin, Latin letters stay; units[i] is the text index of stream[i]."""
    pieces = list(map(_stream_piece, text))
    units = [i if stands else None for i, (piece, stands) in enumerate(pieces) for _ in piece]
    return "".join(piece for piece, _ in pieces), units


@lru_cache(maxsize=1)
def default_matcher(prefilter: bool = True) -> Matcher:
    """The matcher built from the lexicons shipped in the package."""
    macros = {str(k): str(v) for k, v in lexicons.load_macros().items()}
    return Matcher(
        lexicons.load_terms(),
        lexicons.load_patterns(),
        lexicons.load_context(),
        lexicons.load_debt(),
        macros,
        prefilter,
    )

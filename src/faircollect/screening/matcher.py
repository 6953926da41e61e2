"""Lexicon and pattern matching on normalised text, with context rules that keep lawful text from firing.

Literal words go through one Aho-Corasick automaton (ahocorasick-rs). Each regex rule is compiled on its own
and runs only when one of its literal anchors (anchors.py) occurs in the text, found by a second automaton.
Mixed-script disguises (sha逼) are matched by toneless pinyin. A hit is kept unless a context rule of
lexicons/context.yaml applies to it: negation just before it, an anti-fraud notice, a rumour being corrected,
a lawful consequence stated plainly, a news report. Suppressed hits are still reported (the classifier
uses them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick_rs
import regex
from pypinyin import Style, lazy_pinyin

from faircollect.screening import lexicons
from faircollect.screening.anchors import anchors
from faircollect.screening.normalize import Normalized

# hyperscan (x86-64 only) is the planned fast engine for the regex rules; nothing uses it yet, and the
# import is guarded so that its absence (the usual case) changes nothing.
try:
    import hyperscan as _hyperscan  # noqa: F401

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_HYPERSCAN = False

_SENTENCE_END = regex.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_CLAUSE_END = regex.compile(r"[。！？!?；;\n，,、:：]|\.(?=\s|$)")
_WORD = regex.compile(r"[a-z0-9]")
_HAN = regex.compile(r"\p{Han}")
_MIXED = regex.compile(r"\p{Han}[a-z]|[a-z]\p{Han}")  # a Latin letter touching a Chinese character
# Short pinyin keys would match ordinary words; only these insults are looked up by sound.
_PINYIN_MIN_LEN = 5


@dataclass(frozen=True, slots=True)
class Hit:
    """One match on the normalised text; `suppressed_by` names the context rule that cancelled it."""

    label: str
    start: int
    end: int
    rule: str
    suppressed_by: str | None = None


def _expand(pattern: str, macros: dict[str, str]) -> str:
    for name, value in macros.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


@dataclass(frozen=True, slots=True)
class _ContextRule:
    id: str
    scope: str
    labels: frozenset[str]
    pattern: regex.Pattern[str]


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
        # One compiled regex per rule, run only when one of its literal anchors occurs (anchors.py).
        self._rules: list[tuple[str, str, regex.Pattern[str]]] = []
        self._always: list[int] = []
        anchor_rules: dict[str, list[int]] = {}
        for rule in patterns:
            source = _expand(rule["pattern"], macros)
            index = len(self._rules)
            self._rules.append((str(rule["label"]), str(rule["id"]), regex.compile(source)))
            found = anchors(source) if prefilter else None
            if found is None:
                self._always.append(index)
            else:
                for anchor in found:
                    anchor_rules.setdefault(anchor, []).append(index)
        self._anchor_list = list(anchor_rules)
        self._anchor_rules = [anchor_rules[a] for a in self._anchor_list]
        self._anchor_ac = ahocorasick_rs.AhoCorasick(self._anchor_list) if self._anchor_list else None
        self._context = [
            _ContextRule(
                c["id"], c["scope"], frozenset(c["labels"]), regex.compile(_expand(c["pattern"], macros))
            )
            for c in context
        ]
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
        self._debt_word_list = words
        self._debt_patterns = [regex.compile(_expand(p, macros)) for p in debt["patterns"]]

    # -- label hits ---------------------------------------------------------------------------------

    def raw_hits(self, text: str) -> list[Hit]:
        """Every term and pattern hit, before context rules."""
        hits: list[Hit] = []
        for index, start, end in self._ac.find_matches_as_indexes(text, overlapping=True):
            term, label, lang = self._terms[index]
            if lang == "en" and not _word_bounded(text, start, end):
                continue
            hits.append(Hit(label, start, end, f"term:{term}"))
        for index in self._active_rules(text):
            label, rule_id, pattern = self._rules[index]
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    hits.append(Hit(label, m.start(), m.end(), rule_id))
        hits.extend(self._pinyin_hits(text))
        return hits

    def _active_rules(self, text: str) -> list[int]:
        active = set(self._always)
        if self._anchor_ac is not None:
            for index, _start, _end in self._anchor_ac.find_matches_as_indexes(text, overlapping=True):
                active.update(self._anchor_rules[index])
        return sorted(active)

    def _pinyin_hits(self, text: str) -> list[Hit]:
        """Mixed-script disguises (sha逼, 老lai, ren渣): match insults by toneless pinyin."""
        if self._pinyin_ac is None or not _MIXED.search(text):
            return []
        stream, units = _pinyin_stream(text)
        out: list[Hit] = []
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
            out.append(Hit("abuse.insult", first, last + 1, f"pinyin:{self._pinyin_terms[index][1]}"))
        return out

    def hits(self, text: str) -> list[Hit]:
        """All hits, each marked with the context rule that suppresses it (if any)."""
        raw = self.raw_hits(text)
        if not raw:
            return raw
        message_rules = {c.id for c in self._context if c.scope == "message" and c.pattern.search(text)}
        return [self._judge(text, hit, message_rules) for hit in raw]

    def _judge(self, text: str, hit: Hit, message_rules: set[str]) -> Hit:
        for rule in self._context:
            if hit.label not in rule.labels:
                continue
            if rule.scope == "message":
                fired = rule.id in message_rules
            elif rule.scope == "before":
                fired = (
                    rule.pattern.search(text[_clause_start(text, hit.start, _CLAUSE_END) : hit.start])
                    is not None
                )
            else:
                lo = _clause_start(text, hit.start, _SENTENCE_END)
                hi = _clause_end(text, hit.end, _SENTENCE_END)
                fired = rule.pattern.search(text[lo:hi]) is not None
            if fired:
                return Hit(hit.label, hit.start, hit.end, hit.rule, rule.id)
        return hit

    # -- debt ---------------------------------------------------------------------------------------

    def debt_cues(self, text: str) -> int:
        """How many debt words and amount patterns the text holds."""
        count = 0
        for index, start, end in self._debt_words.find_matches_as_indexes(text):
            word = self._debt_word_list[index]
            if word.isascii() and not _word_bounded(text, start, end):
                continue
            count += 1
        return count + sum(1 for p in self._debt_patterns if p.search(text))

    def context_rule_ids(self) -> list[str]:
        return [c.id for c in self._context]

    def present_context(self, text: str) -> frozenset[str]:
        """Context rules (message and clause scope) whose pattern occurs anywhere in the text."""
        return frozenset(c.id for c in self._context if c.scope != "before" and c.pattern.search(text))

    def message_rule_labels(self, rule_ids: Iterable[str]) -> frozenset[str]:
        """Labels covered by the message-scope rules among `rule_ids` (a notice about scams, a news report)."""
        wanted = set(rule_ids)
        return frozenset(
            label for c in self._context if c.scope == "message" and c.id in wanted for label in c.labels
        )


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = start == 0 or not _WORD.match(text[start - 1])
    after = end >= len(text) or not _WORD.match(text[end])
    return before and after


def _clause_start(text: str, pos: int, delims: regex.Pattern[str]) -> int:
    start = 0
    for m in delims.finditer(text, 0, pos):
        start = m.end()
    return start


def _clause_end(text: str, pos: int, delims: regex.Pattern[str]) -> int:
    m = delims.search(text, pos)
    return m.start() if m else len(text)


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL)[0].lower()


def _pinyin_key(term: str) -> str:
    return "".join(_syllable(ch) if _HAN.match(ch) else ch for ch in term.lower())


def _pinyin_stream(text: str) -> tuple[str, list[int | None]]:
    """Han characters become their pinyin, Latin letters stay; units[i] is the text index of stream[i]."""
    parts: list[str] = []
    units: list[int | None] = []
    for i, ch in enumerate(text):
        if _HAN.match(ch):
            syl = _syllable(ch)
            parts.append(syl)
            units.extend([i] * len(syl))
        elif "a" <= ch <= "z":
            parts.append(ch)
            units.append(i)
        else:
            parts.append("|")
            units.append(None)
    return "".join(parts), units


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


def spans_for(norm: Normalized, hits: Iterable[Hit], labels: Iterable[str]) -> list[tuple[int, int, str]]:
    """Original-text spans of the unsuppressed hits of `labels`, deduplicated and sorted."""
    wanted = set(labels)
    out = {
        (*norm.span(h.start, h.end), h.label) for h in hits if h.suppressed_by is None and h.label in wanted
    }
    return sorted(out)

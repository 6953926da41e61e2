"""Context rules (lexicons/context.yaml): what keeps a lexicon or pattern hit from firing.

Scopes: `before` (the clause text just before the hit), `clause` (the sentence that holds the hit),
`message` (anywhere in the text). A rule whose anchors (anchors.py) are absent from the text cannot match
the text nor any part of it, so it is never searched; the rest is searched at most once per sentence.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import regex

_SENTENCE_END = regex.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_CLAUSE_END = regex.compile(r"[。！？!?；;\n，,、:：]|\.(?=\s|$)")


@dataclass(frozen=True, slots=True)
class ContextRule:
    id: str
    scope: str
    labels: frozenset[str]
    pattern: regex.Pattern[str]


class _Limits:
    """Where clauses and sentences of one text end. Every delimiter is one character, found once."""

    def __init__(self, text: str, delims: regex.Pattern[str]) -> None:
        self._text = text
        self._starts = [m.start() for m in delims.finditer(text)]

    def start(self, pos: int) -> int:
        """Where the clause holding `pos` starts: after the last delimiter of text[:pos]. A scan that stops
        at `pos` takes a "." just before it for a full stop, whatever follows it."""
        if pos > 0 and self._text[pos - 1] == ".":
            return pos
        i = bisect_left(self._starts, pos)
        return self._starts[i - 1] + 1 if i else 0

    def end(self, pos: int) -> int:
        """Where the clause holding `pos` ends: at the first delimiter from `pos` on."""
        i = bisect_left(self._starts, pos)
        return self._starts[i] if i < len(self._starts) else len(self._text)


class ContextRules:
    """The rules, in file order."""

    def __init__(self, rules: Sequence[ContextRule]) -> None:
        self.rules = list(rules)
        self.message_labels = {r.id: r.labels for r in self.rules if r.scope == "message"}

    def scan(self, text: str, possible: list[int]) -> TextContext:
        """`possible`: the rules whose anchors occur in `text` (anchors.Prefilter), ascending; no other
        rule can fire."""
        return TextContext(self, text, possible)


class TextContext:
    """The context of one text: which rules occur in it, and which rule suppresses a given hit."""

    # Each computed on first use (functools.cached_property takes a lock: too slow at this rate).
    _present: frozenset[str] | None = None
    _clause_limits: _Limits | None = None
    _sentence_limits: _Limits | None = None

    def __init__(self, rules: ContextRules, text: str, possible: list[int]) -> None:
        self._rules = rules
        self._text = text
        self._possible = possible  # in file order
        self._sentence_hits: dict[tuple[int, int, int], bool] = {}

    @property
    def present(self) -> frozenset[str]:
        """Message and clause rules whose pattern occurs anywhere in the text."""
        if self._present is None:
            rules = self._rules.rules
            self._present = frozenset(
                rules[i].id
                for i in self._possible
                if rules[i].scope != "before" and rules[i].pattern.search(self._text)
            )
        return self._present

    @property
    def _clauses(self) -> _Limits:
        if self._clause_limits is None:
            self._clause_limits = _Limits(self._text, _CLAUSE_END)
        return self._clause_limits

    @property
    def _sentences(self) -> _Limits:
        if self._sentence_limits is None:
            self._sentence_limits = _Limits(self._text, _SENTENCE_END)
        return self._sentence_limits

    def suppressor(self, label: str, start: int, end: int) -> str | None:
        """The first rule that cancels a hit of `label` at [start, end), or None."""
        rules = self._rules.rules
        for i in self._possible:  # seldom more than one or two
            if label in rules[i].labels and self._fires(i, start, end):
                return rules[i].id
        return None

    def _fires(self, i: int, start: int, end: int) -> bool:
        rule = self._rules.rules[i]
        if rule.scope == "message":
            return rule.id in self.present
        if rule.scope == "before":
            return rule.pattern.search(self._text[self._clauses.start(start) : start]) is not None
        lo, hi = self._sentences.start(start), self._sentences.end(end)
        key = (i, lo, hi)
        if key not in self._sentence_hits:
            self._sentence_hits[key] = rule.pattern.search(self._text[lo:hi]) is not None
        return self._sentence_hits[key]

"""Literal anchors of a regex: strings one of which must occur in any text the regex matches.

Running ~90 regex rules on every message is the slow part of screening. Each rule gets requirements derived
from its syntax tree (Python's own regex parser): sets of literal anchors, one anchor of EACH set must occur
in any text the rule matches (`(你|您)…(骗子|废物)` needs one of 你/您 and one of 骗子/废物). One Aho-Corasick
scan finds which anchors occur (`Prefilter`), and only the rules whose requirements all hold run. A rule
with no derivable requirement always runs, so the prefilter can only skip work, never change a result (tests
compare both ways on the whole corpus). Anchors are consumed characters of every match, so they are also
necessary for a match inside any part of the text (a clause, the text before a hit).
"""

from __future__ import annotations

import re
import re._constants as c  # type: ignore[import-not-found]
import re._parser as sre  # type: ignore[import-not-found]
from collections.abc import Sequence
from functools import reduce
from operator import itemgetter, or_
from typing import Any

import ahocorasick_rs

Anchors = frozenset[str] | None  # None: no requirement found (always run)
Clause = frozenset[str]  # one of these strings must occur

_MAX_CLASS = 12  # a character class of at most this many literals counts as alternatives
# Syntax of the `regex` module that Python's parser would misread as literals: fuzzy matching ({e<=1}),
# POSIX classes ([[:alpha:]]). Its other extensions are errors for Python's parser (no requirement).
_REGEX_ONLY = re.compile(r"\{[^}]*[edis][^}]*\}|\[:")


def _class_literals(items: list[tuple[Any, Any]]) -> Anchors:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(chr(x) for x in range(av[0], av[1] + 1))
        else:
            return None
    return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None


def _rarity(clause: Clause) -> float:
    """A guess at how often a clause holds: each anchor about ten times rarer per character."""
    return sum(0.1 ** len(anchor) for anchor in clause)


def _useful(clause: Clause) -> bool:
    """False for a clause that a blank satisfies: nearly every text has one, and every blank would be
    one more anchor match to handle."""
    return not any(anchor.isspace() for anchor in clause)


def _sequence(items: list[tuple[Any, Any]]) -> list[Clause]:
    """Every clause a sequence requires; a run of literals is one anchor."""
    clauses: list[Clause] = []
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            clauses.append(frozenset([run]))
            run = ""
        clauses += _node(op, av)
    if run:
        clauses.append(frozenset([run]))
    return clauses


def _node(op: Any, av: Any) -> list[Clause]:
    if op is c.LITERAL:
        return [frozenset([chr(av)])]
    if op is c.SUBPATTERN:
        return [] if av[1] & c.SRE_FLAG_IGNORECASE else _sequence(list(av[-1]))
    if op is c.BRANCH:
        # Some branch matches, so taking one clause of every branch, one of their anchors occurs. The r-th
        # rarest clauses of the branches make the r-th such union (a branch short of clauses repeats its last).
        branches = [sorted(_sequence(list(branch)), key=_rarity) for branch in av[1]]
        if not all(branches):
            return []
        depth = max(len(b) for b in branches)
        return [frozenset().union(*(b[min(r, len(b) - 1)] for b in branches)) for r in range(depth)]
    if op is c.IN:
        chars = _class_literals(list(av))
        return [] if chars is None else [chars]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, _high, item = av
        return _sequence(list(item)) if low >= 1 else []
    if op is c.ATOMIC_GROUP:
        return _sequence(list(av))
    return []  # AT, ANY, ASSERT, NOT_LITERAL, CATEGORY, GROUPREF...


def _portable(pattern: str) -> str:
    """The pattern with \\p{Han} in terms Python's parser reads: a range inside a class, any character
    outside one (which requires nothing)."""
    out: list[str] = []
    class_start = -1  # index in `out` where the open class began, or -1
    i = 0
    while i < len(pattern):
        if pattern.startswith(r"\p{Han}", i):
            out.append("\u4e00-\u9fff" if class_start >= 0 else ".")
            i += len(r"\p{Han}")
            continue
        step = 2 if pattern[i] == "\\" else 1
        if step == 1 and pattern[i] == "[" and class_start < 0:
            class_start = len(out)
        elif step == 1 and pattern[i] == "]" and "".join(out[class_start:]) not in ("[", "[^"):
            class_start = -1  # (a "]" first in a class, "[]…" or "[^]…", is a literal)
        out.append(pattern[i : i + step])
        i += step
    return "".join(out)


def requirements(pattern: str) -> tuple[Clause, ...]:
    """The clauses a pattern requires (empty when none can be derived or Python's parser cannot read it)."""
    if _REGEX_ONLY.search(pattern):
        return ()
    try:
        tree = sre.parse(_portable(pattern))
    except (re.error, ValueError, OverflowError):
        return ()
    if tree.state.flags & c.SRE_FLAG_IGNORECASE:
        return ()
    return tuple(dict.fromkeys(_sequence(list(tree))))


_SLOT = 8  # bits per pattern in Prefilter's masks (a power of two): it keeps its 8 rarest clauses


class Prefilter:
    """Which of several patterns may match a text: those each of whose clauses has an anchor in it.

    The check is a few operations on Python ints whatever the number of patterns: pattern p owns _SLOT
    bits from bit p * _SLOT on, one per clause; each anchor's mask sets the bits of the clauses it
    satisfies. OR-ing the masks of the anchors found and comparing with the clauses needed tells every
    pattern at once."""

    def __init__(self, patterns: Sequence[str], enabled: bool = True) -> None:
        anchor_ids: dict[str, int] = {}
        self._marks: list[int] = []  # per anchor: the clause bits it satisfies
        self._needs = 0  # every clause bit
        for index, pattern in enumerate(patterns):
            found = requirements(pattern) if enabled else ()
            clauses = sorted(filter(_useful, found), key=_rarity)[:_SLOT]
            for k, clause in enumerate(clauses):
                bit = 1 << (index * _SLOT + k)
                self._needs |= bit
                for anchor in clause:
                    aid = anchor_ids.setdefault(anchor, len(anchor_ids))
                    if aid == len(self._marks):
                        self._marks.append(0)
                    self._marks[aid] |= bit
        self._first_bits = sum(1 << (i * _SLOT) for i in range(len(patterns)))
        self._ac = ahocorasick_rs.AhoCorasick(list(anchor_ids)) if anchor_ids else None

    def candidates(self, text: str) -> list[int]:
        """Indexes (ascending) of the patterns that may match `text`."""
        have = 0
        if self._ac is not None:
            matches = self._ac.find_matches_as_indexes(text, overlapping=True)
            have = reduce(or_, map(self._marks.__getitem__, map(itemgetter(0), matches)), 0)
        # Fold each pattern's missing clauses onto its first bit; patterns missing none remain.
        missing = self._needs & ~have
        shift = _SLOT // 2
        while shift:  # _SLOT is a power of two
            missing |= missing >> shift
            shift //= 2
        ready = self._first_bits & ~missing
        out = []
        while ready:
            low = ready & -ready
            out.append((low.bit_length() - 1) // _SLOT)
            ready ^= low
        return out

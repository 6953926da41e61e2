"""Literal anchors of a regex: strings one of which must occur in any text the regex matches.

Running ~90 regex rules on every message is the slow part of screening. Each rule gets requirements derived
from its syntax tree (Python's own regex parser): sets of literal anchors, one anchor of EACH set must occur
in any text the rule matches (`(你|您)…(骗子|废物)` needs one of 你/您 and one of 骗子/废物); a rule that is one
alternation `a|b` gets such sets per branch (`alternatives`), and adjacent parts that spell few strings make
one set of their concatenations (`知道(?:了)?你`: 知道你 or 知道了你). One Aho-Corasick scan finds which anchors
occur (`Prefilter`), and only the rules with a branch whose requirements all hold run. A rule
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
from operator import or_
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


def _common(clause: Clause) -> bool:
    """True for a clause that a single ASCII letter or digit satisfies: nearly every English text or number
    has one, so it seldom rules a pattern out, and each of its occurrences is one more anchor match to handle
    (they were a third of all matches). An alternative keeps such clauses only when it has no other."""
    return any(len(anchor) == 1 and anchor.isascii() and anchor.isalnum() for anchor in clause)


def _kept(clauses: Sequence[Clause]) -> list[Clause]:
    """The clauses the prefilter checks for one alternative: its rarest useful ones, the common ones only
    if there is nothing else. Any subset is safe (fewer clauses only let more patterns run)."""
    useful = [clause for clause in clauses if _useful(clause)]
    rare = [clause for clause in useful if not _common(clause)]
    return sorted(rare or useful, key=_rarity)[:_MAX_CLAUSES]


def _sequence(items: list[tuple[Any, Any]]) -> list[Clause]:
    """Every clause a sequence requires. Adjacent parts that each match one of a few strings (`_strings`:
    literals, small classes, alternations of those, optional ones, zero-width assertions) form a run: any
    match holds one of the run's concatenations, a far rarer clause than each part alone (知道(?:了)?你
    needs 知道你 or 知道了你, not merely 知道 and 你 anywhere), so fewer regexes run for nothing."""
    clauses: list[Clause] = []
    run: frozenset[str] = _EMPTY  # the strings the current run can spell
    for op, av in items:
        strings = _strings(op, av)
        if strings is not None:
            joined = _concat(run, strings)
            if joined is not None:
                run = joined
                continue
        clauses += _closed(run)
        run = _EMPTY if strings is None else strings
        if strings is None:
            clauses += _node(op, av)
    return clauses + _closed(run)


_EMPTY = frozenset([""])
_MAX_STRINGS = 64  # strings a run may spell; past that, its parts make separate clauses
_ZERO_WIDTH = (c.AT, c.ASSERT, c.ASSERT_NOT)
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None))


def _concat(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    """Every string of `left` followed by one of `right`, or None if more than _MAX_STRINGS. A string that
    ends with another of them is dropped: whatever follows it, the shorter one is followed by the same
    (an optional prefix such as (?:我们|我)? adds nothing to 知道)."""
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    out = {a + b for a in left for b in right}
    return frozenset(a for a in out if not any(b != a and a.endswith(b) for b in out))


def _closed(run: frozenset[str]) -> list[Clause]:
    """The clause a finished run makes: none if it may spell nothing; a string holding another of the
    run's is dropped (where it occurs, the shorter one does too)."""
    if "" in run:
        return []
    return [frozenset(a for a in run if not any(b != a and b in a for b in run))]


def _strings(op: Any, av: Any) -> frozenset[str] | None:
    """The strings one part of a pattern can match, when they are at most _MAX_STRINGS; else None."""
    if op is c.LITERAL:
        return frozenset([chr(av)])
    if op is c.IN:
        return _class_literals(list(av))
    if op is c.SUBPATTERN:
        return None if av[1] & c.SRE_FLAG_IGNORECASE else _sequence_strings(list(av[-1]))
    if op is c.ATOMIC_GROUP:
        return _sequence_strings(list(av))
    if op is c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            strings = _sequence_strings(list(branch))
            if strings is None:
                return None
            out |= strings
        return frozenset(out) if len(out) <= _MAX_STRINGS else None
    if op in _REPEATS and av[1] == 1:  # x? (or x{1})
        strings = _sequence_strings(list(av[2]))
        return strings if strings is None or av[0] else strings | _EMPTY
    if op in _ZERO_WIDTH:  # consumes nothing: the parts on either side are adjacent in a match
        return _EMPTY
    return None


def _sequence_strings(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    out: frozenset[str] | None = _EMPTY
    for op, av in items:
        strings = _strings(op, av)
        out = None if strings is None or out is None else _concat(out, strings)
        if out is None:
            return None
    return out


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


def _tree(pattern: str) -> list[tuple[Any, Any]] | None:
    """The syntax tree of a pattern, or None when its requirements cannot be derived."""
    if _REGEX_ONLY.search(pattern):
        return None
    try:
        tree = sre.parse(_portable(pattern))
    except (re.error, ValueError, OverflowError):
        return None
    if tree.state.flags & c.SRE_FLAG_IGNORECASE:
        return None
    return list(tree)


def requirements(pattern: str) -> tuple[Clause, ...]:
    """The clauses a pattern requires (empty when none can be derived or Python's parser cannot read it)."""
    tree = _tree(pattern)
    return () if tree is None else _clauses(tree)


def alternatives(pattern: str) -> tuple[tuple[Clause, ...], ...]:
    """The clauses each top-level alternative of a pattern requires: a pattern that is one alternation
    `a|b|c` matches only where one of its branches does, so it can match only if the clauses of some branch
    all hold. That is sharper than `requirements`, which must take unions across the branches
    (`去过.*你家|等着.*瞧`: its requirements are one of 去过/等着 and one of 你家/瞧, which 去过…瞧 meets;
    its alternatives are 去过 and 你家, or 等着 and 瞧), so fewer regexes run for nothing.
    Any other pattern has one alternative, its `requirements`."""
    tree = _tree(pattern)
    if tree is None:
        return ((),)
    if len(tree) == 1 and tree[0][0] is c.BRANCH:
        return tuple(_clauses(list(branch)) for branch in tree[0][1][1])
    return (_clauses(tree),)


def _clauses(items: list[tuple[Any, Any]]) -> tuple[Clause, ...]:
    """The clauses a sequence requires, each once."""
    return tuple(dict.fromkeys(_sequence(items)))


_MAX_CLAUSES = 8  # clauses kept per alternative: its rarest


class Prefilter:
    """Which of several patterns may match a text: those one of whose alternatives (`alternatives`) has an
    anchor in the text for each of its clauses.

    The check is a few operations on Python ints whatever the number of patterns. Alternative a with k
    clauses owns k + 1 consecutive bits: one per clause, then a carry bit. Each anchor's mask sets the
    bits of the clauses it satisfies; OR-ing the masks of the anchors found gives `have`. Adding 1 at the
    first bit of every alternative then carries into an alternative's carry bit exactly when all its clause
    bits are set (the carry stops at the first clause bit not set, and a carry bit is never set in `have`,
    so no carry reaches the next alternative): the carry bits of the sum are the alternatives that hold.
    An alternative with no clause is its carry bit alone: it always holds."""

    def __init__(self, patterns: Sequence[str], enabled: bool = True, groups: Sequence[int] = ()) -> None:
        """`groups`: the sizes of consecutive groups of `patterns`, for `grouped` (default: one group)."""
        sizes = list(groups) or [len(patterns)]
        if sum(sizes) != len(patterns):
            raise ValueError("the group sizes must add up to the number of patterns")
        places = [(group, index) for group, size in enumerate(sizes) for index in range(size)]
        self._n_groups = len(sizes)
        self._offsets = [sum(sizes[:g]) for g in range(len(sizes))]  # each group's first pattern
        self._marks: dict[str, int] = {}  # per anchor: the clause bits it satisfies
        self._first_bits = 0  # the first bit of every alternative
        self._carry_bits = 0  # the carry bit of every alternative
        self._place: dict[int, tuple[int, int]] = {}  # carry bit position -> the pattern's group, index in it
        position = 0
        for index, pattern in enumerate(patterns):
            for found in alternatives(pattern) if enabled else ((),):
                self._first_bits |= 1 << position
                for clause in _kept(found):
                    for anchor in clause:
                        self._marks[anchor] = self._marks.get(anchor, 0) | 1 << position
                    position += 1
                self._carry_bits |= 1 << position
                self._place[position] = places[index]
                position += 1
        # The automaton keeps its anchors (store_patterns) and reports each match as that stored string:
        # no new object per match, and its hash is already computed for the look-up in _marks. That costs
        # about half what reporting indexes (a new tuple per match) and reading the marks by index does.
        self._ac = ahocorasick_rs.AhoCorasick(list(self._marks), store_patterns=True) if self._marks else None

    def _ready(self, text: str) -> int:
        """The carry bits of the alternatives whose clauses all hold in `text`."""
        have = 0
        if self._ac is not None:
            found = self._ac.find_matches_as_strings(text, overlapping=True)
            have = reduce(or_, map(self._marks.__getitem__, found), 0)
        return (have + self._first_bits) & self._carry_bits

    def candidates(self, text: str) -> list[int]:
        """Indexes (ascending) of the patterns that may match `text`."""
        found = self.grouped(text)
        if len(found) == 1:
            return found[0]
        out: list[int] = []
        for offset, group in zip(self._offsets, found, strict=True):
            out.extend(offset + index for index in group)
        return out

    def grouped(self, text: str) -> list[list[int]]:
        """`candidates` split by group, each numbered from 0 within its group (one pass, no renumbering)."""
        ready = self._ready(text)
        place = self._place
        out: list[list[int]] = [[] for _ in range(self._n_groups)]
        while ready:
            low = ready & -ready
            group, index = place[low.bit_length() - 1]
            found = out[group]
            if not found or found[-1] != index:  # ascending: a pattern's alternatives come together
                found.append(index)
            ready ^= low
        return out

"""Literal anchors of a regex: strings one of which must occur in any text the regex matches.

Running ~70 regex rules on every message is the slow part of screening. Each rule gets a set of anchors
derived from its syntax tree (Python's own regex parser); one Aho-Corasick scan finds which anchors occur,
and only the rules with an anchor present run. A rule with no derivable anchor always runs, so the prefilter
can only skip work, never change a result (tests compare both ways on the whole corpus).
"""

from __future__ import annotations

import re
import re._constants as c  # type: ignore[import-not-found]
import re._parser as sre  # type: ignore[import-not-found]
from typing import Any

Anchors = frozenset[str] | None  # None: no requirement found (always run)

_MAX_CLASS = 12  # a character class of at most this many literals counts as alternatives


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


def _better(a: Anchors, b: Anchors) -> Anchors:
    """The more selective of two requirements: fewer alternatives, then longer shortest anchor."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b, key=lambda s: (len(s), -min(len(x) for x in s)))


def _sequence(items: list[tuple[Any, Any]]) -> Anchors:
    best: Anchors = None
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            best = _better(best, frozenset([run]))
            run = ""
        best = _better(best, _node(op, av))
    if run:
        best = _better(best, frozenset([run]))
    return best


def _node(op: Any, av: Any) -> Anchors:
    if op is c.LITERAL:
        return frozenset([chr(av)])
    if op is c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            sub = _sequence(list(branch))
            if sub is None:
                return None
            out |= sub
        return frozenset(out)
    if op is c.IN:
        return _class_literals(list(av))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, _high, item = av
        return _sequence(list(item)) if low >= 1 else None
    if op is c.ATOMIC_GROUP:
        return _sequence(list(av))
    return None  # AT, ANY, ASSERT, NOT_LITERAL, CATEGORY, GROUPREF...


def anchors(pattern: str) -> Anchors:
    """Anchors of a pattern, or None when none can be derived (or Python's parser does not read it)."""
    portable = pattern.replace(r"\p{Han}", "\u4e00-\u9fff")
    try:
        tree = sre.parse(portable)
    except (re.error, ValueError, OverflowError):
        return None
    found = _sequence(list(tree))
    if found is None or any(not a for a in found):
        return None
    return found

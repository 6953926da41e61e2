"""The rule registry: each finding code of rules.md is one function registered here.

A rule function sees the history before a contact and the contact itself, and returns a `Hit` when the
contact breaks the rule. The engine adds the pack's rule id, severity, citation and the pack hash. Adding a
rule means writing one decorated function in a family module and one entry in a pack; nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from faircollect.model import Contact
    from faircollect.policy.history import History

# How a parameter may change in an overlay without loosening the rule.
Tighten = Literal["lower", "higher", "equal"]
ParamType = Literal["int", "clock", "bool"]


@dataclass(frozen=True, slots=True)
class Param:
    type: ParamType
    tighter: Tighten
    default: Any = None
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule says about one contact: why (both languages), the proof, and when waiting cures it."""

    message: dict[str, str]
    evidence: dict[str, Any] = field(default_factory=dict)
    clears_at: datetime | None = None


RuleFn = Callable[["History", "Contact", Mapping[str, Any]], Hit | None]


@dataclass(frozen=True, slots=True)
class RuleDef:
    code: str
    family: str
    fn: RuleFn
    params: Mapping[str, Param]
    channels: frozenset[str] | None  # None: every channel
    needs_events: tuple[str, ...]  # skipped when the stream has none of these kinds
    needs_text: bool
    needs_screener: bool
    time_or_frequency: bool  # findings are cured by waiting (next_allowed_at)


RULES: dict[str, RuleDef] = {}


def rule(
    code: str,
    *,
    params: Mapping[str, Param] | None = None,
    channels: frozenset[str] | None = None,
    needs_events: tuple[str, ...] = (),
    needs_text: bool = False,
    needs_screener: bool = False,
) -> Callable[[RuleFn], RuleFn]:
    family = code.split(".", 1)[0]

    def register(fn: RuleFn) -> RuleFn:
        if code in RULES:
            raise ValueError(f"rule code registered twice: {code}")
        RULES[code] = RuleDef(
            code=code,
            family=family,
            fn=fn,
            params=dict(params or {}),
            channels=channels,
            needs_events=needs_events,
            needs_text=needs_text,
            needs_screener=needs_screener,
            time_or_frequency=family in ("time", "frequency"),
        )
        return fn

    return register


def registered() -> dict[str, RuleDef]:
    """Every rule code, with the family modules imported (they register on import)."""
    from faircollect.policy.rules import content, frequency, holds, third_party, time, visits  # noqa: F401

    return RULES

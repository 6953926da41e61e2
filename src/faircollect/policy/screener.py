"""The engine's view of content screening: text in, labels, spans and `debt_related` out.

The real screener lives in `faircollect.screening`; the engine only needs this interface, so tests
can pass a double and the engine runs with content rules off when no screener is installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

LABELS = (
    "threat.violence",
    "threat.arrest",
    "deception.legal",
    "deception.consequence",
    "abuse.insult",
    "privacy.exposure",
    "harassment.intimidation",
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # offsets into the original text (Python string indices)
    end: int
    label: str
    match: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "match": self.match}


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """Screening output (schema.md "Screening output"). `labels` holds the confident labels only."""

    labels: tuple[str, ...]
    verdict: Literal["allow", "block", "review"]
    debt_related: bool
    scores: dict[str, float] = field(default_factory=dict)
    spans: tuple[Span, ...] = ()

    def to_dict(self, id: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {} if id is None else {"id": id}
        d.update(
            {
                "labels": list(self.labels),
                "verdict": self.verdict,
                "debt_related": self.debt_related,
                "scores": dict(self.scores),
                "spans": [s.to_dict() for s in self.spans],
            }
        )
        return d


class Screener(Protocol):
    """Anything that screens one text. Implementations must be pure and deterministic."""

    def screen(self, text: str) -> ScreenResult: ...

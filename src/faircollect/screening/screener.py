"""The default screener: normalise → lexicons and patterns → classifier → labels, verdict, spans.

`default_screener()` is what the engine, the gate and the evidence kit call; it loads the model shipped in
model/ once. Verdicts follow taxonomy.md: `block` when the message is a confident violation (it then
carries at least one label), `review` when its violation score is in the uncertain band, `allow` otherwise
(classifier.Thresholds says exactly how).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import joblib
import numpy as np
import regex

from faircollect.policy.screener import LABELS, ScreenResult, Span
from faircollect.screening.classifier import (
    HEADS,
    BoolArray,
    FloatArray,
    LinearModel,
    Thresholds,
    decide,
    in_review_band,
    pattern_features,
    trusted_mask,
)
from faircollect.screening.matcher import Hit, Matcher, default_matcher, spans_for
from faircollect.screening.ngrams import CharNgrams
from faircollect.screening.normalize import Normalized, normalize, normalize_many

MODEL_FILE = "screening.joblib"
META_FILE = "screening.json"
# Long texts are screened in windows so time grows linearly with length (1 MB stays bounded).
WINDOW = 2000
OVERLAP = 100
MAX_CLAUSES = 40
_VIOLATION = HEADS.index("violation")
_DEBT = HEADS.index("debt_related")
_CLAUSE = regex.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the matcher found in one text: the input to the classifier and to the spans."""

    norm: Normalized
    hits: tuple[Hit, ...]
    debt_cues: int
    context: frozenset[str]


def analyse(matcher: Matcher, text: str) -> Analysis:
    return _analysis(matcher, normalize(text))


def analyse_many(matcher: Matcher, texts: Sequence[str]) -> list[Analysis]:
    return [_analysis(matcher, norm) for norm in normalize_many(texts)]


def _analysis(matcher: Matcher, norm: Normalized) -> Analysis:
    hits, debt_cues, context = matcher.scan(norm.text)
    return Analysis(norm, tuple(hits), debt_cues, context)


def _rounded(values: FloatArray, digits: int = 4) -> list[list[float]]:
    """round(v, digits) for every value, vectorised. v * 10**digits is within an ulp of the exact product,
    so its nearest integer is the exact product's unless that product lies within 1e-6 of a half (those
    few go through round()); k / 10**digits is then the double nearest to the decimal, as round() gives."""
    scale = 10.0**digits
    scaled = values * scale
    rows: list[list[float]] = (np.rint(scaled) / scale).tolist()
    for i, j in zip(*np.nonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6), strict=True):
        rows[i][j] = round(float(values[i, j]), digits)
    return rows


def _matrix(rows: list[list[bool]]) -> BoolArray:
    """Per message and label."""
    return np.array(rows, dtype=bool).reshape(len(rows), len(LABELS))


def _fired(hits: Sequence[Hit]) -> list[bool]:
    """Per label: an unsuppressed hit."""
    fired = {h.label for h in hits if h.suppressed_by is None}
    return [label in fired for label in LABELS]


def _sorted(spans: Sequence[Span]) -> tuple[Span, ...]:
    return tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label)))


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clauses of the original text, stripped of surrounding blanks (at most MAX_CLAUSES)."""
    out = []
    for m in _CLAUSE.finditer(text):
        piece = m.group(0)
        if piece.strip():
            start = m.start() + len(piece) - len(piece.lstrip())
            end = m.end() - (len(piece) - len(piece.rstrip()))
            out.append((start, end))
    return out if len(out) <= MAX_CLAUSES else []


class DefaultScreener:
    """Implements faircollect.policy.screener.Screener. Pure and deterministic once built."""

    def __init__(self, model: LinearModel, matcher: Matcher) -> None:
        self.model = model
        self.matcher = matcher

    @property
    def thresholds(self) -> Thresholds:
        return self.model.thresholds

    def screen(self, text: str) -> ScreenResult:
        return self.screen_many([text])[0]

    def screen_many(self, texts: Sequence[str]) -> list[ScreenResult]:
        """Screen a batch (one sparse product for all of it: much faster than one by one)."""
        short = [i for i, t in enumerate(texts) if len(t) <= WINDOW]
        results: dict[int, ScreenResult] = {}
        if short:
            for i, result in zip(short, self._screen_short([texts[i] for i in short]), strict=True):
                results[i] = result
        for i, text in enumerate(texts):
            if i not in results:
                results[i] = self._screen_long(text)
        return [results[i] for i in range(len(texts))]

    def _scores(self, analyses: Sequence[Analysis]) -> FloatArray:
        dense = [pattern_features(a.hits, a.debt_cues, self.model.context_ids, a.context) for a in analyses]
        return self.model.scores([a.norm.text for a in analyses], dense)

    def _screen_short(self, texts: Sequence[str]) -> list[ScreenResult]:
        analyses = analyse_many(self.matcher, texts)
        return self._add_clause_spans(texts, self._results(analyses, self._scores(analyses)))

    def _results(self, analyses: Sequence[Analysis], scores: FloatArray) -> list[ScreenResult]:
        """The decision for the whole batch at once (classifier.decide treats each row on its own)."""
        th = self.model.thresholds
        keys = frozenset(th.trusted)
        none = [False] * len(LABELS)
        fired = _matrix([_fired(a.hits) if a.hits else none for a in analyses])
        trusted = _matrix([trusted_mask(a.hits, keys) if a.hits else none for a in analyses])
        covered = np.array(
            [bool(a.context and self.matcher.message_rule_labels(a.context)) for a in analyses], dtype=bool
        )
        masks = decide(scores, fired, covered, trusted, th).tolist()
        shown = _rounded(scores[:, : len(LABELS)])  # HEADS start with LABELS
        return [
            self._result(a, r, m, dict(zip(LABELS, s, strict=True)))
            for a, r, m, s in zip(analyses, scores.tolist(), masks, shown, strict=True)
        ]

    def _result(
        self, a: Analysis, row: list[float], mask: list[bool], shown: dict[str, float]
    ) -> ScreenResult:
        th = self.model.thresholds
        labels = tuple(label for label, on in zip(LABELS, mask, strict=True) if on)
        evidence = bool(a.hits) or a.debt_cues > 0
        verdict: Literal["allow", "block", "review"] = (
            "block" if labels else "review" if in_review_band(row[_VIOLATION], evidence, th) else "allow"
        )
        original = a.norm.original
        spans = tuple(Span(s, e, label, original[s:e]) for s, e, label in spans_for(a.norm, a.hits, labels))
        return ScreenResult(
            labels=labels,
            verdict=verdict,
            debt_related=row[_DEBT] >= th.debt,
            scores=shown,
            spans=spans,  # spans_for sorts them
        )

    def _add_clause_spans(self, originals: Sequence[str], results: list[ScreenResult]) -> list[ScreenResult]:
        """A label found without a pattern hit gets as its span the clause of the original text that scores
        highest for it (all such clauses of the batch are scored in one product)."""
        jobs: list[tuple[int, list[str], list[tuple[int, int]]]] = []
        texts: list[str] = []
        for i, res in enumerate(results):
            if not res.labels:
                continue
            spanned = {s.label for s in res.spans}
            missing = [label for label in res.labels if label not in spanned]
            if missing:
                clauses = _clauses(originals[i])
                if clauses:
                    jobs.append((i, missing, clauses))
                    texts.extend(originals[i][s:e] for s, e in clauses)
        if not jobs:
            return results
        scores = self._scores(analyse_many(self.matcher, texts))
        row = 0
        out = list(results)
        for i, missing, clauses in jobs:
            block = scores[row : row + len(clauses)]
            row += len(clauses)
            text = originals[i]
            extra = []
            for label in missing:
                start, end = clauses[int(np.argmax(block[:, HEADS.index(label)]))]
                extra.append(Span(start, end, label, text[start:end]))
            out[i] = replace(out[i], spans=_sorted([*out[i].spans, *extra]))
        return out

    def _screen_long(self, text: str) -> ScreenResult:
        """Windows of WINDOW characters overlapping by OVERLAP; labels and scores are the maxima."""
        starts = list(range(0, max(len(text) - OVERLAP, 1), WINDOW - OVERLAP))
        parts = self._screen_short([text[s : s + WINDOW] for s in starts])
        labels = {label for p in parts for label in p.labels}
        scores = {label: max(p.scores[label] for p in parts) for label in LABELS}
        spans = {
            Span(s.start + off, s.end + off, s.label, s.match)
            for off, p in zip(starts, parts, strict=True)
            for s in p.spans
        }
        verdicts = {p.verdict for p in parts}
        verdict: Literal["allow", "block", "review"] = (
            "block" if "block" in verdicts else "review" if "review" in verdicts else "allow"
        )
        return ScreenResult(
            labels=tuple(label for label in LABELS if label in labels),
            verdict=verdict,
            debt_related=any(p.debt_related for p in parts),
            scores=scores,
            spans=tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label))),
        )


def model_meta() -> dict[str, Any]:
    """The JSON written beside the shipped model: version, training date, corpus sha256, thresholds."""
    meta: dict[str, Any] = json.loads(_model_dir().joinpath(META_FILE).read_text(encoding="utf-8"))
    return meta


def _model_dir() -> Any:
    return resources.files("faircollect.screening").joinpath("model")


def load_model() -> LinearModel:
    with _model_dir().joinpath(MODEL_FILE).open("rb") as fh:
        data = joblib.load(fh)
    return LinearModel(
        vectorizer=CharNgrams(
            dict(data["ngrams"]["vocabulary"]),
            np.asarray(data["ngrams"]["idf"], dtype=np.float64),
            int(data["ngrams"]["min_n"]),
            int(data["ngrams"]["max_n"]),
        ),
        coef=data["coef"],
        intercept=data["intercept"],
        context_ids=list(data["context_ids"]),
        thresholds=Thresholds.from_dict(data["thresholds"]),
        meta=model_meta(),
    )


@lru_cache(maxsize=1)
def default_screener() -> DefaultScreener:
    """The screener with the shipped model and lexicons, built once per process."""
    return DefaultScreener(load_model(), default_matcher())

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
    FloatArray,
    LinearModel,
    Stack,
    Thresholds,
    decide,
    in_review_band,
    rule_key,
)
from faircollect.screening.matcher import Hit, Matcher, RawHit, default_matcher
from faircollect.screening.ngrams import CharNgrams
from faircollect.screening.normalize import (
    Normalized,
    normalize,
    normalize_parts_many,
    original_span,
)

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
    norm = normalize(text)
    hits, debt_cues, context = matcher.scan(norm.text)
    return Analysis(norm, tuple(hits), debt_cues, context)


# What the screener keeps of one text: normalised text, its starts and ends (normalize.Parts), then the
# matcher's hits (plain tuples), debt cues and present context rules.
_Scan = tuple[str, Sequence[int], Sequence[int], list[RawHit], int, frozenset[str]]
_LABEL_COLUMN = {label: j for j, label in enumerate(LABELS)}
_LABEL_BITS = np.array([1 << j for j in range(len(LABELS))], dtype=np.int64)
# The labels tuple of each mask, the mask read as bits (bit j: LABELS[j]).
_LABEL_SETS = [
    tuple(label for j, label in enumerate(LABELS) if code >> j & 1) for code in range(1 << len(LABELS))
]


def _spans(original: str, scan: _Scan, labels: tuple[str, ...]) -> tuple[Span, ...]:
    """The original-text spans of a scan's unsuppressed hits of `labels`, deduplicated and sorted."""
    _, starts, ends, hits, _, _ = scan
    found = {(start, end, label) for label, start, end, _, by in hits if by is None and label in labels}
    if not _unedited(starts, ends) or any(end <= start for start, end, _ in found):
        length = len(original)
        found = {(*original_span(starts, ends, length, start, end), label) for start, end, label in found}
    return tuple(Span(start, end, label, original[start:end]) for start, end, label in sorted(found))


def _unedited(starts: Sequence[int], ends: Sequence[int]) -> bool:
    """Whether the offset map is the identity one (normalize.Parts of a text no edit changed): then a
    non-empty range of the normalised text is the same range of the original (original_span)."""
    return type(starts) is range and type(ends) is range and starts.start == 0 and ends.start == 1


def _with_clause_spans(
    res: ScreenResult, text: str, labels: list[str], clauses: list[tuple[int, int]], best: list[int]
) -> ScreenResult:
    """`res` with a span more per label: the clause `best[k]` for `labels[k]`."""
    extra = []
    for label, k in zip(labels, best, strict=True):
        start, end = clauses[k]
        extra.append(Span(start, end, label, text[start:end]))
    return replace(res, spans=_sorted([*res.spans, *extra]))


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
        # Where each context rule id goes in a feature row: (it suppressed a hit, it is present at all).
        n, context_ids = len(LABELS), model.context_ids
        self._context_columns: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        for k, rule_id in enumerate(context_ids):
            self._context_columns[0].setdefault(rule_id, []).append(2 * n + k)
            self._context_columns[1].setdefault(rule_id, []).append(2 * n + len(context_ids) + k)
        # Context rules whose presence covers some label (Matcher.message_rule_labels).
        rule_labels = matcher.message_rule_labels
        self._covering = frozenset(r for r in matcher.context_rule_ids() if rule_labels([r]))

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

    def _scan_many(self, texts: Sequence[str]) -> list[_Scan]:
        """What `analyse` finds for each text, as plain tuples (no Normalized, Hit or Analysis objects)."""
        scan = self.matcher.scan_raw
        return [(text, starts, ends, *scan(text)) for text, starts, ends in normalize_parts_many(texts)]

    def _scan_scores(self, scans: Sequence[_Scan]) -> tuple[FloatArray, FloatArray]:
        """The model's scores of the scans (the pattern features built straight into one array), and those
        features."""
        features = self._features(scans)
        return self.model.scores([scan[0] for scan in scans], features), features

    def _features(self, scans: Sequence[_Scan]) -> FloatArray:
        """classifier.pattern_features of every scan, one row each: only the non-zero cells are set."""
        n = len(LABELS)
        ids = self._context_columns
        width = 2 * n + 2 * len(self.model.context_ids) + 2
        out = np.zeros((len(scans), width))
        cells: list[int] = []
        for row, (_, _, _, hits, _, present) in enumerate(scans):
            base = row * width
            if hits:
                fired = {h[0] for h in hits if h[4] is None}
                for label in fired:
                    cells.append(base + _LABEL_COLUMN[label])
                if len(fired) < len(hits):
                    for label, _, _, _, by in hits:
                        if by is not None:
                            if label not in fired:
                                cells.append(base + n + _LABEL_COLUMN[label])
                            cells.extend(base + j for j in ids[0].get(by, ()))
            if present:
                for rule_id in present:
                    cells.extend(base + j for j in ids[1].get(rule_id, ()))
        if cells:
            out.ravel()[cells] = 1.0
        debt = np.array([scan[4] for scan in scans], dtype=np.int64)
        out[:, -2] = np.minimum(debt, 3) / 3.0
        out[:, -1] = debt == 0
        return out

    def _screen_short(self, texts: Sequence[str]) -> list[ScreenResult]:
        scans = self._scan_many(texts)
        scores, features = self._scan_scores(scans)
        results, unspanned = self._results(texts, scans, scores, features)
        return self._add_clause_spans(texts, results, unspanned) if unspanned else results

    def _results(
        self, originals: Sequence[str], scans: Sequence[_Scan], scores: FloatArray, features: FloatArray
    ) -> tuple[list[ScreenResult], list[int]]:
        """The decision for the whole batch at once (classifier.decide treats each row on its own), and the
        messages with a label that no pattern hit gives a span to."""
        th = self.model.thresholds
        keys = frozenset(th.trusted)
        n_labels = len(LABELS)
        trusted = np.zeros((len(scans), n_labels), dtype=bool)
        cells: list[int] = []
        for row, scan in enumerate(scans):
            if scan[3]:
                for label, _, _, rule, by in scan[3]:
                    if by is None and rule_key(rule, label) in keys:
                        cells.append(row * n_labels + _LABEL_COLUMN[label])
        if cells:
            trusted.ravel()[cells] = True
        fired = features[:, :n_labels] != 0.0  # pattern_features starts with the fired labels
        covering = self._covering
        covered = np.array([bool(scan[5]) and not covering.isdisjoint(scan[5]) for scan in scans], dtype=bool)
        masks = decide(scores, fired, covered, trusted, th)
        codes = (masks.astype(np.int64) @ _LABEL_BITS).tolist()
        evidence = np.array([bool(scan[3]) or scan[4] > 0 for scan in scans], dtype=bool)
        violation = scores[:, _VIOLATION]
        review = in_review_band(violation, evidence, th).tolist()
        debt = (scores[:, _DEBT] >= th.debt).tolist()
        shown = _rounded(scores[:, :n_labels])  # HEADS start with LABELS
        out = []
        unspanned = []
        rows = zip(originals, scans, codes, review, debt, shown, strict=True)
        for i, (original, scan, code, rev, dr, s) in enumerate(rows):
            labels = _LABEL_SETS[code]
            if labels:
                spans = _spans(original, scan, labels) if scan[3] else ()
                if len({span.label for span in spans}) < len(labels):
                    unspanned.append(i)
                out.append(ScreenResult(labels, "block", dr, dict(zip(LABELS, s, strict=True)), spans))
            else:
                verdict: Literal["allow", "block", "review"] = "review" if rev else "allow"
                out.append(ScreenResult(labels, verdict, dr, dict(zip(LABELS, s, strict=True)), ()))
        return out, unspanned

    def _add_clause_spans(
        self, originals: Sequence[str], results: list[ScreenResult], unspanned: Sequence[int]
    ) -> list[ScreenResult]:
        """A label found without a pattern hit gets as its span the clause of the original text that scores
        highest for it (all such clauses of the batch are scored in one product). `unspanned`: the results
        with such a label. A text of one clause needs no scores: that clause is the highest."""
        jobs: list[tuple[int, list[str], list[tuple[int, int]]]] = []
        texts: list[str] = []
        out = list(results)
        for i in unspanned:
            res = results[i]
            spanned = {s.label for s in res.spans}
            missing = [label for label in res.labels if label not in spanned]
            clauses = _clauses(originals[i])
            if len(clauses) == 1:
                out[i] = _with_clause_spans(res, originals[i], missing, clauses, [0] * len(missing))
            elif clauses:
                jobs.append((i, missing, clauses))
                texts.extend(originals[i][s:e] for s, e in clauses)
        if not jobs:
            return out
        scores = self._scan_scores(self._scan_many(texts))[0]
        row = 0
        for i, missing, clauses in jobs:
            block = scores[row : row + len(clauses)]
            row += len(clauses)
            best = [int(np.argmax(block[:, HEADS.index(label)])) for label in missing]
            out[i] = _with_clause_spans(out[i], originals[i], missing, clauses, best)
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
        # the weight blocks as stored (float32): LinearModel joins them into one float64 matrix
        coef=data["coef"],
        intercept=data["intercept"],
        context_ids=list(data["context_ids"]),
        thresholds=Thresholds.from_dict(data["thresholds"]),
        meta=model_meta(),
        nb_coef=data.get("nb_coef"),
        nb_intercept=data.get("nb_intercept"),
        stack=None if data.get("stack") is None else Stack.from_dict(data["stack"]),
        label_coef=data.get("label_coef"),
        label_intercept=data.get("label_intercept"),
    )


@lru_cache(maxsize=1)
def default_screener() -> DefaultScreener:
    """The screener with the shipped model and lexicons, built once per process."""
    return DefaultScreener(load_model(), default_matcher())

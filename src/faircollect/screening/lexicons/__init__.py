"""Lexicon and pattern data shipped in this folder, read with importlib.resources (no other I/O).

- substitutions.tsv: kind (homophone | initials | regex), variant, canonical, source
- terms.tsv: term, label, lang (zh | en | py = toneless pinyin), source — literal words, matched by Aho-Corasick
- patterns.yaml: regex rules per label, matched on the normalised text
- context.yaml: rules that keep a hit from firing (negation, anti-fraud notices, rumours being corrected,
  lawful consequences)
- debt.yaml: words and patterns that make a text `debt_related`
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from faircollect.policy.screener import LABELS


def read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _rows(name: str, width: int) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(read_text(name)), delimiter="\t", quoting=csv.QUOTE_NONE)
    for lineno, row in enumerate(reader, start=1):
        if not row or row[0].startswith("#") or lineno == 1:
            continue
        if len(row) != width:
            raise ValueError(f"{name}:{lineno}: expected {width} tab-separated columns, got {len(row)}")
        rows.append(row)
    return rows


@lru_cache(maxsize=1)
def load_substitutions() -> tuple[tuple[str, str, str], ...]:
    out = []
    for lineno, (kind, variant, canonical, _source) in enumerate(_rows("substitutions.tsv", 4), start=2):
        if kind not in ("homophone", "initials", "regex"):
            raise ValueError(f"substitutions.tsv:{lineno}: kind: unknown {kind!r}")
        out.append((kind, variant, canonical))
    return tuple(out)


@lru_cache(maxsize=1)
def load_terms() -> tuple[tuple[str, str, str], ...]:
    """(term, label, lang) rows; every label is one of the taxonomy's seven."""
    out = []
    for term, label, lang, _source in _rows("terms.tsv", 4):
        if label not in LABELS:
            raise ValueError(f"terms.tsv: {term!r}: label: unknown {label!r}")
        out.append((term.lower(), label, lang))
    return tuple(out)


def _yaml(name: str) -> Any:
    return yaml.safe_load(read_text(name))


@lru_cache(maxsize=1)
def load_patterns() -> tuple[dict[str, Any], ...]:
    rules = tuple(_yaml("patterns.yaml")["patterns"])
    for rule in rules:
        if rule["label"] not in LABELS:
            raise ValueError(f"patterns.yaml: {rule['id']}: label: unknown {rule['label']!r}")
    return rules


@lru_cache(maxsize=1)
def load_context() -> tuple[dict[str, Any], ...]:
    rules = tuple(_yaml("context.yaml")["rules"])
    for rule in rules:
        unknown = set(rule["labels"]) - set(LABELS)
        if unknown:
            raise ValueError(f"context.yaml: {rule['id']}: labels: unknown {sorted(unknown)}")
    return rules


@lru_cache(maxsize=1)
def load_debt() -> dict[str, Any]:
    data: dict[str, Any] = _yaml("debt.yaml")
    return data


@lru_cache(maxsize=1)
def load_macros() -> dict[str, str]:
    macros: dict[str, str] = _yaml("patterns.yaml").get("macros", {})
    return macros

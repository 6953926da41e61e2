"""The shipped lexicon data: every entry has a known label, a source, and compiles."""

from __future__ import annotations

import regex

from faircollect.policy.screener import LABELS
from faircollect.screening import lexicons
from faircollect.screening.matcher import _expand


def test_terms_and_substitutions_have_labels_and_sources() -> None:
    terms = lexicons.load_terms()
    assert len(terms) > 300
    assert {label for _, label, _ in terms} == set(LABELS)
    sources = {line.split("\t")[3] for line in lexicons.read_text("terms.tsv").splitlines()[1:]}
    assert sources == {"own", "houbb", "swsr"}
    kinds = {kind for kind, _, _ in lexicons.load_substitutions()}
    assert kinds == {"homophone", "initials", "regex"}


def test_patterns_and_context_rules_compile_with_unique_ids() -> None:
    macros = lexicons.load_macros()
    patterns = lexicons.load_patterns()
    ids = [p["id"] for p in patterns]
    assert len(ids) == len(set(ids))
    assert {p["label"] for p in patterns} == set(LABELS)
    for p in patterns:
        regex.compile(_expand(p["pattern"], macros))
    for rule in lexicons.load_context():
        assert rule["scope"] in ("before", "clause", "message")
        regex.compile(_expand(rule["pattern"], macros))
    for pattern in lexicons.load_debt()["patterns"]:
        regex.compile(_expand(pattern, macros))

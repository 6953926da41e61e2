from __future__ import annotations

import json

import pytest

from faircollect.screening.corpus_data import CorpusError, corpus_sha256, is_test, load_corpus, split


def _line(**overrides: object) -> str:
    record = {
        "id": "x-1",
        "lang": "zh",
        "text": "您好，请按时还款",
        "labels": [],
        "debt_related": True,
        "kind": "lawful",
        "style": "sms",
    }
    record.update(overrides)
    return json.dumps(record, ensure_ascii=False)


def test_split_rule_is_the_documented_one() -> None:
    import hashlib

    for ident in ("zh-a-0001", "en-v-0042", "anything"):
        expected = int(hashlib.sha256(ident.encode()).hexdigest(), 16) % 100 < 25
        assert is_test(ident) is expected


def test_shipped_corpus_loads_strictly_and_split_is_at_least_a_fifth() -> None:
    records = load_corpus()
    train, test = split(records)
    assert len(records) >= 1000
    assert len(test) >= 0.2 * len(records)
    assert not {r.id for r in train} & {r.id for r in test}


def test_bad_lines_name_file_line_and_field() -> None:
    files = {"zh_lawful.jsonl": (_line() + "\n" + _line(id="x-2", labels=["no.such"]) + "\n").encode()}
    with pytest.raises(CorpusError, match=r"zh_lawful.jsonl:2: labels"):
        load_corpus(files)
    assert len(load_corpus(files, strict=False)) == 1


def test_violation_needs_labels() -> None:
    files = {"a.jsonl": _line(kind="violation").encode()}
    with pytest.raises(CorpusError, match=r"a\.jsonl:1: labels"):
        load_corpus(files)


def test_duplicate_ids_are_rejected() -> None:
    files = {"a.jsonl": (_line() + "\n" + _line()).encode()}
    with pytest.raises(CorpusError, match="duplicate"):
        load_corpus(files)


def test_hash_depends_on_names_and_bytes() -> None:
    assert corpus_sha256({"a": b"1"}) != corpus_sha256({"a": b"2"})
    assert corpus_sha256({"a": b"1"}) != corpus_sha256({"b": b"1"})

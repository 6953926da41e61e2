from __future__ import annotations

from pathlib import Path

import pytest

from faircollect.evidence.importers import EvidenceError
from faircollect.evidence.statement import read_statement


def test_paragraphs_lines_and_json(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("他们打电话给我母亲。\n说我欠钱不还。\n\n他们说会去我单位。\n", encoding="utf-8")
    assert read_statement(text) == [
        {"text": "他们打电话给我母亲。\n说我欠钱不还。"},
        {"text": "他们说会去我单位。"},
    ]
    lines = tmp_path / "b.txt"
    lines.write_text("one\ntwo\n\n", encoding="utf-8")
    assert read_statement(lines) == [{"text": "one"}, {"text": "two"}]
    js = tmp_path / "c.json"
    js.write_text('["a", {"text": "b", "at": "2026-03-01"}]', encoding="utf-8")
    assert read_statement(js) == [{"text": "a"}, {"text": "b", "at": "2026-03-01"}]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'[\n"a",\n', ":3: statement: invalid JSON"),
        (b'["a", 3]', ":1: statement[2]: "),
        (b"ok\n\xff\xfe", ":2: statement: not UTF-8"),
    ],
)
def test_bad_statements(tmp_path: Path, content: bytes, where: str) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(content)
    with pytest.raises(EvidenceError) as err:
        read_statement(path)
    assert str(err.value).startswith(f"{path}{where}")

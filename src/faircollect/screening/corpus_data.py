"""The project's labelled corpus (corpus/*.jsonl, shipped in the package) and its fixed train/test split.

Split rule (fixed, documented in docs/screening.md): a record is in the TEST split iff
int(sha256(id).hexdigest(), 16) % 100 < 25. The test split is never used for training, thresholds or patterns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from faircollect.policy.screener import LABELS

CORPUS_FILES = (
    "en_lawful.jsonl",
    "en_more.jsonl",
    "en_round4.jsonl",
    "en_round5.jsonl",
    "en_round6.jsonl",
    "en_round7.jsonl",
    "en_round8.jsonl",
    "en_round9.jsonl",
    "en_round10.jsonl",
    "en_round11.jsonl",
    "en_round12.jsonl",
    "en_violations.jsonl",
    "zh_abuse.jsonl",
    "zh_authority_comments.jsonl",
    "zh_comment_attacks.jsonl",
    "zh_comment_threads.jsonl",
    "zh_consequence_everyday.jsonl",
    "zh_everyday.jsonl",
    "zh_everyday_pressure.jsonl",
    "zh_exposure_lines.jsonl",
    "zh_fake_legal.jsonl",
    "zh_false_process.jsonl",
    "zh_harm_boundary.jsonl",
    "zh_harm_pressure.jsonl",
    "zh_implied_harm.jsonl",
    "zh_impostor.jsonl",
    "zh_impostor_calls.jsonl",
    "zh_insult_exposure.jsonl",
    "zh_lawful.jsonl",
    "zh_legal_arrest.jsonl",
    "zh_legal_speech.jsonl",
    "zh_long_mixed.jsonl",
    "zh_many_labels.jsonl",
    "zh_official_tone.jsonl",
    "zh_official_sms.jsonl",
    "zh_online_insults.jsonl",
    "zh_online_people.jsonl",
    "zh_pairs.jsonl",
    "zh_pressure_harm.jsonl",
    "zh_pressure_lines.jsonl",
    "zh_process_calls.jsonl",
    "zh_third_party.jsonl",
    "zh_threat_shades.jsonl",
    "zh_threat_pressure.jsonl",
    "zh_threats.jsonl",
    "zh_violence_intimidation.jsonl",
)
KINDS = ("violation", "lawful", "stern", "hard_negative")
TEST_PERCENT = 25


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    lang: str
    text: str
    labels: tuple[str, ...]
    debt_related: bool
    kind: str
    style: str
    source: str  # "file:line", for error messages and reports


class CorpusError(ValueError):
    """A corpus line that does not follow the record format; the message says file:line: field: problem."""


def is_test(record_id: str) -> bool:
    return int(hashlib.sha256(record_id.encode("utf-8")).hexdigest(), 16) % 100 < TEST_PERCENT


def _corpus_dir() -> Any:
    return resources.files("faircollect.screening").joinpath("corpus")


def corpus_bytes() -> dict[str, bytes]:
    """The corpus files that exist, by name."""
    folder = _corpus_dir()
    out: dict[str, bytes] = {}
    for name in CORPUS_FILES:
        item = folder.joinpath(name)
        if item.is_file():
            out[name] = item.read_bytes()
    return out


def corpus_sha256(files: dict[str, bytes] | None = None) -> str:
    """sha256 over (name, NUL, bytes, NUL) of each corpus file in name order: the model records it."""
    files = corpus_bytes() if files is None else files
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def parse_record(raw: str, source: str) -> Record:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{source}: line: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{source}: line: not a JSON object")
    for key, kind in (
        ("id", str),
        ("lang", str),
        ("text", str),
        ("labels", list),
        ("debt_related", bool),
        ("kind", str),
    ):
        if not isinstance(data.get(key), kind):
            raise CorpusError(f"{source}: {key}: missing or not a {kind.__name__}")
    labels = tuple(data["labels"])
    unknown = [label for label in labels if label not in LABELS]
    if unknown:
        raise CorpusError(f"{source}: labels: unknown {unknown}")
    if data["kind"] not in KINDS:
        raise CorpusError(f"{source}: kind: must be one of {', '.join(KINDS)}")
    if (data["kind"] == "violation") != bool(labels):
        raise CorpusError(f"{source}: labels: a violation needs labels and only a violation has them")
    return Record(
        data["id"],
        data["lang"],
        data["text"],
        labels,
        data["debt_related"],
        data["kind"],
        str(data.get("style", "")),
        source,
    )


def load_corpus(files: dict[str, bytes] | None = None, strict: bool = True) -> list[Record]:
    """All records. strict=False skips bad lines (the corpus files may still be growing while one trains)."""
    files = corpus_bytes() if files is None else files
    records: list[Record] = []
    seen: set[str] = set()
    for name in sorted(files):
        for lineno, line in enumerate(files[name].decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = parse_record(line, f"{name}:{lineno}")
                if record.id in seen:
                    raise CorpusError(f"{name}:{lineno}: id: duplicate {record.id!r}")
            except CorpusError:
                if strict:
                    raise
                continue
            seen.add(record.id)
            records.append(record)
    return records


def split(records: list[Record]) -> tuple[list[Record], list[Record]]:
    """(train, test) by the fixed rule."""
    train = [r for r in records if not is_test(r.id)]
    test = [r for r in records if is_test(r.id)]
    return train, test

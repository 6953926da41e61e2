"""Agreement between the corpus writers' labels and the blind second annotation (docs/screening.md).

second_pass.jsonl: the second annotator's labels for the 21,637 messages of rounds 1–12 (rounds 1–3 annotated
first, rounds 4–7, 8, 9, 10, 11 and 12 later, each by four other annotators), given without seeing the writers' labels. adjudication.jsonl: the messages where the two disagreed, with both label sets
("first" = the writers') and the adjudicated "final" set, which is what the corpus now holds. The writers'
labels are therefore the second annotator's where nobody disagreed, and "first" where somebody did.

Usage: .venv/bin/python docs/annotation/agreement.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faircollect.policy.screener import LABELS
from faircollect.screening.corpus_data import is_test, load_corpus

HERE = Path(__file__).resolve().parent
# id prefixes of the files of each later pass (rounds 1-3 are every other id); a new round adds one entry
LATER_ROUNDS = {
    "rounds 4-7": (
        *("zh-tp-", "en-r4-", "zh-mp-", "zh-ot-", "zh-ep-", "en-r5-", "zh-ls-"),
        *("zh-lm-", "en-r6-", "zh-hp-", "zh-fl-", "en-r7-", "zh-tx-"),
    ),
    "round 8": ("zh-pl-", "zh-ml-", "en-r8-", "zh-ic-"),
    "round 9": ("zh-xl-", "zh-ih-", "en-r9-", "zh-op-"),
    "round 10": ("zh-hb-", "zh-ac-", "zh-fp-", "en-r10-"),
    "round 11": ("zh-ph-", "zh-ca-", "zh-pc-", "en-r11-"),
    "round 12": ("zh-ts-", "zh-ct-", "zh-os-", "en-r12-"),
}


def _read(name: str) -> dict[str, dict[str, Any]]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


def _f1(a: dict[str, set[str]], b: dict[str, set[str]], label: str, ids: list[str]) -> float:
    both = sum(label in a[i] and label in b[i] for i in ids)
    total = sum(label in a[i] for i in ids) + sum(label in b[i] for i in ids)
    return 2 * both / total if total else 1.0


def main() -> None:
    second = {i: set(r["labels"]) for i, r in _read("second_pass.jsonl").items()}
    adjudicated = _read("adjudication.jsonl")
    first = {i: set(adjudicated[i]["first"]) if i in adjudicated else labels for i, labels in second.items()}
    final = {r.id: set(r.labels) for r in load_corpus()}
    assert all(final[i] == set(r["final"]) for i, r in adjudicated.items()), (
        "corpus differs from adjudication"
    )
    every = sorted(second)
    later = tuple(p for prefixes in LATER_ROUNDS.values() for p in prefixes)
    subsets = [
        ("all", every),
        ("test split", [i for i in every if is_test(i)]),
        ("rounds 1-3", [i for i in every if not i.startswith(later)]),
        *((name, [i for i in every if i.startswith(prefixes)]) for name, prefixes in LATER_ROUNDS.items()),
    ]
    for name, ids in subsets:
        per_label = {label: round(_f1(first, second, label, ids), 3) for label in LABELS}
        macro = round(sum(per_label.values()) / len(LABELS), 3)
        violation = sum(bool(first[i]) == bool(second[i]) for i in ids) / len(ids)
        exact = sum(first[i] == second[i] for i in ids) / len(ids)
        print(
            f"{name}: {len(ids)} messages, macro-F1 {macro}, violation or not {violation:.3f}, same set {exact:.3f}"
        )
        print("  " + ", ".join(f"{label} {f1}" for label, f1 in per_label.items()))
    changed = sum(set(r["first"]) != set(r["final"]) for r in adjudicated.values())
    print(f"disagreements {len(adjudicated)}; adjudication changed the writers' labels on {changed}")


if __name__ == "__main__":
    main()

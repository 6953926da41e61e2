"""Leaves: canonical JSON and salted hashes in place of personal data."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.translog import leaf

SALT = b"\x01" * 32
CONTACT = {
    "type": "contact",
    "id": "c-17",
    "at": "2026-03-02T21:05:00+08:00",
    "channel": "call",
    "outcome": "connected",
    "account": "L-2026-0001",
    "debtor": "张三",
    "party": "李四",
    "role": "contact_person",
    "address": "+8613800138000",
    "text": "您好，请尽快还款",
    "collector": "staff-9",
    "duration_s": 62.5,
}
DECISION = {
    "type": "decision",
    "verdict": "block",
    "contact": CONTACT,
    "findings": [
        {
            "contact": "c-17",
            "code": "content.abuse",
            "debtor": "张三",
            "account": "L-2026-0001",
            "evidence": {"spans": [{"start": 0, "end": 2, "match": "老赖"}]},
        }
    ],
    "next_allowed_at": None,
}


def test_canonical_json_form() -> None:
    assert leaf.canonical_json({"b": 1, "a": ["é", 2.5, None]}) == '{"a":["é",2.5,null],"b":1}'


def test_personal_values_are_salted_hashes() -> None:
    text = leaf.make_leaf(CONTACT, SALT)
    for secret in ("张三", "李四", "13800138000", "L-2026-0001", "请尽快还款"):
        assert secret not in text
    parsed = json.loads(text)
    expected = "sha256:" + hashlib.sha256(SALT + '"张三"'.encode()).hexdigest()
    assert parsed["debtor"] == expected == leaf.hash_personal(SALT, "张三")
    assert parsed["channel"] == "call" and parsed["collector"] == "staff-9" and parsed["id"] == "c-17"
    assert text == leaf.canonical_json(parsed)  # already canonical


def test_nested_personal_values_in_decisions() -> None:
    text = leaf.make_leaf(DECISION, SALT)
    for secret in ("张三", "L-2026-0001", "老赖", "请尽快还款"):
        assert secret not in text
    parsed = json.loads(text)
    assert parsed["findings"][0]["code"] == "content.abuse"
    assert parsed["findings"][0]["evidence"]["spans"][0]["start"] == 0
    assert parsed["next_allowed_at"] is None


def test_the_salt_changes_every_hash() -> None:
    a = json.loads(leaf.make_leaf(CONTACT, SALT))
    b = json.loads(leaf.make_leaf(CONTACT, b"\x02" * 32))
    assert a["debtor"] != b["debtor"] and a["id"] == b["id"]


def test_account_of() -> None:
    assert leaf.account_of(CONTACT) == "L-2026-0001"
    assert leaf.account_of({"contact": {"account": "A"}}) == "A"
    assert leaf.account_of({"type": "event"}) == leaf.NO_ACCOUNT


@settings(deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_leaf_is_deterministic_and_canonical(record: dict[str, object]) -> None:
    text = leaf.make_leaf(record, SALT)
    assert text == leaf.make_leaf(dict(reversed(list(record.items()))), SALT)
    assert leaf.canonical_json(json.loads(text)) == text

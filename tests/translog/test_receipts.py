"""Receipts verify offline; any changed byte, a wrong key or a missing field makes them fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from faircollect.translog import merkle, receipts, signing
from faircollect.translog.leaf import make_leaf

KEY = signing.load_private_key(signing.new_private_key())
PUBLIC = signing.public_key_bytes(KEY)


def build(n: int, index: int) -> dict[str, Any]:
    leaves = [
        make_leaf(
            {"type": "contact", "id": f"c-{i}", "account": "A-1", "debtor": "王五", "text": "提醒\n还款"},
            b"s" * 32,
        )
        for i in range(n)
    ]
    tree = merkle.MemoryTree(merkle.leaf_hash(x.encode()) for x in leaves)
    head = signing.sign_head(KEY, n, tree.root(), 1_790_000_000_000)
    return receipts.make_receipt(leaves[index], index, head, tree.inclusion_proof(index), PUBLIC)


@pytest.mark.parametrize(("n", "index"), [(1, 0), (2, 1), (7, 3), (13, 12), (64, 17)])
def test_a_receipt_verifies(n: int, index: int) -> None:
    receipt = build(n, index)
    check = receipts.verify_receipt(receipts.receipt_json(receipt))
    assert check.ok, check.reason
    assert (check.index, check.tree_size) == (index, n)
    assert receipts.verify_receipt(receipt, public_key=signing.b64(PUBLIC)).ok
    assert receipts.verify_receipt(json.dumps(receipt, indent=2).encode(), PUBLIC).ok


@pytest.mark.parametrize(("n", "index"), [(7, 3), (13, 12)])
def test_any_changed_byte_fails(n: int, index: int) -> None:
    data = receipts.receipt_json(build(n, index)).encode("utf-8")
    passed = []
    for pos in range(len(data)):
        for flip in (0x01, 0x20):
            changed = bytearray(data)
            changed[pos] ^= flip
            if receipts.verify_receipt(bytes(changed)).ok:
                passed.append((pos, flip, chr(data[pos])))
    assert passed == []


def test_another_trusted_key_fails() -> None:
    other = signing.public_key_bytes(signing.load_private_key(signing.new_private_key()))
    check = receipts.verify_receipt(build(5, 2), public_key=other)
    assert not check.ok and "different key" in check.reason["en"]


def test_a_receipt_resigned_with_another_key_fails_against_the_trusted_one() -> None:
    receipt = build(5, 2)
    thief = signing.load_private_key(signing.new_private_key())
    head = signing.SignedHead.from_dict(receipt["head"])
    forged = {
        **receipt,
        "head": signing.sign_head(thief, head.tree_size, head.root_hash, head.timestamp).to_dict(),
        "public_key": signing.b64(signing.public_key_bytes(thief)),
    }
    assert receipts.verify_receipt(forged).ok  # self-consistent …
    assert not receipts.verify_receipt(forged, public_key=PUBLIC).ok  # … but not the lender's key


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda r: r.pop("inclusion_proof"), "fields"),
        (lambda r: r.update(extra=1), "fields"),
        (lambda r: r.update(version=2), "version"),
        (lambda r: r.update(index=5), "index"),
        (lambda r: r.update(index=1), "proof"),
        (lambda r: r.update(tree_size=6), "tree_size"),
        (lambda r: r.update(leaf=r["leaf"].replace("c-2", "c-3")), "changed"),
        (lambda r: r["inclusion_proof"].pop(), "proof"),
        (lambda r: r["head"].update(timestamp=1), "signature"),
    ],
)
def test_failures_say_why(mutate: Any, words: str) -> None:
    receipt = build(5, 2)
    mutate(receipt)
    check = receipts.verify_receipt(receipt)
    assert not check.ok
    assert words in check.reason["en"] and check.reason["zh"]


def test_not_json_and_duplicate_keys_fail() -> None:
    assert "not JSON" in receipts.verify_receipt(b"{").reason["en"]
    assert "UTF-8" in receipts.verify_receipt(b"\xff").reason["en"]
    text = receipts.receipt_json(build(3, 1))
    assert not receipts.verify_receipt(text[:-1] + ',"index":1}').ok

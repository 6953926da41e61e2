"""Receipts: what a contacted person keeps to prove a record is in the log, and their offline check (pure).

A receipt holds the leaf (canonical JSON string), its leaf hash, its index, the signed tree head it is
proved against, the inclusion proof and the log's public key. It verifies when the leaf hashes to
`leaf_hash`, the proof leads from that hash at `index` to the head's root, and the head's signature is
valid for the public key (the one the verifier trusts, when given). Every field has one spelling
(lowercase hex, canonical base64, integers), so changing any byte of a receipt makes it fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from faircollect.translog.merkle import HASH_SIZE, ProofError, leaf_hash, verify_inclusion
from faircollect.translog.signing import (
    KEY_SIZE,
    FormatError,
    SignatureError,
    SignedHead,
    b64,
    load_public_key,
    public_key_bytes,
    strict_b64,
    strict_hex,
    verify_head,
)

RECEIPT_VERSION = 1
FIELDS = frozenset(
    {"version", "leaf", "leaf_hash", "index", "tree_size", "head", "inclusion_proof", "public_key"}
)


def make_receipt(
    leaf: str, index: int, head: SignedHead, proof: Sequence[bytes], public_key: bytes
) -> dict[str, Any]:
    return {
        "version": RECEIPT_VERSION,
        "leaf": leaf,
        "leaf_hash": leaf_hash(leaf.encode("utf-8")).hex(),
        "index": index,
        "tree_size": head.tree_size,
        "head": head.to_dict(),
        "inclusion_proof": [p.hex() for p in proof],
        "public_key": b64(public_key),
    }


def receipt_json(receipt: Mapping[str, Any]) -> str:
    """The receipt's file form: compact, keys sorted, UTF-8."""
    return json.dumps(receipt, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(slots=True)
class ReceiptCheck:
    ok: bool
    reason: dict[str, str] = field(default_factory=dict)
    index: int | None = None
    tree_size: int | None = None
    timestamp: int | None = None
    leaf: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reason": self.reason or None,
            "index": self.index,
            "tree_size": self.tree_size,
            "timestamp": self.timestamp,
        }


def _fail(en: str, zh: str) -> ReceiptCheck:
    return ReceiptCheck(ok=False, reason={"zh": zh, "en": en})


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise FormatError("a key appears twice", "同一字段出现两次")
    return dict(pairs)


def parse_receipt(data: bytes | str) -> dict[str, Any]:
    """Strict parse of a receipt file: UTF-8 JSON object with no duplicate keys."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise FormatError("receipt is not UTF-8", "回执不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"receipt is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            f"回执不是合法 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）",
        ) from None
    if not isinstance(value, dict):
        raise FormatError("receipt must be a JSON object", "回执须为 JSON 对象")
    return value


def verify_receipt(
    receipt: Mapping[str, Any] | bytes | str, public_key: bytes | str | None = None
) -> ReceiptCheck:
    """Check a receipt offline. `public_key` (raw, base64 or PEM) is the key you trust; without it the
    receipt's own key is used, which proves integrity but not who signed."""
    try:
        data = parse_receipt(receipt) if isinstance(receipt, bytes | str) else dict(receipt)
        return _verify(data, public_key)
    except (FormatError, ProofError, SignatureError) as exc:
        return ReceiptCheck(ok=False, reason=exc.reason)


def _verify(data: dict[str, Any], trusted: bytes | str | None) -> ReceiptCheck:
    if set(data) != FIELDS:
        missing = sorted(FIELDS - set(data))
        extra = sorted(set(data) - FIELDS)
        return _fail(
            f"receipt fields wrong (missing {missing}, unknown {extra})",
            f"回执字段有误（缺少 {missing}，多余 {extra}）",
        )
    if data["version"] != RECEIPT_VERSION or type(data["version"]) is not int:
        return _fail(f"unknown receipt version {data['version']!r}", f"未知的回执版本 {data['version']!r}")
    leaf, index, size = data["leaf"], data["index"], data["tree_size"]
    if not isinstance(leaf, str):
        return _fail("leaf must be a string", "leaf 须为字符串")
    if type(index) is not int or type(size) is not int or not 0 <= index < size:
        return _fail(
            "index and tree_size must be integers with 0 ≤ index < tree_size",
            "index 与 tree_size 须为整数且 0 ≤ index < tree_size",
        )
    for name in ("leaf_hash", "public_key"):
        if not isinstance(data[name], str):
            return _fail(f"{name} must be a string", f"{name} 须为字符串")
    proof_hex = data["inclusion_proof"]
    if not isinstance(proof_hex, list) or not all(isinstance(p, str) for p in proof_hex):
        return _fail(
            "inclusion_proof must be a list of hex strings", "inclusion_proof 须为十六进制字符串列表"
        )
    claimed = strict_hex(data["leaf_hash"], HASH_SIZE, "leaf_hash")
    proof = [strict_hex(p, HASH_SIZE, "inclusion_proof") for p in proof_hex]
    head = SignedHead.from_dict(data["head"])
    embedded = strict_b64(data["public_key"], KEY_SIZE, "public_key")

    if leaf_hash(leaf.encode("utf-8")) != claimed:
        return _fail(
            "the leaf does not match leaf_hash: the record was changed",
            "记录内容与 leaf_hash 不符：记录已被改动",
        )
    if head.tree_size != size:
        return _fail("tree_size differs from the signed head's size", "tree_size 与签名树头的大小不一致")
    if trusted is not None and public_key_bytes(load_public_key(trusted)) != embedded:
        return _fail(
            "the receipt names a different key than the one you trust", "回执中的公钥与您信任的公钥不同"
        )
    verify_head(load_public_key(embedded), head)
    verify_inclusion(index, size, claimed, proof, head.root_hash)
    return ReceiptCheck(ok=True, index=index, tree_size=size, timestamp=head.timestamp, leaf=leaf)

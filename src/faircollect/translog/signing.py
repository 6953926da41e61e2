"""Signed tree heads: Ed25519 over the RFC 6962 §3.5 TreeHeadSignature encoding (pure; keys come as bytes).

The signed message is `version (0) || signature_type (1 = tree_hash) || timestamp (uint64, ms since
the Unix epoch) || tree_size (uint64) || root hash (32 bytes)`, big-endian, exactly as Certificate
Transparency signs its tree heads, so the encoding is documented outside this project.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from faircollect.translog.merkle import HASH_SIZE

SIGNATURE_SIZE = 64
KEY_SIZE = 32
_HEX = re.compile(r"[0-9a-f]*")


class FormatError(ValueError):
    """A head, key or receipt field that is not in its one canonical form."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.reason = {"zh": zh, "en": en}


class SignatureError(ValueError):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.reason = {"zh": zh, "en": en}


def head_message(tree_size: int, root_hash: bytes, timestamp: int) -> bytes:
    if len(root_hash) != HASH_SIZE:
        raise ValueError("root hash must be 32 bytes")
    return struct.pack(">BBQQ", 0, 1, timestamp, tree_size) + root_hash


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def strict_b64(text: str, size: int, what: str) -> bytes:
    """Decode base64 that must be in its one canonical form and decode to `size` bytes."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise FormatError(f"{what} is not base64", f"{what} 不是 base64 编码") from None
    if len(data) != size or b64(data) != text:
        raise FormatError(
            f"{what} is not {size} bytes in canonical base64", f"{what} 不是 {size} 字节的规范 base64"
        )
    return data


def strict_hex(text: str, size: int, what: str) -> bytes:
    """Decode lowercase hex of exactly `size` bytes (one spelling per value)."""
    if len(text) != 2 * size or not _HEX.fullmatch(text):
        raise FormatError(
            f"{what} is not {size} bytes of lowercase hex", f"{what} 不是 {size} 字节的小写十六进制"
        )
    return bytes.fromhex(text)


@dataclass(frozen=True, slots=True)
class SignedHead:
    tree_size: int
    root_hash: bytes
    timestamp: int  # milliseconds since the Unix epoch, UTC
    signature: bytes

    def message(self) -> bytes:
        return head_message(self.tree_size, self.root_hash, self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "signature": b64(self.signature),
        }

    @classmethod
    def from_dict(cls, data: Any) -> SignedHead:
        if not isinstance(data, dict) or set(data) != {"tree_size", "root_hash", "timestamp", "signature"}:
            raise FormatError(
                "head must have exactly tree_size, root_hash, timestamp, signature",
                "树头须且仅须包含 tree_size、root_hash、timestamp、signature",
            )
        for name in ("tree_size", "timestamp"):
            value = data[name]
            if type(value) is not int or not 0 <= value < 2**64:
                raise FormatError(f"head.{name} must be a non-negative integer", f"head.{name} 须为非负整数")
        for name in ("root_hash", "signature"):
            if not isinstance(data[name], str):
                raise FormatError(f"head.{name} must be a string", f"head.{name} 须为字符串")
        return cls(
            tree_size=data["tree_size"],
            root_hash=strict_hex(data["root_hash"], HASH_SIZE, "head.root_hash"),
            timestamp=data["timestamp"],
            signature=strict_b64(data["signature"], SIGNATURE_SIZE, "head.signature"),
        )


def new_private_key() -> bytes:
    """A fresh Ed25519 key as unencrypted PKCS#8 PEM (what the key file holds)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """A key file's bytes: PKCS#8 PEM, or the raw 32-byte seed."""
    if len(data) == KEY_SIZE:
        return Ed25519PrivateKey.from_private_bytes(data)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise FormatError("not an Ed25519 private key (PEM)", "不是 Ed25519 私钥（PEM）") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise FormatError("the private key is not Ed25519", "私钥不是 Ed25519 类型")
    return key


def load_public_key(data: bytes | str) -> Ed25519PublicKey:
    """A public key given as raw 32 bytes, base64 of them, or PEM (SubjectPublicKeyInfo)."""
    if isinstance(data, bytes) and len(data) == KEY_SIZE:
        return Ed25519PublicKey.from_public_bytes(data)  # raw key bytes: never strip them
    raw = (data.encode("ascii", "replace") if isinstance(data, str) else data).strip()
    if raw.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(raw)
        except (ValueError, TypeError):
            raise FormatError("unreadable PEM public key", "无法读取 PEM 公钥") from None
        if not isinstance(key, Ed25519PublicKey):
            raise FormatError("the public key is not Ed25519", "公钥不是 Ed25519 类型")
        return key
    return Ed25519PublicKey.from_public_bytes(
        strict_b64(raw.decode("ascii", "replace"), KEY_SIZE, "public key")
    )


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign_head(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, timestamp: int) -> SignedHead:
    signature = key.sign(head_message(tree_size, root_hash, timestamp))
    return SignedHead(tree_size, root_hash, timestamp, signature)


def verify_head(public_key: Ed25519PublicKey, head: SignedHead) -> None:
    """Raise SignatureError unless `head` was signed by `public_key`."""
    if len(head.signature) != SIGNATURE_SIZE or len(head.root_hash) != HASH_SIZE:
        raise SignatureError("malformed signed head", "签名树头格式错误")
    try:
        public_key.verify(head.signature, head.message())
    except InvalidSignature:
        raise SignatureError(
            "the tree head signature is not valid for this public key", "树头签名与该公钥不符"
        ) from None

"""Signed tree heads: the RFC 6962 §3.5 encoding, Ed25519 signatures, strict key and field forms."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives import serialization

from faircollect.translog import signing
from faircollect.translog.signing import FormatError, SignatureError, SignedHead

ROOT = bytes(range(32))


@pytest.fixture(scope="module")
def key_pem() -> bytes:
    return signing.new_private_key()


def test_message_is_the_ct_tree_head_signature_struct() -> None:
    message = signing.head_message(7, ROOT, 1_700_000_000_123)
    assert message == b"\x00\x01" + struct.pack(">Q", 1_700_000_000_123) + struct.pack(">Q", 7) + ROOT
    assert len(message) == 2 + 8 + 8 + 32


def test_sign_and_verify_round_trip(key_pem: bytes) -> None:
    key = signing.load_private_key(key_pem)
    head = signing.sign_head(key, 7, ROOT, 1234)
    public = signing.load_public_key(signing.public_key_bytes(key))
    signing.verify_head(public, head)
    assert SignedHead.from_dict(head.to_dict()) == head


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 8},
        {"timestamp": 1235},
        {"root_hash": bytes(32)},
        {"signature": bytes(64)},
    ],
)
def test_any_changed_field_breaks_the_signature(key_pem: bytes, change: dict[str, object]) -> None:
    key = signing.load_private_key(key_pem)
    head = signing.sign_head(key, 7, ROOT, 1234)
    fields = {"tree_size": 7, "root_hash": ROOT, "timestamp": 1234, "signature": head.signature, **change}
    with pytest.raises(SignatureError):
        signing.verify_head(key.public_key(), SignedHead(**fields))  # type: ignore[arg-type]


def test_another_key_does_not_verify(key_pem: bytes) -> None:
    head = signing.sign_head(signing.load_private_key(key_pem), 1, ROOT, 1)
    other = signing.load_private_key(signing.new_private_key()).public_key()
    with pytest.raises(SignatureError):
        signing.verify_head(other, head)


def test_public_key_forms(key_pem: bytes) -> None:
    key = signing.load_private_key(key_pem)
    raw = signing.public_key_bytes(key)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for form in (raw, base64.b64encode(raw).decode(), base64.b64encode(raw) + b"\n", pem):
        assert signing.public_key_bytes(signing.load_public_key(form)) == raw
    with pytest.raises(FormatError):
        signing.load_public_key("not a key")


def test_raw_private_seed_loads(key_pem: bytes) -> None:
    key = signing.load_private_key(key_pem)
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert signing.public_key_bytes(signing.load_private_key(seed)) == signing.public_key_bytes(key)
    with pytest.raises(FormatError):
        signing.load_private_key(b"-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")


def test_strict_decoders_have_one_spelling() -> None:
    data = bytes(range(32))
    text = base64.b64encode(data).decode()
    assert signing.strict_b64(text, 32, "k") == data
    # the last base64 digit carries 2 unused bits: another digit would decode to the same bytes
    same_bytes = text[:-2] + chr(ord(text[-2]) + 1) + "="
    assert base64.b64decode(same_bytes) == data
    with pytest.raises(FormatError):
        signing.strict_b64(same_bytes, 32, "k")
    assert signing.strict_hex(data.hex(), 32, "h") == data
    with pytest.raises(FormatError):
        signing.strict_hex(data.hex().upper(), 32, "h")
    with pytest.raises(FormatError):
        signing.strict_hex(data.hex()[:-2], 32, "h")


def test_head_from_dict_is_strict(key_pem: bytes) -> None:
    head = signing.sign_head(signing.load_private_key(key_pem), 3, ROOT, 5).to_dict()
    for bad in (
        {**head, "extra": 1},
        {k: v for k, v in head.items() if k != "timestamp"},
        {**head, "tree_size": "3"},
        {**head, "tree_size": True},
        {**head, "tree_size": -1},
        {**head, "root_hash": head["root_hash"].upper()},
        "not a dict",
    ):
        with pytest.raises(FormatError):
            SignedHead.from_dict(bad)

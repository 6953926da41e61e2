"""Log leaves: canonical JSON of a decision or contact with personal data replaced by salted hashes (pure).

Canonical JSON: keys sorted, UTF-8 (no \\u escapes for non-ASCII), no insignificant whitespace, NaN and
infinities refused. Personal values (who, which account, which number, what was said) become
`"sha256:" + hex(SHA-256(salt || canonical JSON of the value))` with a salt per account, so a leaf shown
to a regulator exposes nobody, and the person concerned, given the salt, can show a hash is theirs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

PERSONAL_FIELDS = frozenset(
    {"account", "debtor", "party", "address", "text", "match", "name", "phone", "email", "id_number"}
)
HASH_PREFIX = "sha256:"
NO_ACCOUNT = ""  # salt key for records that name no account


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def hash_personal(salt: bytes, value: Any) -> str:
    """The salted hash that replaces one personal value."""
    return HASH_PREFIX + hashlib.sha256(salt + canonical_json(value).encode("utf-8")).hexdigest()


def pseudonymize(value: Any, salt: bytes) -> Any:
    """A copy of `value` with every personal field's value (at any depth) replaced by its salted hash."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"leaf keys must be strings, not {key!r}")
            out[key] = (
                hash_personal(salt, item)
                if key in PERSONAL_FIELDS and item is not None
                else pseudonymize(item, salt)
            )
        return out
    if isinstance(value, list | tuple):
        return [pseudonymize(item, salt) for item in value]
    return value


def account_of(record: Mapping[str, Any]) -> str:
    """The account whose salt hashes this record: its own, else its contact's, else NO_ACCOUNT."""
    for holder in (record, record.get("contact")):
        if isinstance(holder, Mapping):
            account = holder.get("account")
            if isinstance(account, str) and account:
                return account
    return NO_ACCOUNT


def make_leaf(record: Mapping[str, Any], salt: bytes) -> str:
    """The leaf string (canonical JSON) for a decision or contact record."""
    return canonical_json(pseudonymize(record, salt))

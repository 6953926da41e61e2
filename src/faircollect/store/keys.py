"""API keys: random, shown once, stored only as a SHA-256 of their secret part.

A key reads `fc_<id>_<secret>`: the id finds the row, the secret is compared by hash in constant time.
The secret has 256 random bits, so a fast hash is enough (nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam, select, update

from faircollect.store.db import read_tx, utcnow, write_tx
from faircollect.store.fastsql import Prepared
from faircollect.store.tables import api_keys

ROLES = ("admin", "dialer", "auditor")
PREFIX = "fc"
_BY_ID = Prepared(select(api_keys).where(api_keys.c.id == bindparam("id")))  # every request runs it


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    role: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(engine: Engine, role: str, label: str | None = None) -> tuple[ApiKey, str]:
    """A new key of `role`; returns its record and the full key (the only time it is visible)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with write_tx(engine) as conn:
        conn.execute(
            api_keys.insert().values(
                id=key_id, role=role, secret_sha256=_digest(secret), label=label, created_at=now
            )
        )
    return ApiKey(key_id, role, label, now, None), f"{PREFIX}_{key_id}_{secret}"


def parse_key(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def authenticate(engine: Engine, token: str) -> ApiKey | None:
    """The active key matching `token`, else None. Database errors propagate (callers fail closed)."""
    parsed = parse_key(token)
    if parsed is None:
        return None
    key_id, secret = parsed
    # one statement: no BEGIN/COMMIT around it (a third of this function's time on every request)
    with engine.connect() as conn:
        row = _BY_ID.first(conn, {"id": key_id})
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        return None
    return ApiKey(row.id, row.role, row.label, row.created_at, row.revoked_at)


def list_keys(engine: Engine) -> list[ApiKey]:
    with read_tx(engine) as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)).all()
    return [ApiKey(r.id, r.role, r.label, r.created_at, r.revoked_at) for r in rows]


def revoke_key(engine: Engine, key_id: str) -> bool:
    """Revoke a key by id (or by the full key); False if no active key has that id."""
    parsed = parse_key(key_id)
    if parsed is not None:
        key_id = parsed[0]
    with write_tx(engine) as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return result.rowcount == 1

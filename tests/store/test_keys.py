from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from faircollect.store.keys import authenticate, create_key, list_keys, parse_key, revoke_key
from faircollect.store.tables import api_keys


def test_a_new_key_authenticates_with_its_role(engine: Engine) -> None:
    record, key = create_key(engine, "dialer", label="dialer 1")
    found = authenticate(engine, key)
    assert found is not None
    assert (found.id, found.role, found.label) == (record.id, "dialer", "dialer 1")


def test_only_a_hash_of_the_secret_is_stored(engine: Engine) -> None:
    _, key = create_key(engine, "auditor")
    _, secret = parse_key(key) or ("", "")
    with engine.connect() as conn:
        row = conn.execute(select(api_keys)).one()
    assert secret and secret not in str(tuple(row))
    assert len(row.secret_sha256) == 64


@pytest.mark.parametrize(
    "mangle", [lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"), lambda k: "x" + k, str.upper]
)
def test_a_wrong_key_is_refused(engine: Engine, mangle: object) -> None:
    _, key = create_key(engine, "dialer")
    assert callable(mangle)
    assert authenticate(engine, mangle(key)) is None


@pytest.mark.parametrize("token", ["", "fc", "fc__", "fc_abc", "nonsense", "fc_x_y_z"])
def test_malformed_or_unknown_tokens_are_refused(engine: Engine, token: str) -> None:
    assert authenticate(engine, token) is None


def test_revoked_key_stops_working_at_once(engine: Engine) -> None:
    record, key = create_key(engine, "admin")
    assert revoke_key(engine, record.id) is True
    assert authenticate(engine, key) is None
    assert revoke_key(engine, record.id) is False  # already revoked
    (listed,) = list_keys(engine)
    assert listed.id == record.id and not listed.active


def test_revoke_accepts_the_full_key(engine: Engine) -> None:
    _, key = create_key(engine, "dialer")
    assert revoke_key(engine, key) is True
    assert authenticate(engine, key) is None


def test_keys_are_distinct_and_listed(engine: Engine) -> None:
    made = [create_key(engine, role)[1] for role in ("admin", "dialer", "auditor")]
    assert len(set(made)) == 3
    assert sorted(k.role for k in list_keys(engine)) == ["admin", "auditor", "dialer"]


def test_unknown_role_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="role"):
        create_key(engine, "root")

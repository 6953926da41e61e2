"""The HTTP API end to end (in-process ASGI client) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbtest import Clock, planned_call
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from faircollect.api.app import create_app
from faircollect.gate.service import Gate
from faircollect.store.keys import create_key, revoke_key
from faircollect.store.translog import TransparencyLog
from faircollect.translog.receipts import verify_receipt

ROUTES = {
    ("POST", "/v1/check"),
    ("POST", "/v1/reservations/{reservation_id}/outcome"),
    ("POST", "/v1/contacts"),
    ("POST", "/v1/events"),
    ("GET", "/v1/accounts/{account}/contacts"),
    ("GET", "/v1/log/head"),
    ("GET", "/v1/log/inclusion"),
    ("GET", "/v1/log/consistency"),
    ("GET", "/healthz"),
}


class Api:
    def __init__(self, client: TestClient, keys: dict[str, str], translog: TransparencyLog) -> None:
        self.client = client
        self.keys = keys
        self.translog = translog

    def as_(self, role: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}", **headers}

    def check(self, role: str = "dialer", **extra: Any) -> Any:
        return self.client.post("/v1/check", json=planned_call(**extra), headers=self.as_(role))


@pytest.fixture
def api(engine: Engine, clock: Clock, tmp_path: Path) -> Iterator[Api]:
    translog = TransparencyLog(engine, key_path=tmp_path / "log.key")
    gate = Gate(engine, clock=clock, translog=translog)
    keys = {role: create_key(engine, role)[1] for role in ("admin", "dialer", "auditor")}
    with TestClient(create_app(gate, translog), raise_server_exceptions=False) as client:
        yield Api(client, keys, translog)


def assert_error(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    err: dict[str, Any] = resp.json()["error"]
    assert err["status"] == status and err["message"]["zh"] and err["message"]["en"]
    if field is not None:
        assert err["field"] == field
    return err


def test_openapi_lists_exactly_the_routes_of_the_schema(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    found = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert found == ROUTES
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_healthz(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_check_outcome_and_receipts(api: Api) -> None:
    resp = api.check()
    assert resp.status_code == 200
    decision = resp.json()
    assert decision["verdict"] == "allow" and decision["reservation"]["id"].startswith("r-")
    public = api.translog.public_key_b64()
    assert verify_receipt(decision["receipt"], public).ok
    out = api.client.post(
        f"/v1/reservations/{decision['reservation']['id']}/outcome",
        json={"outcome": "connected", "duration_s": 61},
        headers=api.as_("dialer"),
    )
    assert out.status_code == 201
    body = out.json()
    assert body["contact"]["outcome"] == "connected" and body["findings"] == []
    assert verify_receipt(body["receipt"], public).ok
    assert body["receipt"]["index"] == decision["receipt"]["index"] + 1


def test_blocked_decision_names_rule_and_next_time(api: Api) -> None:
    for _ in range(3):
        assert api.check().json()["verdict"] == "allow"
    blocked = api.check().json()
    assert blocked["verdict"] == "block"
    finding = blocked["findings"][0]
    assert finding["code"] == "frequency.connected_calls_day"
    assert finding["message"]["zh"] and finding["message"]["en"]
    assert blocked["next_allowed_at"].startswith("2026-03-03T08:00")


def test_language_follows_accept_language(api: Api) -> None:
    api.client.post(
        "/v1/events",
        json={"id": "e-1", "at": "2026-03-01T09:00:00+08:00", "kind": "dispute_opened", "account": "a-1"},
        headers=api.as_("dialer"),
    )
    en = api.client.post(
        "/v1/check", json=planned_call(), headers=api.as_("dialer", **{"Accept-Language": "en-GB"})
    )
    zh = api.client.post(
        "/v1/check", json=planned_call(), headers=api.as_("dialer", **{"Accept-Language": "zh-CN"})
    )
    cite_en, cite_zh = en.json()["findings"][0]["citation"], zh.json()["findings"][0]["citation"]
    assert cite_en != cite_zh
    assert en.json()["findings"][0]["citations"] == zh.json()["findings"][0]["citations"]


def test_direct_contacts_events_and_history(api: Api) -> None:
    contact = planned_call(id="in-1", direction="inbound", outcome="connected")
    resp = api.client.post("/v1/contacts", json=contact, headers=api.as_("dialer"))
    assert resp.status_code == 201 and resp.json()["receipt"] is not None
    assert_error(api.client.post("/v1/contacts", json=contact, headers=api.as_("dialer")), 409, "id")
    event = {"id": "e-1", "at": "2026-03-02T09:00:00+08:00", "kind": "cease_request", "account": "a-1"}
    assert api.client.post("/v1/events", json=event, headers=api.as_("admin")).status_code == 201
    history = api.client.get("/v1/accounts/a-1/contacts", headers=api.as_("auditor")).json()
    assert [c["contact"]["id"] for c in history["contacts"]] == ["in-1"]
    assert history["contacts"][0]["receipt"]["index"] == 0
    assert [e["id"] for e in history["events"]] == ["e-1"]
    assert_error(api.client.get("/v1/accounts/nope/contacts", headers=api.as_("auditor")), 404)


def test_history_includes_blocked_attempts(api: Api) -> None:
    for _ in range(4):
        api.check()
    history = api.client.get("/v1/accounts/a-1/contacts", headers=api.as_("auditor")).json()
    assert [d["verdict"] for d in history["decisions"]] == ["allow", "allow", "allow", "block"]
    assert all(d["receipt"] is not None and d["pack"]["id"] == "cn" for d in history["decisions"])


# --- auth and roles -----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}])
def test_without_a_valid_key_401(api: Api, headers: dict[str, str]) -> None:
    resp = api.client.post("/v1/check", json=planned_call(), headers=headers)
    assert_error(resp, 401)
    if headers.get("Authorization", "").startswith("Bearer"):
        assert resp.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_is_refused_at_once(api: Api, engine: Engine) -> None:
    assert api.check().status_code == 200
    revoke_key(engine, api.keys["dialer"])
    assert_error(api.check(), 401)


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("auditor", "POST", "/v1/check", False),
        ("auditor", "POST", "/v1/contacts", False),
        ("auditor", "POST", "/v1/events", False),
        ("auditor", "POST", "/v1/reservations/r-x/outcome", False),
        ("admin", "POST", "/v1/check", False),
        ("admin", "POST", "/v1/events", True),
        ("dialer", "GET", "/v1/accounts/a-1/contacts", False),
        ("admin", "GET", "/v1/accounts/a-1/contacts", False),
        ("auditor", "GET", "/v1/accounts/a-1/contacts", True),
    ],
)
def test_roles(api: Api, role: str, method: str, path: str, allowed: bool) -> None:
    api.check()  # makes account a-1 exist
    bodies = {
        "/v1/check": planned_call(),
        "/v1/contacts": planned_call(id="c-9", outcome="connected"),
        "/v1/events": {
            "id": "e-9",
            "at": "2026-03-01T09:00:00+08:00",
            "kind": "opt_out",
            "party": "d-1",
            "channel": "sms",
        },
        "/v1/reservations/r-x/outcome": {"outcome": "connected"},
    }
    resp = api.client.request(method, path, json=bodies.get(path), headers=api.as_(role))
    if allowed:
        assert resp.status_code < 300, resp.text
    else:
        assert_error(resp, 403)


def test_log_routes_are_public_and_prove(api: Api) -> None:
    first = api.check().json()["receipt"]
    api.check()
    head = api.client.get("/v1/log/head").json()
    assert head["tree_size"] == 2 and head["public_key"] == api.translog.public_key_b64()
    proof = api.client.get("/v1/log/inclusion", params={"leaf": first["index"]}).json()
    assert proof["leaf_index"] == 0 and proof["tree_size"] == 2 and proof["leaf_hash"] == first["leaf_hash"]
    by_hash = api.client.get("/v1/log/inclusion", params={"leaf": first["leaf_hash"]}).json()
    assert by_hash["audit_path"] == proof["audit_path"]
    cons = api.client.get("/v1/log/consistency", params={"from": 1, "to": 2}).json()
    assert cons["first"] == 1 and cons["second"] == 2 and len(cons["proof"]) == 1
    assert_error(api.client.get("/v1/log/inclusion", params={"leaf": 99}), 422)
    assert_error(api.client.get("/v1/log/inclusion", params={"leaf": "zz"}), 422, "leaf")
    assert_error(api.client.get("/v1/log/consistency", params={"from": 2, "to": 1}), 422)


# --- validation and idempotency ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "call", "account": "a-1"}, "debtor"),
        ({**planned_call(), "channel": "fax"}, "channel"),
        ({**planned_call(), "at": "2026-03-02 10:00"}, "at"),
        ({**planned_call(), "surprise": 1}, "surprise"),
        ({**planned_call(), "outcome": "connected"}, "outcome"),
        ({**planned_call(), "tz": "Nowhere/Land"}, "tz"),
        ({**planned_call(), "pack": "../../etc/passwd"}, "pack"),
        ({**planned_call(), "channel": "visit"}, "team_size"),
    ],
)
def test_validation_errors_name_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    resp = api.client.post("/v1/check", json=body, headers=api.as_("dialer"))
    err = assert_error(resp, 422, field)
    assert field in err["message"]["en"] and field in err["message"]["zh"]


def test_not_json_is_422(api: Api) -> None:
    resp = api.client.post(
        "/v1/check", content=b"{nope", headers=api.as_("dialer", **{"content-type": "application/json"})
    )
    assert_error(resp, 422)


def test_unknown_route_is_json_404(api: Api) -> None:
    assert_error(api.client.get("/v2/whatever"), 404)


def test_idempotency_header(api: Api) -> None:
    headers = api.as_("dialer", **{"Idempotency-Key": "call-7"})
    first = api.client.post("/v1/check", json=planned_call(), headers=headers)
    again = api.client.post("/v1/check", json=planned_call(), headers=headers)
    assert first.json() == again.json() and first.status_code == again.status_code == 200
    other = api.client.post("/v1/check", json=planned_call(at="2026-03-02T12:00:00+08:00"), headers=headers)
    assert_error(other, 409)
    rid = first.json()["reservation"]["id"]
    out_headers = api.as_("dialer", **{"Idempotency-Key": "out-7"})
    one = api.client.post(f"/v1/reservations/{rid}/outcome", json={"outcome": "busy"}, headers=out_headers)
    two = api.client.post(f"/v1/reservations/{rid}/outcome", json={"outcome": "busy"}, headers=out_headers)
    assert one.status_code == two.status_code == 201 and one.json() == two.json()
    history = api.client.get("/v1/accounts/a-1/contacts", headers=api.as_("auditor")).json()
    assert len(history["decisions"]) == 1 and len(history["contacts"]) == 1


# --- fail closed over HTTP ----------------------------------------------------------------------


def _dead(engine: Engine) -> Any:
    def boom(*_: Any) -> None:
        raise OperationalError("stmt", {}, Exception("database is gone"))

    return boom


def test_check_fails_closed_even_before_the_key_is_checked(api: Api, engine: Engine) -> None:
    boom = _dead(engine)
    event.listen(engine, "before_cursor_execute", boom)
    try:
        resp = api.check()
        contact = api.client.post(
            "/v1/contacts", json=planned_call(id="c-1", outcome="busy"), headers=api.as_("dialer")
        )
        health = api.client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", boom)
    assert resp.status_code == 503
    body = resp.json()
    assert body["verdict"] == "block" and body["reason"]["code"] == "gate.unavailable"
    assert_error(contact, 503)
    assert health.status_code == 503 and health.json()["database"] == "unreachable"
    assert api.check().json()["verdict"] == "allow"

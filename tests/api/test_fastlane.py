"""The fast lane answers well-formed check and outcome requests exactly as the FastAPI routes would, and
hands everything else to FastAPI with its body intact."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbtest import Clock, planned_call
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from faircollect.api.app import create_app
from faircollect.api.fastlane import MAX_BODY, FastLane
from faircollect.gate.service import Gate
from faircollect.store import migrate
from faircollect.store.db import make_engine
from faircollect.store.keys import create_key
from faircollect.store.translog import TransparencyLog

PLANNED = json.dumps(planned_call()).encode()
GENERATED_ID = re.compile(r"[rd]-[0-9a-f]{32}")


def _scope(path: str = "/v1/check", headers: list[tuple[bytes, bytes]] | None = None, **extra: Any) -> Any:
    default = [(b"content-type", b"application/json"), (b"authorization", b"Bearer nope")]
    return {"type": "http", "method": "POST", "path": path, "query_string": b"",
            "headers": default if headers is None else headers, **extra}  # fmt: skip


def _through(lane_gate: Gate, scope: Any, body: bytes, chunk: int = 0) -> tuple[list[bytes], list[Any]]:
    """Run one request through a FastLane over a recording app: (bodies the app received, messages sent)."""
    seen: list[bytes] = []
    sent: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        parts = []
        while True:
            message = await receive()
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        seen.append(b"".join(parts))

    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] if chunk else [body]
    messages = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1} for i, p in enumerate(pieces)
    ]

    async def receive() -> Any:
        return messages.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    lane = FastLane(app, lane_gate, lane_gate.packs.get(None)[1].ref)
    asyncio.run(lane(scope, receive, send))
    return seen, sent


@pytest.mark.parametrize(
    ("scope", "body"),
    [
        (_scope("/v1/contacts"), PLANNED),  # another route
        (_scope(method="GET"), PLANNED),
        (_scope(query_string=b"x=1"), PLANNED),
        (_scope(), b"{not json"),
        (_scope(), b"[1, 2]"),
        (_scope(), json.dumps({**planned_call(), "colour": "red"}).encode()),  # unknown field
        (_scope(), json.dumps({"channel": "call"}).encode()),  # required fields missing
        (_scope(headers=[(b"content-type", b"text/plain")]), PLANNED),
        (_scope(headers=[(b"content-type", b"application/json")] * 2), PLANNED),  # a repeated header
        (_scope(headers=[(b"content-type", b"application/json"), (b"idempotency-key", b"k" * 201)]), PLANNED),
        (_scope("/v1/reservations/" + "r" * 201 + "/outcome"), b'{"outcome": "connected"}'),
        (_scope(), b" " * (MAX_BODY + 1) + PLANNED),
    ],
)
def test_what_the_lane_is_not_sure_of_goes_to_fastapi_with_its_body(
    engine: Engine, clock: Clock, scope: Any, body: bytes
) -> None:
    seen, sent = _through(Gate(engine, clock=clock), scope, body, chunk=4096)
    assert seen == [body] and sent == []


def test_a_well_formed_check_is_answered_by_the_lane(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock)
    key = create_key(engine, "dialer")[1].encode()
    headers = [(b"content-type", b"application/json"), (b"authorization", b"Bearer " + key)]
    seen, sent = _through(gate, _scope(headers=headers), PLANNED)
    assert seen == []
    assert sent[0]["status"] == 200 and json.loads(sent[1]["body"])["verdict"] == "allow"
    seen, sent = _through(gate, _scope(), PLANNED)  # an unknown key: the routes' 401, from the lane
    assert seen == [] and sent[0]["status"] == 401
    assert (b"www-authenticate", b"Bearer") in sent[0]["headers"]


def _without_lane(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not FastLane]
    return app


@pytest.fixture
def two_apps(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, str]]:
    """The same gate twice (same clock, same key), one app with the lane and one without."""
    clients = []
    for name, lane in (("lane", True), ("plain", False)):
        engine = make_engine(str(tmp_path / f"{name}.db"))
        migrate.upgrade(engine)
        translog = TransparencyLog(engine, key_path=tmp_path / f"{name}.key")
        app = create_app(Gate(engine, clock=Clock(), translog=translog), translog)
        clients.append(TestClient(app if lane else _without_lane(app), raise_server_exceptions=False))
    keys = [create_key(c.app.state.gate.engine, "dialer", "k")[1] for c in clients]  # type: ignore[attr-defined]
    with clients[0] as a, clients[1] as b:
        yield a, b, keys[0] + "|" + keys[1]


def _comparable(body: Any) -> Any:
    """A response without what differs by nature between two databases: ids, receipts, timestamps made."""
    if isinstance(body, dict):
        return {
            k: _comparable(v)
            for k, v in body.items()
            if k not in {"id", "receipt", "expires_at", "reservation", "seq", "recorded_at"}
        }
    if isinstance(body, list):
        return [_comparable(v) for v in body]
    if isinstance(body, str) and GENERATED_ID.fullmatch(body):
        return "<generated id>"
    return body


def test_with_and_without_the_lane_the_answers_are_the_same(two_apps: Any) -> None:
    lane, plain, keys = two_apps
    key_of = dict(zip((id(lane), id(plain)), keys.split("|"), strict=True))

    def both(path: str, body: Any, **headers: str) -> list[Any]:
        out = []
        for client in (lane, plain):
            auth = {"Authorization": f"Bearer {key_of[id(client)]}", **headers}
            resp = client.post(
                path, content=json.dumps(body), headers={"Content-Type": "application/json", **auth}
            )
            out.append((resp.status_code, _comparable(resp.json())))
        return out

    for body, headers in [
        (planned_call(), {}),
        (planned_call(), {"Accept-Language": "en"}),
        (planned_call(), {"Idempotency-Key": "same"}),
        (planned_call(), {"Idempotency-Key": "same"}),  # a replay
        (planned_call(), {}),  # over the cap: block
        ({**planned_call(), "channel": "fax"}, {}),  # 422 from FastAPI in both
        ({**planned_call(), "account": "a-1", "debtor": "someone-else"}, {}),  # 409 from the gate
    ]:
        a, b = both("/v1/check", body, **headers)
        assert a == b
    a, b = both("/v1/reservations/r-unknown/outcome", {"outcome": "connected"})
    assert a == b and a[0] == 404

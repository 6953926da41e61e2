"""A fast lane for the two routes every dialer calls all day: `POST /v1/check` and the outcome route.

FastAPI's routing, dependency solving and body handling cost about a quarter of such a request. This ASGI
middleware answers a well-formed request itself, with the same validation model, the same gate call and
the same error responses as the routes in routes.py. Anything it is not sure of (another route, a body
that is not a valid JSON object of the route's model, a duplicated or over-long header, a large body) goes
on to FastAPI untouched (its body replayed), which then answers exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, ValidationError

from faircollect.api import models
from faircollect.api.errors import CHECK_PATH, crash_response, gate_error_response, unavailable_response
from faircollect.api.routes import body_of, caller_for, run_gate
from faircollect.gate.errors import GateError, StoreUnavailable
from faircollect.gate.service import Gate, Reply
from faircollect.model import PackRef
from faircollect.store.keys import ApiKey

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024  # larger bodies take the normal path, with its own limits
MAX_ID = 200  # as the routes' Path(max_length=…) and Header(max_length=…)
OUTCOME_PREFIX, OUTCOME_SUFFIX = "/v1/reservations/", "/outcome"


class FastLane:
    def __init__(self, app: ASGIApp, gate: Gate, default_pack: PackRef) -> None:
        self.app = app
        self.gate = gate
        self.default_pack = default_pack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        chunks, body = await _read(receive)
        response = await self._answer(scope, route, body) if body is not None else None
        if response is None:
            await self.app(scope, _replay(chunks, receive), send)
            return
        await response(scope, _replay(chunks, receive), send)

    async def _answer(self, scope: Scope, route: tuple[str, str], body: bytes) -> JSONResponse | None:
        kind, reservation_id = route
        headers = _headers(scope)
        if headers is None or not headers.get("content-type", "").startswith("application/json"):
            return None
        idem = headers.get("idempotency-key")
        if idem is not None and len(idem) > MAX_ID:
            return None
        model = _validate(models.PlannedContactIn if kind == "check" else models.OutcomeIn, body)
        if model is None:
            return None
        fields = body_of(model)
        accept_language = headers.get("accept-language", "")

        def work(gate: Gate, key: ApiKey) -> Reply:
            caller = caller_for(key, accept_language, idem)
            if kind == "check":
                return gate.check(fields, caller)
            return gate.record_outcome(reservation_id, fields, caller)

        path = scope["path"]
        try:
            reply = await run_gate(self.gate, _bearer(headers.get("authorization")), ("dialer",), work)
        except GateError as e:
            return gate_error_response(e)
        except StoreUnavailable as e:
            return unavailable_response(path, e, self.default_pack)
        except Exception as e:  # the app's catch-all answers the same (fail closed on the check route)
            return crash_response(path, e, self.default_pack)
        return JSONResponse(reply.body, status_code=reply.status)


def _route(scope: Scope) -> tuple[str, str] | None:
    if scope["type"] != "http" or scope["method"] != "POST" or scope.get("query_string"):
        return None
    path: str = scope["path"]
    if path == CHECK_PATH:
        return ("check", "")
    if path.startswith(OUTCOME_PREFIX) and path.endswith(OUTCOME_SUFFIX):
        rid = path[len(OUTCOME_PREFIX) : -len(OUTCOME_SUFFIX)]
        if rid and "/" not in rid and len(rid) <= MAX_ID:
            return ("outcome", rid)
    return None


async def _read(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's body messages, and the body if it is complete and small (else None)."""
    chunks: list[Message] = []
    size = 0
    while True:
        message = await receive()
        chunks.append(message)
        if message["type"] != "http.request":
            return chunks, None
        size += len(message.get("body", b""))
        if size > MAX_BODY:
            return chunks, None
        if not message.get("more_body", False):
            return chunks, b"".join(m.get("body", b"") for m in chunks)


def _replay(chunks: list[Message], receive: Receive) -> Receive:
    pending = list(chunks)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _headers(scope: Scope) -> dict[str, str] | None:
    """Header names to values (latin-1, as Starlette reads them); None when one is repeated."""
    out: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").lower()
        if key in out:
            return None
        out[key] = value.decode("latin-1")
    return out


def _validate(model: type[BaseModel], body: bytes) -> BaseModel | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _bearer(header: str | None) -> HTTPAuthorizationCredentials | None:
    """As FastAPI's HTTPBearer(auto_error=False): the token of `Bearer <token>`, else nothing."""
    scheme, credentials = get_authorization_scheme_param(header)
    if not (scheme and credentials) or scheme.lower() != "bearer":
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)


__all__ = ["FastLane"]

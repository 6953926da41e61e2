"""The gate's HTTP routes (schema.md "HTTP API")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import anyio
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel

from faircollect.api import models
from faircollect.api.auth import Credentials, authorize
from faircollect.gate.service import Caller, Gate, Reply
from faircollect.store.db import is_sqlite
from faircollect.store.keys import ApiKey

router = APIRouter()

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="a retry with the same key and body returns the first answer and counts once",
    ),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": models.ErrorOut, "description": "no valid API key"},
    403: {"model": models.ErrorOut, "description": "the key's role may not do this"},
    409: {"model": models.ErrorOut, "description": "conflicts with what is stored"},
    422: {"model": models.ErrorOut, "description": "invalid input (the field is named)"},
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": models.ErrorOut, "description": "database unavailable; nothing recorded"}
}


# Worker threads per event loop for the gate's database work. On SQLite the writes run on the event loop
# itself: writers take turns on one lock anyway, and the hop to a thread and back cost more than the write
# (measured: ~35 % more requests per second inline). Reads that may be long (an account's history) still
# go to SQLITE_THREADS threads. PostgreSQL requests overlap in their network waits, hence many threads.
SQLITE_THREADS = 2
SERVER_THREADS = 40
_limiters: RunVar[WeakKeyDictionary[Gate, anyio.CapacityLimiter]] = RunVar("faircollect_gate_threads")


def _limiter(gate: Gate) -> anyio.CapacityLimiter:
    """This event loop's thread limiter for `gate` (limiters belong to one loop)."""
    try:
        limiters = _limiters.get()
    except LookupError:
        limiters = WeakKeyDictionary()
        _limiters.set(limiters)
    limiter = limiters.get(gate)
    if limiter is None:
        limiter = limiters[gate] = anyio.CapacityLimiter(
            SQLITE_THREADS if is_sqlite(gate.engine) else SERVER_THREADS
        )
    return limiter


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


def lang_of(accept_language: str) -> str | None:
    wanted = accept_language.strip().lower()
    if wanted.startswith("zh"):
        return "zh"
    if wanted.startswith("en"):
        return "en"
    return None


def caller_for(key: ApiKey, accept_language: str, idempotency_key: str | None) -> Caller:
    return Caller(key_id=key.id, lang=lang_of(accept_language), idempotency_key=idempotency_key or None)


def _caller(request: Request, key: ApiKey, idempotency_key: str | None) -> Caller:
    return caller_for(key, request.headers.get("accept-language", ""), idempotency_key)


async def run_gate(
    gate: Gate,
    cred: HTTPAuthorizationCredentials | None,
    roles: tuple[str, ...],
    work: Callable[[Gate, ApiKey], Reply],
    short: bool = True,
) -> Reply:
    """Check the key and do the work (both touch the database): a `short` write on SQLite runs right
    here, anything else in one worker thread."""

    def run() -> Reply:
        return work(gate, authorize(gate, cred, *roles))

    if short and is_sqlite(gate.engine):
        return run()
    return await anyio.to_thread.run_sync(run, limiter=_limiter(gate))


async def _serve(
    request: Request,
    cred: Credentials,
    roles: tuple[str, ...],
    work: Callable[[Gate, ApiKey], Reply],
    short: bool = True,
) -> JSONResponse:
    reply = await run_gate(_gate(request), cred, roles, work, short)
    return JSONResponse(reply.body, status_code=reply.status)


def body_of(model: BaseModel) -> dict[str, Any]:
    body: dict[str, Any] = model.model_dump(exclude_none=True)
    return body


@router.post(
    "/v1/check",
    response_model=models.DecisionOut,
    responses={
        **ERRORS,
        503: {"model": models.DecisionOut, "description": "fail closed: verdict block, with the reason"},
    },
    summary="Judge a planned contact; reserve a slot if allowed",
)
async def check(
    request: Request, body: models.PlannedContactIn, cred: Credentials, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _serve(
        request,
        cred,
        ("dialer",),
        lambda gate, key: gate.check(body_of(body), _caller(request, key, idempotency_key)),
    )


@router.post(
    "/v1/reservations/{reservation_id}/outcome",
    status_code=201,
    response_model=models.RecordedContactOut,
    responses={
        **ERRORS,
        **UNAVAILABLE,
        404: {"model": models.ErrorOut, "description": "no such reservation"},
    },
    summary="Report the outcome of a reserved contact; it becomes a recorded contact",
)
async def outcome(
    request: Request,
    reservation_id: Annotated[str, Path(max_length=200)],
    body: models.OutcomeIn,
    cred: Credentials,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _serve(
        request,
        cred,
        ("dialer",),
        lambda gate, key: gate.record_outcome(
            reservation_id, body_of(body), _caller(request, key, idempotency_key)
        ),
    )


@router.post(
    "/v1/contacts",
    status_code=201,
    response_model=models.RecordedContactOut,
    responses={**ERRORS, **UNAVAILABLE},
    summary="Record a contact that did not go through a reservation (inbound calls, imports)",
)
async def contacts(
    request: Request, body: models.ContactIn, cred: Credentials, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _serve(
        request,
        cred,
        ("dialer",),
        lambda gate, key: gate.record_contact(body_of(body), _caller(request, key, idempotency_key)),
    )


@router.post(
    "/v1/events",
    status_code=201,
    response_model=models.RecordedEventOut,
    responses={**ERRORS, **UNAVAILABLE},
    summary="Record an event (cease request, dispute, opt-out, …)",
)
async def events(
    request: Request, body: models.EventIn, cred: Credentials, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await _serve(
        request,
        cred,
        ("dialer", "admin"),
        lambda gate, key: gate.record_event(body_of(body), _caller(request, key, idempotency_key)),
    )


@router.get(
    "/v1/accounts/{account}/contacts",
    response_model=models.AccountHistoryOut,
    responses={**ERRORS, **UNAVAILABLE, 404: {"model": models.ErrorOut, "description": "no such account"}},
    summary="An account's history: contacts with findings and receipts, every decision (blocked too), events",
)
async def account_contacts(
    request: Request,
    account: Annotated[str, Path(max_length=200)],
    cred: Credentials,
    after_contact: Annotated[int, Query(ge=0, le=2**62)] = 0,
    after_decision: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> JSONResponse:
    return await _serve(
        request,
        cred,
        ("auditor",),
        lambda gate, _key: gate.account_history(account, after_contact, after_decision, limit),
        short=False,
    )


@router.get(
    "/healthz",
    response_model=models.HealthOut,
    responses={503: {"model": models.HealthOut, "description": "the database is unreachable"}},
    summary="Liveness and database reachability",
)
def healthz(request: Request) -> JSONResponse:
    ok = _gate(request).healthy()
    body = {"status": "ok" if ok else "degraded", "database": "ok" if ok else "unreachable"}
    return JSONResponse(body, status_code=200 if ok else 503)

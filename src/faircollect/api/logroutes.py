"""Transparency-log routes: the signed tree head and proofs, open to anyone (they reveal no one)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from faircollect.api import models
from faircollect.gate.errors import GateError, StoreUnavailable
from faircollect.store.db import write_tx
from faircollect.store.translog import LogCorrupt, LogError, TransparencyLog

router = APIRouter(prefix="/v1/log", tags=["transparency log"])
HEX_HASH = re.compile(r"^[0-9a-fA-F]{64}$")
T = TypeVar("T")
RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": models.ErrorOut, "description": "no such leaf or tree size"},
    503: {"model": models.ErrorOut, "description": "database unavailable"},
}


def _log(request: Request) -> TransparencyLog:
    log: TransparencyLog = request.app.state.translog
    return log


@contextmanager
def _tx(log: TransparencyLog) -> Iterator[Connection]:
    """A write transaction: answering may sign a new head."""
    try:
        with write_tx(log.engine) as conn:
            yield conn
    except LogError as e:
        raise GateError(422, "log", e.reason["zh"], e.reason["en"]) from None
    except LogCorrupt as e:
        raise GateError(
            500,
            "log_corrupt",
            "日志存储已损坏，请运行 faircollect log verify",
            f"the log store is damaged: {e}",
        ) from None
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e)) from e


def _answer(log: TransparencyLog, fn: Callable[[Connection], T]) -> T:
    with _tx(log) as conn:
        return fn(conn)


@router.get("/head", summary="The latest signed tree head and the log's public key", responses=RESPONSES)
def head(request: Request) -> JSONResponse:
    log = _log(request)
    return JSONResponse(_answer(log, log.signed_head))


@router.get(
    "/inclusion",
    summary="Inclusion proof (audit path) of one leaf, by index or by leaf hash",
    responses=RESPONSES,
)
def inclusion(
    request: Request,
    leaf: Annotated[str, Query(max_length=64, description="leaf index, or the leaf hash in hex")],
    size: Annotated[
        int | None, Query(ge=1, le=2**62, description="tree size (default: the latest head)")
    ] = None,
) -> JSONResponse:
    log = _log(request)

    def prove(conn: Connection) -> dict[str, Any]:
        index = _leaf_index(log, conn, leaf)
        signed = log.signed_head(conn)
        tree_size = size if size is not None else int(signed["tree_size"])
        return {**log.inclusion(conn, index, tree_size), "head": signed}

    return JSONResponse(_answer(log, prove))


@router.get("/consistency", summary="Consistency proof between two tree sizes", responses=RESPONSES)
def consistency(
    request: Request,
    first: Annotated[int, Query(alias="from", ge=0, le=2**62)],
    second: Annotated[int, Query(alias="to", ge=0, le=2**62)],
) -> JSONResponse:
    log = _log(request)
    return JSONResponse(_answer(log, lambda conn: log.consistency(conn, first, second)))


def _leaf_index(log: TransparencyLog, conn: Connection, leaf: str) -> int:
    if leaf.isdigit():
        return int(leaf)
    if HEX_HASH.match(leaf):
        index = log.index_of(conn, bytes.fromhex(leaf))
        if index is not None:
            return index
        raise GateError(
            422, "log", f"日志中没有叶哈希 {leaf}", f"no leaf with hash {leaf} in the log", "leaf"
        )
    raise GateError(
        422,
        "invalid",
        "leaf 须为叶序号或 64 位十六进制叶哈希",
        "leaf must be a leaf index or a 64-hex leaf hash",
        "leaf",
    )

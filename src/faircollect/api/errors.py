"""Every error is JSON with a message in Chinese and English; the check route fails closed."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from faircollect.gate.errors import GateError, StoreUnavailable
from faircollect.gate.service import fail_closed
from faircollect.model import PackRef

log = logging.getLogger(__name__)

CHECK_PATH = "/v1/check"
HTTP_TEXTS = {
    401: (
        "需要有效的 API 密钥（Authorization: Bearer …）",
        "a valid API key is required (Authorization: Bearer …)",
    ),
    403: ("此密钥的角色无权执行此操作", "this key's role may not do this"),
    404: ("没有这个地址", "no such route"),
    405: ("此地址不支持该方法", "method not allowed on this route"),
}


def error_body(status: int, code: str, zh: str, en: str, field: str | None = None) -> dict[str, Any]:
    return GateError(status, code, zh, en, field).to_dict()


def gate_error_response(e: GateError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
    return JSONResponse(e.to_dict(), status_code=e.status, headers=headers)


def unavailable_response(path: str, e: StoreUnavailable, default_pack: PackRef) -> JSONResponse:
    log.error("database unavailable: %s", e)
    zh = "数据库暂时无法读写，未作任何记录，请稍后重试"
    en = "the database cannot be read or written; nothing was recorded, retry later"
    return _failed(path, e, default_pack, error_body(503, "unavailable", zh, en))


def crash_response(path: str, e: Exception, default_pack: PackRef) -> JSONResponse:
    log.exception("unhandled error on %s", path, exc_info=e)
    zh, en = "服务器内部错误，未作任何记录", "internal error; nothing was recorded"
    return _failed(path, e, default_pack, error_body(500, "internal", zh, en))


def _failed(path: str, e: Exception, default_pack: PackRef, body: dict[str, Any]) -> JSONResponse:
    """The check route fails closed (verdict block, 503); other routes answer with `body`."""
    if path == CHECK_PATH:
        reply = fail_closed(default_pack, e)
        return JSONResponse(reply.body, status_code=reply.status)
    return JSONResponse(body, status_code=body["error"]["status"])


def install(app: FastAPI, default_pack: PackRef) -> None:
    @app.exception_handler(GateError)
    async def _gate_error(_: Request, e: GateError) -> JSONResponse:
        return gate_error_response(e)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, e: StoreUnavailable) -> JSONResponse:
        return unavailable_response(request.url.path, e, default_pack)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or "body"
        problem = str(first.get("msg", "invalid"))
        body = error_body(422, "invalid", f"字段 {field} 无效：{problem}", f"{field}: {problem}", field)
        body["error"]["details"] = [
            {"field": ".".join(str(p) for p in err.get("loc", ())), "problem": str(err.get("msg", ""))}
            for err in e.errors()[:20]
        ]
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> JSONResponse:
        zh, en = HTTP_TEXTS.get(e.status_code, ("请求出错", str(e.detail)))
        return JSONResponse(error_body(e.status_code, "http", zh, en), status_code=e.status_code)

    @app.exception_handler(Exception)
    async def _crash(request: Request, e: Exception) -> JSONResponse:
        return crash_response(request.url.path, e, default_pack)

"""API keys and roles: `Authorization: Bearer <key>`; every route names the roles it admits.

The bearer header is read by an async dependency (no thread); the key is looked up in the database
together with the route's own work, in one worker thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError

from faircollect.gate.errors import GateError, StoreUnavailable
from faircollect.gate.service import Gate
from faircollect.store.keys import ApiKey, authenticate

bearer = HTTPBearer(auto_error=False, description="an API key from `faircollect keys create`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _unauthorized() -> GateError:
    return GateError(
        401,
        "unauthorized",
        "需要有效的 API 密钥（Authorization: Bearer …），或该密钥已被吊销",
        "a valid API key is required (Authorization: Bearer …), or the key was revoked",
    )


def authorize(gate: Gate, cred: HTTPAuthorizationCredentials | None, *roles: str) -> ApiKey:
    """The valid, unrevoked key of the request if its role is one of `roles`; else 401 or 403.

    A database failure here is the store being unavailable: the check route then fails closed.
    """
    if cred is None or not cred.credentials:
        raise _unauthorized()
    try:
        key = authenticate(gate.engine, cred.credentials)
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e)) from e
    if key is None:
        raise _unauthorized()
    if key.role not in roles:
        raise GateError(
            403,
            "forbidden",
            f"角色 {key.role} 无权执行此操作（需要：{'、'.join(roles)}）",
            f"role {key.role} may not do this (needs: {', '.join(roles)})",
        )
    return key

"""Errors the gate reports to its callers, each with a message in Chinese and English."""

from __future__ import annotations

from typing import Any


class GateError(Exception):
    """A request the gate refuses: bad input (422), unknown thing (404), conflict (409), …"""

    def __init__(self, status: int, code: str, zh: str, en: str, field: str | None = None) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "status": self.status,
            "message": {"zh": self.zh, "en": self.en},
        }
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


def invalid(field: str, problem: str) -> GateError:
    return GateError(422, "invalid", f"字段 {field} 无效：{problem}", f"{field}: {problem}", field)


def not_found(what_zh: str, what_en: str, ident: str) -> GateError:
    return GateError(404, "not_found", f"未找到{what_zh}：{ident}", f"no such {what_en}: {ident}")


def conflict(code: str, zh: str, en: str, field: str | None = None) -> GateError:
    return GateError(409, code, zh, en, field)


class StoreUnavailable(Exception):
    """The database could not be read or written; the gate fails closed."""

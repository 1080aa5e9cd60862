"""Typed domain errors: each carries a stable code for the API and CLI, and a Vietnamese message
for people. Interfaces translate them; the domain raises them and writes nothing."""

from __future__ import annotations

from typing import Any


class MotcuaError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationFailed(MotcuaError):
    code = "invalid"
    http_status = 422


class NotFound(MotcuaError):
    code = "not_found"
    http_status = 404


class PermissionRefused(MotcuaError):
    code = "forbidden"
    http_status = 403


class Conflict(MotcuaError):
    code = "conflict"
    http_status = 409

"""A lost database connection costs a request at most one more run, never a server error.

Connections are persistent and checked before a request reuses one (`CONN_HEALTH_CHECKS`), so
a connection the server dropped between requests is simply replaced. One that drops *during*
a request (the server restarted, an operator or a failover cut it) fails the view with an
`OperationalError`; the middleware then runs the view once more on a fresh connection when
that cannot apply a write twice:

- a safe method (GET, HEAD, OPTIONS) — its bookkeeping writes (a rate-limit hit, when a token
  was last used) may count twice, which is harmless;
- a request marked repeatable (`mark_repeatable`): the API's POSTs, whose Idempotency-Key
  record is written in the action's own transaction, so a second run either acts (the first
  was rolled back with its connection) or replays what the first committed;
- any other request that had not yet sent a write statement.

Otherwise, or when the second run fails too (the database is down), the answer is 503 with
`Retry-After`, in the API's JSON error format under the API: the client retries; it is told
the service is unavailable, not that the server is broken."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Statements that change nothing (a row lock is not a change). Anything else counts as a write.
_READS = frozenset({"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW"})
_SHUTDOWN = frozenset({"57P01", "57P02", "57P03"})  # admin/crash shutdown, cannot connect now
RETRY_AFTER_SECONDS = 5
_REPEATABLE = "_motcua_repeatable"
_WROTE = "_motcua_wrote"
_VIEW = "_motcua_view"


def mark_repeatable(request: HttpRequest) -> None:
    """Declare that running this request's view again applies its writes at most once."""
    setattr(request, _REPEATABLE, True)


def connection_lost(error: BaseException, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `error` says the database connection is gone: PostgreSQL's connection errors
    (SQLSTATE class 08, the server shutting the session down: 57P01-57P03) and the driver's
    own (no SQLSTATE: the server closed the socket, connecting failed). Not a deadlock, a
    lock or statement timeout, nor SQLite's locked file, after which the connection works on.
    (Django may already have replaced the connection by then, so the error is what tells.)"""
    if connections[alias].vendor != "postgresql":
        return False
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _SHUTDOWN


def database_busy(error: BaseException, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `error` is SQLite's write lock still held by other writers when the
    connection's `timeout` ran out: a request under heavy load (every transaction takes the
    lock at BEGIN, so the one that failed applied nothing), answered 503 so the client retries
    (the kiosk does, with its request key) instead of a server error."""
    return (
        connections[alias].vendor == "sqlite"
        and isinstance(error, OperationalError)
        and "database is locked" in str(error)
    )


def is_write(sql: str) -> bool:
    words = sql.lstrip().split(None, 1)
    return not words or words[0].upper() not in _READS


class RetryOnLostConnectionMiddleware:
    """Runs a view once more after it lost its connection, when that is safe (module docs).
    It must be the last middleware, so that its hooks wrap the view alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(_WriteWatch(request)):
            return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> None:
        setattr(request, _VIEW, (view, args, kwargs))

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        where = f"{request.method} {request.path}"
        if database_busy(error):
            logger.warning("Database still locked after its timeout (%s): 503", where)
            return unavailable(request, busy=True)
        if not connection_lost(error):
            return None
        connections[DEFAULT_DB_ALIAS].close()
        if not may_run_again(request):
            logger.warning("Database connection lost after a write (%s): 503", where)
            return unavailable(request)
        logger.warning("Database connection lost (%s): running the view again", where)
        view, args, kwargs = getattr(request, _VIEW)
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as again:
            if not connection_lost(again):
                raise
            connections[DEFAULT_DB_ALIAS].close()
            logger.error("Database unavailable (%s): %s", where, again)
            return unavailable(request)


def may_run_again(request: HttpRequest) -> bool:
    return (
        request.method in SAFE_METHODS
        or getattr(request, _REPEATABLE, False)
        or not getattr(request, _WROTE, False)
    )


def unavailable(request: HttpRequest, *, busy: bool = False) -> HttpResponse:
    """503: the database is unreachable (or, `busy`, locked by other writers) for now; nothing
    was applied twice; try again."""
    if busy:
        message = gettext("Hệ thống đang bận. Vui lòng thử lại sau ít giây.")
    else:
        message = gettext("Mất kết nối tới cơ sở dữ liệu. Vui lòng thử lại sau ít giây.")
    match = request.resolver_match
    response: HttpResponse
    if match is not None and "api" in match.namespaces:
        code = "database_busy" if busy else "database_unavailable"
        body = {"code": code, "message": message, "detail": {}}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class _WriteWatch:
    """Notes on the request whether a write statement reached the database."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if many or is_write(sql):
            setattr(self.request, _WROTE, True)
        return execute(sql, params, many, context)

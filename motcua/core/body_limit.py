"""Request bodies are measured before anything reads them.

Django's own limits (`DATA_UPLOAD_MAX_MEMORY_SIZE`, `FILE_UPLOAD_MAX_MEMORY_SIZE`) only decide
whether an upload is kept in memory or written to a temporary file: a 1 GB upload is still
read, and written to disk, before `documents.services` can refuse it. Here a body larger than
`settings.REQUEST_BODY_MAX_BYTES` is refused with 413 before it is read:

- a declared `Content-Length` over the limit, by `BodyLimitMiddleware` (first in the chain,
  before anything looks at `request.POST`);
- a chunked body (no length declared), by `limit_chunked_bodies` around the WSGI application:
  it counts the bytes while it copies them and stops at the limit, then hands Django the copy
  with its length (Django reads nothing of a body whose length it is not told).

The reverse proxy refuses first (nginx `client_max_body_size`, docs/operations-uploads.md);
this is the application's own guard for when it is reached directly or the proxy allows more.
Under /api/ the refusal is the API's JSON error, `body_too_large`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from motcua.core.errors import MotcuaError

TOO_LARGE_FLAG = "motcua.body_too_large"
CHUNK = 64 * 1024
MEBIBYTE = 1024 * 1024


class BodyTooLarge(MotcuaError):
    code = "body_too_large"
    http_status = 413


def too_large(limit: int) -> BodyTooLarge:
    megabytes = f"{limit / MEBIBYTE:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return BodyTooLarge(
        f"Nội dung gửi lên quá lớn: tối đa {megabytes} MB mỗi lần gửi.", max_bytes=limit
    )


class BodyLimitMiddleware:
    """Answers 413 to a request whose body is over the limit, without reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_BODY_MAX_BYTES
        if request.META.get(TOO_LARGE_FLAG) or _declared_length(request.META) > limit:
            return refusal(request.path, too_large(limit))
        return self.get_response(request)


def refusal(path: str, error: BodyTooLarge) -> HttpResponse:
    """The 413: the API's JSON error under /api/, a short page elsewhere."""
    if path.startswith("/api/"):
        body = json.dumps(error.as_dict(), ensure_ascii=False)
        return HttpResponse(body, status=413, content_type="application/json; charset=utf-8")
    return HttpResponse(error.message, status=413, content_type="text/plain; charset=utf-8")


def _declared_length(meta: dict[str, Any]) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def limit_chunked_bodies(application: WSGIApp) -> WSGIApp:
    """Wrap a WSGI application so that a chunked request body is counted while it is read
    and never read past the limit."""

    def bounded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _is_chunked(environ):
            _buffer_chunked_body(environ, settings.REQUEST_BODY_MAX_BYTES)
        return application(environ, start_response)

    return bounded


def _is_chunked(environ: dict[str, Any]) -> bool:
    encoding = str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return "chunked" in encoding and not environ.get("CONTENT_LENGTH")


def _buffer_chunked_body(environ: dict[str, Any], limit: int) -> None:
    """Copy the body into a spooled file (in memory while small), at most `limit` bytes;
    over that, stop reading and flag the request for the middleware's 413."""
    source = environ["wsgi.input"]
    copy = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    size = 0
    while chunk := source.read(min(CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            copy.close()
            environ[TOO_LARGE_FLAG] = True
            environ["CONTENT_LENGTH"] = "0"
            return
        copy.write(chunk)
    copy.seek(0)
    environ["wsgi.input"] = copy
    environ["CONTENT_LENGTH"] = str(size)

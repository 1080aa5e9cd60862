"""Views for tests/faults/test_lost_connections.py: each loses its database connection in a
given way (a stand-in error like the driver's) the first time, or every time."""

from __future__ import annotations

from collections import Counter

import psycopg
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

runs: Counter[str] = Counter()


def lost(sqlstate: str | None = None) -> OperationalError:
    """What Django raises when the server went away (or, with a SQLSTATE, another error)."""
    error = OperationalError("server closed the connection unexpectedly")
    cause = psycopg.OperationalError("server closed the connection unexpectedly")
    if sqlstate:
        cause = psycopg.errors.lookup(sqlstate)("deadlock detected")
    error.__cause__ = cause
    return error


def _view(name: str, *, write: bool, lose_every_time: bool = False, sqlstate: str | None = None):  # type: ignore[no-untyped-def]
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        runs[name] += 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if write:  # a write statement (that changes nothing)
                cursor.execute("UPDATE django_content_type SET model = model WHERE id = -1")
        if lose_every_time or runs[name] == 1:
            raise lost(sqlstate)
        return HttpResponse(f"{name} ran {runs[name]} times")

    return view


@csrf_exempt
def locked(request: HttpRequest) -> HttpResponse:
    """SQLite's answer when other writers held its lock past the connection's timeout."""
    runs["locked"] += 1
    raise OperationalError("database is locked")


urlpatterns = [
    path("locked/", locked),
    path("read/", _view("read", write=True)),
    path("early/", _view("early", write=False)),
    path("wrote/", _view("wrote", write=True)),
    path("down/", _view("down", write=False, lose_every_time=True)),
    path("deadlock/", _view("deadlock", write=False, sqlstate="40P01")),
]

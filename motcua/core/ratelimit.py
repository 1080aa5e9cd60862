"""Throttles shared by every web process: locks after repeated failures, and a sliding window
per client. Their state lives in `throttle_stores` (Redis, or a database table), never in the
culling cache. See docs/decisions/0006-throttles.md.

A lock counts the attempt *before* it is evaluated: of twelve wrong passwords sent at once,
exactly `limit` are checked and the rest are refused unread."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from motcua.core.clock import now
from motcua.core.throttle_stores import DatabaseStore, RedisStore, Store, seconds


@dataclass(frozen=True)
class Lock:
    """`limit` failed attempts within `window` seconds lock the subject for `duration`
    seconds, counted from the attempt that reached the limit."""

    scope: str
    limit: int
    window: int
    duration: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def login_lock() -> Lock:
    return Lock(
        "login",
        limit=settings.LOGIN_MAX_ATTEMPTS,
        window=settings.LOGIN_WINDOW_SECONDS,
        duration=settings.LOGIN_LOCK_SECONDS,
    )


def second_factor_lock() -> Lock:
    """Wrong phone digits, counted per dossier (whoever guesses, from wherever)."""
    return Lock(
        "lookup-2fa",
        limit=settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES,
        window=settings.LOOKUP_SECOND_FACTOR_LOCK_SECONDS,
        duration=settings.LOOKUP_SECOND_FACTOR_LOCK_SECONDS,
    )


def lookup_code_lock() -> Lock:
    """Wrong lookup codes (printed on Form 01), counted per dossier like the phone digits,
    under the same settings but apart from them: a success with the digits does not forgive
    guessed codes (docs/decisions/0009-lookup-code.md)."""
    return Lock(
        "lookup-code",
        limit=settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES,
        window=settings.LOOKUP_SECOND_FACTOR_LOCK_SECONDS,
        duration=settings.LOOKUP_SECOND_FACTOR_LOCK_SECONDS,
    )


@cache
def store() -> Store:
    if settings.THROTTLE_REDIS_URL:
        return RedisStore(settings.THROTTLE_REDIS_URL, prefix=settings.THROTTLE_KEY_PREFIX)
    return DatabaseStore()


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def attempt(lock: Lock, subject: str) -> Verdict:
    """Count one attempt for `subject`; evaluate it only if allowed. A success should then
    call `succeeded`, so that the failures before it are forgiven."""
    moment = now().timestamp()
    count, expires_at = store().count_attempt(
        _key(lock.scope, subject),
        limit=lock.limit,
        window=lock.window,
        duration=lock.duration,
        now=moment,
    )
    if count <= lock.limit:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=seconds(expires_at - moment))


def succeeded(lock: Lock, subject: str) -> None:
    store().forget(_key(lock.scope, subject))


def take(scope: str, subject: str, *, limit: int, window: int) -> Verdict:
    """A sliding window: at most `limit` requests in any `window` seconds for `subject`
    (refused requests do not count)."""
    wait = store().take_slot(
        _key(scope, subject), limit=limit, window=window, now=now().timestamp()
    )
    return Verdict(allowed=True) if not wait else Verdict(False, retry_after=seconds(wait))


def lookup_window(request: HttpRequest) -> Verdict:
    """The public lookup's rate limit, per client address (page and API share it)."""
    return take(
        "lookup",
        client_address(request),
        limit=settings.LOOKUP_MAX_REQUESTS,
        window=settings.LOOKUP_WINDOW_SECONDS,
    )


def _key(scope: str, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"

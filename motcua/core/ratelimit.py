"""Fixed-window rate limits in the shared cache, so every web process sees the same counts."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _key(scope: str, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def hit(scope: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the subject is still within `limit` per `window` seconds."""
    key = _key(scope, subject)
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit


def is_blocked(scope: str, subject: str, *, limit: int) -> bool:
    return int(cache.get(_key(scope, subject), 0)) >= limit


def reset(scope: str, subject: str) -> None:
    cache.delete(_key(scope, subject))

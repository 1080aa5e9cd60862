"""Where throttle state lives: Redis when MOTCUA_REDIS_URL is set, a database table otherwise.

Both stores do each step as one atomic operation (a Lua script in Redis; a locked row in the
database), so that concurrent attempts are counted exactly, and neither ever drops state
before it expires (the database cache culls a third of its rows when it is full, which is why
throttles no longer live there). Times are seconds since the epoch read from `core.clock`, so
tests move the clock forward for both stores alike. See docs/decisions/0006-throttles.md."""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any, Protocol

from django.db import DatabaseError, transaction

from motcua.core.models import ThrottleState

log = logging.getLogger(__name__)


class Store(Protocol):
    def count_attempt(
        self, key: str, *, limit: int, window: int, duration: int, now: float
    ) -> tuple[int, float]:
        """Count one attempt: (attempts counted so far, when the count expires). Attempts add
        up for `window` seconds from the first; the attempt that reaches `limit` starts a lock
        of `duration` seconds, which later attempts do not prolong."""

    def forget(self, key: str) -> None:
        """Drop the count (a successful attempt)."""

    def take_slot(self, key: str, *, limit: int, window: int, now: float) -> float:
        """A sliding window: let the request through (0) if fewer than `limit` went through in
        the last `window` seconds; else the seconds until the oldest of them leaves it."""


def _next_count(
    count: int, expires_at: float, *, limit: int, window: int, duration: int, now: float
) -> tuple[int, float]:
    """The lock rule, shared by the database store and mirrored by the Redis script."""
    if expires_at <= now:
        count, expires_at = 0, now + window
    count += 1
    if count == limit:
        expires_at = now + duration
    return count, expires_at


def _next_stamps(
    stamps: list[float], *, limit: int, window: int, now: float
) -> tuple[list[float], float]:
    """The sliding-window rule: (the stamps to keep, 0 or the seconds to wait)."""
    recent = sorted(stamp for stamp in stamps if stamp > now - window)
    if len(recent) < limit:
        return [*recent, now], 0.0
    return recent, recent[0] + window - now


class DatabaseStore:
    """One row per key, read with SELECT … FOR UPDATE inside a transaction (SQLite's
    BEGIN IMMEDIATE serialises writers the same way)."""

    def count_attempt(
        self, key: str, *, limit: int, window: int, duration: int, now: float
    ) -> tuple[int, float]:
        with transaction.atomic():
            row = self._locked(key, now)
            row.count, row.expires_at = _next_count(
                row.count, row.expires_at, limit=limit, window=window, duration=duration, now=now
            )
            row.save(update_fields=["count", "expires_at"])
        if row.count == 1:  # a fresh count: the moment to sweep away counts that are over
            self.purge(now)
        return row.count, row.expires_at

    def forget(self, key: str) -> None:
        ThrottleState.objects.filter(key=key).delete()

    def take_slot(self, key: str, *, limit: int, window: int, now: float) -> float:
        with transaction.atomic():
            row = self._locked(key, now)
            row.stamps, wait = _next_stamps(row.stamps, limit=limit, window=window, now=now)
            row.expires_at = max(row.stamps, default=now) + window
            row.save(update_fields=["stamps", "expires_at"])
        if len(row.stamps) == 1:
            self.purge(now)
        return wait

    def _locked(self, key: str, now: float) -> ThrottleState:
        # Another request may remove the row between our insert (which found it there) and our
        # read (`forget` after a success, a purge): insert again, until one of ours is read.
        while True:
            ThrottleState.objects.bulk_create(
                [ThrottleState(key=key, expires_at=now)], ignore_conflicts=True
            )
            row = ThrottleState.objects.select_for_update().filter(key=key).first()
            if row is not None:
                return row

    @staticmethod
    def purge(now: float) -> int:
        """Delete rows whose state has expired: they no longer throttle anyone."""
        try:
            with transaction.atomic():
                deleted, _ = ThrottleState.objects.filter(expires_at__lt=now).delete()
        except DatabaseError:  # a concurrent purge holds the rows: the next one will do
            log.warning("throttle purge skipped", exc_info=True)
            return 0
        return deleted


# KEYS[1] the key; ARGV now, limit, window, duration. The same rule as _next_count.
_COUNT_ATTEMPT = """
local now = tonumber(ARGV[1])
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local expires = tonumber(redis.call('HGET', KEYS[1], 'expires') or '0')
if expires <= now then
  count = 0
  expires = now + tonumber(ARGV[3])
end
count = count + 1
if count == tonumber(ARGV[2]) then expires = now + tonumber(ARGV[4]) end
redis.call('HSET', KEYS[1], 'count', count, 'expires', string.format('%.6f', expires))
redis.call('PEXPIRE', KEYS[1], math.ceil((expires - now) * 1000) + 1000)
return {count, string.format('%.6f', expires)}
"""

# KEYS[1] the key; ARGV now, limit, window, a unique member. The same rule as _next_stamps.
_TAKE_SLOT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], string.format('%.6f', now), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return string.format('%.6f', tonumber(oldest[2]) + window - now)
"""


class RedisStore:
    """A hash per lock and a sorted set per sliding window, each changed by one Lua script
    (atomic on the server). Redis must not evict keys: run it with `maxmemory-policy
    noeviction` (its default); keys expire on their own once the state is over."""

    def __init__(self, url: str, *, prefix: str) -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url)
        self.prefix = prefix
        self._count = self.client.register_script(_COUNT_ATTEMPT)
        self._take = self.client.register_script(_TAKE_SLOT)

    def count_attempt(
        self, key: str, *, limit: int, window: int, duration: int, now: float
    ) -> tuple[int, float]:
        count, expires = self._count(keys=[self.prefix + key], args=[now, limit, window, duration])
        return int(count), float(expires)

    def forget(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def take_slot(self, key: str, *, limit: int, window: int, now: float) -> float:
        member = f"{now:.6f}:{uuid.uuid4().hex}"
        return float(self._take(keys=[self.prefix + key], args=[now, limit, window, member]))


def seconds(value: float) -> int:
    """Whole seconds to announce (Retry-After), never 0 while something is refused."""
    return max(1, math.ceil(value))

"""What the core keeps in the database: throttle state, when no Redis is configured."""

from __future__ import annotations

from django.db import models


class ThrottleState(models.Model):
    """One throttled subject (a login name from an address, a dossier's second factor, a
    lookup client), by its hashed key. Rows are never culled while they matter: only rows past
    `expires_at` are purged. See docs/decisions/0006-throttles.md.

    - A lock counts `count` attempts until `expires_at`.
    - A sliding window keeps the instants (`stamps`, seconds since the epoch) of the requests
      it let through during the last window."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(db_index=True, help_text="seconds since the epoch")
    stamps = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"

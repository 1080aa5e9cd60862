"""`motcua check`: every destination in OUTBOX_DESTINATIONS is registered and configured, and
the retry settings make sense."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from motcua.outbox import registry


@register()
def destinations_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.OUTBOX_MAX_ATTEMPTS < 1 or settings.OUTBOX_FIRST_RETRY < 0:
        errors.append(
            Error(
                "MOTCUA_OUTBOX_MAX_ATTEMPTS must be at least 1 and MOTCUA_OUTBOX_FIRST_RETRY "
                "not negative.",
                id="outbox.E003",
            )
        )
    known = registry.registered()
    for name in settings.OUTBOX_DESTINATIONS:
        destination = known.get(name)
        if destination is None:
            errors.append(
                Error(
                    f"MOTCUA_OUTBOX_DESTINATIONS names {name!r}, which no module registers "
                    f"(known: {', '.join(sorted(known)) or 'none'}).",
                    id="outbox.E001",
                )
            )
            continue
        errors.extend(
            Error(f"Outbox destination {name!r}: {problem}", id="outbox.E002")
            for problem in destination.problems()
        )
    return errors

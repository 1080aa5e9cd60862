"""`motcua check`: every destination in OUTBOX_DESTINATIONS is registered and configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from motcua.outbox import registry


@register()
def destinations_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
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

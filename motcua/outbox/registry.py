"""The destinations the outbox can deliver to, by name. A module adds one with `register`
(at import, from its app's `ready()`); `settings.OUTBOX_DESTINATIONS` names those in use.

A destination is a `deliver` function (it raises on failure; any exception is retried with
back-off and, after OUTBOX_MAX_ATTEMPTS, dead-lettered) and a filter `wants(event)` of the
events it takes. A `local` destination only writes to this database (the notifications):
its delivery is done in the event's own transaction, under a savepoint, and a failure there
is left to the workers like any other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from motcua.dossiers.models import DossierEvent
    from motcua.outbox.models import OutboxMessage


def every_event(event: DossierEvent) -> bool:
    return True


def no_problems() -> list[str]:
    return []


@dataclass(frozen=True)
class Destination:
    name: str
    deliver: Callable[[OutboxMessage], None]
    wants: Callable[[DossierEvent], bool] = every_event
    local: bool = False
    # What is missing from the settings for it to work ([] when ready): `motcua check` lists it.
    problems: Callable[[], list[str]] = field(default=no_problems)
    # Its deliveries are the synchronisation with the national public service portal: the
    # reports count a dossier as synchronised once one of its messages here is delivered.
    national_sync: bool = False


_registry: dict[str, Destination] = {}


def register(destination: Destination) -> Destination:
    """Add (or replace, under the same name) a destination."""
    _registry[destination.name] = destination
    return destination


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered() -> dict[str, Destination]:
    return dict(_registry)


def get(name: str) -> Destination | None:
    """The destination `name`, if registered and in use."""
    if name not in settings.OUTBOX_DESTINATIONS:
        return None
    return _registry.get(name)


def in_use() -> list[Destination]:
    """The registered destinations named in `settings.OUTBOX_DESTINATIONS`, in that order."""
    return [_registry[name] for name in settings.OUTBOX_DESTINATIONS if name in _registry]


def national_sync_in_use() -> list[str]:
    """The names of the destinations in use that synchronise with the national portal."""
    return [destination.name for destination in in_use() if destination.national_sync]

"""The change log of the reference data: every save and removal of a tracked row becomes an
`AuditRecord` (who, when, through what, before → after), in the same transaction.

Model signals do the recording, so every path that changes these rows is covered alike: the
admin, the catalogue import, a command, the shell. Who acts comes from `acting`: the signed-in
user of a web request (`ActorMiddleware`) or what a command declares; failing both, the
record names the command line that ran. Queryset `update()` and `bulk_create()` bypass
signals: code that changes tracked rows does not use them."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse

from motcua.core.models import AuditRecord, ChangeKind

HIDDEN = "<hidden>"


@dataclass(frozen=True)
class Tracked:
    """How one model is logged: fields left out (derived, or touched on every use) and
    fields whose values are never copied (secrets): only the fact that they changed."""

    ignored: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


TRACKED = {
    "catalog.Unit": Tracked(),
    "catalog.Procedure": Tracked(),
    "catalog.ProcedureVersion": Tracked(ignored=("name_folded", "content_hash")),
    "calendars.DayOverride": Tracked(ignored=("updated_at",)),
    "accounts.User": Tracked(ignored=("last_login",), hidden=("password",)),
    "accounts.Membership": Tracked(),
    "api.ApiToken": Tracked(ignored=("last_used_at",), hidden=("key_hash",)),
}


@dataclass(frozen=True)
class Actor:
    user: Callable[[], Any]  # the user, looked up when a record is written (or None)
    via: str


_ACTOR: ContextVar[Actor | None] = ContextVar("motcua_change_actor", default=None)


@contextmanager
def acting(*, by: Any = None, via: str) -> Iterator[None]:
    """Changes made inside are recorded as made by `by` (a user, or None) through `via`."""
    token = _ACTOR.set(Actor(lambda: by, via))
    try:
        yield
    finally:
        _ACTOR.reset(token)


class ActorMiddleware:
    """Web requests act as their signed-in user, through "<METHOD> <path>"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _ACTOR.set(Actor(lambda: request.user, f"{request.method} {request.path}"[:300]))
        try:
            return self.get_response(request)
        finally:
            _ACTOR.reset(token)


def connect() -> None:
    """Connect the recording signals to every tracked model (CoreConfig.ready)."""
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"motcua-changes-{label}"
        pre_save.connect(_remember, sender=model, dispatch_uid=uid)
        post_save.connect(_record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_record_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_record_m2m, sender=through, dispatch_uid=f"{uid}-{field.name}")


# --- snapshots ---------------------------------------------------------------------------


def _tracked(model: type[models.Model]) -> Tracked:
    return TRACKED[model._meta.label]


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's own columns as JSON values (foreign keys as ids), secrets hidden."""
    rules = _tracked(type(instance))
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in rules.ignored:
            continue
        value = HIDDEN if field.name in rules.hidden else getattr(instance, field.attname)
        values[field.name] = value
    return _as_json(values)


def _as_json(values: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return loaded


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Before a save: the row as stored, to compare with what is saved."""
    before, secrets = None, []
    if instance.pk is not None and not instance._state.adding:
        stored = sender._base_manager.filter(pk=instance.pk).first()
        if stored is not None:
            before = snapshot(stored)
            secrets = [
                name
                for name in _tracked(sender).hidden
                if getattr(stored, name) != getattr(instance, name)
            ]
    instance._motcua_before = before  # type: ignore[attr-defined]
    instance._motcua_secrets_changed = secrets  # type: ignore[attr-defined]


def _record_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, "_motcua_before", None)
    after = snapshot(instance)
    if created or before is None:
        _write(ChangeKind.CREATED, instance, {}, after)
        return
    changed = [name for name in after if before.get(name) != after[name]]
    old = {name: before[name] for name in changed}
    new = {name: after[name] for name in changed}
    for name in getattr(instance, "_motcua_secrets_changed", []):
        old[name], new[name] = HIDDEN, f"{HIDDEN} (changed)"
    if new:
        _write(ChangeKind.CHANGED, instance, old, new)


def _record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _write(ChangeKind.DELETED, instance, snapshot(instance), {})


def _record_m2m(
    sender: Any, instance: models.Model, action: str, reverse: bool, **kwargs: Any
) -> None:
    """A many-to-many set (a version's other agencies, a user's groups) changed: the ids
    before and after, on the row that changed it, if that row is tracked."""
    name = _m2m_name(instance, sender, reverse=reverse)
    if name is None:
        return
    ids = sorted(getattr(instance, name).values_list("pk", flat=True))
    if action.startswith("pre_"):
        instance._motcua_m2m_before = ids  # type: ignore[attr-defined]
    elif action.startswith("post_"):
        before = getattr(instance, "_motcua_m2m_before", None)
        if before is not None and before != ids:
            _write(ChangeKind.CHANGED, instance, {name: before}, {name: ids})


def _m2m_name(instance: models.Model, through: Any, *, reverse: bool) -> str | None:
    """The attribute of `instance` that the many-to-many table `through` backs."""
    if instance._meta.label not in TRACKED:
        return None
    if not reverse:
        for field in instance._meta.many_to_many:
            if field.remote_field.through is through:
                return field.name
    for relation in instance._meta.related_objects:
        if relation.many_to_many and relation.through is through:  # type: ignore[attr-defined]
            return relation.get_accessor_name()
    return None


def _write(
    kind: str, instance: models.Model, before: dict[str, Any], after: dict[str, Any]
) -> None:
    user, via = _actor()
    AuditRecord.objects.create(
        actor_id=getattr(user, "pk", None),
        actor_name=str(user)[:200] if user is not None else "",
        via=via,
        kind=kind,
        model=instance._meta.label_lower,
        object_id=str(instance.pk)[:64],
        object_repr=str(instance)[:300],
        before=before,
        after=after,
    )


def _actor() -> tuple[Any, str]:
    actor = _ACTOR.get()
    if actor is None:
        return None, _command_line()
    user = actor.user()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return user, actor.via


def _command_line() -> str:
    """The program and its subcommand ("motcua createsuperuser"); never its other
    arguments, which may hold secrets."""
    argv = sys.argv or ["?"]
    return " ".join([Path(argv[0]).name, *argv[1:2]])[:300]

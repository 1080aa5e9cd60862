"""Permission predicates: who may do what, where. Interfaces ask these; they never guess."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.accounts.models import Role, User
from motcua.catalog.models import Unit


def counter_units(user: User) -> QuerySet[Unit]:
    """Units at whose counter the user may receive dossiers."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    return Unit.objects.filter(
        memberships__user=user,
        memberships__role=Role.COUNTER_OFFICER,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def can_receive_at(user: User, unit: Unit) -> bool:
    """A counter officer of the unit, or the system replaying history anywhere below its unit."""
    if counter_units(user).filter(pk=unit.pk).exists():
        return True
    paths = user.memberships.filter(role=Role.SYSTEM, is_active=True).values_list(
        "unit__path", flat=True
    )
    return any(unit.path.startswith(path) for path in paths)


def can_view_dossier(user: User, dossier: object) -> bool:
    """Staff of the receiving unit, of the deciding agency or of a unit that held one of its
    steps (or above them) see the dossier with its personal data."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    receiving = dossier.receiving_unit  # type: ignore[attr-defined]
    agency = dossier.agency  # type: ignore[attr-defined]
    paths = list(user.memberships.filter(is_active=True).values_list("unit__path", flat=True))
    if any(receiving.path.startswith(p) or agency.path.startswith(p) for p in paths):
        return True
    # a co-ordinating unit (liên thông) sees the dossiers it was asked to act on
    step_paths = dossier.steps.values_list("unit__path", flat=True)  # type: ignore[attr-defined]
    return any(step.startswith(p) for step in step_paths for p in paths)

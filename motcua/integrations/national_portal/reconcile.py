"""Reconciliation with the portal: the dossiers whose status on the portal differs from ours,
and a new outbox message of the current status for each of them on request.

The dossiers looked at are those with a `national_portal` outbox message created on the day
(Vietnam's time): the ones whose status was sent, or should have been, that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from motcua.core.clock import site_zone
from motcua.core.errors import MotcuaError
from motcua.dossiers.models import Dossier
from motcua.integrations.national_portal import mapping, status
from motcua.integrations.national_portal.client import PortalClient
from motcua.outbox.models import OutboxMessage


@dataclass
class Difference:
    dossier: str  # our code
    portal_code: str  # MaHoSo
    ours: str  # our TrangThaiHoSo
    remote: str | None  # the portal's (None: it does not know the dossier)
    resent: int | None = None  # the resend's outbox message id
    not_resent: str = ""  # why not (stream_pending: its own messages are still queued)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def differences(
    day: date, *, resend: bool = False, client: PortalClient | None = None
) -> list[Difference]:
    client = client or PortalClient()
    start = datetime.combine(day, time.min, tzinfo=site_zone())
    ids = (
        OutboxMessage.objects.filter(
            destination=status.NAME,
            created_at__gte=start,
            created_at__lt=start + timedelta(days=1),
        )
        .values_list("dossier_id", flat=True)
        .distinct()
    )
    found = []
    for dossier in Dossier.objects.filter(pk__in=list(ids)).order_by("code"):
        ours = mapping.status_code(dossier.status)
        code = status.portal_code(dossier)
        remote = client.remote_status(code)
        if remote == ours:
            continue
        difference = Difference(dossier=dossier.code, portal_code=code, ours=ours, remote=remote)
        if resend:
            try:
                difference.resent = status.resend(dossier).pk
            except MotcuaError as error:
                difference.not_resent = error.code
        found.append(difference)
    return found

"""The one place the application asks what time it is, so tests can pin it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from motcua.core.errors import ValidationFailed


def now() -> datetime:
    return timezone.now()


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime) -> datetime:
    return moment.astimezone(site_zone())


# The instants motcua accepts from outside (API, commands): a legal clock computed far outside
# them means a typing error, and Python's dates end at year 9999 anyway.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def in_supported_range(moment: datetime) -> bool:
    """True if `moment` (aware) lies in [EARLIEST, LATEST); a moment so near year 1 or 9999
    that it cannot even be turned into UTC is outside."""
    try:
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:
        return False


def day_in_supported_range(day: date, what: str) -> date:
    """A local date from outside (a command's --from, --to, --period): `day`, or a refusal
    `date_out_of_range` when it lies outside the supported range (near year 1 or 9999 no
    instant of it can even be stored)."""
    if not EARLIEST.date() <= day < LATEST.date():
        raise ValidationFailed(
            f"{what}: {day.isoformat()} nằm ngoài khoảng hỗ trợ "
            f"({EARLIEST:%Y-%m-%d} đến trước {LATEST:%Y-%m-%d}).",
            code="date_out_of_range",
        )
    return day

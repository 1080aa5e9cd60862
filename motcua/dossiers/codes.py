"""Dossier codes (mã hồ sơ), docs/domain/codes.md: `<agency identity code>-<YYMMDD>-<sequence>`.

The sequence counts dossiers received by one unit on one day, from 0001, with no gap and no
repeat: it is taken inside the intake transaction, so a failed intake gives its number back."""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from motcua.catalog.models import Unit
from motcua.dossiers.models import DossierCodeCounter

CODE_PATTERN = re.compile(r"^[A-Z0-9]+(\.[A-Z0-9]+)*-\d{6}-\d{4,7}$")


def format_code(prefix: str, day: date, sequence: int) -> str:
    return f"{prefix}-{day:%y%m%d}-{sequence:04d}"


def is_valid_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


def take_sequence(unit: Unit, day: date) -> int:
    """The next number of the day for `unit`. Must run inside the intake's transaction: the
    row stays locked until it commits, so concurrent intakes queue for their numbers."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_sequence must run inside a transaction")
    rows = DossierCodeCounter.objects.filter(unit=unit, day=day)
    if not rows.update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():
                DossierCodeCounter.objects.create(unit=unit, day=day, last_value=1)
            return 1
        except IntegrityError:  # another intake created the day's row first
            rows.update(last_value=F("last_value") + 1)
    return rows.values_list("last_value", flat=True).get()


def issue_code(unit: Unit, day: date) -> str:
    return format_code(unit.dossier_prefix, day, take_sequence(unit, day))


def move_code_sequences(old: Unit, into: Unit, *, since: date) -> int:
    """On a merge, the day counters of `old` from `since` on carry over to `into` where the
    two issue codes under the same identity prefix (the survivor took over the merged unit's
    identity code): `into` then goes on numbering after the last code `old` issued that day,
    never repeating one. Under different prefixes their codes cannot meet and nothing moves
    (moving a count would leave a gap in the survivor's own sequence). Returns how many day
    counters carried over. Runs inside the merge's transaction."""
    if old.dossier_prefix != into.dossier_prefix:
        return 0
    moved = 0
    for counter in DossierCodeCounter.objects.filter(unit=old, day__gte=since):
        target, _ = DossierCodeCounter.objects.select_for_update().get_or_create(
            unit=into, day=counter.day
        )
        if counter.last_value > target.last_value:
            target.last_value = counter.last_value
            target.save(update_fields=["last_value"])
            moved += 1
    return moved

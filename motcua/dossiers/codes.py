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

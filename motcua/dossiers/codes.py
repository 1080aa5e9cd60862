"""Dossier codes (mã hồ sơ), docs/domain/codes.md: `<agency identity code>-<YYMMDD>-<sequence>`.

The sequence counts dossiers received by one unit on one day, from 0001, with no gap and no
repeat: it is taken inside the intake transaction, so a failed intake gives its number back.
Codes also arrive from elsewhere (imports of history bring their own), so the counter never
trusts itself alone: a code written with its own number raises the day's counter in the same
transaction, and issuing steps over any number that is already taken (decision 0003)."""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest, Replace, Upper

from motcua.catalog.models import Unit
from motcua.dossiers.models import Dossier, DossierCodeCounter

CODE_PATTERN = re.compile(r"^[A-Z0-9]+(\.[A-Z0-9]+)*-\d{6}-\d{4,7}$")


def format_code(prefix: str, day: date, sequence: int) -> str:
    return f"{prefix}-{day:%y%m%d}-{sequence:04d}"


def is_valid_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


def issue_code(unit: Unit, day: date) -> str:
    """A new code for a dossier received by `unit` on `day`; inside the intake's transaction."""
    return format_code(unit.dossier_prefix, day, take_sequence(unit, day))


def take_sequence(unit: Unit, day: date) -> int:
    """The next free number of the day for `unit`. Must run inside the intake's transaction:
    the counter row stays locked until it commits, so concurrent intakes queue for their
    numbers, and a number is only handed out once nobody holds a dossier under it."""
    _require_transaction()
    sequence = _increment(unit, day, F("last_value") + 1)
    if not Dossier.objects.filter(code=format_code(unit.dossier_prefix, day, sequence)).exists():
        return sequence
    # Someone wrote codes of this day without this counter (a restored backup, a unit that
    # shares the prefix): move past the highest of them, as an import would have.
    past = highest_taken(unit.dossier_prefix, day) + 1
    return _increment(unit, day, Greatest(F("last_value"), Value(past)))


def record_code(code: str) -> str:
    """A dossier is about to be written under a code it brought (an import of history): raise
    the counters that could issue that code to at least its number, in the caller's
    transaction, so that later intakes on that day start after it."""
    _require_transaction()
    prefix, day, sequence = parse_code(code)
    if day is not None:  # else no counter can ever issue it
        for unit in sorted(units_with_prefix(prefix), key=lambda unit: unit.pk):
            _increment(unit, day, Greatest(F("last_value"), Value(sequence)), first=sequence)
    return code


def parse_code(code: str) -> tuple[str, date | None, int]:
    """The prefix, the day (None if YYMMDD names no day) and the sequence of a valid code.
    Codes carry a two-digit year: motcua issues them from 2000 on."""
    prefix, yymmdd, sequence = code.rsplit("-", 2)
    try:
        day = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        day = None
    return prefix, day, int(sequence)


def highest_taken(prefix: str, day: date) -> int:
    """The highest sequence among the dossiers coded `<prefix>-<YYMMDD>-…`, 0 if none."""
    head = format_code(prefix, day, 0).rsplit("-", 1)[0] + "-"
    codes = Dossier.objects.filter(code__startswith=head).values_list("code", flat=True)
    return max((int(code.rsplit("-", 1)[1]) for code in codes if is_valid_code(code)), default=0)


def units_with_prefix(prefix: str) -> list[Unit]:
    """The units whose dossier codes start with `prefix`: the one with that identity code, or
    those without one whose own code spells it (separators aside)."""
    compact = Upper(Replace(Replace(Replace(F("code"), Value("-")), Value("_")), Value(".")))
    candidates = Unit.objects.annotate(compact=compact).filter(
        Q(identity_code=prefix) | Q(identity_code="", compact=prefix.replace(".", ""))
    )
    found = {unit.pk: unit for unit in candidates}
    return [unit for unit in found.values() if unit.dossier_prefix == prefix]


def _increment(unit: Unit, day: date, value: Combinable, *, first: int = 1) -> int:
    """Set the counter of (`unit`, `day`) to `value` (an expression of its last value) and
    return the result; the row is created (at `first`) if the day has none yet. The UPDATE
    takes the row lock that serialises intakes."""
    rows = DossierCodeCounter.objects.filter(unit=unit, day=day)
    if not rows.update(last_value=value):
        try:
            with transaction.atomic():
                DossierCodeCounter.objects.create(unit=unit, day=day, last_value=first)
            return first
        except IntegrityError:  # another transaction created the day's row first
            rows.update(last_value=value)
    return rows.values_list("last_value", flat=True).get()


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


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier codes are taken inside the transaction that writes them")

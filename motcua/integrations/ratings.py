"""The ratings format `motcua.ratings/1` (docs/interchange/ratings.md): import and export.

One completed rating form per line. A form is recognised when it comes again by its
`source_key`:
- a line with an `id` (the source system's identifier): the SHA-256 of its unit and id;
- a line without one: the SHA-256 of its canonical content (unit, moment in UTC, channel,
  dossier, answers — not the line's spelling) and of its occurrence in the file. Two identical
  lines are two ratings (a busy kiosk records the same answer twice in a minute): the second
  is the content's 2nd occurrence, a key of its own. The first occurrence's key is the content
  hash alone, as it always was, so files imported before keep being recognised.
Re-importing a file, or an export of the same data with its times written in another offset,
changes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from motcua.accounts.models import Membership, User
from motcua.catalog.models import Unit
from motcua.core.clock import now
from motcua.core.errors import ValidationFailed
from motcua.core.text import TextTooLong, fitted
from motcua.dossiers.actions import CLOCK_SKEW
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating, RatingChannel
from motcua.feedback.services import questions, record_imported
from motcua.integrations.jsonl import (
    ALREADY_IMPORTED,
    IMPORTED,
    LineRejected,
    Occurrences,
    Progress,
    Rejection,
    RunSummary,
    Source,
    format_moment,
    parse_moment,
    run_lines,
    start_of_day,
    write_lines,
)

FORMAT = "motcua.ratings/1"
MAX_ID_LENGTH = 200


def source_key(*, unit: str, at: datetime, channel: str, dossier: str | None, answers: dict) -> str:
    canonical = {
        "unit": unit,
        "at": at.astimezone(UTC).isoformat(),
        "channel": channel,
        "dossier": dossier,
        "answers": answers,
    }
    return _digest(canonical)


def occurrence_key(content_key: str, occurrence: int) -> str:
    """The key of the `occurrence`-th identical line (1-based) of a file."""
    if occurrence == 1:
        return content_key
    return _digest({"content": content_key, "occurrence": occurrence})


def id_key(*, unit: str, source_id: str) -> str:
    """The key of a line that carries the source system's `id` (unique within its unit)."""
    return _digest({"unit": unit, "id": source_id})


def _digest(canonical: dict[str, Any]) -> str:
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class RatingImporter:
    """Look-ups bounded by the catalogue (units, scales), never by the file; the count of
    identical lines is kept on disk (`Occurrences`)."""

    def __init__(self) -> None:
        self._units: dict[str, Unit | None] = {}
        self._officers: dict[tuple[str, int], User | None] = {}
        self._scales = {q.key: {code for code, _w in q.answers} for q in questions()}
        self.occurrences = Occurrences()

    def _unit(self, code: str) -> Unit | None:
        if code not in self._units:
            self._units[code] = Unit.objects.filter(code=code).first()
        return self._units[code]

    def handle(self, item: dict[str, Any]) -> str:
        code = item.get("unit")
        if not isinstance(code, str) or not code:
            raise LineRejected(f"unit is required (a unit code), got {code!r}")
        unit = self._unit(code)
        if unit is None:
            raise LineRejected(f"unknown unit {code!r}")
        at = parse_moment(item.get("at"), "at")
        if at > now() + CLOCK_SKEW:
            raise LineRejected(f"at is in the future: {item.get('at')!r}")
        channel = item.get("channel")
        if channel not in RatingChannel.values:
            raise LineRejected(f"channel must be one of {RatingChannel.values}, got {channel!r}")
        dossier_code = item.get("dossier")
        dossier_id = None
        if dossier_code is not None:
            if not isinstance(dossier_code, str):
                raise LineRejected(f"dossier must be a dossier code, got {dossier_code!r}")
            dossier_id = (
                Dossier.objects.filter(code=dossier_code).values_list("id", flat=True).first()
            )
            if dossier_id is None:
                raise LineRejected(f"unknown dossier {dossier_code!r}")
        answers = self._answers(item.get("answers"))
        officer = self._officer(item.get("officer"), unit)
        source_id = _source_id(item.get("id"))
        if source_id:
            key = id_key(unit=code, source_id=source_id)
        else:
            content = source_key(
                unit=code, at=at, channel=channel, dossier=dossier_code, answers=answers
            )
            key = occurrence_key(content, self.occurrences.next(content))
        if Rating.objects.filter(source_key=key).exists():
            return ALREADY_IMPORTED
        try:
            with transaction.atomic():
                record_imported(
                    unit=unit,
                    province_code=unit.province_code,
                    at=at,
                    channel=channel,
                    dossier_id=dossier_id,
                    answers=answers,
                    source_key=key,
                    source_id=source_id,
                    officer=officer,
                )
        except IntegrityError:  # the same form, imported meanwhile by another run
            if Rating.objects.filter(source_key=key).exists():
                return ALREADY_IMPORTED
            raise
        return IMPORTED

    def _officer(self, raw: Any, unit: Unit) -> User | None:
        """The officer who served (`officer`, a login name), who has or had a role at the
        rated unit or a unit under it; None when the line names nobody."""
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            raise LineRejected(f"officer must be a login name, got {raw!r}")
        name = raw.strip()
        if (name, unit.pk) not in self._officers:
            roles = Membership.objects.filter(unit__path__startswith=unit.path)
            self._officers[name, unit.pk] = User.objects.filter(
                username=name, pk__in=roles.values("user")
            ).first()
        found = self._officers[name, unit.pk]
        if found is None:
            raise LineRejected(f"unknown officer {name!r} at {unit.code} or the units under it")
        return found

    def _answers(self, raw: Any) -> dict[str, str]:
        if not isinstance(raw, dict) or not raw:
            raise LineRejected("answers must be a non-empty object {scale: value}")
        answers = {}
        for scale, value in sorted(raw.items()):
            if scale not in self._scales:
                raise LineRejected(f"unknown scale {scale!r} (known: {sorted(self._scales)})")
            if value not in self._scales[scale]:
                raise LineRejected(
                    f"answers.{scale}: {value!r} is not a value of the scale "
                    f"(one of {sorted(self._scales[scale])})"
                )
            answers[scale] = value
        return answers


def _source_id(raw: Any) -> str:
    """The optional `id`: a non-empty string or a whole number, kept as text."""
    if raw is None:
        return ""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        raise LineRejected(f"id must be a non-empty string or a whole number, got {raw!r}")
    try:
        return fitted(raw, max_length=MAX_ID_LENGTH, field="id", normalise=_stripped)
    except TextTooLong:
        raise LineRejected(f"id is longer than {MAX_ID_LENGTH} characters") from None


def _stripped(value: str | None) -> str:
    return (value or "").strip()


def import_ratings(
    source: Source,
    *,
    strict: bool = False,
    on_rejected: Rejection,
    progress: Progress | None = None,
) -> RunSummary:
    importer = RatingImporter()
    try:
        return run_lines(
            source,
            importer.handle,
            summary=RunSummary(format=FORMAT, strict=strict),
            on_rejected=on_rejected,
            progress=progress,
        )
    finally:
        importer.occurrences.close()


# --- export -------------------------------------------------------------------------------


def export_ratings(
    write: Callable[[str], object],
    *,
    unit: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    return write_lines(write, rating_lines(unit=unit, since=since, until=until))


def rating_lines(
    *, unit: str | None = None, since: date | None = None, until: date | None = None
) -> Iterator[dict[str, Any]]:
    """The ratings of `unit` (and the units under it) given between the local dates `since`
    and `until` (inclusive), oldest first."""
    ratings = Rating.objects.all()
    if unit is not None:
        root = Unit.objects.filter(code=unit).first()
        if root is None:
            raise ValidationFailed(f"Không có đơn vị {unit}.", code="unknown_unit")
        ratings = ratings.filter(unit__path__startswith=root.path)
    if since is not None:
        ratings = ratings.filter(at__gte=start_of_day(since))
    if until is not None:
        ratings = ratings.filter(at__lt=start_of_day(until + timedelta(days=1)))
    rows = ratings.order_by("at", "source_key").values_list(
        "unit__code", "at", "channel", "dossier__code", "answers", "source_id", "officer__username"
    )
    for unit_code, at, channel, dossier_code, answers, source_id, officer in rows.iterator(
        chunk_size=2000
    ):
        line: dict[str, Any] = {"id": source_id} if source_id else {}
        line |= {
            "unit": unit_code,
            "at": format_moment(at),
            "channel": channel,
            "dossier": dossier_code,
            "answers": {key: answers[key] for key in sorted(answers)},
        }
        yield line | {"officer": officer} if officer else line

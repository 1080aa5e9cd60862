"""The published catalogue (công khai thủ tục hành chính, Decree 118/2025 art. 16): the
procedures in force, found by words typed without accents in any order, and what a citizen
needs to know before coming (documents, fees, time limit per channel, where to submit).

The version in force is `in_force_on` (catalog/models.py); a procedure with several versions in
force on the day shows its latest. Searching folds the query like the stored `name_folded`
(core/text.py `search_key`) and asks every word typed to start a word of the name, or to be
part of the code: the same SQL on both databases; on PostgreSQL a trigram index (migration
0005) answers each `LIKE '% word%'`. Shorter names first: the closer match to the words typed."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length

from motcua.catalog.fees import FeeLine
from motcua.catalog.models import (
    CHANNEL_NAMES,
    SUBMISSION_CHANNELS,
    DurationUnit,
    Level,
    ProcedureVersion,
    Unit,
    UnitKind,
    in_force_on,
)
from motcua.core.text import search_words

MAX_WORDS = 12  # a pasted paragraph is cut to its first words, not turned into 200 LIKEs


def versions_in_force(day: date) -> QuerySet[ProcedureVersion]:
    """One version per procedure: its latest among those in force on `day`."""
    newer = ProcedureVersion.objects.filter(
        in_force_on(day), procedure=OuterRef("procedure"), number__gt=OuterRef("number")
    )
    return ProcedureVersion.objects.filter(in_force_on(day)).exclude(Exists(newer))


def matching(query: str) -> Q:
    """Versions with every word of `query`, in any order, at the start of a word of their
    folded name or anywhere in their code ("ky dang" finds "Đăng ký", "004222" "1.004222")."""
    words = search_words(query)[:MAX_WORDS]
    if not words:
        return Q()
    return reduce(operator.and_, (_word(word) for word in words))


def _word(word: str) -> Q:
    return Q(name_folded__contains=f" {word}") | Q(procedure__code__icontains=word)


def search(query: str, *, day: date) -> QuerySet[ProcedureVersion]:
    """The versions in force on `day` matching `query` (all of them for an empty query),
    closest first: shorter names, then by code."""
    return (
        versions_in_force(day)
        .filter(matching(query))
        .select_related("procedure", "agency")
        .order_by(Length("name_folded"), "procedure__code")
    )


def in_force(code: str, *, day: date) -> ProcedureVersion | None:
    """The version of procedure `code` in force on `day`, or None."""
    return (
        versions_in_force(day)
        .select_related("procedure", "agency")
        .filter(procedure__code=code.strip())
        .first()
    )


@dataclass(frozen=True)
class Channel:
    """A way to submit, with its legal time limit ("Trực tuyến: 17 ngày làm việc")."""

    key: str
    name: str
    duration: str


@dataclass(frozen=True)
class Sheet:
    """Everything the public page shows about one procedure."""

    version: ProcedureVersion
    channels: list[Channel]
    fees: list[FeeLine]
    fee_note: str
    receiving_points: list[Unit]
    result: str
    portal_url: str  # the procedure's page on the national portal, if the catalogue gives one

    @property
    def online(self) -> bool:
        return any(channel.key == "online" for channel in self.channels)


def sheet(version: ProcedureVersion) -> Sheet:
    extra = version.extra or {}
    return Sheet(
        version=version,
        channels=channels(version),
        fees=[FeeLine.of(entry) for entry in version.fees if isinstance(entry, dict)],
        fee_note=str(extra.get("fee_note") or ""),
        receiving_points=receiving_points(version),
        result=str(extra.get("result") or ""),
        portal_url=_portal_url(extra.get("dvcqg_url")),
    )


def _portal_url(value: object) -> str:
    text = str(value or "")
    return text if text.startswith("https://") else ""


def channels(version: ProcedureVersion) -> list[Channel]:
    """The channels a dossier may come through, each with its time limit: those the catalogue
    lists (`channels`), else the counter and, if the procedure is online, the portal."""
    listed = (version.extra or {}).get("channels")
    if not isinstance(listed, list) or not listed:
        listed = ["counter", *(["online"] if version.online != "none" else [])]
    found = []
    for key in SUBMISSION_CHANNELS:
        if key in listed:
            value, unit = version.duration_for(key)
            found.append(Channel(key, str(CHANNEL_NAMES[key]), _duration(version, value, unit)))
    return found


def _duration(version: ProcedureVersion, value: int, unit: str) -> str:
    if version.same_day_cutoff is not None:
        return version.duration_label
    return f"{value} {DurationUnit(unit).label}"


def receiving_points(version: ProcedureVersion) -> list[Unit]:
    """Where to hand the dossier in: the commune centres for a commune procedure, else the
    province's centre and its branches; active receiving units of the agency's province."""
    kinds = (
        [UnitKind.COMMUNE_CENTER]
        if version.level == Level.COMMUNE
        else [UnitKind.PROVINCE_CENTER, UnitKind.BRANCH]
    )
    return list(
        Unit.objects.filter(
            province_code=version.agency.province_code, kind__in=kinds, is_active=True
        ).order_by("path")
    )

"""The dossiers or ratings behind a number (truy xuất hồ sơ của từng chỉ tiêu).

`dossiers(spec, "resolved.late")` filters by the same `Q` the aggregate counts with
(`figures.definitions`), so a figure always equals the size of its list. The Decision 766
indicators' numerators and denominators are lists too: a figure key, one of
`indicators.DOSSIER_KEYS` (the same `Q`s their aggregate counts) or, for the ratings of 5.4,
one of `indicators.RATING_KEYS` (`ratings`). With `group` (from a `--by` row) a list of
dossiers is the row's share.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.queueing.models import Outcome, Ticket, TicketStatus
from motcua.reports import indicators
from motcua.reports.explanations import explain
from motcua.reports.figures import KEYS, LABELS, ReportSpec, definitions, scoped
from motcua.reports.ratings import question_index, rating_filter
from motcua.reports.rows import Grouping, group_filter
from motcua.reports.visits import served_q, tickets_of

DOSSIER_KEYS: tuple[str, ...] = (*KEYS, *indicators.DOSSIER_KEYS)
RATING_KEYS = indicators.RATING_KEYS

__all__ = ["DOSSIER_KEYS", "KEYS", "RATING_KEYS", "dossiers", "label", "ratings"]


def _unknown(key: str, known: tuple[str, ...]) -> ValidationFailed:
    return ValidationFailed(f"Không có chỉ tiêu {key}.", code="unknown_figure", known=list(known))


def _dossier_q(spec: ReportSpec, key: str) -> Q:
    if key in KEYS:
        return definitions(spec)[key]
    if key in indicators.DOSSIER_KEYS:
        return indicators.dossier_definitions(spec)[key]
    raise _unknown(key, DOSSIER_KEYS)


def dossiers(
    spec: ReportSpec,
    key: str,
    *,
    by: Grouping | str | None = None,
    group: str | None = None,
) -> QuerySet[Dossier]:
    """The dossiers counted by figure `key` ("carried_over", "pending.awaiting_supplement",
    "online_service.resolved.total", …) or indicator list `key` ("indicator.in_time") of the
    report `spec`; with `by` and `group`, only those of that row (a unit or agency code, or a
    procedure code)."""
    selected = scoped(spec).filter(_dossier_q(spec, key))
    if by is not None:
        if group is None:
            raise ValueError("a row is chosen by both `by` and `group`")
        selected = selected.filter(group_filter(Grouping(by), group, spec))
    return selected.order_by("received_at", "pk")


def ratings(spec: ReportSpec, key: str) -> QuerySet[Rating]:
    """The ratings counted by `key` of `RATING_KEYS` in the report `spec`, oldest first."""
    if key not in RATING_KEYS:
        raise _unknown(key, RATING_KEYS)
    chosen = indicators.RATING_DEFINITIONS[key]
    return Rating.objects.filter(rating_filter(spec)).filter(chosen).order_by("at", "pk")


def label(key: str) -> Promise:
    """The heading of the list `key` (lazy)."""
    labels = LABELS | indicators.DOSSIER_LABELS | indicators.RATING_LABELS
    if key not in labels:
        raise _unknown(key, (*DOSSIER_KEYS, *RATING_KEYS))
    return labels[key]


def explanation(key: str, spec: ReportSpec) -> str:
    """What the list `key` holds, in words (a figure's formula, an indicator list's rule)."""
    if key in KEYS:
        return explain(key, spec)
    return str(indicators.LIST_EXPLANATIONS[key])


# --- the hall's visits and the positive answers to a question ----------------------------------

VISIT_KEYS = ("visits.tickets", "visits.served", "visits.no_show", "visits.guidance_only")
VISIT_LABELS = {
    "visits.tickets": gettext_lazy("Vé đã cấp"),
    "visits.served": gettext_lazy("Lượt đã phục vụ"),
    "visits.no_show": gettext_lazy("Vắng mặt khi được gọi"),
    "visits.guidance_only": gettext_lazy("Lượt chỉ hướng dẫn"),
}
POSITIVE = "positive:"  # + a question's key: the ratings answering it positively


def visit_tickets(spec: ReportSpec, key: str) -> QuerySet[Ticket]:
    """The tickets counted by `key` of `VISIT_KEYS` in the report's `visits` (the same filters
    as `visits.compute_visits`), in the order they were drawn."""
    chosen = {
        "visits.tickets": Q(),
        "visits.served": served_q(),
        "visits.no_show": Q(status=TicketStatus.NO_SHOW),
        "visits.guidance_only": served_q() & Q(outcome=Outcome.GUIDANCE_ONLY),
    }
    if key not in chosen:
        raise _unknown(key, VISIT_KEYS)
    return tickets_of(spec).filter(chosen[key]).order_by("issued_at", "pk")


def positive_keys() -> tuple[str, ...]:
    return tuple(POSITIVE + key for key in question_index())


def positive_ratings(spec: ReportSpec, key: str) -> QuerySet[Rating]:
    """The ratings answering question `key` (after `POSITIVE`) with a positive answer."""
    question = question_index().get(key.removeprefix(POSITIVE))
    if not key.startswith(POSITIVE) or question is None:
        raise _unknown(key, positive_keys())
    either = Q(pk__in=[])
    for code in question.scale.positive_codes():
        either |= Q(**{f"answers__{question.key}": code})
    return Rating.objects.filter(rating_filter(spec)).filter(either).order_by("at", "pk")


def positive_label(key: str) -> str:
    question = question_index().get(key.removeprefix(POSITIVE))
    return str(question.label) if question else key

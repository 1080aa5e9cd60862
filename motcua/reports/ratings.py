"""Citizens' ratings in a report: how many forms, per question how many gave each answer
(every value of every scale listed, zeros included), and per question the share of positive
answers, for the whole scope, per unit and per officer. A question is a one-question scale
(`overall`) or a criterion of a multi-criterion scale (`one_stop.c3_contacts`). One aggregate
query over `Rating` for the counts, one GROUP BY for each breakdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform

from motcua.feedback.models import Rating, RatingScale
from motcua.reports.figures import ReportSpec, scope_q

BUILT_IN_FIRST = ("overall", "attitude", "one_stop")


@dataclass(frozen=True)
class Positive:
    answered: int
    positive: int

    @property
    def share(self) -> str | None:
        """Percent with two decimals as a string ("95.00"), None when nobody answered."""
        if not self.answered:
            return None
        value = Decimal(100 * self.positive) / Decimal(self.answered)
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    def as_dict(self) -> dict[str, Any]:
        return {"answered": self.answered, "positive": self.positive, "share": self.share}


@dataclass(frozen=True)
class Breakdown:
    """One unit's or one officer's ratings: how many forms, and per question the positives."""

    key: str
    name: str
    total: int
    questions: dict[str, Positive]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "total": self.total,
            "questions": {k: p.as_dict() for k, p in self.questions.items()},
        }


@dataclass(frozen=True)
class Ratings:
    total: int
    scales: dict[str, dict[str, int]]  # question key → answer code → count, in scale order
    positive: dict[str, Positive] = field(default_factory=dict)  # question key → positives
    by_unit: list[Breakdown] = field(default_factory=list)
    by_officer: list[Breakdown] | None = None  # only when asked (directors)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, **self.scales}

    def sections(self) -> dict[str, Any]:
        """The report's `ratings_positive`, `ratings_by_unit` and (if computed)
        `ratings_by_officer` (docs/interchange/report.md)."""
        found: dict[str, Any] = {
            "ratings_positive": {k: p.as_dict() for k, p in self.positive.items()},
            "ratings_by_unit": [row.as_dict() for row in self.by_unit],
        }
        if self.by_officer is not None:
            found["ratings_by_officer"] = [row.as_dict() for row in self.by_officer]
        return found


def scales() -> list[RatingScale]:
    """Every scale, the built-in ones first."""
    found = list(RatingScale.objects.all())
    order = {code: index for index, code in enumerate(BUILT_IN_FIRST)}
    return sorted(found, key=lambda s: (order.get(s.code, len(order)), s.code))


@dataclass(frozen=True)
class QuestionInfo:
    key: str
    label: str
    scale: RatingScale


def question_index() -> dict[str, QuestionInfo]:
    """Every question's key → its words and scale, in report order."""
    return {
        key: QuestionInfo(key, label, scale)
        for scale in scales()
        for key, label in scale.questions()
    }


def rating_filter(spec: ReportSpec) -> Q:
    t0, t1 = spec.bounds
    return scope_q(spec, "unit") & Q(at__gte=t0, at__lt=t1)


def compute_ratings(spec: ReportSpec, *, officers: bool = False) -> Ratings:
    questions = list(question_index().values())
    aliases = {f"a{i}": KeyTextTransform(q.key, "answers") for i, q in enumerate(questions)}
    counts: dict[str, Count] = {"total": Count("pk")}
    cells: list[tuple[str, str, str]] = []
    for i, question in enumerate(questions):
        for j, value in enumerate(question.scale.value_codes()):
            name = f"s{i}_{j}"
            counts[name] = Count("pk", filter=Q(**{f"a{i}": value}))
            cells.append((question.key, value, name))
    rows = Rating.objects.filter(rating_filter(spec)).order_by()
    if aliases:
        rows = rows.alias(**aliases)
    result = rows.aggregate(**counts)
    tallies: dict[str, dict[str, int]] = {q.key: {} for q in questions}
    for key, value, name in cells:
        tallies[key][value] = int(result[name] or 0)
    positive = {
        q.key: Positive(
            sum(tallies[q.key].values()),
            sum(tallies[q.key].get(code, 0) for code in q.scale.positive_codes()),
        )
        for q in questions
    }
    by_unit = _breakdown(rows, questions, "unit__code", "unit__name")
    by_officer = (
        _breakdown(rows.filter(officer__isnull=False), questions, "officer__username", None)
        if officers
        else None
    )
    return Ratings(int(result["total"] or 0), tallies, positive, by_unit, by_officer)


def _breakdown(rows: Any, questions: list[QuestionInfo], key: str, name: str | None) -> list:
    """Per group (`key`), the forms and, per question, those answered and those positive:
    tallied from the forms' answers as read (a GROUP BY comparing a JSON key's text is not
    portable: SQLite's JSON_EXTRACT breaks on its parameters)."""
    positive = {q.key: set(q.scale.positive_codes()) for q in questions}
    fields = [key] + ([name] if name else [])
    groups: dict[str, dict[str, Any]] = {}
    for found in rows.values_list(*fields, "answers").iterator(chunk_size=2000):
        group = groups.setdefault(
            str(found[0]), {"name": found[1] if name else "", "total": 0, "per": {}}
        )
        group["total"] += 1
        answers = found[-1] or {}
        for question in questions:
            value = answers.get(question.key)
            if value is None:
                continue
            n, p = group["per"].get(question.key, (0, 0))
            group["per"][question.key] = (n + 1, p + (str(value) in positive[question.key]))
    if name is None:
        from motcua.accounts.models import User

        users = User.objects.filter(username__in=list(groups))
        for user in users:
            groups[user.username]["name"] = str(user)
    order = [q.key for q in questions]
    return [
        Breakdown(
            code,
            str(group["name"] or code),
            group["total"],
            {k: Positive(*group["per"][k]) for k in order if k in group["per"]},
        )
        for code, group in sorted(groups.items())
    ]

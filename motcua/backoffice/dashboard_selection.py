"""What a reports page shows, as chosen in its GET parameters: a unit (by code), a period (a
month, quarter, half-year, year or any dates, under either cut-off convention), the
early/on-time/late rule and whether sub-units count. The parameters are bookmarkable and
Vietnamese like the rest of the site; anything malformed is refused with a message for people
(`ValidationFailed`), never a server error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import Unit
from motcua.core.errors import ValidationFailed
from motcua.reports import periods
from motcua.reports.figures import ReportSpec
from motcua.reports.periods import PeriodConvention, last_ended_month, month_containing
from motcua.workflow.classification import ClassificationRule

FIRST_YEAR, LAST_YEAR = 2000, 2100

# The GET parameters of the reports pages.
P_UNIT, P_SUBUNITS, P_KIND = "don-vi", "cap-duoi", "ky"
P_YEAR, P_MONTH, P_QUARTER, P_HALF = "nam", "thang", "quy", "nua"
P_FROM, P_TO = "tu", "den"
P_CONVENTION, P_RULE = "quy-uoc", "cach-tinh"
P_FIGURE, P_GROUP, P_PAGE = "chi-so", "nhom", "trang"


class PeriodKind(StrEnum):
    MONTH = "thang"
    QUARTER = "quy"
    HALF = "nua-nam"
    YEAR = "nam"
    RANGE = "tu-chon"


PERIOD_KINDS = [
    (PeriodKind.MONTH, gettext_lazy("Tháng")),
    (PeriodKind.QUARTER, gettext_lazy("Quý")),
    (PeriodKind.HALF, gettext_lazy("6 tháng")),
    (PeriodKind.YEAR, gettext_lazy("Năm")),
    (PeriodKind.RANGE, gettext_lazy("Từ ngày… đến ngày…")),
]
CONVENTIONS = [
    (PeriodConvention.CALENDAR, gettext_lazy("Tháng dương lịch (ngày 1 đến cuối tháng)")),
    (PeriodConvention.DAY15, gettext_lazy("Từ ngày 15 tháng trước đến ngày 14")),
]
RULES = [
    (ClassificationRule.DAY, gettext_lazy("Theo ngày (so ngày kết thúc với ngày hẹn trả)")),
    (
        ClassificationRule.HALF_SESSION,
        gettext_lazy("Theo buổi làm việc (so với buổi chứa giờ hẹn trả)"),
    ),
    (ClassificationRule.TIMESTAMP, gettext_lazy("Theo thời điểm (so đến giờ, phút hẹn trả)")),
]


# --- the selection ------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What a dashboard shows: a unit (by code), a period, the convention and the rule."""

    unit_code: str
    kind: PeriodKind
    start: date
    end: date
    year: int = 0
    number: int = 0  # month, quarter or half-year
    convention: PeriodConvention = PeriodConvention.CALENDAR
    rule: ClassificationRule = ClassificationRule.DAY
    include_subunits: bool = True

    def spec(self, unit: Unit, start: date | None = None, end: date | None = None) -> ReportSpec:
        """The report of `unit` for the selection's dates (or `start`..`end`), in the unit's
        own scope (`figures.scope_for`)."""
        return ReportSpec(
            unit=unit,
            start=start or self.start,
            end=end or self.end,
            include_subunits=self.include_subunits,
            rule=self.rule,
        )

    def query(self) -> dict[str, str]:
        """The GET parameters that choose this selection again."""
        params = {
            P_UNIT: self.unit_code,
            P_SUBUNITS: "1" if self.include_subunits else "0",
            P_KIND: self.kind.value,
        }
        if self.kind == PeriodKind.RANGE:
            params |= {P_FROM: self.start.isoformat(), P_TO: self.end.isoformat()}
        else:
            params[P_YEAR] = str(self.year)
            number_param = {
                PeriodKind.MONTH: P_MONTH,
                PeriodKind.QUARTER: P_QUARTER,
                PeriodKind.HALF: P_HALF,
            }.get(self.kind)
            if number_param:
                params[number_param] = str(self.number)
        return params | {P_CONVENTION: self.convention.value, P_RULE: self.rule.value}

    @property
    def last_month(self) -> tuple[int, int]:
        """The (year, month) the period ends in, under its convention."""
        return month_containing(self.end, self.convention)

    @property
    def rule_label(self) -> str:
        return str(dict(RULES)[self.rule])

    @property
    def convention_label(self) -> str:
        return str(dict(CONVENTIONS)[self.convention])

    @property
    def dates(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            name = _("Tháng %(month)d/%(year)d") % {"month": self.number, "year": self.year}
        elif self.kind == PeriodKind.QUARTER:
            name = _("Quý %(quarter)d/%(year)d") % {"quarter": self.number, "year": self.year}
        elif self.kind == PeriodKind.HALF and self.number == 1:
            name = _("6 tháng đầu năm %(year)d") % {"year": self.year}
        elif self.kind == PeriodKind.HALF:
            name = _("6 tháng cuối năm %(year)d") % {"year": self.year}
        elif self.kind == PeriodKind.YEAR:
            name = _("Năm %(year)d") % {"year": self.year}
        else:
            return _("Từ %(start)s đến %(end)s") % {
                "start": f"{self.start:%d/%m/%Y}",
                "end": f"{self.end:%d/%m/%Y}",
            }
        return f"{name} ({self.dates})"


# --- reading the GET parameters -----------------------------------------------------------


def _shown(raw: object) -> str:
    """What was sent, cut short for a message."""
    text = str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


def _invalid(message: str, code: str, **detail: Any) -> ValidationFailed:
    return ValidationFailed(message, code=code, **detail)


def _choice(raw: str | None, choices: list[tuple[Any, Any]], default: Any, message: str) -> Any:
    if raw in (None, ""):
        return default
    for value, _label in choices:
        if raw == value.value:
            return value
    raise _invalid(message % {"value": _shown(raw)}, "invalid_choice", value=_shown(raw))


def _integer(raw: str | None, default: int, low: int, high: int, message: str) -> int:
    if raw in (None, ""):
        return default
    text = str(raw).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise _invalid(message % {"value": _shown(raw)}, "invalid_number", value=_shown(raw))
    return int(text)


def _date(raw: str | None, what: str) -> date:
    text = (raw or "").strip()
    if not text:
        raise _invalid(_("Hãy nhập %(what)s.") % {"what": what}, "missing_date")
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            found = date(year, month, day)
        else:
            found = date.fromisoformat(text)
            if len(text) != 10:
                raise ValueError(text)
    except ValueError:
        raise _invalid(
            _("%(what)s không hợp lệ: «%(value)s». Hãy nhập một ngày có thật, dạng dd/mm/yyyy.")
            % {"what": what[:1].upper() + what[1:], "value": _shown(text)},
            "invalid_date",
            value=_shown(text),
        ) from None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise _invalid(
            _("%(what)s phải trong khoảng năm %(first)d – %(last)d.")
            % {"what": what[:1].upper() + what[1:], "first": FIRST_YEAR, "last": LAST_YEAR},
            "invalid_date",
            value=text,
        )
    return found


def read_selection(
    params: Mapping[str, Any], *, default_unit: str, today: date, month_only: bool = False
) -> Selection:
    """The selection in the GET parameters `params` (a QueryDict: `.get` is the last value),
    defaults filled in: the last ended month, calendar months, the day rule, sub-units
    included. Raises ValidationFailed with a message for people on anything malformed.
    `month_only` (the public page): a month, calendar convention, day rule, sub-units."""
    unit_code = str(params.get(P_UNIT) or default_unit).strip()
    if month_only:
        kind, convention, rule, subunits = (
            PeriodKind.MONTH,
            PeriodConvention.CALENDAR,
            ClassificationRule.DAY,
            True,
        )
    else:
        kind = _choice(
            params.get(P_KIND), PERIOD_KINDS, PeriodKind.MONTH, _("Không có loại kỳ «%(value)s».")
        )
        convention = _choice(
            params.get(P_CONVENTION),
            CONVENTIONS,
            PeriodConvention.CALENDAR,
            _("Không có quy ước kỳ báo cáo «%(value)s»."),
        )
        rule = _choice(
            params.get(P_RULE),
            RULES,
            ClassificationRule.DAY,
            _("Không có cách phân loại trước hạn / đúng hạn / quá hạn «%(value)s»."),
        )
        subunits = str(params.get(P_SUBUNITS, "1")) != "0"
    if kind == PeriodKind.RANGE:
        start = _date(params.get(P_FROM), _("ngày bắt đầu (Từ ngày)"))
        end = _date(params.get(P_TO), _("ngày kết thúc (Đến ngày)"))
        if start > end:
            raise _invalid(
                _(
                    "Kỳ báo cáo không hợp lệ: ngày bắt đầu %(start)s sau ngày kết thúc %(end)s."
                    " Hãy chọn lại Từ ngày – Đến ngày."
                )
                % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
                "invalid_period",
                start=start.isoformat(),
                end=end.isoformat(),
            )
        return Selection(unit_code, kind, start, end, 0, 0, convention, rule, subunits)
    default_year, default_number = last_ended_month(today, convention)
    year = _integer(
        params.get(P_YEAR),
        default_year,
        FIRST_YEAR,
        LAST_YEAR,
        _("Năm phải là số từ %(first)d đến %(last)d, không phải «%%(value)s».")
        % {"first": FIRST_YEAR, "last": LAST_YEAR},
    )
    if kind == PeriodKind.MONTH:
        number = _integer(
            params.get(P_MONTH),
            default_number,
            1,
            12,
            _("Tháng phải là số từ 1 đến 12, không phải «%(value)s»."),
        )
        period = periods.month(year, number, convention)
    elif kind == PeriodKind.QUARTER:
        number = _integer(
            params.get(P_QUARTER),
            (default_number - 1) // 3 + 1,
            1,
            4,
            _("Quý phải là 1, 2, 3 hoặc 4, không phải «%(value)s»."),
        )
        period = periods.quarter(year, number, convention)
    elif kind == PeriodKind.HALF:
        number = _integer(
            params.get(P_HALF),
            1 if default_number <= 6 else 2,
            1,
            2,
            _("Chọn 6 tháng đầu năm (1) hoặc 6 tháng cuối năm (2), không phải «%(value)s»."),
        )
        period = periods.half_year(year, number, convention)
    else:
        number = 0
        period = periods.year(year, convention)
    return Selection(
        unit_code, kind, period.start, period.end, year, number, convention, rule, subunits
    )


def form_values(
    selection: Selection | None, params: Mapping[str, Any], today: date
) -> dict[str, str]:
    """What the filter form shows, as strings: the selection's values, or (when the request
    was refused) what was sent, so that it can be corrected."""
    year, month = last_ended_month(today, PeriodConvention.CALENDAR)
    if selection is not None:
        last_year, last_month = selection.last_month
        return {
            "unit": selection.unit_code,
            "subunits": "1" if selection.include_subunits else "0",
            "kind": selection.kind.value,
            "year": str(selection.year or last_year),
            "month": str(selection.number if selection.kind == PeriodKind.MONTH else last_month),
            "quarter": str(
                selection.number
                if selection.kind == PeriodKind.QUARTER
                else (last_month - 1) // 3 + 1
            ),
            "half": str(
                selection.number if selection.kind == PeriodKind.HALF else 1 + (last_month > 6)
            ),
            "from": selection.start.isoformat(),
            "to": selection.end.isoformat(),
            "convention": selection.convention.value,
            "rule": selection.rule.value,
        }

    def sent(name: str, default: str = "") -> str:
        return str(params.get(name) or default)[:40]

    return {
        "unit": sent(P_UNIT),
        "subunits": "0" if str(params.get(P_SUBUNITS, "1")) == "0" else "1",
        "kind": sent(P_KIND, PeriodKind.MONTH.value),
        "year": sent(P_YEAR, str(year)),
        "month": sent(P_MONTH, str(month)),
        "quarter": sent(P_QUARTER, str((month - 1) // 3 + 1)),
        "half": sent(P_HALF, "1" if month <= 6 else "2"),
        "from": sent(P_FROM),
        "to": sent(P_TO),
        "convention": sent(P_CONVENTION, PeriodConvention.CALENDAR.value),
        "rule": sent(P_RULE, ClassificationRule.DAY.value),
    }


MONTHS = [str(m) for m in range(1, 13)]
QUARTERS = ["1", "2", "3", "4"]


def unit_choices(units: list[Unit]) -> list[tuple[str, str]]:
    """(code, name) for the picker, each name indented by its depth among `units`."""
    choices = []
    for unit in units:
        depth = sum(1 for other in units if other != unit and unit.path.startswith(other.path))
        name = "— " * depth + unit.name
        if not unit.is_active:
            name += " " + _("(ngừng hoạt động)")
        choices.append((unit.code, name))
    return choices

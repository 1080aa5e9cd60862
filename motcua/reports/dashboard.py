"""The reports dashboard's selectors: the period a director picks, the figures laid out with
their shares and their formulas, the twelve-month series behind the charts, the rows by
agency and the ratings. Plain data for the staff page (`backoffice.dashboard`) and the public
one (`portal.statistics`): no request, no HTML.

Every number comes from `build_report` / `compute` (SQL aggregates): no dossier row is read in
Python. A share is rounded half-up to 2 decimals on its own (no forcing a split to 100 %)
and always names its denominator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from motcua.catalog.models import Unit
from motcua.core.errors import ValidationFailed
from motcua.core.templatetags.motcua import vn_number
from motcua.reports import periods
from motcua.reports.figures import (
    ENDED_UNCLASSIFIED,
    FIGURES,
    LABELS,
    Figures,
    Imbalance,
    ReportSpec,
    compute,
)
from motcua.reports.indicators import compute_indicators, texts
from motcua.reports.periods import PeriodConvention
from motcua.reports.ratings import scales
from motcua.reports.report import Report, build_report
from motcua.reports.rows import Grouping
from motcua.workflow.classification import ClassificationRule

TREND_MONTHS = 12
FIRST_YEAR, LAST_YEAR = 2000, 2100

# The GET parameters of the dashboard (bookmarkable, Vietnamese like the rest of the site).
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


# --- numbers and shares ---------------------------------------------------------------------


def number(value: int) -> str:
    """A count the Vietnamese way: 12.345."""
    return vn_number(value)


def hundredths(part: int, whole: int) -> int | None:
    """100 × part / whole in hundredths of a per cent, rounded half up, exactly (integers);
    None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (part * 20000 + whole) // (2 * whole)


def percent(part: int, whole: int) -> str:
    """The share as people read it, "80,50 %" (2 decimals, half up, decimal comma); "—" when
    `whole` is 0."""
    value = hundredths(part, whole)
    if value is None:
        return "—"
    return f"{number(value // 100)},{value % 100:02d} %"


@dataclass(frozen=True)
class Share:
    part: int
    whole: int
    of: str  # the denominator in words: "số đã giải quyết"

    @property
    def text(self) -> str:
        return f"{percent(self.part, self.whole)} {self.of}"


# --- the period a user picks ----------------------------------------------------------------


def month_containing(day: date, convention: PeriodConvention | str) -> tuple[int, int]:
    """The (year, month) whose period holds `day`: under day15, 20 March is in April's."""
    if PeriodConvention(convention) == PeriodConvention.DAY15 and day.day >= 15:
        return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.year, day.month


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def default_month(today: date, convention: PeriodConvention | str) -> tuple[int, int]:
    """The last month that has ended: the one before the month holding `today`."""
    return shift_month(*month_containing(today, convention), -1)


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
    default_year, default_number = default_month(today, convention)
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
    year, month = default_month(today, PeriodConvention.CALENDAR)
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


def form_context(selection: Selection | None, params: Mapping[str, Any], today: date) -> dict:
    """What every dashboard form needs besides the units."""
    return {
        "form": form_values(selection, params, today),
        "months": MONTHS,
        "quarters": QUARTERS,
        "kinds": PERIOD_KINDS,
        "conventions": CONVENTIONS,
        "rules": RULES,
        "agency_columns": AGENCY_COLUMNS,
    }


# --- what each figure counts, in words -----------------------------------------------------

# The figure each one is a part of, and that whole in words (the share's denominator).
PARENTS: dict[str, str] = {
    "carried_over": "to_process",
    "received.total": "to_process",
    **{f"received.{c}": "received.total" for c in ("counter", "online", "postal")},
    "resolved.total": "to_process",
    "returned.total": "to_process",
    "pending.total": "to_process",
    **{f"resolved.{k}": "resolved.total" for k in ("early", "on_time", "late")},
    **{f"returned.{k}": "returned.total" for k in ("unresolved", "withdrawn")},
    **{f"pending.{k}": "pending.total" for k in ("within_time", "overdue", "awaiting_supplement")},
    "online_service.resolved.total": "resolved.total",
    **{
        f"online_service.resolved.{k}": "online_service.resolved.total"
        for k in ("early", "on_time", "late")
    },
    "online_service.resolved_submitted_online": "online_service.resolved.total",
    "five_on_spot.resolved.total": "resolved.total",
    **{
        f"five_on_spot.resolved.{k}": "five_on_spot.resolved.total"
        for k in ("early", "on_time", "late")
    },
}
WHOLES = {
    "to_process": gettext_lazy("tổng số phải giải quyết"),
    "received.total": gettext_lazy("số mới tiếp nhận"),
    "resolved.total": gettext_lazy("số đã giải quyết"),
    "returned.total": gettext_lazy("số trả lại, rút hồ sơ"),
    "pending.total": gettext_lazy("số đang giải quyết"),
    "online_service.resolved.total": gettext_lazy("số đã giải quyết có dịch vụ công trực tuyến"),
    "five_on_spot.resolved.total": gettext_lazy("số đã giải quyết theo mô hình 5 tại chỗ"),
}
# Late and overdue figures are highlighted when they are not zero.
ALERTS = frozenset(
    {
        "resolved.late",
        "pending.overdue",
        "online_service.resolved.late",
        "five_on_spot.resolved.late",
        ENDED_UNCLASSIFIED,
    }
)


def _timeliness_words(kind: str, rule: ClassificationRule) -> str:
    if rule == ClassificationRule.DAY:
        words = {
            "early": _("kết thúc vào một ngày trước ngày hẹn trả"),
            "on_time": _("kết thúc đúng ngày hẹn trả (giờ nào trong ngày cũng được)"),
            "late": _("kết thúc vào một ngày sau ngày hẹn trả"),
        }
    elif rule == ClassificationRule.TIMESTAMP:
        words = {
            "early": _("kết thúc vào một ngày trước ngày hẹn trả"),
            "on_time": _("kết thúc trong ngày hẹn trả, không muộn hơn giờ, phút hẹn trả"),
            "late": _("kết thúc sau giờ, phút hẹn trả"),
        }
    else:
        words = {
            "early": _("kết thúc trước buổi làm việc có giờ hẹn trả"),
            "on_time": _(
                "kết thúc trong buổi làm việc có giờ hẹn trả, không muộn hơn giờ, phút hẹn trả"
            ),
            "late": _("kết thúc sau giờ, phút hẹn trả"),
        }
    return words[kind]


def explain(key: str, spec: ReportSpec) -> str:
    """What figure `key` counts and how it adds up, in Vietnamese, for the spec's period,
    rule and refusal option (the words of `figures.definitions`)."""
    start, end = f"{spec.start:%d/%m/%Y}", f"{spec.end:%d/%m/%Y}"
    period = _("từ 00:00 ngày %(start)s đến hết ngày %(end)s") % {"start": start, "end": end}
    due_note = _(
        "Hạn để so sánh là ngày hẹn trả trên phiếu hẹn (lùi thêm khi chờ bổ sung); nếu đã có "
        "văn bản xin lỗi, hẹn lại thì vẫn so với ngày hẹn trả ban đầu."
    )
    resolved = _(
        "Hồ sơ kết thúc xử lý %(period)s và có kết quả giải quyết (đã có kết quả hoặc đã trả "
        "kết quả)"
    ) % {"period": period}
    if spec.count_denied_as_resolved:
        resolved += _(", kể cả văn bản trả lời từ chối")
    else:
        resolved += _(", không tính văn bản trả lời từ chối (tính vào Trả lại hồ sơ)")
    channels = {
        "counter": _("nộp trực tiếp tại bộ phận một cửa"),
        "online": _("nộp trực tuyến trên Cổng dịch vụ công"),
        "postal": _("nộp qua dịch vụ bưu chính công ích"),
    }
    split = _("Bằng Trước hạn + Đúng hạn + Quá hạn.")
    texts: dict[str, str] = {
        "carried_over": _(
            "Hồ sơ tiếp nhận trước 00:00 ngày %(start)s và chưa kết thúc xử lý trước thời điểm "
            "đó (kết thúc trong kỳ, sau kỳ hoặc vẫn đang giải quyết)."
        )
        % {"start": start},
        "received.total": _(
            "Hồ sơ được tiếp nhận %(period)s (không tính hồ sơ mới nộp chưa tiếp nhận, yêu cầu "
            "bổ sung khi tiếp nhận hoặc từ chối tiếp nhận). Bằng Trực tiếp + Trực tuyến + Qua "
            "bưu chính công ích."
        )
        % {"period": period},
        "to_process": _(
            "Bằng Từ kỳ trước chuyển sang + Mới tiếp nhận trong kỳ; và phải bằng Đã giải quyết "
            "+ Trả lại, rút hồ sơ + Đang giải quyết (kiểm tra cân đối)."
        ),
        "resolved.total": f"{resolved}. {split}",
        "returned.total": _("Bằng Trả lại hồ sơ + Rút hồ sơ, dừng xử lý (kết thúc %(period)s).")
        % {"period": period},
        "returned.unresolved": _(
            "Hồ sơ kết thúc %(period)s bằng việc trả lại hồ sơ, không giải quyết"
        )
        % {"period": period}
        + (
            "." if spec.count_denied_as_resolved else _(", kể cả hồ sơ có văn bản trả lời từ chối.")
        ),
        "returned.withdrawn": _("Hồ sơ kết thúc %(period)s vì người nộp xin rút hoặc dừng xử lý.")
        % {"period": period},
        "pending.total": _(
            "Hồ sơ đã tiếp nhận và chưa kết thúc xử lý vào 24:00 ngày %(end)s. Bằng Trong hạn + "
            "Quá hạn + Chờ bổ sung."
        )
        % {"end": end},
        "pending.within_time": _(
            "Đang giải quyết vào cuối kỳ, không chờ bổ sung, ngày hẹn trả (ban đầu) từ ngày "
            "%(end)s trở đi."
        )
        % {"end": end},
        "pending.overdue": _(
            "Đang giải quyết vào cuối kỳ, không chờ bổ sung, ngày hẹn trả (ban đầu) trước ngày "
            "%(end)s."
        )
        % {"end": end},
        "pending.awaiting_supplement": _(
            "Đang giải quyết vào cuối kỳ và đang tạm dừng chờ người nộp bổ sung, hoàn thiện hồ "
            "sơ (thời gian chờ không tính vào thời hạn giải quyết)."
        ),
        "results_by_post": _(
            "Hồ sơ được trả kết quả qua dịch vụ bưu chính công ích %(period)s, kể cả hồ sơ đã "
            "giải quyết ở kỳ trước. Không thuộc phép cộng của tổng số phải giải quyết."
        )
        % {"period": period},
        "online_service.resolved.total": _(
            "Trong số Đã giải quyết: hồ sơ của thủ tục có dịch vụ công trực tuyến (một phần hoặc "
            "toàn trình), nộp qua bất kỳ kênh nào."
        )
        + " "
        + split,
        "online_service.resolved_submitted_online": _(
            "Trong số đã giải quyết có dịch vụ công trực tuyến: hồ sơ nộp trực tuyến."
        ),
        "five_on_spot.resolved.total": _(
            "Trong số Đã giải quyết: hồ sơ giải quyết theo mô hình “5 tại chỗ” (tiếp nhận, thẩm "
            "định, phê duyệt, đóng dấu và trả kết quả ngay tại Trung tâm)."
        )
        + " "
        + split,
        ENDED_UNCLASSIFIED: _(
            "Hồ sơ kết thúc %(period)s ở một trạng thái không phải kết quả nào (dữ liệu lỗi): "
            "nguyên nhân thường gặp khi báo cáo không cân đối."
        )
        % {"period": period},
    }
    for channel, words in channels.items():
        texts[f"received.{channel}"] = _("Hồ sơ được tiếp nhận %(period)s, %(how)s.") % {
            "period": period,
            "how": words,
        }
    for kind in ("early", "on_time", "late"):
        words = _timeliness_words(kind, spec.rule)
        texts[f"resolved.{kind}"] = _("Trong số Đã giải quyết: %(words)s.") % {"words": words}
        texts[f"resolved.{kind}"] += " " + due_note
        texts[f"online_service.resolved.{kind}"] = _(
            "Trong số đã giải quyết có dịch vụ công trực tuyến: %(words)s."
        ) % {"words": words}
        texts[f"five_on_spot.resolved.{kind}"] = _(
            "Trong số đã giải quyết theo mô hình 5 tại chỗ: %(words)s."
        ) % {"words": words}
    return texts[key]


# --- the figures laid out -------------------------------------------------------------------


def anchor(key: str) -> str:
    """The id of a figure on the dashboard page: "f-resolved-late"."""
    return "f-" + key.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class Cell:
    """A count of one figure, as the page shows it (the agency table's cells)."""

    key: str
    value: int

    @property
    def display(self) -> str:
        return number(self.value)

    @property
    def alert(self) -> bool:
        return self.key in ALERTS and self.value > 0

    @property
    def anchor(self) -> str:
        return anchor(self.key)


@dataclass(frozen=True)
class Figure(Cell):
    """A figure of the report's sections: its count with its label, formula and share."""

    label: str = ""
    explanation: str = ""
    share: Share | None = None
    context: str = ""  # the whole it belongs to, for screen readers ("Đã giải quyết")


@dataclass(frozen=True)
class Block:
    head: Figure
    parts: list[Figure]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    blocks: list[Block]


LAYOUT: list[tuple[str, Any, list[tuple[str, list[str]]]]] = [
    (
        "to-process",
        gettext_lazy("Hồ sơ phải giải quyết"),
        [
            ("carried_over", []),
            ("received.total", [f"received.{c}" for c in ("counter", "online", "postal")]),
            ("to_process", []),
        ],
    ),
    (
        "results",
        gettext_lazy("Kết quả giải quyết trong kỳ"),
        [
            ("resolved.total", [f"resolved.{k}" for k in ("early", "on_time", "late")]),
            ("returned.total", ["returned.unresolved", "returned.withdrawn"]),
        ],
    ),
    (
        "pending",
        gettext_lazy("Đang giải quyết khi hết kỳ"),
        [
            (
                "pending.total",
                [f"pending.{k}" for k in ("within_time", "overdue", "awaiting_supplement")],
            )
        ],
    ),
    (
        "services",
        gettext_lazy("Dịch vụ công trực tuyến, 5 tại chỗ, trả kết quả qua bưu chính"),
        [
            (
                "online_service.resolved.total",
                [
                    *(f"online_service.resolved.{k}" for k in ("early", "on_time", "late")),
                    "online_service.resolved_submitted_online",
                ],
            ),
            (
                "five_on_spot.resolved.total",
                [f"five_on_spot.resolved.{k}" for k in ("early", "on_time", "late")],
            ),
            ("results_by_post", []),
        ],
    ),
]
assert sorted(
    key for _slug, _title, blocks in LAYOUT for head, parts in blocks for key in (head, *parts)
) == sorted(FIGURES)


def figure(key: str, figures: Figures, spec: ReportSpec, context: str = "") -> Figure:
    parent = PARENTS.get(key)
    share = None
    if parent:
        share = Share(figures[key], figures[parent], str(WHOLES[parent]))
    label = str(LABELS[key])  # in the active language: a dashboard is built per request
    return Figure(key, figures[key], label, explain(key, spec), share, context)


def sections(figures: Figures, spec: ReportSpec) -> list[Section]:
    laid_out = []
    for slug, title, blocks in LAYOUT:
        built = []
        for head, parts in blocks:
            top = figure(head, figures, spec)
            built.append(Block(top, [figure(p, figures, spec, top.label) for p in parts]))
        laid_out.append(Section(slug, str(title), built))
    return laid_out


@dataclass(frozen=True)
class ImbalanceText:
    text: str
    unclassified: int  # dossiers ended in no outcome (drill-down "ended_unclassified")


def imbalance_text(imbalance: Imbalance, figures: Figures) -> ImbalanceText:
    parts = " + ".join(str(LABELS[p]) for p in imbalance.parts)
    text = _(
        "%(figure)s là %(value)s nhưng %(parts)s = %(expected)s (chênh lệch %(difference)s)."
    ) % {
        "figure": str(LABELS[imbalance.figure]),
        "value": number(imbalance.value),
        "parts": parts,
        "expected": number(imbalance.expected),
        "difference": f"{imbalance.value - imbalance.expected:+d}",
    }
    return ImbalanceText(text, figures[ENDED_UNCLASSIFIED])


# --- the twelve months behind the charts ---------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    year: int
    month: int
    figures: Figures

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


def trend(selection: Selection, unit: Unit, report: Report | None = None) -> list[MonthPoint]:
    """The figures of each of the `TREND_MONTHS` months that end with the selection's last
    month (same unit, sub-units, convention and rule): one aggregate query per month, the
    selection's own report reused when it is that very month."""
    last_year, last_month = selection.last_month
    points = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        year, month = shift_month(last_year, last_month, -back)
        start, end = periods.month(year, month, selection.convention)
        spec = selection.spec(unit, start, end)
        if report is not None and (report.spec.start, report.spec.end) == (start, end):
            figures = report.figures
        else:
            figures = compute(spec)
        points.append(MonthPoint(year, month, figures))
    return points


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    color: str
    values: list[int]


@dataclass(frozen=True)
class Chart:
    id: str
    kind: str  # "lines" or "stacked"
    title: str
    caption: str
    x: list[str]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The text alternative: one row per month, one column per series."""
        return [
            (label, [number(s.values[i]) for s in self.series]) for i, label in enumerate(self.x)
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "x": self.x,
            "series": [{"name": s.name, "color": s.color, "values": s.values} for s in self.series],
        }


COLOURS = {
    "received.total": "#0b5cad",
    "resolved.total": "#1d6b34",
    "resolved.late": "#a4161a",
    "pending.total": "#8a4b00",
    "resolved.early": "#1d6b34",
    "resolved.on_time": "#0b5cad",
    "received.counter": "#0b5cad",
    "received.online": "#6a3d9a",
    "received.postal": "#8a4b00",
}


def charts(points: list[MonthPoint]) -> list[Chart]:
    x = [point.label for point in points]
    span = f"{x[0]} – {x[-1]}"
    last = points[-1]

    def series(key: str, name: str) -> Series:
        return Series(key, name, COLOURS[key], [p.figures[key] for p in points])

    def caption(chosen: list[Series]) -> str:
        values = ", ".join(f"{s.name.lower()} {number(s.values[-1])}" for s in chosen)
        return _("Tháng %(month)s: %(values)s. Số liệu từng tháng ở bảng bên dưới.") % {
            "month": last.label,
            "values": values,
        }

    trend_series = [
        series("received.total", _("Mới tiếp nhận")),
        series("resolved.total", _("Đã giải quyết")),
        series("resolved.late", _("Giải quyết quá hạn")),
        series("pending.total", _("Đang giải quyết cuối tháng")),
    ]
    timeliness = [
        series("resolved.early", _("Trước hạn")),
        series("resolved.on_time", _("Đúng hạn")),
        series("resolved.late", pgettext("resolved", "Quá hạn")),
    ]
    channels = [
        series("received.counter", _("Trực tiếp")),
        series("received.online", _("Trực tuyến")),
        series("received.postal", _("Qua bưu chính công ích")),
    ]
    return [
        Chart(
            "chart-trend",
            "lines",
            _("Diễn biến 12 tháng (%(span)s)") % {"span": span},
            caption(trend_series),
            x,
            trend_series,
        ),
        Chart(
            "chart-timeliness",
            "stacked",
            _("Hồ sơ đã giải quyết: trước hạn, đúng hạn, quá hạn (%(span)s)") % {"span": span},
            caption(timeliness),
            x,
            timeliness,
        ),
        Chart(
            "chart-channels",
            "stacked",
            _("Hồ sơ mới tiếp nhận theo kênh nộp (%(span)s)") % {"span": span},
            caption(channels),
            x,
            channels,
        ),
    ]


# --- rows by agency, ratings ----------------------------------------------------------------

AGENCY_COLUMNS: list[tuple[str, Any]] = [
    ("received.total", gettext_lazy("Mới tiếp nhận")),
    ("resolved.total", gettext_lazy("Đã giải quyết")),
    ("resolved.late", gettext_lazy("Giải quyết quá hạn")),
    ("pending.overdue", gettext_lazy("Đang giải quyết quá hạn")),
]


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    cells: list[Cell]

    @property
    def alert(self) -> bool:
        return any(cell.alert for cell in self.cells)


def agency_rows(report: Report) -> list[AgencyRow]:
    return [
        AgencyRow(row.key, row.name, [Cell(k, row.figures[k]) for k, _l in AGENCY_COLUMNS])
        for row in report.rows
    ]


@dataclass(frozen=True)
class Answer:
    label: str
    count: int
    share: Share

    @property
    def display(self) -> str:
        return number(self.count)


@dataclass(frozen=True)
class ScaleView:
    code: str
    name: str
    answered: int
    answers: list[Answer]


def rating_views(report: Report) -> list[ScaleView]:
    """Each scale with every answer, its count and its share of the forms that answered."""
    names = {scale.code: scale for scale in scales()}
    views = []
    for code, counts in report.ratings.scales.items():
        scale = names.get(code)
        labels = {str(v[0]): str(v[1]) for v in scale.values} if scale else {}
        answered = sum(counts.values())
        of = _("số phiếu trả lời câu này")
        answers = [
            Answer(labels.get(value, value), count, Share(count, answered, of))
            for value, count in counts.items()
        ]
        views.append(ScaleView(code, scale.name if scale else code, answered, answers))
    return views


# --- the whole dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    selection: Selection
    unit: Unit
    report: Report
    sections: list[Section]
    imbalances: list[ImbalanceText]
    charts: list[Chart]
    agencies: list[AgencyRow]
    ratings: list[ScaleView]
    unfinished: bool  # the period ends today or later: "pending" is as at its end

    @property
    def balanced(self) -> bool:
        return self.report.balanced

    @property
    def ratings_total(self) -> str:
        return number(self.report.ratings.total)

    @property
    def totals(self) -> list[Cell]:
        return [Cell(k, self.report.figures[k]) for k, _l in AGENCY_COLUMNS]

    @cached_property
    def indicators(self) -> list[dict[str, Any]]:
        """The Decision 766 indicators of the report, computed when the page shows them."""
        return [texts(indicator) for indicator in compute_indicators(self.report)]

    def chart_data(self) -> dict[str, Any]:
        """The data island the page's script draws from (no code, only numbers and words)."""
        return {
            "separators": ",.",
            "yTitle": _("Số hồ sơ"),
            "charts": [chart.as_json() for chart in self.charts],
        }


def build_dashboard(selection: Selection, unit: Unit, *, today: date) -> Dashboard:
    """The report of the selection by agency (5 queries) and the twelve months before it
    (one aggregate each)."""
    spec = selection.spec(unit)
    report = build_report(spec, Grouping.AGENCY)
    imbalances = [imbalance_text(i, report.figures) for i in report.figures.imbalances()]
    points = trend(selection, unit, report)
    return Dashboard(
        selection=selection,
        unit=unit,
        report=report,
        sections=sections(report.figures, spec),
        imbalances=imbalances,
        charts=charts(points),
        agencies=agency_rows(report),
        ratings=rating_views(report),
        unfinished=selection.end >= today,
    )


def charts_content_security_policy() -> str:
    """The site's policy with inline styles allowed, for the pages that draw with plotly.js
    only: plotly inserts its own `<style>` element and sets `style` attributes on the SVG it
    draws, which `style-src 'self'` refuses. Scripts stay `'self'` only."""
    policy: str = settings.CONTENT_SECURITY_POLICY
    strict = "style-src 'self'"
    if strict not in policy:
        return policy
    return policy.replace(strict, "style-src 'self' 'unsafe-inline'", 1)

"""The reports dashboard for staff (bảng điều hành): a unit and a period, the published figures
with their formulas and shares, three charts, the table by agency, and behind every number the
list of dossiers it counts (`reports.drilldown`, the same definitions, so the list's length is
the figure).

Who sees what is `accounts.access` (`reportable_units`, `may_report_on`): anyone with an active
membership, for the units of their memberships and every unit under them; the superuser,
everything. A unit they may not report on is refused with 403 (units are public, dossiers are
not: the lists behind the figures only ever hold dossiers of units they may report on)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.backoffice import dashboard_page as board
from motcua.backoffice.dashboard_selection import (
    P_FIGURE,
    P_GROUP,
    P_PAGE,
    Selection,
    read_selection,
    unit_choices,
)
from motcua.catalog.models import Unit
from motcua.core.clock import local, now
from motcua.core.errors import ValidationFailed
from motcua.reports import drilldown
from motcua.reports.explanations import PARENTS
from motcua.reports.figures import KEYS, LABELS
from motcua.reports.formats import RENDERERS
from motcua.reports.formats import render as render_report
from motcua.reports.report import build_report
from motcua.reports.rows import Grouping

PAGE_SIZE = 50


# --- whose units: the rule is `accounts.access` ---------------------------------------------

offered_units = access.reportable_units
may_report_on = access.may_report_on


# --- the pages ------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _chosen(request: HttpRequest) -> tuple[list[Unit], Selection, Unit]:
    user: User = request.user  # type: ignore[assignment]
    offered = offered_units(user)
    if not offered:
        raise _Refused(_("Bạn chưa được phân công ở đơn vị nào nên chưa xem được báo cáo."), 403)
    selection = read_selection(request.GET, default_unit=offered[0].code, today=local(now()).date())
    unit = Unit.objects.filter(code=selection.unit_code).first()
    if unit is None:
        raise ValidationFailed(
            _("Không có đơn vị «%(code)s». Hãy chọn đơn vị trong danh sách.")
            % {"code": selection.unit_code},
            code="unknown_unit",
        )
    if not may_report_on(user, unit):
        raise _Refused(_("Bạn không có quyền xem báo cáo của %(unit)s.") % {"unit": unit.name}, 403)
    return offered, selection, unit


def _form_context(
    offered: list[Unit], selection: Selection | None, request: HttpRequest
) -> dict[str, Any]:
    return board.form_context(selection, request.GET, local(now()).date()) | {
        "units": unit_choices(offered),
        "selection": selection,
        "full_form": True,
    }


def _refusal(request: HttpRequest, offered: list[Unit], message: str, status: int) -> HttpResponse:
    context = _form_context(offered, None, request) | {"error": message}
    return render(request, "reports/dashboard.html", context, status=status)


def _chosen_or_refusal(
    request: HttpRequest,
) -> tuple[list[Unit], Selection, Unit] | HttpResponse:
    """`_chosen`, or the dashboard page explaining why not (403 refused, 422 bad input)."""
    user: User = request.user  # type: ignore[assignment]
    try:
        return _chosen(request)
    except _Refused as refused:
        return _refusal(request, offered_units(user), refused.message, refused.status)
    except ValidationFailed as error:
        return _refusal(request, offered_units(user), error.message, 422)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    chosen = _chosen_or_refusal(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    offered, selection, unit = chosen
    user: User = request.user  # type: ignore[assignment]
    data = board.build_dashboard(
        selection, unit, today=local(now()).date(), officers=access.sees_officers_ratings(user)
    )
    context = _form_context(offered, selection, request) | {
        "board": data,
        "chart_data": data.chart_data(),
        "drill": f"{reverse('backoffice:dashboard_dossiers')}?{urlencode(selection.query())}",
        "drill_visits": (
            f"{reverse('backoffice:dashboard_visits')}?{urlencode(selection.query())}"
        ),
        "drill_ratings": (
            f"{reverse('backoffice:dashboard_ratings')}?{urlencode(selection.query())}"
        ),
        "download_query": urlencode(selection.query()),
    }
    response = render(request, "reports/dashboard.html", context)
    response["Content-Security-Policy"] = board.charts_content_security_policy()
    return response


DOWNLOADS = ("xlsx", "pdf")  # form II.06a with the Decision 766 indicators


@login_required
@require_safe
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's report as form II.06a (by deciding agency), as XLSX or PDF: the same
    query string as the dashboard."""
    if fmt not in DOWNLOADS:
        raise Http404
    chosen = _chosen_or_refusal(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    _offered, selection, unit = chosen
    spec = selection.spec(unit)
    renderer = RENDERERS[fmt]
    officers = access.sees_officers_ratings(request.user)
    content = render_report(build_report(spec, renderer.default_by, officers=officers), fmt)
    name = f"bao-cao-{unit.code}-{spec.start:%Y%m%d}-{spec.end:%Y%m%d}.{renderer.extension}"
    response = HttpResponse(content, content_type=renderer.media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _chosen_list(request: HttpRequest, known: tuple[str, ...]) -> tuple[Selection, Unit, str]:
    """`_chosen`, and the list (`chi-so`) among `known`."""
    _offered, selection, unit = _chosen(request)
    key = str(request.GET.get(P_FIGURE, "")).strip()
    if key not in known:
        raise ValidationFailed(
            _("Không có chỉ tiêu «%(key)s».") % {"key": key}, code="unknown_figure"
        )
    return selection, unit, key


def _back(selection: Selection, key: str) -> str:
    """The dashboard, at the figure or the indicators the list came from."""
    place = board.anchor(key) if key in KEYS else "indicators-title"
    return f"{reverse('backoffice:dashboard')}?{urlencode(selection.query())}#{place}"


@login_required
@require_safe
def dossier_list(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one figure or indicator term (`chi-so`), of one agency's row
    (`nhom`) or of the whole report: the same query string as the dashboard, plus those two."""
    user: User = request.user  # type: ignore[assignment]
    try:
        selection, unit, key = _chosen_list(request, drilldown.DOSSIER_KEYS)
        group = str(request.GET.get(P_GROUP, "")).strip()
        agency = None
        if group:
            agency = Unit.objects.filter(code=group).first()
            if agency is None:
                raise ValidationFailed(
                    _("Không có cơ quan giải quyết «%(code)s».") % {"code": group},
                    code="unknown_group",
                )
    except _Refused as refused:
        return _refusal(request, offered_units(user), refused.message, refused.status)
    except ValidationFailed as error:
        return _refusal(request, offered_units(user), error.message, 422)
    spec = selection.spec(unit)
    found = drilldown.dossiers(
        spec, key, by=Grouping.AGENCY if agency else None, group=agency.code if agency else None
    ).select_related("procedure_version", "agency")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get(P_PAGE))
    query = selection.query() | {P_FIGURE: key}
    if agency:
        query[P_GROUP] = agency.code
    parent = PARENTS.get(key)
    return render(
        request,
        "reports/dashboard_dossiers.html",
        {
            "selection": selection,
            "unit": unit,
            "agency": agency,
            "key": key,
            "label": drilldown.label(key),
            "parent_label": LABELS[parent] if parent and parent != "to_process" else "",
            "explanation": drilldown.explanation(key, spec),
            "working_days": board.working_days(spec, key),
            "page": page,
            "count": board.number(page.paginator.count),
            "query": urlencode(query),
            "back": _back(selection, key),
        },
    )


@login_required
@require_safe
def rating_list(request: HttpRequest) -> HttpResponse:
    """The citizens' ratings behind a term of indicator 5.4 (`chi-so`): the same query
    string as the dashboard, plus that one."""
    user: User = request.user  # type: ignore[assignment]
    try:
        known = (*drilldown.RATING_KEYS, *drilldown.positive_keys())
        selection, unit, key = _chosen_list(request, known)
    except _Refused as refused:
        return _refusal(request, offered_units(user), refused.message, refused.status)
    except ValidationFailed as error:
        return _refusal(request, offered_units(user), error.message, 422)
    spec = selection.spec(unit)
    if key.startswith(drilldown.POSITIVE):
        return _positive_list(request, selection, unit, key)
    found = drilldown.ratings(spec, key).select_related("unit", "dossier")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get(P_PAGE))
    return render(
        request,
        "reports/dashboard_ratings.html",
        {
            "selection": selection,
            "unit": unit,
            "label": drilldown.label(key),
            "explanation": drilldown.explanation(key, spec),
            "page": page,
            "rows": board.rating_rows(page.object_list),
            "count": board.number(page.paginator.count),
            "query": urlencode(selection.query() | {P_FIGURE: key}),
            "back": _back(selection, key),
        },
    )


def _positive_list(request: HttpRequest, selection: Any, unit: Unit, key: str) -> HttpResponse:
    """The ratings answering one question positively (the dashboard's share of positives)."""
    spec = selection.spec(unit)
    found = drilldown.positive_ratings(spec, key).select_related("unit", "dossier")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get(P_PAGE))
    label = _("Hài lòng: %(question)s") % {"question": drilldown.positive_label(key)}
    return render(
        request,
        "reports/dashboard_ratings.html",
        {
            "selection": selection,
            "unit": unit,
            "label": label,
            "explanation": _(
                "Phiếu đánh giá trong kỳ trả lời câu hỏi này bằng một mức được tính là hài lòng."
            ),
            "page": page,
            "rows": board.rating_rows(page.object_list),
            "count": board.number(page.paginator.count),
            "query": urlencode(selection.query() | {P_FIGURE: key}),
            "back": f"{reverse('backoffice:dashboard')}?{urlencode(selection.query())}#sec-visits",
        },
    )


@login_required
@require_safe
def visit_list(request: HttpRequest) -> HttpResponse:
    """The hall's tickets behind a figure of the visits section (`chi-so` among
    `drilldown.VISIT_KEYS`): the same query string as the dashboard, plus that one."""
    user: User = request.user  # type: ignore[assignment]
    try:
        selection, unit, key = _chosen_list(request, drilldown.VISIT_KEYS)
    except _Refused as refused:
        return _refusal(request, offered_units(user), refused.message, refused.status)
    except ValidationFailed as error:
        return _refusal(request, offered_units(user), error.message, 422)
    spec = selection.spec(unit)
    found = drilldown.visit_tickets(spec, key).select_related(
        "group", "counter", "officer", "hall__unit"
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get(P_PAGE))
    return render(
        request,
        "reports/dashboard_visits.html",
        {
            "selection": selection,
            "unit": unit,
            "label": drilldown.VISIT_LABELS[key],
            "page": page,
            "count": board.number(page.paginator.count),
            "query": urlencode(selection.query() | {P_FIGURE: key}),
            "back": f"{reverse('backoffice:dashboard')}?{urlencode(selection.query())}#sec-visits",
        },
    )

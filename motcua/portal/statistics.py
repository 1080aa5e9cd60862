"""Public statistics (công khai số liệu) for the centre's website: the province and its centres,
one month at a time, the headline figures with their formulas, the charts and the table by
agency. Aggregates only: no dossier, no code, no name, no drill-down. Read-only (GET/HEAD),
cacheable, and rate-limited per client like the dossier lookup."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motcua.accounts import access
from motcua.backoffice import dashboard_page as board
from motcua.backoffice.dashboard_selection import (
    Selection,
    form_values,
    read_selection,
    unit_choices,
)
from motcua.catalog.models import Unit
from motcua.core import ratelimit
from motcua.core.clock import local, now
from motcua.core.errors import ValidationFailed

# Seconds a page may be reused by browsers and shared caches, and its figures by the server.
MAX_AGE = 300


def _over_limit(request: HttpRequest) -> bool:
    return not ratelimit.take(
        "statistics",
        ratelimit.client_address(request),
        limit=settings.LOOKUP_MAX_REQUESTS,
        window=settings.LOOKUP_WINDOW_SECONDS,
    ).allowed


public_units = access.published_units


def _dashboard(selection: Selection, unit: Unit) -> board.Dashboard:
    """The figures of a (unit, month), reused for `MAX_AGE` seconds by every visitor."""
    key = f"statistics:{unit.pk}:{selection.start:%Y%m%d}:{selection.end:%Y%m%d}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = board.build_dashboard(selection, unit, today=local(now()).date())
        cache.set(key, found, MAX_AGE)
    return found


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    if _over_limit(request):
        response = render(request, "portal/rate_limited.html", status=429)
        response["Retry-After"] = str(settings.LOOKUP_WINDOW_SECONDS)
        return response
    units = public_units()
    today = local(now()).date()
    context: dict[str, object] = board.form_context(None, request.GET, today) | {
        "units": unit_choices(units),
        "full_form": False,
    }
    try:
        if not units:
            raise ValidationFailed(_("Chưa có đơn vị nào công bố số liệu."), code="no_units")
        selection = read_selection(
            request.GET, default_unit=units[0].code, today=today, month_only=True
        )
        unit = next((u for u in units if u.code == selection.unit_code), None)
        if unit is None:
            raise ValidationFailed(
                _("Không có đơn vị «%(code)s» trong danh sách công bố số liệu.")
                % {"code": selection.unit_code},
                code="unknown_unit",
            )
    except ValidationFailed as error:
        context["error"] = error.message
        response = render(request, "reports/dashboard_public.html", context, status=422)
        patch_cache_control(response, no_store=True)
        return response
    data = _dashboard(selection, unit)
    context |= {
        "selection": selection,
        "form": form_values(selection, request.GET, today),
        "board": data,
        "chart_data": data.chart_data(),
    }
    response = render(request, "reports/dashboard_public.html", context)
    response["Content-Security-Policy"] = board.charts_content_security_policy()
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response

"""Typing in the paper rating forms (phiếu đánh giá giấy): staff of a unit copy each form's
answers; the rating is marked `paper` with who typed it (`feedback.services.record_rating`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.core.errors import MotcuaError
from motcua.feedback import services
from motcua.feedback.models import RatingSource


@login_required
@require_http_methods(["GET", "POST"])
def paper_ratings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = access.paper_rating_units(user)
    if not units.exists():
        raise PermissionDenied("Bạn không được nhập phiếu đánh giá.")
    questions = services.questions()
    error = ""
    if request.method == "POST":
        raw_unit = request.POST.get("unit", "")
        unit = units.filter(pk=int(raw_unit)).first() if raw_unit.isdigit() else None
        try:
            services.record_rating(
                source=RatingSource.PAPER,
                by=user,
                unit=unit,
                dossier_code=request.POST.get("dossier", ""),
                answers={q.key: request.POST.get(q.key, "") for q in questions},
            )
        except MotcuaError as failure:
            error = failure.message
        else:
            messages.success(request, _("Đã lưu phiếu đánh giá."))
            return redirect("backoffice:paper_ratings")
    context = {"units": units, "questions": questions, "error": error, "posted": request.POST}
    return render(request, "backoffice/paper_ratings.html", context, status=422 if error else 200)

"""Files of a dossier on the staff side: uploads, downloads, the printed papers, the book."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import access
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError
from motcua.core.text import vn_number
from motcua.documents import results
from motcua.documents.models import Document
from motcua.documents.services import add_document, download_headers, open_document
from motcua.dossiers import printing
from motcua.dossiers.papers import forms2025
from motcua.dossiers.papers.book_xlsx import render_book_xlsx

from .work import _staff_dossier

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOOK_PDF_MAX_ROWS = 300  # ~12 A4 pages, ~9 s of WeasyPrint; a longer book is downloaded as XLSX


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def paper(request: HttpRequest, code: str, form: str) -> HttpResponse:
    dossier = _staff_dossier(request, code)
    try:
        content = printing.paper_pdf(dossier, form)
    except MotcuaError:
        raise Http404 from None
    return _pdf(content, f"mau-{form}-{dossier.code}.pdf")


@login_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _staff_dossier(request, code)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Chưa chọn tệp để tải lên."))
        return redirect("backoffice:dossier", code=code)
    try:
        add_document(
            dossier=dossier,
            by=request.user,  # type: ignore[arg-type]
            uploaded_file=uploaded,
            kind=request.POST.get("kind", "component"),
            title=request.POST.get("title", ""),
        )
    except MotcuaError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Đã tải tài liệu lên. Tài liệu có trong mục «Tài liệu» của hồ sơ.")
        )
    return redirect("backoffice:dossier", code=code)


@login_required
def document(request: HttpRequest, code: str, pk: int) -> FileResponse:
    dossier = _staff_dossier(request, code)
    found = Document.objects.filter(pk=pk, dossier=dossier).first()
    if found is None:
        raise Http404
    try:
        handle = open_document(found, by=request.user)  # type: ignore[arg-type]
    except MotcuaError:
        raise Http404 from None
    response = FileResponse(handle)
    for header, value in download_headers(found).items():
        response[header] = value
    return response


@login_required
@require_POST
def sign_copy(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Sign a component's scanned PDF as the digitised copy (Decree 107)."""
    dossier = _staff_dossier(request, code)
    found = Document.objects.filter(pk=pk, dossier=dossier).first()
    if found is None:
        raise Http404
    try:
        results.sign_component(document=found, by=request.user)  # type: ignore[arg-type]
    except MotcuaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã ký số bản sao điện tử của thành phần hồ sơ."))
    return redirect("backoffice:dossier", code=code)


@login_required
def tracking_book(request: HttpRequest) -> HttpResponse:
    """Form 07 for a period, for the units where the user works at the counter or directs."""
    units = access.units_where(request.user, *access.PAGE_ROLES["tracking_book"])
    if not units.exists():
        raise PermissionDenied
    today = local(now()).date()
    try:
        first = (
            date.fromisoformat(request.GET.get("tu", ""))
            if request.GET.get("tu")
            else today.replace(day=1)
        )
        last = date.fromisoformat(request.GET.get("den", "")) if request.GET.get("den") else today
    except ValueError:
        return _book_form(
            request,
            {"units": units, "error": _("Ngày không hợp lệ (dd/mm/yyyy).")},
            status=422,
        )
    if "don-vi" not in request.GET:
        return _book_form(request, {"units": units, "first": first, "last": last})
    unit = units.filter(code=request.GET["don-vi"]).first()
    if unit is None:
        raise PermissionDenied
    if first > last:
        return _book_form(
            request,
            {
                "units": units,
                "first": first,
                "last": last,
                "error": _("Ngày bắt đầu sau ngày kết thúc."),
            },
            status=422,
        )
    book = printing.tracking_book(unit, first, last)
    name = f"so-theo-doi-{unit.code}-{first}-{last}"
    if request.GET.get("dinh-dang") == "xlsx":
        response = HttpResponse(render_book_xlsx(book), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        response["Cache-Control"] = "private, no-store"
        return response
    if len(book.rows) > BOOK_PDF_MAX_ROWS:
        return _book_form(
            request,
            {
                "units": units,
                "chosen": unit.code,
                "first": first,
                "last": last,
                "error": _(
                    "Sổ có %(count)s hồ sơ, quá dài để in PDF (tối đa %(max)s). Hãy tải bản "
                    "Excel, hoặc chọn khoảng thời gian ngắn hơn."
                )
                % {"count": vn_number(len(book.rows)), "max": vn_number(BOOK_PDF_MAX_ROWS)},
            },
            status=422,
        )
    return _pdf(forms2025.render_pdf(book), f"{name}.pdf")


def _book_form(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request,
        "backoffice/book_form.html",
        {**context, "max_rows": vn_number(BOOK_PDF_MAX_ROWS)},
        status=status,
    )

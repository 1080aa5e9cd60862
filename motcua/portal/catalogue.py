"""The public catalogue of procedures (công khai thủ tục hành chính): a list a citizen can
search without accents and in any word order, and one printable sheet per procedure with
what to bring, what it costs, how long it takes by each channel and where to submit it.
Read-only; the rules are `catalog/published.py`."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from motcua.catalog import published
from motcua.core.clock import local, now
from motcua.core.text import clean_text

PAGE_SIZE = 30


@require_safe
def procedures(request: HttpRequest) -> HttpResponse:
    query = clean_text(request.GET.get("q", ""))[:200]
    found = published.search(query, day=local(now()).date())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {"query": query, "page": page, "count": page.paginator.count}
    return render(request, "portal/procedures.html", context)


@require_safe
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    version = published.in_force(code, day=local(now()).date())
    if version is None:
        context = {"code": clean_text(code), "not_found": True}
        return render(request, "portal/procedures.html", context, status=404)
    return render(request, "portal/procedure.html", {"sheet": published.sheet(version)})

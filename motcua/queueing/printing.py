"""The ticket slip (phiếu số thứ tự) for 80 mm receipt printers: the number, the group, the
time, the people ahead and a QR code of the page that follows the queue on a phone.

One page 80 mm wide (`static/papers/ticket.css`), Liberation Sans, rendered by WeasyPrint from
`papers/hall_ticket.html` with the papers' local-only fetcher (nothing is downloaded)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML

from motcua.core.clock import local
from motcua.dossiers.papers.barcodes import qr_svg as qr_svg
from motcua.dossiers.papers.rendering import STATIC_DIR, LocalOnlyFetcher
from motcua.queueing import services
from motcua.queueing.models import Ticket

STYLESHEET = STATIC_DIR / "papers" / "ticket.css"


def follow_url(ticket: Ticket) -> str:
    """The public page following the ticket (in its QR code)."""
    return settings.PUBLIC_BASE_URL + reverse("portal:hall_ticket", args=[ticket.public_key])


def ticket_context(ticket: Ticket) -> dict[str, object]:
    where = services.position(ticket)
    return {
        "centre": _nfc(ticket.hall.unit.name),
        "number": ticket.label,
        "group": _nfc(ticket.group.name),
        "priority": _nfc(ticket.get_priority_display()) if ticket.priority else "",
        "issued": f"{local(ticket.issued_at):%H:%M  %d/%m/%Y}",
        "ahead": where.ahead if where else None,
        "minutes": where.minutes if where else None,
        "qr_svg": mark_safe(qr_svg(follow_url(ticket), size_mm=30)),  # noqa: S308 — built by us
    }


def ticket_pdf(ticket: Ticket) -> bytes:
    html = render_to_string("papers/hall_ticket.html", ticket_context(ticket))
    fetcher = LocalOnlyFetcher(allowed_protocols=("file", "data"))
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[_stylesheet()])
    assert pdf is not None
    return pdf


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text))

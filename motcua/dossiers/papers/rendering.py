"""HTML template + print stylesheet → PDF bytes, shared by every printed paper.

Papers are Django templates extending `papers/base.html`, styled by one print stylesheet,
`motcua/static/papers/paper.css`. WeasyPrint reads that stylesheet from the filesystem (parsed
once per process and reused), never over HTTP; the HTML handed to WeasyPrint carries no link
to it. The browser preview of the same HTML links the stylesheet through `{% static %}`.
A paper may add stylesheets after it (`extra_stylesheets`, paths under `motcua/static`, e.g.
`papers/forms2025.css`); the preview gets their URLs as `extra_stylesheet_hrefs`.

WeasyPrint is given a URL fetcher that only opens `data:` URLs and files under
`motcua/static`, so nothing a paper contains can make the renderer reach the network.
QR codes and barcodes are inline SVG (see `barcodes.py`); papers fetch no images.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.templatetags.static import static
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"  # motcua/static
STYLESHEET = "papers/paper.css"


class LocalOnlyFetcher(URLFetcher):
    """Opens `data:` URLs and files under `motcua/static`; refuses everything else."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_relative_to(STATIC_DIR):
                return super().fetch(url, headers)
        raise ValueError(f"papers may only load files under {STATIC_DIR}, not {url}")


def paper_html(
    template_name: str,
    context: dict[str, Any],
    *,
    preview: bool = True,
    extra_stylesheets: Sequence[str] = (),
) -> str:
    """The paper's HTML. With `preview`, it links the print stylesheet via `{% static %}`
    so a browser shows it as printed; without, it is the HTML WeasyPrint renders."""
    href = static(STYLESHEET) if preview else ""
    extra_hrefs = [static(name) for name in extra_stylesheets] if preview else []
    return render_to_string(
        template_name,
        {**context, "stylesheet_href": href, "extra_stylesheet_hrefs": extra_hrefs},
    )


def html_to_pdf(html: str, *, extra_stylesheets: Sequence[str] = ()) -> bytes:
    """Render a paper's HTML (from `paper_html(..., preview=False)`) to PDF bytes, styled by
    the print stylesheet and then by `extra_stylesheets` (paths under `motcua/static`)."""
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher())
    sheets = [_stylesheet(STYLESHEET), *(_stylesheet(name) for name in extra_stylesheets)]
    pdf = document.write_pdf(stylesheets=sheets)
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf


def render_fitting_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    densities: Sequence[str],
    pages: int = 1,
    extra_stylesheets: Sequence[str] = (),
) -> bytes:
    """The paper at the first density (a class the template puts on `<body>`, "" = normal)
    whose layout takes at most `pages` pages; the densest one when none does. Each try lays
    the paper out; only the one kept is written."""
    sheets = [_stylesheet(STYLESHEET), *(_stylesheet(name) for name in extra_stylesheets)]
    document = None
    for density in densities:
        html = paper_html(template_name, {**context, "density": density}, preview=False)
        document = HTML(
            string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher()
        ).render(stylesheets=sheets)
        if len(document.pages) <= pages:
            break
    assert document is not None, "at least one density"
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf


def render_paper_pdf(
    template_name: str, context: dict[str, Any], *, extra_stylesheets: Sequence[str] = ()
) -> bytes:
    """Template + context → PDF bytes."""
    html = paper_html(template_name, context, preview=False)
    return html_to_pdf(html, extra_stylesheets=extra_stylesheets)


def _fetcher() -> LocalOnlyFetcher:
    # A fresh fetcher per document: URLFetcher keeps per-request state.
    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


@lru_cache(maxsize=8)
def _stylesheet(name: str = STYLESHEET) -> CSS:
    """A stylesheet under `motcua/static`, parsed once per process (read-only while rendering)."""
    path = (STATIC_DIR / name).resolve()
    if not path.is_relative_to(STATIC_DIR):
        raise ValueError(f"paper stylesheets live under {STATIC_DIR}, not {name}")
    return CSS(filename=str(path), base_url=path.parent.as_uri() + "/", url_fetcher=_fetcher())

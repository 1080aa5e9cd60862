"""QR codes (segno) and Code 128 barcodes (python-barcode) drawn as inline SVG strings.

Both are vector drawings sized in millimetres, so the printer rasterises every module and
bar at its own resolution (a PNG would snap bars to whole pixels and skew their widths).
The SVG is written here from the symbol's module matrix rather than through the libraries'
own writers, so it is small, has no XML prologue, and sits directly inside the HTML page.

The strings returned are safe to insert unescaped into HTML: the only text they carry (the
human-readable line under a barcode) is XML-escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

import segno
from barcode import Code128

QR_ERROR = "m"
QR_SIZE_MM = 22.0
QR_BORDER = 2  # modules of white around the symbol, inside the drawn square


def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The module matrix (True = dark, no quiet zone) of the QR code for `data`.

    Always a full QR code (never a Micro QR), error correction exactly M (no boosting)."""
    qr = segno.make_qr(data, error=QR_ERROR, boost_error=False)
    return tuple(tuple(bool(module) for module in row) for row in qr.matrix)


def qr_svg(data: str, *, size_mm: float = QR_SIZE_MM, border: int = QR_BORDER) -> str:
    """An inline `<svg>` of the QR code for `data`, `size_mm` wide including the border."""
    matrix = qr_matrix(data)
    n = len(matrix) + 2 * border
    path = _runs_path(((border + x, border + y, 1) for y, x in _dark_cells(matrix)), height=1)
    return (
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="0 0 {n} {n}" width="{size_mm:g}mm" height="{size_mm:g}mm" '
        f'shape-rendering="crispEdges" role="img" aria-label="QR">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


def code128_modules(text: str) -> str:
    """The Code 128 module string ('1' = bar, '0' = space) for `text`, start to stop."""
    if not text or not all(" " <= ch <= "~" for ch in text):
        raise ValueError(f"Code 128 here takes printable ASCII only, got {text!r}")
    return Code128(text).build()[0]


def code128_svg(
    text: str,
    *,
    module_mm: float = 0.22,
    max_width_mm: float = 62.0,
    bar_height_mm: float = 6.5,
    quiet_modules: int = 10,
    font_size_mm: float = 2.8,
) -> str:
    """An inline `<svg>` of the Code 128 barcode of `text`, with `text` printed under the bars.

    Drawn in module units (one module = one user unit) and scaled to `module_mm` per module,
    narrower if the symbol would be wider than `max_width_mm`: a 25-character dossier code
    (308 modules with quiet zones) prints at 0.20 mm a module, a 28-character one at 0.18 mm.
    Much longer agency codes shrink further; the QR code stays the dependable one to scan."""
    modules = code128_modules(text)
    width = len(modules) + 2 * quiet_modules
    module_mm = min(module_mm, max_width_mm / width)
    bar_h = bar_height_mm / module_mm
    text_gap = 0.8 / module_mm
    font = font_size_mm / module_mm
    height = bar_h + text_gap + font * 1.05
    bars = _runs_path(
        ((quiet_modules + x, 0, w) for x, w in _bar_runs(modules)), height=round(bar_h, 3)
    )
    return (
        f'<svg class="code128" xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="0 0 {width} {height:.3f}" width="{width * module_mm:.2f}mm" '
        f'height="{height * module_mm:.2f}mm" role="img" aria-label="Code 128">'
        f'<rect width="{width}" height="{height:.3f}" fill="#fff"/>'
        f'<path fill="#000" d="{bars}"/>'
        f'<text x="{width / 2:g}" y="{bar_h + text_gap + font * 0.8:.3f}" '
        f'text-anchor="middle" font-size="{font:.3f}" '
        f'font-family="Liberation Serif, Times New Roman, serif">{escape(text)}</text></svg>'
    )


def _dark_cells(matrix: Sequence[Sequence[bool]]) -> Iterable[tuple[int, int]]:
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                yield y, x


def _bar_runs(modules: str) -> Iterable[tuple[int, int]]:
    """(start, width) of each run of '1' in a module string."""
    x = 0
    while x < len(modules):
        if modules[x] == "1":
            start = x
            while x < len(modules) and modules[x] == "1":
                x += 1
            yield start, x - start
        else:
            x += 1


def _runs_path(cells: Iterable[tuple[int, int, int]], *, height: float) -> str:
    """One SVG path of rectangles: each (x, y, width) becomes `M x y h w v height h -w z`.

    Horizontally adjacent unit cells on the same row are merged into one rectangle."""
    merged: list[list[int]] = []
    for x, y, w in cells:
        last = merged[-1] if merged else None
        if last is not None and last[1] == y and last[0] + last[2] == x:
            last[2] += w
        else:
            merged.append([x, y, w])
    return "".join(f"M{x} {y}h{w}v{height:g}h-{w}z" for x, y, w in merged)

"""Output formats of a report. Each renderer takes a `Report` and returns bytes; add XLSX or PDF
by registering a renderer in `RENDERERS` (the CLI offers every registered format)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from motcua.core.errors import ValidationFailed
from motcua.reports.report import Report


@dataclass(frozen=True)
class Renderer:
    render: Callable[[Report], bytes]
    media_type: str
    extension: str
    binary: bool = False  # True: never written to a terminal


def render_json(report: Report) -> bytes:
    text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


RENDERERS: dict[str, Renderer] = {
    "json": Renderer(render_json, "application/json", "json"),
}


def render(report: Report, fmt: str = "json") -> bytes:
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValidationFailed(
            f"Định dạng {fmt} chưa được hỗ trợ.", code="unknown_format", known=sorted(RENDERERS)
        )
    return renderer.render(report)

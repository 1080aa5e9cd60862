"""Small JSON Lines files for the import specifications, written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management import call_command

from motcua.dossiers.models import (
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierStep,
    SupplementPause,
)

PROCEDURE = "3.000333"  # Cấp Phiếu lý lịch tư pháp: 10 working days, agency AH-CAT-PV06
PREFIX = "000.00.01.H99"  # the identity code of the provincial centre AH


def code(day: str = "210405", number: int = 1) -> str:
    return f"{PREFIX}-{day}-{number:04d}"


def dossier_line(number: int = 1, *events: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A dossier of 3.000333 received at AH on Mon 5 Apr 2021; events default to the
    docs/interchange/dossiers.md#example (recorded appointment, resolved, sent by post)."""
    line: dict[str, Any] = {
        "code": code(number=number),
        "procedure": PROCEDURE,
        "received_by": "AH",
        "channel": "counter",
        "applicant": {"name": "Nguyễn Văn A"},
        "events": list(events)
        or [
            {
                "type": "received",
                "at": "2021-04-05T08:10:00+07:00",
                "due_at": "2021-04-12T08:10:00+07:00",
            },
            {"type": "resolved", "at": "2021-04-09T10:00:00+07:00"},
            {"type": "result_delivered", "at": "2021-04-09T14:00:00+07:00", "via": "postal"},
        ],
    }
    line.update(fields)
    return line


def received(at: str = "2021-04-05T08:10:00+07:00", **extra: Any) -> dict[str, Any]:
    return {"type": "received", "at": at, **extra}


def write_lines(path: Path, lines: list[Any]) -> Path:
    """Objects become JSON lines; strings are written as they are (broken lines)."""
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
            out.write("\n")
    return path


def run_import(kind: str, path: Path, capsys: Any, *options: str) -> tuple[dict[str, Any], str]:
    """`motcua import KIND FILE`: the JSON summary (stdout) and what went to stderr."""
    call_command("import", kind, str(path), *options)
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def table_counts() -> dict[str, int]:
    return {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "steps": DossierStep.objects.count(),
        "pauses": SupplementPause.objects.count(),
        "counters": DossierCodeCounter.objects.count(),
    }


def generated_lines(count: int, *, start_day: str = "2021-01-04") -> Any:
    """`count` believable dossier lines of 3.000333 at AH, 40 a day from `start_day`, with the
    five paths of the format (delivered, paused, extended, returned, withdrawn). A generator:
    the memory test writes them straight to disk."""
    from datetime import date, timedelta

    first = date.fromisoformat(start_day)
    for n in range(count):
        day = first + timedelta(days=n // 40)
        sequence = n % 40 + 1

        def at(days: int, hour: int, minute: int = 0, *, day: date = day) -> str:
            moment = day + timedelta(days=days)
            return f"{moment.isoformat()}T{hour:02d}:{minute:02d}:00+07:00"

        minute = sequence % 60
        events: list[dict[str, Any]] = [
            {"type": "received", "at": at(0, 8 + sequence // 10, minute)},
            {"type": "transferred", "at": at(0, 14, minute), "to": "AH-CAT-PV06"},
        ]
        path = n % 20
        if path in (1, 2, 3):
            events += [
                {"type": "supplement_requested", "at": at(2, 9), "reason": "Thiếu bản sao CCCD"},
                {"type": "supplement_received", "at": at(5, 9)},
            ]
        if path == 4:
            events.append(
                {"type": "extended", "at": at(6, 9), "new_due_at": at(30, 16), "reason": "Xác minh"}
            )
        if path in (5, 6):
            events.append({"type": "returned_unresolved", "at": at(3, 10), "reason": "Sai mẫu"})
        elif path == 7:
            events.append({"type": "withdrawn", "at": at(1, 10), "reason": "Công dân xin rút"})
        else:
            events += [
                {"type": "resolved", "at": at(8, 10)},
                {
                    "type": "result_delivered",
                    "at": at(9, 9),
                    "via": "postal" if n % 3 else "counter",
                },
            ]
        yield {
            "code": f"{PREFIX}-{day:%y%m%d}-{sequence:04d}",
            "procedure": PROCEDURE,
            "received_by": "AH",
            "channel": "counter",
            "applicant": {"name": f"Người nộp {n}", "address": "Đông Hòa, An Hòa"},
            "events": events,
        }

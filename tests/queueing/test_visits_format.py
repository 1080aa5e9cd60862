"""`motcua.visits/1`: tickets served here are exported with the documented fields; a file of
an old queue machine's history is imported once (again: nothing added), bad lines refused
with their number and reason."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command

from motcua.queueing import services
from motcua.queueing.models import Ticket, TicketEvent
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive
from tests.queueing.conftest import counter, group

pytestmark = pytest.mark.django_db
DAY = vn(2026, 12, 7, 9, 12)
FIELDS = {
    "id", "site", "group", "number", "priority", "issued_at", "called_at", "finished_at",
    "counter", "officer", "outcome", "dossiers", "procedure",
}  # fmt: skip


def exported(capsys) -> list[dict]:
    call_command("export", "visits", "--unit", "AH")
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_served_ticket_is_exported_with_the_documented_fields(
    hall, counter_officer, capsys
) -> None:
    services.issue_ticket(
        hall=hall, group=group(hall, "B"), request_key=uuid.uuid4().hex, priority="disabled", at=DAY
    )
    services.open_counter(counter=counter(hall, "2"), by=counter_officer, groups=[group(hall, "B")])
    called = services.call_next(
        counter=counter(hall, "2"), by=counter_officer, at=DAY + timedelta(minutes=18)
    )
    assert called is not None
    services.finish_guidance(
        ticket=called, by=counter_officer, procedure_code="1.004222", at=DAY + timedelta(minutes=29)
    )
    [line] = exported(capsys)
    assert set(line) <= FIELDS
    assert line == {
        "id": "AH-20261207-B0001",
        "site": "AH",
        "group": "B",
        "number": 1,
        "priority": "disabled",
        "issued_at": "2026-12-07T09:12:00+07:00",
        "called_at": "2026-12-07T09:30:00+07:00",
        "finished_at": "2026-12-07T09:41:00+07:00",
        "counter": "2",
        "officer": "counter_officer",
        "outcome": "guidance_only",
        "procedure": "1.004222",
    }


def test_history_is_imported_once_and_comes_back_out_the_same(
    hall, counter_officer, tmp_path, capsys
) -> None:
    dossier = receive(counter_officer)
    lines = [
        {"id": "OLD-1", "site": "AH", "group": "C", "number": 57, "priority": "elderly",
         "issued_at": "2025-06-02T09:12:00+07:00", "called_at": "2025-06-02T09:30:15+07:00",
         "finished_at": "2025-06-02T09:41:50+07:00", "counter": "5", "officer": "quay.cu",
         "outcome": "to_dossier", "dossiers": [dossier.code]},
        {"id": "OLD-2", "site": "AH", "group": "C", "number": 58,
         "issued_at": "2025-06-02T09:13:00+07:00", "called_at": "2025-06-02T09:50:00+07:00",
         "outcome": "no_show"},
        {"id": "OLD-3", "site": "ZZ", "group": "C", "number": 59,
         "issued_at": "2025-06-02T09:14:00+07:00"},
        {"id": "OLD-4", "site": "AH", "group": "C", "number": 60,
         "issued_at": "2025-06-02 09:14"},
        {"id": "OLD-5", "site": "AH", "group": "C", "number": 61,
         "issued_at": "2025-06-02T09:14:00+07:00", "outcome": "lost"},
    ]  # fmt: skip
    path = tmp_path / "visits.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    call_command("import", "visits", str(path))
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["rejected"]) == (2, 3)
    call_command("import", "visits", str(path))
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0 and Ticket.objects.count() == 2
    out = {line["id"]: line for line in exported(capsys)}
    assert out["OLD-1"] == lines[0]
    assert out["OLD-2"] == lines[1]
    assert TicketEvent.objects.filter(ticket__source_id="OLD-2").count() == 3
    # the live numbering of that group and day goes on past the imported numbers
    assert (
        services.issue_ticket(
            hall=hall, group=group(hall, "C"), request_key=uuid.uuid4().hex, at=vn(2025, 6, 2, 10)
        ).number
        == 59
    )

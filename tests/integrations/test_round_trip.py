"""Export → import into an empty database (same catalogue) → export again: the same lines.
And the export's shape: only the format's events, oldest dossier first, filters by unit/date."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.dossiers import actions
from motcua.dossiers.actions import Applicant
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.integrations.dossiers import dossier_lines
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive
from tests.integrations.helpers import dossier_line, run_import, write_lines

pytestmark = pytest.mark.django_db


def live_history(counter_officer, agency_leader, specialist) -> None:
    """Dossiers worked through motcua itself, with its finer steps, plus imported ones."""
    a = receive(
        counter_officer,
        received_at=vn(2025, 5, 5, 9, 0),
        applicant=Applicant(name="Trần Thị Bình", phone="0912345678", email="binh@example.vn"),
    )
    a = actions.transfer_dossier(dossier=a, by=counter_officer, at=vn(2025, 5, 5, 10, 0))
    a = actions.hand_over(dossier=a, by=agency_leader, to=a.agency.parent, at=vn(2025, 5, 5, 11))
    a = actions.assign_dossier(
        dossier=a, by=agency_leader, specialist=specialist, at=vn(2025, 5, 5, 14, 0)
    )
    a = actions.appraise_dossier(dossier=a, by=specialist, opinion="Đủ", at=vn(2025, 5, 6, 9))
    a = actions.submit_for_approval(dossier=a, by=specialist, at=vn(2025, 5, 6, 10, 0))
    a = actions.approve_dossier(dossier=a, by=agency_leader, at=vn(2025, 5, 7, 9, 0))
    a = actions.return_result(dossier=a, by=agency_leader, at=vn(2025, 5, 7, 10, 0))
    actions.deliver_result(dossier=a, by=counter_officer, via="counter", at=vn(2025, 5, 8, 8))

    b = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 30))
    b = actions.transfer_dossier(dossier=b, by=counter_officer, at=vn(2025, 5, 5, 10, 0))
    b = actions.assign_dossier(
        dossier=b, by=agency_leader, specialist=specialist, at=vn(2025, 5, 5, 14, 0)
    )
    b = actions.request_supplement(
        dossier=b, by=specialist, reason="Thiếu CCCD", items=["CCCD"], at=vn(2025, 5, 6, 9)
    )
    b = actions.receive_supplement(dossier=b, by=counter_officer, at=vn(2025, 5, 9, 9, 0))
    b = actions.apologise_and_extend(
        dossier=b,
        by=agency_leader,
        new_due_at=vn(2025, 6, 10, 16, 0),
        reason="Chờ xác minh",
        at=vn(2025, 5, 20, 9, 0),
    )
    b = actions.appraise_dossier(dossier=b, by=specialist, opinion="Không đủ", at=vn(2025, 6, 2))
    b = actions.submit_for_approval(dossier=b, by=specialist, at=vn(2025, 6, 2, 10, 0))
    b = actions.refuse_dossier(dossier=b, by=agency_leader, reason="Án tích", at=vn(2025, 6, 3))
    b = actions.return_result(dossier=b, by=agency_leader, at=vn(2025, 6, 3, 10, 0))
    actions.deliver_result(dossier=b, by=counter_officer, via="postal", at=vn(2025, 6, 4, 8))

    land = receive(counter_officer, procedure="1.013831", received_at=vn(2025, 5, 6, 8, 0))
    actions.transfer_dossier(dossier=land, by=counter_officer, at=vn(2025, 5, 6, 9, 0))

    c = receive(counter_officer, received_at=vn(2025, 5, 7, 8, 0))
    actions.withdraw_dossier(dossier=c, by=counter_officer, reason="Rút", at=vn(2025, 5, 7, 9))

    d = receive(counter_officer, received_at=vn(2025, 5, 7, 8, 30))
    d = actions.transfer_dossier(dossier=d, by=counter_officer, at=vn(2025, 5, 7, 9, 0))
    actions.return_unresolved(dossier=d, by=agency_leader, reason="Sai mẫu", at=vn(2025, 5, 8))

    e = receive(commune_unit_officer(), "AH-X01", "1.004222", received_at=vn(2025, 5, 8, 8))
    e = actions.transfer_dossier(dossier=e, by=commune_unit_officer(), at=vn(2025, 5, 8, 9))
    system = commune_unit_leader()
    actions.request_supplement(
        dossier=e, by=system, reason="Thiếu giấy", items=["Giấy"], at=vn(2025, 5, 9, 9)
    )


def commune_unit_officer():
    from motcua.accounts.models import Role, User
    from tests.conftest import make_user

    existing = User.objects.filter(username="x01_officer").first()
    return existing or make_user("x01_officer", "AH-X01", Role.COUNTER_OFFICER)


def commune_unit_leader():
    from motcua.accounts.models import Role, User
    from tests.conftest import make_user

    existing = User.objects.filter(username="x01_system").first()
    return existing or make_user("x01_system", "AH-X01", Role.SYSTEM)


def imported_and_rated(tmp_path, capsys) -> None:
    run_import("dossiers", write_lines(tmp_path / "old.jsonl", [dossier_line(1)]), capsys)
    ratings = [
        {
            "unit": "AH",
            "at": "2021-04-20T09:30:00+07:00",
            "channel": "kiosk",
            "dossier": None,
            "answers": {"overall": "very_satisfied", "attitude": "very_polite"},
        },
        {
            "unit": "AH",
            "at": "2025-05-08T09:30:00+07:00",
            "channel": "paper",
            "dossier": Dossier.objects.order_by("received_at").last().code,
            "answers": {"overall": "satisfied"},
        },
        {
            "unit": "AH-X01",
            "at": "2025-05-09T10:00:00+02:00",
            "channel": "online",
            "answers": {"attitude": "unfriendly"},
        },
    ]
    run_import("ratings", write_lines(tmp_path / "r.jsonl", ratings), capsys)


def export(kind: str, tmp_path, capsys, name: str) -> list[str]:
    target = tmp_path / name
    call_command("export", kind, "--output", str(target))
    capsys.readouterr()
    return target.read_text(encoding="utf-8").splitlines()


def test_export_import_export_gives_the_same_lines(
    counter_officer, agency_leader, specialist, tmp_path, capsys
) -> None:
    with transaction.atomic():
        live_history(counter_officer, agency_leader, specialist)
        imported_and_rated(tmp_path, capsys)
        dossiers = export("dossiers", tmp_path, capsys, "dossiers.jsonl")
        ratings = export("ratings", tmp_path, capsys, "ratings.jsonl")
        transaction.set_rollback(True)  # back to the catalogue alone: an empty database
    assert not Dossier.objects.exists() and not Rating.objects.exists()
    assert len(dossiers) == 7 and len(ratings) == 3

    summary, err = run_import("dossiers", tmp_path / "dossiers.jsonl", capsys, "--strict")
    assert summary["imported"] == 7, err
    summary, err = run_import("ratings", tmp_path / "ratings.jsonl", capsys, "--strict")
    assert summary["imported"] == 3, err

    assert export("dossiers", tmp_path, capsys, "again.jsonl") == dossiers
    assert export("ratings", tmp_path, capsys, "ratings-again.jsonl") == ratings
    # and importing the export once more changes nothing
    summary, _ = run_import("dossiers", tmp_path / "again.jsonl", capsys)
    assert summary["skipped"] == 7 and summary["imported"] == 0


def test_the_export_holds_only_the_format_events(
    counter_officer, agency_leader, specialist, tmp_path, capsys
) -> None:
    live_history(counter_officer, agency_leader, specialist)
    imported_and_rated(tmp_path, capsys)
    lines = [json.loads(line) for line in export("dossiers", tmp_path, capsys, "d.jsonl")]
    assert [line["received_by"] for line in lines] == ["AH"] * 6 + ["AH-X01"]
    assert lines[0]["code"] == "000.00.01.H99-210405-0001"  # oldest first
    first_live = lines[1]
    assert first_live["applicant"] == {
        "name": "Trần Thị Bình",
        "phone": "0912345678",
        "email": "binh@example.vn",
    }
    assert first_live["events"] == [
        {
            "type": "received",
            "at": "2025-05-05T09:00:00+07:00",
            "due_at": "2025-05-19T09:00:00+07:00",
        },
        {"type": "transferred", "at": "2025-05-05T10:00:00+07:00", "to": "AH-CAT-PV06"},
        {"type": "transferred", "at": "2025-05-05T11:00:00+07:00", "to": "AH-CAT"},
        {"type": "resolved", "at": "2025-05-07T10:00:00+07:00", "outcome": "granted"},
        {"type": "result_delivered", "at": "2025-05-08T08:00:00+07:00", "via": "counter"},
    ]
    refused = lines[2]["events"]
    assert [e["type"] for e in refused] == [
        "received",
        "transferred",
        "supplement_requested",
        "supplement_received",
        "extended",
        "resolved",
        "result_delivered",
    ]
    assert refused[2]["reason"] == "Thiếu CCCD"
    assert refused[4] == {
        "type": "extended",
        "at": "2025-05-20T09:00:00+07:00",
        "new_due_at": "2025-06-10T16:00:00+07:00",
        "reason": "Chờ xác minh",
    }
    assert refused[5]["outcome"] == "denied" and refused[6]["via"] == "postal"
    land = lines[3]["events"]
    assert [(e["type"], e.get("to")) for e in land] == [
        ("received", None),
        ("transferred", "AH-THUE"),
        ("transferred", "AH-VPDKDD"),
    ]
    assert lines[4]["events"][-1] == {
        "type": "withdrawn",
        "at": "2025-05-07T09:00:00+07:00",
        "reason": "Rút",
    }
    # filters: the unit's subtree, local dates inclusive
    assert [line["code"] for line in dossier_lines(unit="AH-X01")] == [lines[-1]["code"]]
    assert len(list(dossier_lines(since=date(2025, 5, 7)))) == 3
    assert len(list(dossier_lines(since=date(2025, 5, 5), until=date(2025, 5, 5)))) == 2
    call_command("export", "dossiers", "--unit", "AH-X01", "--to", "2025-05-08")
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["received_by"] for line in out] == ["AH-X01"]

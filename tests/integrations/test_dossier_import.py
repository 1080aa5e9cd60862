"""`motcua import dossiers FILE.jsonl` (motcua.dossiers/1): history replayed through the same
actions as live work, one transaction per line, idempotent, bad lines reported by number."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import Unit
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier
from motcua.integrations.dossiers import NO_REASON, SYSTEM_USERNAME
from motcua.notifications.models import Notification
from tests.conftest import make_user, vn
from tests.integrations.helpers import (
    code,
    dossier_line,
    received,
    run_import,
    table_counts,
    write_lines,
)

pytestmark = pytest.mark.django_db


def event_types(dossier: Dossier) -> list[str]:
    return list(dossier.events.order_by("sequence").values_list("type", flat=True))


def test_the_interchange_example_imports_with_its_recorded_appointment(
    catalogue, tmp_path, capsys
) -> None:
    path = write_lines(
        tmp_path / "h.jsonl",
        [dossier_line(applicant={"name": "Nguyễn Văn A"}, five_on_spot=False)],
    )
    summary, _ = run_import("dossiers", path, capsys)
    assert summary["lines_read"] == summary["imported"] == 1
    assert summary["skipped"] == summary["rejected"] == 0 and summary["committed"]
    assert summary["format"] == "motcua.dossiers/1" and summary["elapsed_seconds"] >= 0
    dossier = Dossier.objects.get(code="000.00.01.H99-210405-0001")
    assert dossier.status == "RETURNED" and dossier.outcome == "granted"
    assert dossier.received_at == vn(2021, 4, 5, 8, 10)
    assert dossier.due_at == vn(2021, 4, 12, 8, 10)  # recorded, kept as is (computed: 19 Apr)
    assert dossier.ended_at == vn(2021, 4, 9, 10, 0)
    assert dossier.delivered_via == "postal" and dossier.delivered_at == vn(2021, 4, 9, 14, 0)
    assert dossier.agency.code == "AH-CAT-PV06" and dossier.province_code == "AH"
    assert event_types(dossier) == ["received", "resolved", "result_delivered"]
    first = dossier.events.order_by("sequence").first()
    assert first.data["due_at"] == "2021-04-12T08:10:00+07:00" and first.data["due_recorded"]
    # the system user, with the system role at the province root, replayed it
    system = User.objects.get(username=SYSTEM_USERNAME)
    assert {e.actor_id for e in dossier.events.all()} == {system.pk}
    assert Membership.objects.filter(user=system, role=Role.SYSTEM, unit__code="AH").exists()
    assert not system.has_usable_password()
    assert list(audit.verify_dossier(dossier)) == []


def test_a_full_history_with_transfer_pause_extension_and_postal_delivery(
    catalogue, tmp_path, capsys
) -> None:
    line = dossier_line(
        1,
        received(due_at="2021-04-19T08:10:00+07:00"),
        {"type": "transferred", "at": "2021-04-05T10:00:00+07:00", "to": "AH-CAT-PV06"},
        {
            "type": "supplement_requested",
            "at": "2021-04-07T09:00:00+07:00",
            "reason": "Thiếu bản sao CCCD",
        },
        {"type": "supplement_received", "at": "2021-04-12T09:00:00+07:00"},
        {
            "type": "extended",
            "at": "2021-04-20T09:00:00+07:00",
            "new_due_at": "2021-05-14T16:00:00+07:00",
            "reason": "Cần xác minh thêm",
        },
        {"type": "resolved", "at": "2021-05-10T10:00:00+07:00", "outcome": "denied"},
        {"type": "result_delivered", "at": "2021-05-11T14:00:00+07:00", "via": "postal"},
    )
    summary, _ = run_import("dossiers", write_lines(tmp_path / "h.jsonl", [line]), capsys)
    assert summary["imported"] == 1
    dossier = Dossier.objects.get(code=code())
    assert event_types(dossier) == [
        "received",
        "transferred",
        "supplement_requested",
        "supplement_received",
        "extended",
        "resolved",
        "result_delivered",
    ]
    events = list(dossier.events.order_by("sequence"))
    assert events[0].data["due_at"] == "2021-04-19T08:10:00+07:00"
    assert events[1].data["to"] == "AH-CAT-PV06"
    assert events[2].reason == "Thiếu bản sao CCCD"
    assert events[2].data["items"] == ["Thiếu bản sao CCCD"]
    assert dossier.status == "RETURNED" and dossier.outcome == "denied"
    assert dossier.due_at == vn(2021, 5, 14, 16, 0)
    assert dossier.due_at_original is not None and dossier.supplement_count == 1
    pause = dossier.pauses.get()
    assert (pause.started_at, pause.ended_at) == (vn(2021, 4, 7, 9, 0), vn(2021, 4, 12, 9, 0))
    assert dossier.steps.filter(completed_at__isnull=True).count() == 0
    assert list(audit.verify_dossier(dossier)) == []


def test_withdrawn_and_returned_unresolved_end_the_dossier(catalogue, tmp_path, capsys) -> None:
    withdrawn = dossier_line(
        1,
        received(),
        {"type": "transferred", "at": "2021-04-05T10:00:00+07:00", "to": "AH-CAT-PV06"},
        {"type": "withdrawn", "at": "2021-04-06T08:00:00+07:00", "reason": "Công dân xin rút"},
    )
    returned = dossier_line(
        2,
        received(),
        {"type": "transferred", "at": "2021-04-05T10:00:00+07:00"},  # `to` absent: the agency
        {"type": "returned_unresolved", "at": "2021-04-08T08:00:00+07:00"},
    )
    summary, _ = run_import(
        "dossiers", write_lines(tmp_path / "h.jsonl", [withdrawn, returned]), capsys
    )
    assert summary["imported"] == 2
    first = Dossier.objects.get(code=code(number=1))
    assert first.status == "STOPPED" and first.ended_at == vn(2021, 4, 6, 8, 0)
    assert first.events.get(type="withdrawn").reason == "Công dân xin rút"
    second = Dossier.objects.get(code=code(number=2))
    assert second.status == "RETURNED_NOT_RESOLVED"
    assert second.events.get(type="returned_unresolved").reason == NO_REASON
    assert second.events.get(type="transferred").data["to"] == "AH-CAT-PV06"


def test_reimporting_a_file_changes_nothing(catalogue, tmp_path, capsys) -> None:
    lines = [dossier_line(n) for n in (1, 2, 3)]
    path = write_lines(tmp_path / "h.jsonl", lines)
    first, _ = run_import("dossiers", path, capsys)
    assert first["imported"] == 3
    before = table_counts()
    again, err = run_import("dossiers", path, capsys)
    assert again["imported"] == 0 and again["skipped"] == 3 and again["rejected"] == 0
    assert table_counts() == before
    assert err.startswith("3 lines: 0 imported, 3 skipped, 0 rejected (")  # the final count


def test_a_code_already_used_by_another_dossier_is_refused(catalogue, tmp_path, capsys) -> None:
    run_import("dossiers", write_lines(tmp_path / "a.jsonl", [dossier_line(1)]), capsys)
    other = dossier_line(1, received("2021-04-05T09:30:00+07:00"))
    summary, err = run_import("dossiers", write_lines(tmp_path / "b.jsonl", [other]), capsys)
    assert summary["rejected"] == 1 and summary["skipped"] == 0
    assert "line 1: " in err and "already belongs to another dossier" in err


BAD_LINES = [
    (dossier_line(2, procedure="9.999999"), "unknown procedure '9.999999'"),
    (dossier_line(3, received_by="ZZ"), "unknown receiving unit 'ZZ'"),
    (dossier_line(4, received("2021-04-05T08:10:00")), "has no offset"),
    (
        dossier_line(5, {"type": "resolved", "at": "2021-04-05T08:10:00+07:00"}),
        "the first event must be 'received'",
    ),
    (
        dossier_line(6, received(), received("2021-04-05T09:00:00+07:00")),
        "a dossier is received only once",
    ),
    (
        dossier_line(
            7,
            received(),
            {"type": "withdrawn", "at": "2021-04-06T08:00:00+07:00", "reason": "Rút"},
            {"type": "resolved", "at": "2021-04-07T08:00:00+07:00"},
        ),
        "events[2] (resolved at 2021-04-07T08:00:00+07:00): transition_not_allowed",
    ),
    (dossier_line(8, code="HS-0001"), "invalid dossier code 'HS-0001'"),
    (
        dossier_line(9, received(), {"type": "assigned", "at": "2021-04-05T09:00:00+07:00"}),
        "unknown event type 'assigned'",
    ),
    (
        dossier_line(
            10,
            received(),
            {"type": "resolved", "at": "2021-04-05T07:00:00+07:00"},
        ),
        "earlier than the event before it",
    ),
    (dossier_line(11, channel="fax"), "channel must be one of"),
    (dossier_line(12, applicant={"phone": "0912345678"}), "applicant.name is required"),
    ('{"code": "000.00.01.H99-210405-0013", ', "not JSON"),
    (dossier_line(14, five_on_spot=True), "five_on_spot=true differs"),
]


def test_bad_lines_are_rejected_by_number_and_the_good_ones_imported(
    catalogue, tmp_path, capsys
) -> None:
    lines = [dossier_line(1), *(line for line, _ in BAD_LINES), dossier_line(99)]
    summary, err = run_import("dossiers", write_lines(tmp_path / "h.jsonl", lines), capsys)
    assert summary["lines_read"] == len(lines)
    assert summary["imported"] == 2 and summary["rejected"] == len(BAD_LINES)
    reported = {
        int(row.split(":", 1)[0].split()[1]): row
        for row in err.splitlines()
        if row.strip().startswith("line ")
    }
    assert sorted(reported) == list(range(2, 2 + len(BAD_LINES)))
    for number, (_, reason) in enumerate(BAD_LINES, start=2):
        assert reason in reported[number], (number, reported[number])
    assert set(Dossier.objects.values_list("code", flat=True)) == {code(number=1), code(number=99)}
    # the refused replay (withdrawn, then resolved) left nothing of itself behind
    assert table_counts()["events"] == 6 and table_counts()["steps"] == 2


def test_strict_mode_keeps_nothing_of_a_file_with_a_bad_line(catalogue, tmp_path, capsys) -> None:
    lines = [
        dossier_line(1),
        dossier_line(
            2,
            received(),
            {"type": "transferred", "at": "2021-04-05T10:00:00+07:00"},
            {"type": "supplement_requested", "at": "2021-04-06T10:00:00+07:00", "reason": "x"},
        ),
        dossier_line(3, received_by="ZZ"),
        dossier_line(4),
    ]
    before = table_counts()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import", "dossiers", str(write_lines(tmp_path / "h.jsonl", lines)), "--strict"
        )
    assert caught.value.returncode == 2
    assert "import_rejected" in str(caught.value)
    captured = capsys.readouterr()
    assert "line 3: 000.00.01.H99-210405-0003: unknown receiving unit 'ZZ'" in captured.err
    assert '"committed": false' in captured.out and '"rolled_back": 2' in captured.out
    assert (
        table_counts()
        == before
        == {"dossiers": 0, "events": 0, "steps": 0, "pauses": 0, "counters": 0}
    )
    assert not User.objects.filter(username=SYSTEM_USERNAME).exists()


def test_strict_mode_imports_a_good_file(catalogue, tmp_path, capsys) -> None:
    path = write_lines(tmp_path / "h.jsonl", [dossier_line(1), dossier_line(2)])
    summary, _ = run_import("dossiers", path, capsys, "--strict")
    assert summary["imported"] == 2 and summary["committed"] and summary["strict"]


def test_an_imported_history_tells_no_applicant(catalogue, tmp_path, capsys) -> None:
    line = dossier_line(
        1, applicant={"name": "Nguyễn Văn A", "phone": "0912345678", "email": "a@example.vn"}
    )
    run_import("dossiers", write_lines(tmp_path / "h.jsonl", [line]), capsys)
    dossier = Dossier.objects.get()
    assert dossier.applicant_phone == "0912345678" and dossier.applicant_email == "a@example.vn"
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_later_transfer_is_a_hand_over_and_echoes_are_not_doubled(
    catalogue, tmp_path, capsys
) -> None:
    # 1.013831 (land registration) has an inter-agency tax step at AH-THUE: transfer_dossier
    # announces it by itself; a file that lists it too (as motcua's export does) is not doubled.
    land = dossier_line(
        1,
        received(),
        {"type": "transferred", "at": "2021-04-05T10:00:00+07:00", "to": "AH-THUE"},
        {"type": "transferred", "at": "2021-04-05T10:00:00+07:00", "to": "AH-VPDKDD"},
        {"type": "transferred", "at": "2021-04-06T10:00:00+07:00", "to": "AH-VPDKDD-CN01"},
        procedure="1.013831",
    )
    record = dossier_line(
        2,
        received(),
        {"type": "transferred", "at": "2021-04-05T10:00:00+07:00", "to": "AH-STP"},
    )
    summary, err = run_import("dossiers", write_lines(tmp_path / "h.jsonl", [land, record]), capsys)
    assert summary["imported"] == 2, err
    first = Dossier.objects.get(code=code(number=1))
    transfers = list(
        first.events.filter(type="transferred").order_by("sequence").values_list("data", flat=True)
    )
    assert [(t["to"], t["step"]) for t in transfers] == [
        ("AH-THUE", "tax"),
        ("AH-VPDKDD", "appraisal"),
        ("AH-VPDKDD-CN01", "hand_over"),
    ]
    assert first.status == "TRANSFERRED"
    # transferred from the counter to another unit than the deciding agency: both facts kept
    second = Dossier.objects.get(code=code(number=2))
    assert [
        (d["to"], d["step"])
        for d in second.events.filter(type="transferred")
        .order_by("sequence")
        .values_list("data", flat=True)
    ] == [("AH-CAT-PV06", "appraisal"), ("AH-STP", "hand_over")]


def test_as_a_named_system_user(catalogue, tmp_path, capsys) -> None:
    path = write_lines(tmp_path / "h.jsonl", [dossier_line(1)])
    with pytest.raises(CommandError, match="user_not_found"):
        call_command("import", "dossiers", str(path), "--as", "nobody")
    make_user("officer", "AH", Role.COUNTER_OFFICER)
    with pytest.raises(CommandError, match="not_a_system_user"):
        call_command("import", "dossiers", str(path), "--as", "officer")
    migrator = make_user("migration.2021", "AH", Role.SYSTEM)
    summary, _ = run_import("dossiers", path, capsys, "--as", "migration.2021")
    assert summary["imported"] == 1
    assert Dossier.objects.get().received_by == migrator
    assert not User.objects.filter(username=SYSTEM_USERNAME).exists()


def test_a_named_user_without_the_role_at_that_province_is_refused_per_line(
    catalogue, tmp_path, capsys
) -> None:
    other = Unit.objects.create(code="TB", name="Thái Bình", kind="province_center")
    make_user("migration.tb", other.code, Role.SYSTEM)
    path = write_lines(tmp_path / "h.jsonl", [dossier_line(1)])
    summary, err = run_import("dossiers", path, capsys, "--as", "migration.tb")
    assert summary["rejected"] == 1 and "not_counter_officer" in err
    assert not Dossier.objects.exists()


def test_the_version_in_force_on_the_receipt_date_is_used(catalogue, tmp_path, capsys) -> None:
    from datetime import date

    from motcua.catalog.models import ProcedureVersion

    old = ProcedureVersion.objects.get(procedure__code="3.000333")
    ProcedureVersion.objects.filter(pk=old.pk).update(effective_to=date(2021, 4, 30))
    new = ProcedureVersion.objects.create(
        procedure=old.procedure,
        number=2,
        name=old.name,
        agency=old.agency,
        duration_value=5,
        duration_unit=old.duration_unit,
        effective_from=date(2021, 5, 1),
        content_hash="x",
    )
    may = dossier_line(2, received("2021-05-04T08:00:00+07:00"), code="000.00.01.H99-210504-0001")
    summary, _ = run_import(
        "dossiers", write_lines(tmp_path / "h.jsonl", [dossier_line(1), may]), capsys
    )
    assert summary["imported"] == 2
    assert Dossier.objects.get(code=code(number=1)).procedure_version == old
    assert Dossier.objects.get(code="000.00.01.H99-210504-0001").procedure_version == new
    too_early = dossier_line(3, received("1999-04-05T08:10:00+07:00"))
    summary, err = run_import("dossiers", write_lines(tmp_path / "e.jsonl", [too_early]), capsys)
    assert "has no version in force on 1999-04-05" in err


def test_standard_input_and_a_missing_file(catalogue, tmp_path, capsys, monkeypatch) -> None:
    import io
    import json
    import sys

    with pytest.raises(CommandError, match="file_not_found"):
        call_command("import", "dossiers", str(tmp_path / "missing.jsonl"))
    data = (json.dumps(dossier_line(1), ensure_ascii=False) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    call_command("import", "dossiers", "-")
    assert json.loads(capsys.readouterr().out)["imported"] == 1


# ---- a code already here: skipped only when nothing of the line would be lost ----

OPEN_THEN = [
    received(due_at="2021-04-12T08:10:00+07:00"),
    {"type": "transferred", "at": "2021-04-05T14:00:00+07:00", "to": "AH-CAT-PV06"},
]
LATER = [
    {"type": "resolved", "at": "2021-04-09T10:00:00+07:00"},
    {"type": "result_delivered", "at": "2021-04-09T14:00:00+07:00", "via": "postal"},
]


def test_a_newer_export_of_an_open_dossier_continues_its_history(
    catalogue, tmp_path, capsys
) -> None:
    march = write_lines(tmp_path / "march.jsonl", [dossier_line(1, *OPEN_THEN)])
    assert run_import("dossiers", march, capsys)[0]["imported"] == 1
    april = write_lines(tmp_path / "april.jsonl", [dossier_line(1, *OPEN_THEN, *LATER)])
    summary, _ = run_import("dossiers", april, capsys)
    assert (summary["imported"], summary["extended"], summary["skipped"]) == (0, 1, 0)
    dossier = Dossier.objects.get(code=code(number=1))
    assert dossier.status == "RETURNED" and dossier.delivered_via == "postal"
    # and the newer file once more: every event is here now
    again, _ = run_import("dossiers", april, capsys)
    assert (again["extended"], again["skipped_because"]) == (0, {"already_imported": 1})
    # the older file too: its events are all in the stored history
    older, _ = run_import("dossiers", march, capsys)
    assert older["skipped_because"] == {"already_imported": 1}


def test_a_history_that_differs_from_the_stored_one_is_refused_not_skipped(
    catalogue, tmp_path, capsys
) -> None:
    run_import("dossiers", write_lines(tmp_path / "a.jsonl", [dossier_line(1)]), capsys)
    before = table_counts()
    rewritten = dossier_line(
        1,
        received(due_at="2021-04-12T08:10:00+07:00"),
        {"type": "supplement_requested", "at": "2021-04-06T09:00:00+07:00", "reason": "Thiếu"},
        *LATER,
    )
    summary, err = run_import("dossiers", write_lines(tmp_path / "b.jsonl", [rewritten]), capsys)
    assert (summary["rejected"], summary["skipped"], summary["extended"]) == (1, 0, 0)
    assert "events[1] (supplement_requested" in err and "the histories differ" in err
    assert table_counts() == before

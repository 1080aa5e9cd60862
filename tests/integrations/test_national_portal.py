"""The national portal connector against a stand-in portal served on 127.0.0.1: dossiers pulled
and pushed become SUBMITTED dossiers with their files and the portal's facts; bad messages are
refused with a stable code and leave nothing; every status goes back through the outbox's real
task path, in order, even after the portal was down; the catalogue sync and reconciliation
(docs/integrations/national-portal.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from motcua.catalog.models import Procedure
from motcua.core.clock import local, now
from motcua.core.errors import Conflict, MotcuaError, ValidationFailed
from motcua.documents.models import Document
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.reception import accept_dossier, waiting_for_reception
from motcua.integrations.national_portal import inbound, status
from motcua.integrations.national_portal.models import PortalDossier, RefusedMessage
from motcua.outbox.models import MessageStatus, OutboxMessage
from tests.conftest import on_postgres, version_of, vn
from tests.documents.test_documents import media, pdf_bytes  # noqa: F401  (fixture)
from tests.integrations.portal_standin import StandIn, standin_running
from tests.notifications.test_notifications import run_ready_tasks

pytestmark = pytest.mark.django_db

SECRET = "tests-only-portal-secret"
CRIMINAL_RECORD = "3.000333"  # online (partial), received at AH (000.00.01.H99)
CODE = "G22.99-261102-0001"


@pytest.fixture
def portal(settings: Any, media: Path) -> Iterator[StandIn]:  # noqa: F811
    """The stand-in portal, the connector pointed at it, statuses through the database queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with standin_running(SECRET) as standin:
        settings.NATIONAL_PORTAL_URL = standin.url
        settings.NATIONAL_PORTAL_SECRET = SECRET
        settings.NATIONAL_PORTAL_TIMEOUT = 2
        settings.OUTBOX_DESTINATIONS = [
            "notifications",
            "national_portal",
        ]
        yield standin


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def message(code: str = CODE, **overrides: Any) -> dict[str, Any]:
    component = version_of(CRIMINAL_RECORD).component_names()[0]
    body = {
        "MaHoSo": code,
        "MaTTHC": CRIMINAL_RECORD,
        "MaDonViTiepNhan": "000.00.01.H99",
        "NgayNopHoSo": "20261102090000",
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "001190000001",
        "SoDienThoai": "0912345678",
        "Email": "binh@example.vn",
        "HinhThucNhanKetQua": "0",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "DuocThanhToanTrucTuyen": "1",
        "TaiLieuNop": [
            {
                "TenTepDinhKem": "to-khai.pdf",
                "TenThanhPhanHoSo": component,
                "Base64": b64(pdf_bytes("to khai")),
                "DuocSoHoa": "1",
                "DuocLayTuKhoDMQG": "0",
            },
            {
                "TenTepDinhKem": "cccd.pdf",
                "TenThanhPhanHoSo": component,
                "DuongDanTaiTepTin": "/tep/cccd.pdf",
                "DuocSoHoa": "1",
                "DuocLayTuKhoDMQG": "1",
            },
        ],
        "DanhSachLePhi": [
            {"TenPhiLePhi": "Lệ phí cấp phiếu", "MaPhiLePhi": "LP1", "Gia": "200000"}
        ],
    }
    body.update(overrides)
    return body


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def make_ready() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=now())


# --- pull --------------------------------------------------------------------------------------


def test_a_pulled_dossier_waits_for_reception_with_its_files_and_facts(
    portal, counter_officer, capsys
) -> None:
    portal.files["cccd.pdf"] = pdf_bytes("can cuoc")
    portal.offer(message())
    call_command("portal", "pull")
    dossier = Dossier.objects.get()
    assert dossier.status == "SUBMITTED" and dossier.channel == "online"
    assert (dossier.source, dossier.external_code) == ("national_portal", CODE)
    assert dossier.applicant_name == "Trần Thị Bình"
    assert dossier.submitted_at == vn(2026, 11, 2, 9, 0)
    documents = Document.objects.filter(dossier=dossier).order_by("id")
    assert [d.title for d in documents] == ["to-khai.pdf", "cccd.pdf"]
    assert {d.component_name for d in documents} == set(dossier.components)
    facts = PortalDossier.objects.get(dossier=dossier)
    assert facts.vneid_verified and facts.paid_online == "1" and facts.received_via == "pull"
    assert facts.fees == [{"name": "Lệ phí cấp phiếu", "code": "LP1", "amount": 200000}]
    assert [f["from_national_store"] for f in facts.files] == [False, True]
    assert portal.acks == [{"MaHoSo": CODE, "MaHoSoDonVi": dossier.code, "error_code": "0"}]
    assert portal.pending == []
    assert f"received\t{dossier.code}" in capsys.readouterr().out

    run_ready_tasks()
    (record,) = portal.statuses
    assert record["MaHoSo"] == CODE and record["MaHoSoDonVi"] == dossier.code
    assert record["TrangThaiHoSo"] == "1" and record["NgayNopHoSo"] == "20261102090000"
    assert record["KenhThucHien"] == "2" and record["MaTTHC"] == CRIMINAL_RECORD
    assert record["TaiKhoanDuocXacThucVoiVNeID"] == "1"
    assert record["DuocThanhToanTrucTuyen"] == "1"
    assert record["DanhSachLePhi"] == [
        {"TenPhiLePhi": "Lệ phí cấp phiếu", "MaPhiLePhi": "LP1", "Gia": "200000"}
    ]
    assert record["HoSoCoThanhPhanSoHoa"] == "1"
    assert [f["DuocLayTuKhoDMQG"] for f in record["TaiLieuNop"]] == ["0", "1"]
    assert record["ChuaGhiNhan"] == []
    assert portal.bad_signatures == 0


def test_a_dossier_offered_twice_is_taken_once(portal, counter_officer) -> None:
    portal.files["cccd.pdf"] = pdf_bytes("can cuoc")
    portal.double = True
    portal.offer(message())
    call_command("portal", "pull")
    assert Dossier.objects.count() == 1
    refused = RefusedMessage.objects.get()
    assert (refused.code, refused.external_code) == ("duplicate_external_code", CODE)
    assert refused.body["TaiLieuNop"][0]["Base64"] == "…"  # the file's bytes are not kept
    assert [ack["error_code"] for ack in portal.acks] == ["0", "duplicate_external_code"]
    call_command("portal", "pull")  # the portal no longer offers it
    assert Dossier.objects.count() == 1 and RefusedMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"MaTTHC": "9.999999"}, "unknown_procedure"),
        ({"MaDonViTiepNhan": "000.99.99.X00"}, "unknown_unit"),
        ({"NgayNopHoSo": "02/11/2026"}, "bad_message"),
        (
            {"TaiLieuNop": [{"TenTepDinhKem": "x.pdf", "DuongDanTaiTepTin": "/tep/khong-co.pdf"}]},
            "missing_file",
        ),
        ({"TaiLieuNop": [{"TenTepDinhKem": "x.pdf"}]}, "missing_file"),
        (
            {"TaiLieuNop": [{"TenTepDinhKem": "x.html", "Base64": b64(b"<html>hi</html>")}]},
            "document_type_not_allowed",
        ),  # the component name is set in the test
    ],
)
def test_a_bad_message_is_refused_with_its_code_and_leaves_nothing(
    portal,
    counter_officer,
    media,  # noqa: F811
    change,
    code,
) -> None:
    portal.files["cccd.pdf"] = pdf_bytes("can cuoc")
    for item in change.get("TaiLieuNop", []):
        item["TenThanhPhanHoSo"] = version_of(CRIMINAL_RECORD).component_names()[0]
    portal.offer(message(**change))
    events = DossierEvent.objects.count()
    call_command("portal", "pull")
    assert not Dossier.objects.exists() and not Document.objects.exists()
    assert DossierEvent.objects.count() == events and not OutboxMessage.objects.exists()
    assert stored_files(media) == []  # a file stored before the refusal is removed
    assert RefusedMessage.objects.get().code == code
    assert portal.acks[0]["error_code"] == code


def test_a_file_refused_after_another_was_stored_leaves_no_file(
    portal,
    counter_officer,
    media,  # noqa: F811
) -> None:
    good = message()["TaiLieuNop"][0]
    bad = {**good, "TenThanhPhanHoSo": "Giấy tờ không có trong danh mục"}
    portal.offer(message(TaiLieuNop=[good, bad]))
    call_command("portal", "pull")
    assert RefusedMessage.objects.get().code == "unknown_component"
    assert not Dossier.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("fault", ["5xx", "timeout"])
def test_a_portal_that_fails_or_hangs_on_pull_writes_nothing(
    portal, counter_officer, settings, fault
) -> None:
    portal.offer(message(TaiLieuNop=message()["TaiLieuNop"][:1]))
    if fault == "5xx":
        portal.fail_with = 503
    else:
        settings.NATIONAL_PORTAL_TIMEOUT = 1
        portal.delay = 1.5
    with pytest.raises(CommandError, match="portal_unavailable"):
        call_command("portal", "pull")
    assert not Dossier.objects.exists() and not RefusedMessage.objects.exists()
    portal.fail_with, portal.delay = None, 0.0
    call_command("portal", "pull")  # nothing was lost: it is taken when the portal is back
    assert Dossier.objects.get().external_code == CODE


def test_pull_without_configuration_is_refused_with_a_code(settings) -> None:
    settings.NATIONAL_PORTAL_URL = ""
    with pytest.raises(CommandError, match="portal_not_configured"):
        call_command("portal", "pull")


# --- push --------------------------------------------------------------------------------------


def push(body: Any, *, secret: str = SECRET, stamp: int | None = None) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    moment = str(stamp if stamp is not None else int(time.time()))
    mac = hmac.new(secret.encode(), moment.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return Client().post(
        "/api/v1/portal/dossiers",
        raw,
        content_type="application/json",
        headers={"X-Motcua-Timestamp": moment, "X-Motcua-Signature": f"sha256={mac}"},
    )


def test_a_pushed_dossier_is_taken_and_a_second_push_refused(portal, counter_officer) -> None:
    portal.files["cccd.pdf"] = pdf_bytes("can cuoc")
    answer = push(message())
    assert answer.status_code == 201
    dossier = Dossier.objects.get()
    assert answer.json() == {"error_code": "0", "MaHoSo": CODE, "MaHoSoDonVi": dossier.code}
    assert PortalDossier.objects.get().received_via == "push"
    again = push(message())
    assert again.status_code == 409 and again.json()["code"] == "duplicate_external_code"
    assert Dossier.objects.count() == 1
    assert RefusedMessage.objects.get().code == "duplicate_external_code"


@pytest.mark.parametrize(
    ("how", "status", "code"),
    [
        ({"secret": "not-the-secret"}, 401, "bad_signature"),
        ({"stamp": int(time.time()) - 3600}, 401, "bad_signature"),  # an old message replayed
        ({"body": {**{"MaTTHC": "9.999999"}}}, 404, "unknown_procedure"),
        ({"body": ["not", "a", "dossier"]}, 422, "bad_message"),
    ],
)
def test_a_bad_push_is_refused_with_a_stable_code(
    portal, counter_officer, how, status, code
) -> None:
    body = how.pop("body", {})
    answer = push(body if isinstance(body, list) else message(**body), **how)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.json()
    assert not Dossier.objects.exists()
    assert RefusedMessage.objects.get().code == code


# --- statuses back -----------------------------------------------------------------------------


def pulled(portal: StandIn) -> Dossier:
    portal.offer(message(TaiLieuNop=message()["TaiLieuNop"][:1]))
    call_command("portal", "pull")
    return Dossier.objects.get()


def test_end_to_end_every_status_reaches_the_portal_in_order(
    portal, counter_officer, agency_leader, specialist
) -> None:
    dossier = pulled(portal)
    assert list(waiting_for_reception(counter_officer)) == [dossier]  # the counter's queue
    # the counter officer accepts it, through the actions table as the desk does
    dossier = actions.perform("accept", dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 10))
    dossier = actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 11))
    dossier = actions.assign_dossier(
        dossier=dossier, by=agency_leader, specialist=specialist, at=vn(2026, 11, 2, 14, 0)
    )
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ điều kiện", at=vn(2026, 11, 3, 9, 0)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2026, 11, 3, 10))
    dossier = actions.approve_dossier(
        dossier=dossier, by=agency_leader, result_number="77/PV06", at=vn(2026, 11, 4, 9, 0)
    )
    dossier = actions.return_result(dossier=dossier, by=agency_leader, at=vn(2026, 11, 4, 10, 0))
    dossier = actions.deliver_result(
        dossier=dossier, by=counter_officer, via="counter", at=vn(2026, 11, 5, 8, 0)
    )
    assert dossier.status == "RETURNED"
    run_ready_tasks()  # what `motcua db_worker` does

    sent = OutboxMessage.objects.filter(destination="national_portal").order_by("sequence")
    assert {m.status for m in sent} == {MessageStatus.DELIVERED}
    assert portal.events_of(CODE) == [m.event_type for m in sent]
    assert portal.events_of(CODE) == [  # document_added is not a status: not sent
        "submitted", "received", "transferred", "assigned", "appraised",
        "submitted_for_approval", "approved", "resolved", "result_delivered",
    ]  # fmt: skip
    assert portal.codes_of(CODE) == ["1", "2", "4", "4", "4", "4", "4", "9", "10"]
    records = [s for s in portal.statuses if s["MaHoSo"] == CODE]
    assert [r["SoThuTu"] for r in records] == list(range(1, 10))
    assert records[0]["NgayTiepNhan"] == "" and records[1]["NgayTiepNhan"] == "20261102100000"
    assert records[1]["NgayHenTra"] == local(dossier.due_at).strftime("%Y%m%d%H%M%S")
    assert records[-2]["NgayKetThucXuLy"] == "20261104100000" and records[-2]["NgayTra"] == ""
    assert records[-1]["NgayTra"] == "20261105080000"
    assert records[-1]["MaKetQua"] == "77/PV06"
    assert records[-1]["MaCoQuan"] and records[-1]["DonViXuLy"] == dossier.agency.name
    assert sorted(portal.keys_seen) == sorted(m.idempotency_key for m in sent)  # once each


def test_a_counter_dossier_is_sent_with_what_motcua_does_not_record_named(
    portal, counter_officer
) -> None:
    from tests.dossiers.test_receive_dossier import receive

    dossier = receive(counter_officer)
    run_ready_tasks()
    (record,) = portal.statuses
    assert record["MaHoSo"] == dossier.code and record["KenhThucHien"] == "1"
    assert record["TrangThaiHoSo"] == "2"
    assert record["TaiKhoanDuocXacThucVoiVNeID"] == "0" and record["DanhSachLePhi"] == []
    assert "DuocLayTuKhoDMQG" in record["ChuaGhiNhan"]


def test_a_portal_down_for_an_hour_loses_nothing_and_gets_all_in_order(
    portal, counter_officer, agency_leader, specialist
) -> None:
    dossier = pulled(portal)
    portal.fail_with = 503
    dossier = accept_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 10, 0))
    actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 11, 0))
    for _ in range(3):  # the retries of an hour fail
        make_ready()
        run_ready_tasks()
    sent = list(OutboxMessage.objects.filter(destination="national_portal").order_by("sequence"))
    assert portal.statuses == [] and len(sent) == 3
    assert all(m.status == MessageStatus.PENDING for m in sent)
    portal.fail_with = None
    make_ready()
    run_ready_tasks()
    assert portal.codes_of(CODE) == ["1", "2", "4"]
    assert portal.events_of(CODE) == ["submitted", "received", "transferred"]


def test_a_slow_portal_is_waited_for_and_one_that_times_out_gets_the_status_once(
    portal, counter_officer, settings
) -> None:
    portal.delay = 0.3  # slow, within the timeout
    dossier = pulled(portal)
    run_ready_tasks()
    assert portal.codes_of(CODE) == ["1"]
    settings.NATIONAL_PORTAL_TIMEOUT = 1
    portal.delay = 1.5  # past the timeout: the stand-in still takes it, late
    accept_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 10, 0))
    run_ready_tasks()
    message = OutboxMessage.objects.get(destination="national_portal", event_type="received")
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert "portal" in message.last_error.lower() or "timed out" in message.last_error
    portal.delay = 0.0
    make_ready()
    run_ready_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert portal.keys_seen.count(message.idempotency_key) == 2  # sent twice…
    assert portal.codes_of(CODE) == ["1", "2"]  # …taken once, by its key


def test_motcua_check_names_a_portal_destination_without_its_settings(settings) -> None:
    from motcua.outbox.checks import destinations_configured

    settings.OUTBOX_DESTINATIONS = ["notifications", "national_portal"]
    settings.NATIONAL_PORTAL_URL = ""
    settings.NATIONAL_PORTAL_SECRET = ""
    problems = destinations_configured()
    assert [p.id for p in problems] == ["outbox.E002", "outbox.E002"]
    assert "MOTCUA_NATIONAL_PORTAL_SECRET" in " ".join(p.msg for p in problems)


# --- catalogue ---------------------------------------------------------------------------------


def national_record(code: str = "1.099999", fee: int = 50000, **overrides: Any) -> dict:
    agency = version_of(CRIMINAL_RECORD).agency
    record = {
        "MATTHC": code,
        "TENTTHC": "Cấp giấy chứng nhận thử nghiệm",
        "TRANGTHAI": "1",
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "X", "TENLINHVUC": "Thử nghiệm"}],
        "COQUANTHUCHIEN": [{"MADONVI": agency.identity_code or agency.code, "TENDONVI": "x"}],
        "CACHTHUCTHUCHIEN": [
            {
                "KENH": "1",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "5",
                        "DONVITINH": "Ngày làm việc",
                        "PHILEPHI": [{"SOTIEN": str(fee), "MOTA": "Lệ phí"}],
                    }
                ],
            },
            {
                "KENH": "2",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "5",
                        "DONVITINH": "Ngày làm việc",
                        "PHILEPHI": [{"SOTIEN": str(fee // 2), "MOTA": "Lệ phí"}],
                    }
                ],
            },
        ],
        "THANHPHANHOSO": [{"GIAYTO": [{"TENGIAYTO": "Đơn đề nghị"}, {"TENGIAYTO": "Bản sao"}]}],
    }
    record.update(overrides)
    return record


def test_the_catalogue_sync_creates_a_version_only_when_something_changed(
    portal, counter_officer, capsys
) -> None:
    portal.procedures = [national_record(), national_record("1.088888", TRANGTHAI="0")]
    call_command("portal", "sync-catalogue", "--json")
    assert json.loads(capsys.readouterr().out)["procedures_created"] == 1
    procedure = Procedure.objects.get(code="1.099999")
    assert not Procedure.objects.filter(code="1.088888").exists()  # not published
    version = procedure.current_version()
    assert version.name == "Cấp giấy chứng nhận thử nghiệm" and version.online == "partial"
    assert version.component_names() == ["Đơn đề nghị", "Bản sao"]
    assert [(f["amount"], f.get("channel")) for f in version.fees] == [
        (50000, "counter"),
        (25000, "online"),
    ]
    call_command("portal", "sync-catalogue", "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["versions_created"] == 0 and again["unchanged"] == 1
    portal.procedures = [national_record(fee=60000)]
    call_command("portal", "sync-catalogue", "--json")
    assert json.loads(capsys.readouterr().out)["versions_created"] == 1
    assert procedure.versions.count() == 2


def test_the_catalogue_sync_refuses_an_unknown_agency_and_writes_nothing(
    portal, counter_officer
) -> None:
    portal.procedures = [national_record(COQUANTHUCHIEN=[{"MADONVI": "000.99.99.X00"}])]
    with pytest.raises(CommandError, match="invalid_catalogue"):
        call_command("portal", "sync-catalogue")
    assert not Procedure.objects.filter(code="1.099999").exists()


# --- reconciliation ----------------------------------------------------------------------------


def test_reconcile_lists_differences_and_resends_the_current_status(
    portal, counter_officer, capsys
) -> None:
    dossier = pulled(portal)
    accept_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 10, 0))
    run_ready_tasks()
    today = local(now()).date().isoformat()
    call_command("portal", "reconcile", "--date", today)
    assert capsys.readouterr().out.strip().endswith("differences: 0")

    portal.remote[CODE] = "1"  # the portal missed a status
    call_command("portal", "reconcile", "--date", today, "--json")
    (found,) = json.loads(capsys.readouterr().out)
    assert (found["dossier"], found["ours"], found["remote"]) == (dossier.code, "2", "1")
    assert found["resent"] is None
    call_command("portal", "reconcile", "--date", today, "--resend", "--json")
    (resent,) = json.loads(capsys.readouterr().out)
    message = OutboxMessage.objects.get(pk=resent["resent"])
    # next in the dossier's own stream, under a key of its own
    assert (message.destination, message.event_type) == ("national_portal", "received")
    assert (message.sequence, message.resend) == (3, 1)
    assert message.idempotency_key == f"motcua-resend-{message.event_id}-1-national_portal"
    run_ready_tasks()
    assert portal.codes_of(CODE) == ["1", "2", "2"]
    assert [s["SoThuTu"] for s in portal.statuses] == [1, 2, 3]  # the stream's order kept
    call_command("portal", "reconcile", "--date", today, "--resend", "--json")
    (again,) = json.loads(capsys.readouterr().out)  # the stand-in still claims "1"
    second = OutboxMessage.objects.get(pk=again["resent"])
    assert (second.sequence, second.resend, second.event_id) == (4, 2, message.event_id)
    assert second.idempotency_key != message.idempotency_key
    run_ready_tasks()
    assert portal.codes_of(CODE) == ["1", "2", "2", "2"]  # a new key: taken as new
    assert [s["SoThuTu"] for s in portal.statuses] == [1, 2, 3, 4]
    del portal.remote[CODE]
    call_command("portal", "reconcile", "--date", today)
    assert capsys.readouterr().out.strip().endswith("differences: 0")


def test_a_resend_waits_for_the_stream_and_needs_the_destination(
    portal, counter_officer, settings
) -> None:
    dossier = pulled(portal)
    accept_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 11, 2, 10, 0))
    with pytest.raises(Conflict) as pending:  # "received" is still queued: it brings the status
        status.resend(dossier)
    assert pending.value.code == "stream_pending"
    run_ready_tasks()
    settings.OUTBOX_DESTINATIONS = ["notifications"]
    with pytest.raises(ValidationFailed) as unused:
        status.resend(dossier)
    assert unused.value.code == "resend_not_in_use"
    assert not OutboxMessage.objects.filter(resend__gt=0).exists()


def test_reconcile_refuses_a_bad_date(portal) -> None:
    with pytest.raises(CommandError, match="bad_date"):
        call_command("portal", "reconcile", "--date", "02/11/2026")


# --- the same dossier from two sides at once -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_dossier_pushed_and_pulled_at_once_is_taken_once(
    portal,
    counter_officer,
    media,  # noqa: F811
) -> None:
    """Four deliveries of one dossier at the same moment (pushes racing a pull): one dossier, one
    set of files, the others refused as duplicates."""
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    body = message(TaiLieuNop=message()["TaiLieuNop"][:1])
    codes: list[str] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            inbound.receive(body, via="push")
            codes.append("taken")
        except MotcuaError as error:
            codes.append(error.code)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(codes) == ["duplicate_external_code"] * 3 + ["taken"]
    assert Dossier.objects.count() == 1 and PortalDossier.objects.count() == 1
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1
    assert RefusedMessage.objects.filter(code="duplicate_external_code").count() == 3


def test_a_dossier_sent_back_for_completion_comes_again_under_its_code(
    portal, counter_officer
) -> None:
    dossier = pulled(portal)
    component = version_of(CRIMINAL_RECORD).component_names()[0]
    actions.perform(
        "ask_to_complete",
        dossier=dossier,
        by=counter_officer,
        at=vn(2026, 11, 2, 10, 0),
        reason="Thiếu bản chụp căn cước",
        items=[component],
    )
    completed = {
        "TenTepDinhKem": "cccd-bo-sung.pdf",
        "TenThanhPhanHoSo": component,
        "Base64": b64(pdf_bytes("bo sung")),
    }
    portal.offer(message(NgayNopHoSo="20261103090000", TaiLieuNop=[completed]))
    call_command("portal", "pull")
    dossier.refresh_from_db()
    assert Dossier.objects.count() == 1 and dossier.status == "SUBMITTED"
    assert dossier.events.filter(type="resubmitted").exists()
    assert Document.objects.filter(dossier=dossier).count() == 2
    assert len(PortalDossier.objects.get().files) == 2
    run_ready_tasks()
    assert portal.codes_of(CODE) == ["1", "5", "1"]
    assert {s["NgayHenTra"] for s in portal.statuses} == {""}  # no appointment before receipt
    (round_,) = portal.statuses[-1]["DanhSachHoSoBoSung"]
    assert round_["NoiDungBoSung"] == "Thiếu bản chụp căn cước"
    assert round_["NgayTiepNhanBoSung"] == "20261103090000"
    portal.offer(message(NgayNopHoSo="20261103100000", TaiLieuNop=[completed]))
    call_command("portal", "pull")  # waiting for reception again: a repeat is a duplicate
    assert RefusedMessage.objects.get().code == "duplicate_external_code"


def test_the_administrator_sees_the_refused_messages(portal, counter_officer, admin_client) -> None:
    portal.offer(message(MaTTHC="9.999999"))
    call_command("portal", "pull")
    page = admin_client.get("/quan-tri/national_portal/refusedmessage/?code=unknown_procedure")
    assert page.status_code == 200
    assert CODE in page.content.decode()
    refused = RefusedMessage.objects.get()
    detail = admin_client.get(f"/quan-tri/national_portal/refusedmessage/{refused.pk}/change/")
    assert detail.status_code == 200 and "9.999999" in detail.content.decode()


def test_the_catalogue_sync_keeps_what_the_province_added_to_a_procedure(
    portal, counter_officer
) -> None:
    ours = version_of(CRIMINAL_RECORD)
    record = national_record(CRIMINAL_RECORD, TENTTHC="Cấp Phiếu lý lịch tư pháp (tên mới)")
    for way in record["CACHTHUCTHUCHIEN"]:
        way["THOIGIAN"][0]["PHILEPHI"] = []  # fees set by the province: none nationally
    record["THANHPHANHOSO"] = [{"GIAYTO": [{"TENGIAYTO": n} for n in ours.component_names()]}]
    portal.procedures = [record]
    call_command("portal", "sync-catalogue")
    new = version_of(CRIMINAL_RECORD)
    assert new.pk != ours.pk and new.name == "Cấp Phiếu lý lịch tư pháp (tên mới)"
    assert new.duration_value == 5
    assert new.fees == ours.fees and new.components == ours.components
    assert (new.process, new.convention, new.agency) == (ours.process, ours.convention, ours.agency)

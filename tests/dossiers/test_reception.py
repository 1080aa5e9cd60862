"""Reception of online dossiers (docs/domain/lifecycle.md#online-reception): submission from a
portal, the counter officer's three actions, resubmission under the same code, and the refusal
of a paper dossier at the counter; the events, notifications, papers and the audit."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.core.errors import Conflict, MotcuaError, PermissionRefused, ValidationFailed
from motcua.dossiers import audit, printing
from motcua.dossiers.actions import Applicant, TransitionNotAllowed, perform
from motcua.dossiers.models import Dossier, DossierEvent, EventType, Source
from motcua.dossiers.reception import (
    accept_dossier,
    ask_to_complete,
    find_online,
    refuse_at_reception,
    refuse_paper_at_counter,
    resubmit,
    submit_online,
)
from motcua.notifications.models import Notification
from motcua.workflow.states import Status
from tests.conftest import version_of, vn

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "3.000333"  # 10 working days, offered online (partial)
NOT_ONLINE = "2.000884"  # chứng thực chữ ký: counter only


def submit(**overrides) -> Dossier:
    version = version_of(CRIMINAL_RECORD)
    arguments = {
        "procedure": CRIMINAL_RECORD,
        "unit": Unit.objects.get(code="AH"),
        "applicant": Applicant(name="Trần Thị Bình", phone="0912 345 678", email="binh@example.vn"),
        "components": version.component_names()[:1],
        "source": Source.NATIONAL_PORTAL,
        "external_code": "G22.99-260120-0001",
        "submitted_at": vn(2026, 1, 20, 19, 30),
    }
    arguments.update(overrides)
    return submit_online(**arguments)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def breaks(dossier: Dossier) -> list[str]:
    return [found.kind for found in audit.verify(Dossier.objects.filter(pk=dossier.pk))]


def test_a_submitted_dossier_waits_with_its_code_source_and_event(counter_officer) -> None:
    dossier = submit()
    assert dossier.status == Status.SUBMITTED
    assert dossier.code == "000.00.01.H99-260120-0001"
    assert (dossier.source, dossier.external_code) == ("national_portal", "G22.99-260120-0001")
    assert dossier.submitted_at == vn(2026, 1, 20, 19, 30)
    assert dossier.channel == "online" and dossier.received_by is None
    event = dossier.events.get()
    assert event.type == EventType.SUBMITTED and event.actor is None
    assert event.data["source"] == "national_portal"
    assert not dossier.steps.exists()
    assert find_online(source="national_portal", external_code="G22.99-260120-0001") == dossier
    assert breaks(dossier) == []


def test_the_same_portal_code_twice_is_refused_and_writes_nothing(counter_officer) -> None:
    submit()
    events = DossierEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        submit(applicant=Applicant(name="Người khác"))
    assert refused.value.code == "duplicate_external_code"
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == events
    # another portal may use the same code; a submission without a code is never a duplicate
    assert submit(source=Source.OWN_PORTAL).status == Status.SUBMITTED
    submit(external_code="")
    submit(external_code="")
    assert Dossier.objects.count() == 4


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"procedure": NOT_ONLINE}, "procedure_not_online"),
        ({"procedure": "9.999999"}, "unknown_procedure"),
        ({"source": "facebook"}, "unknown_source"),
        ({"submitted_at": datetime(2026, 1, 20, 19, 30)}, "timestamp_without_offset"),
        ({"submitted_at": vn(2099, 1, 1, 9, 0)}, "submitted_in_future"),
        ({"components": ["Không có trong danh mục"]}, "unknown_component"),
        ({"components": []}, "no_components"),
        ({"applicant": Applicant(name="")}, "applicant_name_required"),
        ({"return_channel": "postal"}, "postal_address_required"),
    ],
)
def test_a_bad_submission_is_refused_with_its_code(counter_officer, overrides, code) -> None:
    if overrides.get("procedure") == NOT_ONLINE:
        overrides["components"] = version_of(NOT_ONLINE).component_names()[:1]
    with pytest.raises(MotcuaError) as refused:
        submit(**overrides)
    assert refused.value.code == code
    assert not Dossier.objects.exists()


# (submitted, accepted, the clock starts): an online dossier is received when the officer
# accepts it, and the clock starts then or at the next working instant
# (docs/domain/legal-clock.md#start-of-the-clock).
CLOCK_STARTS = [
    pytest.param(
        vn(2026, 1, 20, 19, 30),
        vn(2026, 1, 20, 19, 45),
        vn(2026, 1, 21, 7, 0),
        id="weekday-evening",
    ),
    pytest.param(
        vn(2026, 1, 20, 19, 30), vn(2026, 1, 21, 9, 10), vn(2026, 1, 21, 9, 10), id="next-morning"
    ),
    pytest.param(
        vn(2026, 1, 17, 9, 0), vn(2026, 1, 17, 10, 0), vn(2026, 1, 19, 7, 0), id="saturday"
    ),
    # Thu 30 April 2026 (Reunification Day), Fri 1 May (Labour Day), then the weekend
    pytest.param(
        vn(2026, 4, 30, 10, 0), vn(2026, 4, 30, 10, 5), vn(2026, 5, 4, 7, 0), id="holiday"
    ),
    # Tết Bính Ngọ: closed from Mon 16 to Fri 20 February 2026
    pytest.param(vn(2026, 2, 17, 8, 0), vn(2026, 2, 18, 8, 0), vn(2026, 2, 23, 7, 0), id="tet"),
]


@pytest.mark.parametrize(("submitted", "accepted", "starts"), CLOCK_STARTS)
def test_the_clock_of_an_online_dossier_starts_at_acceptance_or_the_next_working_instant(
    counter_officer, submitted: datetime, accepted: datetime, starts: datetime
) -> None:
    dossier = submit(submitted_at=submitted)
    received = accept_dossier(dossier=dossier, by=counter_officer, at=accepted)
    assert received.status == Status.RECEIVED
    assert received.received_at == accepted  # printed on Form 01 as it was
    assert received.clock_started_at == starts
    assert received.submitted_at == submitted
    event = received.events.get(type=EventType.RECEIVED)
    assert event.data["clock_started_at"] == starts.isoformat()
    assert event.data["submitted_at"] == submitted.isoformat()
    assert received.due_at > starts
    assert breaks(received) == []


def test_accepting_tells_the_applicant_the_code_and_appointment_and_prints_form_01(
    counter_officer,
) -> None:
    dossier = submit()
    assert printing.papers_for(dossier) == []
    received = accept_dossier(dossier=dossier, by=counter_officer, at=vn(2026, 1, 21, 9, 0))
    assert received.received_by == counter_officer
    assert received.steps.filter(kind="reception", completed_at__isnull=True).exists()
    told = Notification.objects.filter(event__type=EventType.RECEIVED)
    assert {n.channel for n in told} == {"email", "sms"}
    email = told.get(channel="email")
    assert received.code in email.body and "Hẹn trả kết quả" in email.body
    assert [form for form, _title in printing.papers_for(received)] == ["01", "06"]
    text = pdf_text(printing.receipt_pdf(received))
    assert received.code in text and "Trần Thị Bình" in text


def test_asking_to_complete_sends_guidance_and_the_clock_does_not_start(counter_officer) -> None:
    dossier = submit()
    waiting = ask_to_complete(
        dossier=dossier,
        by=counter_officer,
        reason="Ảnh chụp tờ khai bị mờ",
        items=["Tờ khai chụp rõ nét", "  "],
        at=vn(2026, 1, 21, 8, 0),
    )
    assert waiting.status == Status.NEEDS_COMPLETION_AT_RECEPTION
    assert waiting.clock_started_at == dossier.clock_started_at  # still the submission
    event = waiting.events.get(type=EventType.COMPLETION_REQUESTED)
    assert event.reason == "Ảnh chụp tờ khai bị mờ" and event.data["items"] == [
        "Tờ khai chụp rõ nét"
    ]
    email = Notification.objects.get(event=event, channel="email")
    assert "Tờ khai chụp rõ nét" in email.body and "nộp lại" in email.body
    assert [form for form, _title in printing.papers_for(waiting)] == ["02"]
    text = pdf_text(printing.paper_pdf(waiting, "02"))
    assert "PHIẾU YÊU CẦU BỔ SUNG" in text and "Tờ khai chụp rõ nét" in text
    assert "Ảnh chụp tờ khai bị mờ" in text and waiting.code in text
    with pytest.raises(MotcuaError) as refused:
        printing.receipt_pdf(waiting)
    assert refused.value.code == "paper_not_available"
    assert breaks(waiting) == []


def test_a_resubmitted_dossier_keeps_its_code_and_waits_again(counter_officer) -> None:
    dossier = submit()
    waiting = ask_to_complete(
        dossier=dossier,
        by=counter_officer,
        reason="Thiếu",
        items=["Tờ khai"],
        at=vn(2026, 1, 21, 8),
    )
    again = resubmit(dossier=waiting, submitted_at=vn(2026, 1, 22, 21, 0), note="Đã chụp lại")
    assert again.code == dossier.code and again.pk == dossier.pk
    assert again.status == Status.SUBMITTED
    assert again.submitted_at == vn(2026, 1, 22, 21, 0)
    assert again.events.filter(type=EventType.RESUBMITTED).get().reason == "Đã chụp lại"
    received = accept_dossier(dossier=again, by=counter_officer, at=vn(2026, 1, 23, 7, 30))
    assert received.clock_started_at == vn(2026, 1, 23, 7, 30)
    assert [e.type for e in received.events.order_by("sequence")] == [
        "submitted",
        "completion_requested",
        "resubmitted",
        "received",
    ]
    assert breaks(received) == []
    with pytest.raises(TransitionNotAllowed):
        resubmit(dossier=received, submitted_at=vn(2026, 1, 23, 8, 0))


def test_refusing_at_reception_ends_the_dossier_with_form_03(counter_officer) -> None:
    dossier = submit()
    refused = refuse_at_reception(
        dossier=dossier,
        by=counter_officer,
        reason="Thủ tục thuộc thẩm quyền của Bộ Tư pháp",
        at=vn(2026, 1, 21, 8, 0),
    )
    assert refused.status == Status.REFUSED_AT_RECEPTION
    assert refused.ended_at == vn(2026, 1, 21, 8, 0)
    event = refused.events.get(type=EventType.REFUSED_AT_RECEPTION)
    assert Notification.objects.filter(event=event, channel="sms").exists()
    assert [form for form, _title in printing.papers_for(refused)] == ["03"]
    text = pdf_text(printing.paper_pdf(refused, "03"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN" in text and "Bộ Tư pháp" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Counter Officer" in text
    assert breaks(refused) == []
    with pytest.raises(TransitionNotAllowed):
        accept_dossier(dossier=refused, by=counter_officer)


def test_a_dossier_waiting_for_completion_may_be_refused(counter_officer) -> None:
    waiting = ask_to_complete(
        dossier=submit(), by=counter_officer, reason="Thiếu", items=["Tờ khai"], at=vn(2026, 1, 21)
    )
    refused = perform("refuse_at_reception", dossier=waiting, by=counter_officer, reason="Quá hạn")
    assert refused.status == Status.REFUSED_AT_RECEPTION


@pytest.mark.parametrize("action", ["accept", "ask_to_complete", "refuse_at_reception"])
@pytest.mark.parametrize("who", ["commune_officer", "specialist"])
def test_only_the_receiving_one_stop_counter_officer_may_act(
    request, counter_officer, action: str, who: str
) -> None:
    dossier = submit()
    someone: User = request.getfixturevalue(who)
    values = {"reason": "Lý do", "items": ["Tờ khai"]} if action == "ask_to_complete" else {}
    if action == "refuse_at_reception":
        values = {"reason": "Lý do"}
    with pytest.raises(PermissionRefused) as refused:
        perform(action, dossier=dossier, by=someone, **values)
    assert refused.value.code == "not_your_step"
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED
    assert dossier.events.count() == 1


def test_a_paper_dossier_refused_at_the_counter_is_recorded_with_form_03(counter_officer) -> None:
    version = version_of(CRIMINAL_RECORD)
    refused = refuse_paper_at_counter(
        by=counter_officer,
        unit=Unit.objects.get(code="AH"),
        version=version,
        applicant=Applicant(name="Lê Văn Cường", phone="0987654321"),
        reason="Người nộp không mang giấy tờ tùy thân",
        components=version.component_names()[:1],
        at=vn(2026, 1, 21, 9, 0),
    )
    assert refused.status == Status.REFUSED_AT_RECEPTION and refused.channel == "counter"
    assert refused.received_at == refused.ended_at == vn(2026, 1, 21, 9, 0)
    assert refused.source == "" and refused.received_by == counter_officer
    event = refused.events.get()
    assert event.type == EventType.REFUSED_AT_RECEPTION and event.data["paper"] is True
    assert not refused.steps.exists()
    text = pdf_text(printing.paper_pdf(refused, "03"))
    assert "Người nộp không mang giấy tờ tùy thân" in text and "Lê Văn Cường" in text
    assert breaks(refused) == []


def test_a_paper_refusal_needs_a_reason_and_a_counter_officer(counter_officer, specialist) -> None:
    arguments = {
        "unit": Unit.objects.get(code="AH"),
        "version": version_of(CRIMINAL_RECORD),
        "applicant": Applicant(name="Lê Văn Cường"),
        "at": vn(2026, 1, 21, 9, 0),
    }
    with pytest.raises(ValidationFailed) as missing:
        refuse_paper_at_counter(by=counter_officer, reason=" ", **arguments)
    assert missing.value.code == "reason_required"
    with pytest.raises(PermissionRefused):
        refuse_paper_at_counter(by=specialist, reason="Lý do", **arguments)
    assert not Dossier.objects.exists()

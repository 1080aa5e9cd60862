"""Official papers of a dossier, built from its stored facts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db.models import Min, Q
from django.utils.translation import gettext_noop

from motcua.accounts.models import User
from motcua.calendars.services import calendar_for
from motcua.catalog.models import DurationUnit, Unit
from motcua.core.clock import local, now, site_zone
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers import clock, lookup_codes
from motcua.dossiers.actions import performed
from motcua.dossiers.lookup_codes import lookup_url
from motcua.dossiers.models import Dossier, DossierEvent, EventType, ReturnChannel
from motcua.dossiers.papers import forms2025
from motcua.dossiers.papers.receipt import ReceiptSlip, render_receipt_pdf
from motcua.workflow.actions import ACTIONS
from motcua.workflow.states import NOT_RECEIVED, Status


def receipt_slip(dossier: Dossier) -> ReceiptSlip:
    """Form 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) of a received dossier."""
    version = dossier.procedure_version
    head = dossier.receiving_unit.letterhead()
    # Nothing on a dossier records the applicant's fee case yet: its alternatives are printed.
    fees = version.fee_for(dossier.channel, case=None)
    deadline = clock.current_deadline(dossier)
    return ReceiptSlip(
        issuing_body=head.governing_body,
        centre_name=head.issuing_body,
        place=head.place,
        dossier_code=dossier.code,
        lookup_url=lookup_url(dossier, with_key=True),
        lookup_code=lookup_codes.display(dossier.lookup_code),
        applicant_name=dossier.applicant_name,
        applicant_address=dossier.applicant_address,
        applicant_phone=dossier.applicant_phone,
        applicant_email=dossier.applicant_email,
        procedure_code=dossier.procedure_code,
        procedure_name=version.name,
        components=list(dossier.components),
        sets_count=dossier.sets_count,
        duration_label=_duration_label(dossier),
        received_at=dossier.received_at,
        due_at=deadline.due_at,
        due_explanation=deadline.explanation,
        return_place=_return_place(dossier),
        fees=fees.rows(),
        fees_summary=fees.summary,
        channel_label=dossier.get_channel_display(),
        officer_name=signature_name(dossier.received_by),
        ledger_number="",
    )


def _duration_label(dossier: Dossier) -> str:
    """The dossier's own limit (its channel's, if the procedure has one per channel)."""
    if dossier.same_day_cutoff is not None:
        return f"Trong ngày (nhận sau {dossier.same_day_cutoff:%H:%M} trả ngày làm việc tiếp theo)"
    return f"{dossier.duration_value:02d} {DurationUnit(dossier.duration_unit).label}"


def receipt_pdf(dossier: Dossier) -> bytes:
    if Status(dossier.status) in NOT_RECEIVED:
        raise NotFound("Hồ sơ chưa được tiếp nhận: chưa có giấy hẹn.", code="paper_not_available")
    return render_receipt_pdf(receipt_slip(dossier))


def signature_name(user: User | None) -> str:
    """The name printed under a signature: the person's full name, never the login or an
    account label; "" (a blank to fill in by hand) when the account has no full name."""
    if user is None:
        return ""
    return user.full_name.strip()


def _event_signer(event: DossierEvent) -> str:
    """Who signs a paper issued for `event`: the actor's full name (see `signature_name`);
    for an imported event with no account, the name the source system recorded."""
    return signature_name(event.actor) if event.actor_id else event.actor_name


def _return_place(dossier: Dossier) -> str:
    if dossier.return_channel == ReturnChannel.POSTAL:
        return f"Qua dịch vụ bưu chính công ích: {dossier.postal_address}"
    if dossier.return_channel == ReturnChannel.ONLINE:
        return "Trực tuyến (Cổng Dịch vụ công và kho dữ liệu điện tử của tổ chức, cá nhân)"
    return f"Tại {dossier.receiving_unit.name}"


# --- the 2025 set of papers (Circular 03/2025/TT-VPCP, forms 02–07) ---------------------

# Titles in Vietnamese (the papers stay Vietnamese); marked so that pages list them translated.
RECEIPT_TITLE = gettext_noop("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
PAPERS = {
    "02": gettext_noop("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_noop("Phiếu từ chối giải quyết hồ sơ"),
    "04": gettext_noop("Văn bản xin lỗi và đề nghị gia hạn"),
    "05": gettext_noop("Thông báo dừng giải quyết hồ sơ"),
    "06": gettext_noop("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}


def papers_for(dossier: Dossier) -> list[tuple[str, str]]:
    """(form number, title) of the papers this dossier has reasons to print now: the slip, the
    papers of the actions taken on it (`workflow.actions`) and the control slip."""
    issued = {
        paper
        for action in ACTIONS.values()
        if action.papers and performed(dossier, action)
        for paper in action.papers
    }
    received = Status(dossier.status) not in NOT_RECEIVED
    available = [("01", RECEIPT_TITLE)] if received else []
    available += [(form, PAPERS[form]) for form in sorted(issued)]
    if received:
        available.append(("06", PAPERS["06"]))
    return available


def paper_pdf(dossier: Dossier, form: str) -> bytes:
    if form == "01":
        return receipt_pdf(dossier)
    builders: dict[str, Callable[[Dossier], forms2025.Paper]] = {
        "02": supplement_request,
        "03": refusal,
        "04": apology,
        "05": stop_notice,
        "06": control_slip,
    }
    if form not in builders or (form, PAPERS.get(form)) not in papers_for(dossier):
        raise NotFound(f"Hồ sơ không có mẫu {form}.", code="paper_not_available")
    return forms2025.render_pdf(builders[form](dossier))


def _header(dossier: Dossier, issuer: Unit, at: datetime) -> forms2025.PaperHeader:
    head = issuer.letterhead()
    return forms2025.PaperHeader(
        issuing_body=head.governing_body,
        centre_name=head.issuing_body,
        place=head.place,
        issued_at=at,
        dossier_code=dossier.code,
        lookup_url=lookup_url(dossier),
    )


def _applicant(dossier: Dossier) -> dict[str, str]:
    return {
        "applicant_name": dossier.applicant_name,
        "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "procedure_name": dossier.procedure_version.name,
        "procedure_code": dossier.procedure_code,
    }


def _last(dossier: Dossier, *types: str) -> DossierEvent:
    event = dossier.events.filter(type__in=types).order_by("-sequence").first()
    if event is None:
        raise NotFound("Chưa có sự kiện tương ứng.", code="paper_not_available")
    return event


def supplement_request(dossier: Dossier) -> forms2025.SupplementRequest:
    """Form 02: asked by the agency during processing, or by the one-stop at reception (the
    guidance to complete an online dossier before it is received)."""
    event = _last(dossier, EventType.SUPPLEMENT_REQUESTED, EventType.COMPLETION_REQUESTED)
    at_reception = event.type == EventType.COMPLETION_REQUESTED
    return forms2025.SupplementRequest(
        header=_header(
            dossier, dossier.receiving_unit if at_reception else dossier.agency, event.at
        ),
        number=f"{event.data.get('count', 1)}/PYCBS-{dossier.code}",
        **_applicant(dossier),
        items=[(item, "") for item in event.data.get("items", [])],
        reason=event.reason,
        supplement_due=None,
        contact=dossier.receiving_unit.name,
        officer_name=_event_signer(event),
        is_second_request=bool(event.data.get("second_request")),
    )


def refusal(dossier: Dossier) -> forms2025.Refusal:
    """Form 03: a written refusal signed by the agency, or a refusal at reception signed by the
    one-stop's officer (of an online dossier, or of a paper one at the counter)."""
    event = _last(dossier, EventType.APPROVED, EventType.REFUSED_AT_RECEPTION)
    at_reception = event.type == EventType.REFUSED_AT_RECEPTION
    return forms2025.Refusal(
        header=_header(
            dossier, dossier.receiving_unit if at_reception else dossier.agency, event.at
        ),
        number=f"TC-{dossier.code}",
        **_applicant(dossier),
        reason=event.reason,
        signer_name=_event_signer(event),
        signer_title="NGƯỜI TIẾP NHẬN HỒ SƠ" if at_reception else "THỦ TRƯỞNG CƠ QUAN",
    )


def apology(dossier: Dossier) -> forms2025.ApologyExtension:
    """Form 04. A recorded appointment the applicant cannot keep (a closed day, outside
    working hours: possible only in data from before the action checked it) is refused
    rather than printed."""
    event = _last(dossier, EventType.EXTENDED)
    new_due = datetime.fromisoformat(event.data["new_due_at"])
    if not calendar_for(dossier.receiving_unit).is_working_instant(new_due):
        raise ValidationFailed(
            f"Ngày hẹn mới {local(new_due):%H:%M %d/%m/%Y} không phải thời gian làm việc: "
            "không in văn bản xin lỗi với ngày hẹn này.",
            code="impossible_appointment",
        )
    return forms2025.ApologyExtension(
        header=_header(dossier, dossier.agency, event.at),
        number=f"XL-{dossier.code}",
        **_applicant(dossier),
        received_at=dossier.received_at,
        original_due=datetime.fromisoformat(event.data["original_due_at"]),
        new_due=new_due,
        reason=event.reason,
        signer_name=_event_signer(event),
        signer_title="THỦ TRƯỞNG CƠ QUAN",
    )


def stop_notice(dossier: Dossier) -> forms2025.StopNotice:
    event = _last(dossier, EventType.WITHDRAWN, EventType.RETURNED_UNRESOLVED)
    withdrawn = event.type == EventType.WITHDRAWN
    return forms2025.StopNotice(
        header=_header(dossier, dossier.receiving_unit if withdrawn else dossier.agency, event.at),
        number=f"DXL-{dossier.code}",
        **_applicant(dossier),
        received_at=dossier.received_at,
        stopped_at=event.at,
        reason=event.reason,
        requested_by_applicant=withdrawn,
        fee_note="",
        signer_name=_event_signer(event),
        signer_title="NGƯỜI KÝ",
    )


def control_slip(dossier: Dossier) -> forms2025.ControlSlip:
    rows = []
    previous = dossier.receiving_unit.name
    for step in dossier.steps.select_related("unit").order_by("opened_at", "id"):
        result = ""
        if step.completed_at is not None:
            result = (
                "Quá hạn"
                if step.late
                else (
                    "Đúng hạn"
                    if step.due_at and local(step.completed_at).date() == local(step.due_at).date()
                    else "Trước hạn"
                )
            )
        rows.append(
            forms2025.ControlRow(
                step_name=step.name,
                from_unit=previous,
                to_unit=step.unit.name,
                handed_over_at=step.opened_at,
                received_at=step.opened_at,
                step_due_at=step.due_at,
                result=result,
                note=step.note,
            )
        )
        if step.kind != "inter_agency":
            previous = step.unit.name
    return forms2025.ControlSlip(
        header=_header(dossier, dossier.receiving_unit, now()),
        applicant_name=dossier.applicant_name,
        procedure_name=dossier.procedure_version.name,
        procedure_code=dossier.procedure_code,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        rows=rows,
    )


def tracking_book(unit: Unit, first: date, last: date) -> forms2025.TrackingBook:
    """Form 07 for dossiers received at `unit` (and below) from `first` to `last`."""
    zone = site_zone()
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    dossiers = (
        Dossier.objects.filter(
            receiving_unit__path__startswith=unit.path, received_at__gte=start, received_at__lt=end
        )
        .exclude(status__in=sorted(NOT_RECEIVED))  # the book lists what was received
        .select_related("procedure_version", "agency")
        .order_by("received_at", "id")
        .annotate(transferred_at=Min("events__at", filter=Q(events__type="transferred")))
    )
    rows = [
        forms2025.BookRow(
            number=index,
            dossier_code=d.code,
            procedure_name=d.procedure_version.name,
            procedure_code=d.procedure_code,
            sets_count=d.sets_count,
            applicant_name=d.applicant_name,
            applicant_address=d.applicant_address,
            applicant_phone=d.applicant_phone,
            agency_name=d.agency.name,
            received_at=d.received_at,
            due_at=d.due_at,
            transferred_at=d.transferred_at,
            result_received_at=d.ended_at if d.status in ("RESOLVED", "RETURNED") else None,
            delivered_at=d.delivered_at,
            note=d.get_status_display(),
        )
        for index, d in enumerate(dossiers, 1)
    ]
    head = unit.letterhead()
    header = forms2025.PaperHeader(
        issuing_body=head.governing_body,
        centre_name=head.issuing_body,
        place=head.place,
        issued_at=now(),
    )
    return forms2025.TrackingBook(header=header, period_from=first, period_to=last, rows=rows)

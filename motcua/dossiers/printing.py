"""Official papers of a dossier, built from its stored facts."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from motcua.dossiers.models import Dossier, EventType, ReturnChannel
from motcua.dossiers.papers.receipt import ReceiptSlip, render_receipt_pdf


def lookup_url(dossier: Dossier) -> str:
    return settings.PUBLIC_BASE_URL + reverse("portal:dossier", args=[dossier.code])


def receipt_slip(dossier: Dossier) -> ReceiptSlip:
    """Form 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) of a received dossier."""
    version = dossier.procedure_version
    centre = dossier.receiving_unit
    province = centre.ancestors()[0] if centre.ancestors() else centre
    received = dossier.events.filter(type=EventType.RECEIVED).order_by("sequence").first()
    return ReceiptSlip(
        issuing_body=_issuing_body(province.name),
        centre_name=centre.name.upper(),
        place=_place(province.name),
        dossier_code=dossier.code,
        lookup_url=lookup_url(dossier),
        applicant_name=dossier.applicant_name,
        applicant_address=dossier.applicant_address,
        applicant_phone=dossier.applicant_phone,
        applicant_email=dossier.applicant_email,
        procedure_code=dossier.procedure_code,
        procedure_name=version.name,
        components=list(dossier.components),
        sets_count=dossier.sets_count,
        duration_label=f"{dossier.duration_value:02d} {version.get_duration_unit_display()}",
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        due_explanation=list(received.data.get("explanation", [])) if received else [],
        return_place=_return_place(dossier),
        fees=[(str(fee.get("name", "")), int(str(fee.get("amount", 0)))) for fee in _fees(dossier)],
        channel_label=dossier.get_channel_display(),
        officer_name=str(dossier.received_by) if dossier.received_by else "",
        ledger_number="",
    )


def receipt_pdf(dossier: Dossier) -> bytes:
    return render_receipt_pdf(receipt_slip(dossier))


def _issuing_body(province_centre_name: str) -> str:
    # "Trung tâm Phục vụ hành chính công tỉnh An Hòa" → "UBND TỈNH AN HÒA"
    lowered = province_centre_name.lower()
    for level in ("tỉnh", "thành phố"):
        marker = f" {level} "
        if marker in lowered:
            return "UBND " + province_centre_name[lowered.index(marker) + 1 :].upper()
    return province_centre_name.upper()


def _place(province_centre_name: str) -> str:
    lowered = province_centre_name.lower()
    for level in ("tỉnh ", "thành phố "):
        if level in lowered:
            return province_centre_name[lowered.index(level) + len(level) :]
    return ""


def _return_place(dossier: Dossier) -> str:
    if dossier.return_channel == ReturnChannel.POSTAL:
        return f"Qua dịch vụ bưu chính công ích: {dossier.postal_address}"
    if dossier.return_channel == ReturnChannel.ONLINE:
        return "Trực tuyến (Cổng Dịch vụ công và kho dữ liệu điện tử của tổ chức, cá nhân)"
    return f"Tại {dossier.receiving_unit.name}"


def _fees(dossier: Dossier) -> list[dict[str, object]]:
    fees = list(dossier.procedure_version.fees)
    # Paper submissions by post pay the counter rate unless the catalogue says otherwise.
    channels = [dossier.channel, "counter"] if dossier.channel == "postal" else [dossier.channel]
    general = [fee for fee in fees if not fee.get("channel")]
    for channel in channels:
        by_channel = [fee for fee in fees if fee.get("channel") == channel]
        if by_channel:
            return by_channel + general
    return general

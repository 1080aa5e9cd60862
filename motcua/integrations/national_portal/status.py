"""Every status change goes back to the portal through the outbox: the `national_portal`
destination (docs/decisions/0011-outbox.md), in order per dossier.

The record sent for a message is rebuilt from the dossier's event log up to that message's
event, so a message delivered an hour late (the portal was down) still says what was true
then: its status, the received / due / finished times, the supplement rounds so far. What the
Decision 766 index reads is all there; what motcua does not record (a paper taken from a
national data store, a VNeID-verified account, online payment, fees) is sent as "0" / empty
for a dossier that did not come from the portal, and named in `ChuaGhiNhan`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse

from motcua.core.clock import now
from motcua.core.errors import Conflict, ValidationFailed
from motcua.core.queue import enqueue_on_commit
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers.models import DUE_EVENTS, Dossier, DossierEvent, EventType
from motcua.integrations.national_portal import client as portal_client
from motcua.integrations.national_portal import mapping
from motcua.integrations.national_portal.models import PortalDossier
from motcua.outbox.models import MessageStatus, OutboxMessage
from motcua.outbox.registry import Destination, register
from motcua.outbox.services import payload
from motcua.outbox.tasks import deliver_message
from motcua.workflow.states import Status

NAME = "national_portal"
ENDED = (
    EventType.RESOLVED,
    EventType.RETURNED_UNRESOLVED,
    EventType.WITHDRAWN,
    EventType.REFUSED_AT_RECEPTION,
)
NOT_RECORDED_HERE = [
    "DuocLayTuKhoDMQG",
    "TaiKhoanDuocXacThucVoiVNeID",
    "DuocThanhToanTrucTuyen",
    "DanhSachLePhi",
]


def wants(event: DossierEvent) -> bool:
    return event.type not in mapping.NOT_SENT


def deliver(message: OutboxMessage) -> None:
    record = status_record(message.dossier, upto=message.event, sequence=message.sequence)
    portal_client.PortalClient().send_status(record, key=message.idempotency_key)


def portal_code(dossier: Dossier) -> str:
    """MaHoSo: the portal's own code of a dossier it sent, else ours."""
    return dossier.external_code if dossier.source == "national_portal" else dossier.code


def status_record(dossier: Dossier, *, upto: DossierEvent, sequence: int) -> dict[str, Any]:
    """The sync record of `dossier` as it stood just after event `upto`."""
    events = list(dossier.events.filter(sequence__lte=upto.sequence).order_by("sequence"))
    status: Status | None = None
    received = submitted = due = ended = delivered = None
    result_number = ""
    rounds: list[dict[str, str]] = []
    for event in events:
        status = mapping.STATUS_AFTER.get(event.type, status)
        data = event.data or {}
        if event.type in (EventType.SUBMITTED, EventType.RESUBMITTED):
            submitted = event.at
        if event.type == EventType.RECEIVED:
            received = event.at
            submitted = submitted or event.at
        if event.type in DUE_EVENTS and data.get("due_at"):  # not a provisional one
            due = data["due_at"]
        if event.type in ENDED:
            ended = event.at
        if event.type == EventType.RESULT_DELIVERED:
            delivered = event.at
        if event.type == EventType.APPROVED:
            result_number = str(data.get("result_number") or "")
        if event.type in (EventType.SUPPLEMENT_REQUESTED, EventType.COMPLETION_REQUESTED):
            rounds.append(
                {
                    "NgayBoSung": mapping.portal_date(event.at),
                    "NoiDungBoSung": event.reason,
                    "NgayTiepNhanBoSung": "",
                }
            )
        if event.type in (EventType.SUPPLEMENT_RECEIVED, EventType.RESUBMITTED) and rounds:
            rounds[-1]["NgayTiepNhanBoSung"] = mapping.portal_date(event.at)
    if status is None:  # a history-imported dossier: its status now
        status = Status(dossier.status)
    facts = PortalDossier.objects.filter(dossier=dossier).first()
    submitted_files = facts.files if facts else []
    # the files that came with the submission, and those added by the event's time
    documents = (
        Document.objects.filter(dossier=dossier)
        .filter(
            Q(pk__in=[item.get("document_id") for item in submitted_files])
            | Q(uploaded_at__lte=upto.at)
        )
        .order_by("id")
    )
    components = [d for d in documents if d.kind == DocumentKind.COMPONENT]
    from_store = {
        item.get("document_id") for item in submitted_files if item.get("from_national_store")
    }
    result = next((d for d in documents if d.kind == DocumentKind.RESULT), None)
    agency = dossier.agency
    return {
        "MaHoSo": portal_code(dossier),
        "MaHoSoDonVi": dossier.code,
        "MaTTHC": dossier.procedure_version.procedure.code,
        "TenTTHC": dossier.procedure_version.name,
        "MaCoQuan": agency.identity_code or agency.code,
        "DonViXuLy": agency.name,
        "KenhThucHien": mapping.CHANNEL_CODES.get(dossier.channel, "1"),
        "NgayNopHoSo": mapping.portal_date(submitted),
        "NgayTiepNhan": mapping.portal_date(received),
        "NgayHenTra": mapping.portal_date(_instant(due)),
        "NgayKetThucXuLy": mapping.portal_date(ended),
        "NgayTra": mapping.portal_date(delivered),
        "TrangThaiHoSo": mapping.status_code(status),
        "SuKien": upto.type,
        "ThoiDiemXuLy": mapping.portal_date(upto.at),
        "NoiDungXuLy": upto.reason,
        "SoThuTu": sequence,
        "DanhSachHoSoBoSung": rounds,
        "MaKetQua": result_number,
        "DuongDanTepTinKetQua": _result_link(dossier) if result else "",
        "HoSoCoThanhPhanSoHoa": mapping.flag(bool(components)),
        "TaiLieuNop": [
            {
                "TenTepDinhKem": d.title,
                "MaThanhPhanHoSo": d.component_name,
                "DuocSoHoa": "1",
                "DuocLayTuKhoDMQG": mapping.flag(d.pk in from_store),
            }
            for d in components
        ],
        "TaiKhoanDuocXacThucVoiVNeID": mapping.flag(bool(facts and facts.vneid_verified)),
        "DuocThanhToanTrucTuyen": facts.paid_online if facts else "0",
        "DanhSachLePhi": [
            {"TenPhiLePhi": fee["name"], "MaPhiLePhi": fee["code"], "Gia": str(fee["amount"])}
            for fee in (facts.fees if facts else [])
        ],
        "ChuaGhiNhan": [] if facts else NOT_RECORDED_HERE,
    }


def _instant(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _result_link(dossier: Dossier) -> str:
    return settings.PUBLIC_BASE_URL + reverse("portal:result", args=[dossier.code])


def resend(dossier: Dossier) -> OutboxMessage:
    """A new message of the dossier's current status (its latest event that is sent), next in
    the dossier's own `national_portal` stream (delivered in order, by the same `deliver`,
    its `SoThuTu` its own place), under a key of its own: the portal takes it as new. Each
    resend of the same event is one more message (`resend` = 1, 2…).

    Only once every message of the dossier's stream is delivered (`stream_pending` otherwise:
    those still queued will bring the status, in order)."""
    if NAME not in settings.OUTBOX_DESTINATIONS:
        raise ValidationFailed(
            f"{NAME} is not in MOTCUA_OUTBOX_DESTINATIONS", code="resend_not_in_use"
        )
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        stream = OutboxMessage.objects.filter(destination=NAME, dossier=locked)
        if stream.exclude(status=MessageStatus.DELIVERED).exists():
            raise Conflict(f"Hồ sơ {locked.code} còn thư chưa gửi tới Cổng.", code="stream_pending")
        event = locked.events.exclude(type__in=mapping.NOT_SENT).order_by("-sequence").first()
        if event is None:
            raise ValidationFailed(
                f"Hồ sơ {locked.code} chưa có sự kiện nào để gửi.", code="nothing_to_send"
            )
        last = stream.aggregate(
            sequence=Max("sequence"), resend=Max("resend", filter=Q(event=event))
        )
        sequence = (last["sequence"] or 0) + 1
        round_ = (last["resend"] or 0) + 1
        key = f"motcua-resend-{event.pk}-{round_}-{NAME}"
        message = OutboxMessage.objects.create(
            destination=NAME,
            dossier=locked,
            event=event,
            event_type=event.type,
            sequence=sequence,
            resend=round_,
            idempotency_key=key,
            payload=payload(event, dossier=locked, destination=NAME, key=key, sequence=sequence),
            created_at=now(),
        )
        enqueue_on_commit(deliver_message, message.pk)
    return message


register(
    Destination(
        name=NAME,
        deliver=deliver,
        wants=wants,
        problems=portal_client.problems,
        national_sync=True,
    )
)

"""The national portal's wire format, in one place: field names, code tables and dates.

Field names follow the national sync record (MaHoSo, MaTTHC, NgayTiepNhan, NgayHenTra, …).
Dates travel as `yyyyMMddHHmmss` in Vietnam's time (Asia/Ho_Chi_Minh); flags as "0"/"1".
Nothing outside this module knows a field name of the portal."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from motcua.core.errors import ValidationFailed
from motcua.core.text import clean_text
from motcua.dossiers.models import EventType, ReturnChannel
from motcua.workflow.states import Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"

# Our status → the portal's TrangThaiHoSo (docs/integrations/national-portal.md#status-codes).
STATUS_CODES: dict[Status, str] = {
    Status.SUBMITTED: "1",  # Mới đăng ký
    Status.NEEDS_COMPLETION_AT_RECEPTION: "5",  # Yêu cầu bổ sung giấy tờ (before receipt)
    Status.REFUSED_AT_RECEPTION: "3",  # Không được tiếp nhận
    Status.RECEIVED: "2",  # Được tiếp nhận
    Status.TRANSFERRED: "4",  # Đang xử lý
    Status.ASSIGNED: "4",
    Status.APPRAISED: "4",
    Status.AWAITING_APPROVAL: "4",
    Status.APPROVED: "4",
    Status.AWAITING_SUPPLEMENT: "5",  # Yêu cầu bổ sung giấy tờ
    Status.STOPPED: "7",  # Công dân yêu cầu rút hồ sơ (motcua stops only at their request)
    Status.RETURNED_NOT_RESOLVED: "10",  # trả lại hồ sơ: handed back, processing over
    Status.RESOLVED: "9",  # Đã xử lý xong
    Status.RETURNED: "10",  # Đã trả kết quả
}

# The status a dossier is in after each event that changes it; other events keep the former.
STATUS_AFTER: dict[str, Status] = {
    EventType.SUBMITTED: Status.SUBMITTED,
    EventType.RESUBMITTED: Status.SUBMITTED,
    EventType.COMPLETION_REQUESTED: Status.NEEDS_COMPLETION_AT_RECEPTION,
    EventType.REFUSED_AT_RECEPTION: Status.REFUSED_AT_RECEPTION,
    EventType.RECEIVED: Status.RECEIVED,
    EventType.TRANSFERRED: Status.TRANSFERRED,
    EventType.ASSIGNED: Status.ASSIGNED,
    EventType.APPRAISED: Status.APPRAISED,
    EventType.SUBMITTED_FOR_APPROVAL: Status.AWAITING_APPROVAL,
    EventType.APPROVED: Status.APPROVED,
    EventType.SUPPLEMENT_REQUESTED: Status.AWAITING_SUPPLEMENT,
    EventType.SUPPLEMENT_RECEIVED: Status.ASSIGNED,
    EventType.RESOLVED: Status.RESOLVED,
    EventType.RETURNED_UNRESOLVED: Status.RETURNED_NOT_RESOLVED,
    EventType.WITHDRAWN: Status.STOPPED,
    EventType.RESULT_DELIVERED: Status.RETURNED,
}
# Events that are not sent: they change nothing the portal shows.
NOT_SENT = frozenset({EventType.DOCUMENT_ADDED})

# KenhThucHien: 1 at the counter, 2 online, 3 by public post.
CHANNEL_CODES = {"counter": "1", "online": "2", "postal": "3"}
# HinhThucNhanKetQua (how the applicant takes the result): 0 at the counter, 1 by post, 2 online.
RETURN_CODES = {"0": ReturnChannel.COUNTER, "1": ReturnChannel.POSTAL, "2": ReturnChannel.ONLINE}
# The catalogue's KENH → our fee-line channel and online mode.
KENH_CHANNELS = {"1": "counter", "2": "online", "3": "postal"}
DURATION_UNITS = {"ngày làm việc": "working_days", "giờ làm việc": "working_hours"}


def portal_date(moment: datetime | None) -> str:
    return moment.astimezone(VN).strftime(DATE_FORMAT) if moment else ""


def parse_date(raw: Any, *, name: str) -> datetime:
    try:
        return datetime.strptime(str(raw or ""), DATE_FORMAT).replace(tzinfo=VN)
    except ValueError:
        raise ValidationFailed(
            f"{name} phải có dạng yyyyMMddHHmmss.", code="bad_message", field=name
        ) from None


def flag(value: bool) -> str:
    return "1" if value else "0"


def status_code(status: Status | str) -> str:
    return STATUS_CODES[Status(status)]


# --- inbound: a dossier submitted on the portal ----------------------------------------------


@dataclass
class IncomingFile:
    name: str  # TenTepDinhKem
    component: str  # TenThanhPhanHoSo: the name in the procedure's published list
    content: bytes | None  # Base64, decoded
    url: str  # DuongDanTaiTepTin, when the file is to be downloaded
    digitised: bool  # DuocSoHoa
    from_national_store: bool  # DuocLayTuKhoDMQG


@dataclass
class IncomingDossier:
    code: str  # MaHoSo
    procedure: str  # MaTTHC
    unit: str  # MaDonViTiepNhan (our unit code or its identity code); may be empty
    submitted_at: datetime  # NgayNopHoSo
    applicant: dict[str, str]
    return_channel: str
    postal_address: str
    vneid_verified: bool  # TaiKhoanDuocXacThucVoiVNeID
    paid_online: str  # DuocThanhToanTrucTuyen: 0 none, 1 national payment, 2 other gateway
    files: list[IncomingFile] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)  # DanhSachLePhi

    @property
    def components(self) -> list[str]:
        return list(dict.fromkeys(item.component for item in self.files if item.component))


def incoming(body: Any) -> IncomingDossier:
    """Read one dossier message; a message that is not one raises `bad_message`."""
    if not isinstance(body, dict):
        raise ValidationFailed("Thông điệp không phải một đối tượng JSON.", code="bad_message")
    code = clean_text(str(body.get("MaHoSo") or ""))
    procedure = clean_text(str(body.get("MaTTHC") or ""))
    if not code or not procedure:
        raise ValidationFailed("Thiếu MaHoSo hoặc MaTTHC.", code="bad_message")
    files = body.get("TaiLieuNop") or []
    fees = body.get("DanhSachLePhi") or []
    if not isinstance(files, list) or not isinstance(fees, list):
        raise ValidationFailed("TaiLieuNop và DanhSachLePhi phải là danh sách.", code="bad_message")
    return_code = str(body.get("HinhThucNhanKetQua") or "2")
    if return_code not in RETURN_CODES:
        raise ValidationFailed("HinhThucNhanKetQua không hợp lệ.", code="bad_message")
    paid = str(body.get("DuocThanhToanTrucTuyen") or "0")
    if paid not in ("0", "1", "2"):
        raise ValidationFailed("DuocThanhToanTrucTuyen không hợp lệ.", code="bad_message")
    return IncomingDossier(
        code=code,
        procedure=procedure,
        unit=clean_text(str(body.get("MaDonViTiepNhan") or "")),
        submitted_at=parse_date(body.get("NgayNopHoSo"), name="NgayNopHoSo"),
        applicant={
            "name": str(body.get("ChuHoSo") or ""),
            "id_number": str(body.get("SoGiayToChuHoSo") or ""),
            "phone": str(body.get("SoDienThoai") or ""),
            "email": str(body.get("Email") or ""),
            "address": str(body.get("DiaChi") or ""),
        },
        return_channel=RETURN_CODES[return_code],
        postal_address=str(body.get("DiaChiNhanKetQua") or ""),
        vneid_verified=str(body.get("TaiKhoanDuocXacThucVoiVNeID") or "0") == "1",
        paid_online=paid,
        files=[_incoming_file(item, n) for n, item in enumerate(files)],
        fees=[_incoming_fee(item) for item in fees],
    )


def _incoming_file(item: Any, index: int) -> IncomingFile:
    if not isinstance(item, dict):
        raise ValidationFailed(f"TaiLieuNop[{index}] không hợp lệ.", code="bad_message")
    content = None
    if item.get("Base64"):
        try:
            content = base64.b64decode(str(item["Base64"]), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                f"TaiLieuNop[{index}]: Base64 không đọc được.", code="bad_file", index=index
            ) from None
    url = str(item.get("DuongDanTaiTepTin") or "")
    if content is None and not url:
        raise ValidationFailed(
            f"TaiLieuNop[{index}] không có tệp.", code="missing_file", index=index
        )
    return IncomingFile(
        name=str(item.get("TenTepDinhKem") or f"tep-{index + 1}"),
        component=clean_text(str(item.get("TenThanhPhanHoSo") or "")),
        content=content,
        url=url,
        digitised=str(item.get("DuocSoHoa") or "0") == "1",
        from_national_store=str(item.get("DuocLayTuKhoDMQG") or "0") == "1",
    )


def _incoming_fee(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ValidationFailed("DanhSachLePhi không hợp lệ.", code="bad_message")
    try:
        amount = int(str(item.get("Gia") or "0"))
    except ValueError:
        raise ValidationFailed("Gia phải là số đồng.", code="bad_message") from None
    return {
        "name": clean_text(str(item.get("TenPhiLePhi") or "")),
        "code": str(item.get("MaPhiLePhi") or ""),
        "amount": amount,
    }


def without_contents(body: Any) -> Any:
    """The message as kept in the log of refused messages: the files' Base64 left out."""
    if not isinstance(body, dict):
        return body
    kept = dict(body)
    if isinstance(kept.get("TaiLieuNop"), list):
        kept["TaiLieuNop"] = [
            {k: ("…" if k == "Base64" else v) for k, v in item.items()}
            if isinstance(item, dict)
            else item
            for item in kept["TaiLieuNop"]
        ]
    return kept


# --- the national procedure database -> motcua.catalogue/1 ------------------------------------


def procedure_norms(record: dict[str, Any], agency: str) -> dict[str, Any]:
    """The parts of a `motcua.catalogue/1` procedure the national database owns."""
    ways = [w for w in record.get("CACHTHUCTHUCHIEN") or [] if isinstance(w, dict)]
    channels = {KENH_CHANNELS.get(str(w.get("KENH"))) for w in ways} - {None}
    counter = next((w for w in ways if str(w.get("KENH")) == "1"), ways[0] if ways else {})
    times = (counter.get("THOIGIAN") or [{}])[0]
    fees = []
    for way in ways:
        channel = KENH_CHANNELS.get(str(way.get("KENH")))
        for time_entry in way.get("THOIGIAN") or []:
            for fee in time_entry.get("PHILEPHI") or []:
                line: dict[str, Any] = {
                    "name": clean_text(str(fee.get("MOTA") or "Lệ phí")),
                    "amount": int(float(fee.get("SOTIEN") or 0)),
                }
                if channel and len(channels) > 1:
                    line["channel"] = channel
                fees.append(line)
    components = [
        clean_text(str(paper.get("TENGIAYTO") or ""))
        for part in record.get("THANHPHANHOSO") or []
        for paper in part.get("GIAYTO") or []
    ]
    fields = record.get("LINHVUCTHUCHIEN") or [{}]
    unit_name = clean_text(str(times.get("DONVITINH") or "Ngày làm việc")).lower()
    return {
        "code": clean_text(str(record.get("MATTHC") or "")),
        "name": clean_text(str(record.get("TENTTHC") or "")),
        "agency": agency,
        "field": clean_text(str(fields[0].get("TENLINHVUC") or "")),
        "duration": {
            "value": int(float(times.get("THOIGIANGIAIQUYET") or 0)),
            "unit": DURATION_UNITS.get(unit_name, unit_name),
        },
        "online": "partial" if "online" in channels else "none",
        "fees": fees,
        "components": [name for name in components if name],
    }


def national_agency(record: dict[str, Any]) -> str:
    """COQUANTHUCHIEN[0].MADONVI: the agency's national code."""
    agencies = record.get("COQUANTHUCHIEN") or [{}]
    return clean_text(str(agencies[0].get("MADONVI") or ""))

"""Every change of a dossier's state, one named function each.

Each action takes keyword arguments, `by=` the acting user, checks what it is allowed to do,
writes the dossier and appends its events in one transaction, and defers side effects to
`transaction.on_commit`. Web pages, the API, commands and imports all call these; nothing else
writes a dossier's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.accounts.permissions import can_receive_at
from motcua.catalog.models import ProcedureVersion, Unit
from motcua.core.clock import local, now
from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.core.text import clean_text, digits_only
from motcua.dossiers import clock
from motcua.dossiers.codes import issue_code
from motcua.dossiers.models import Channel, Dossier, DossierEvent, EventType, ReturnChannel
from motcua.workflow.states import Status

# A receipt stamped a little ahead of the server clock (a counter PC's clock) is tolerated.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class Applicant:
    """The person or organisation submitting the dossier (tổ chức, cá nhân nộp hồ sơ)."""

    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    id_number: str = ""

    def cleaned(self) -> Applicant:
        return Applicant(
            name=clean_text(self.name),
            phone=digits_only(self.phone),
            email=clean_text(self.email).lower(),
            address=clean_text(self.address),
            id_number=clean_text(self.id_number).upper(),
        )


def receive_dossier(
    *,
    by: User,
    unit: Unit,
    version: ProcedureVersion,
    applicant: Applicant,
    channel: Channel | str,
    components: list[str],
    sets_count: int = 1,
    agency: Unit | None = None,
    return_channel: ReturnChannel | str = ReturnChannel.COUNTER,
    postal_address: str = "",
    received_at: datetime | None = None,
) -> Dossier:
    """Receive a complete dossier (tiếp nhận hồ sơ): issue its code, start the legal clock,
    compute the appointment, and record the `received` event.

    `received_at` defaults to now; a postal dossier's is the signing of the hand-over record."""
    moment = received_at or now()
    applicant = applicant.cleaned()
    _check_receipt(by=by, unit=unit, version=version, channel=channel, moment=moment)
    agency = _competent_agency(version=version, unit=unit, chosen=agency)
    received = _checked_components(version, components)
    _check_applicant(applicant, sets_count=sets_count)
    postal_address = clean_text(postal_address)
    if return_channel == ReturnChannel.POSTAL and not postal_address:
        raise ValidationFailed(
            "Cần địa chỉ nhận kết quả qua bưu chính.", code="postal_address_required"
        )
    deadline = clock.due_at_receipt(version=version, unit=unit, received_at=moment)
    with transaction.atomic():
        dossier = Dossier.objects.create(
            code=issue_code(unit, local(moment).date()),
            province_code=unit.province_code,
            procedure_version=version,
            procedure_code=version.procedure.code,
            receiving_unit=unit,
            agency=agency,
            channel=Channel(channel),
            status=Status.RECEIVED,
            five_on_spot=version.five_on_spot,
            applicant_name=applicant.name,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            applicant_id_number=applicant.id_number,
            components=received,
            sets_count=sets_count,
            return_channel=ReturnChannel(return_channel),
            postal_address=postal_address,
            duration_value=version.duration_value,
            duration_unit=version.duration_unit,
            convention=version.convention,
            pause_rule=version.pause_rule,
            received_at=moment,
            clock_started_at=deadline.started_at,
            due_at=deadline.due_at,
            received_by=by,
        )
        append_event(
            dossier,
            type=EventType.RECEIVED,
            at=moment,
            by=by,
            data={
                "due_at": deadline.due_at.isoformat(),
                "clock_started_at": deadline.started_at.isoformat(),
                "explanation": clock.explanation_lines(deadline, "vi"),
                "explanation_en": clock.explanation_lines(deadline, "en"),
                "procedure_version": version.number,
            },
        )
    return dossier


def append_event(
    dossier: Dossier,
    *,
    type: EventType,
    at: datetime,
    by: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """Append one event; the caller holds the transaction that also changes the dossier."""
    last = dossier.events.order_by("-sequence").values_list("sequence", flat=True).first()
    return DossierEvent.objects.create(
        dossier=dossier,
        sequence=(last or 0) + 1,
        type=type,
        at=at,
        actor=by,
        actor_name=str(by) if by else "",
        reason=clean_text(reason),
        data=data or {},
    )


def _check_receipt(
    *, by: User, unit: Unit, version: ProcedureVersion, channel: str, moment: datetime
) -> None:
    if moment.tzinfo is None:
        raise ValidationFailed(
            "Thời điểm tiếp nhận phải có múi giờ.", code="timestamp_without_offset"
        )
    if moment > now() + CLOCK_SKEW:
        raise ValidationFailed(
            "Không thể tiếp nhận hồ sơ ở thời điểm trong tương lai.", code="received_in_future"
        )
    if channel not in Channel.values:
        raise ValidationFailed("Kênh nộp hồ sơ không hợp lệ.", code="unknown_channel")
    if not unit.is_receiving_point or not unit.is_active:
        raise ValidationFailed(
            f"Đơn vị {unit.code} không phải nơi tiếp nhận hồ sơ.", code="not_a_receiving_unit"
        )
    if not can_receive_at(by, unit):
        raise PermissionRefused(
            f"Bạn không có quyền tiếp nhận hồ sơ tại {unit.name}.", code="not_counter_officer"
        )
    day = local(moment).date()
    if version.effective_from > day or (version.effective_to and version.effective_to < day):
        raise ValidationFailed(
            "Phiên bản thủ tục không còn hiệu lực vào ngày tiếp nhận.",
            code="procedure_version_not_in_force",
        )


def _competent_agency(*, version: ProcedureVersion, unit: Unit, chosen: Unit | None) -> Unit:
    """The deciding agency: the one chosen at the counter if it may handle this procedure,
    else the procedure's own, preferring one under the receiving centre (commune procedures
    are handled by the commune that received them)."""
    candidates = [version.agency, *version.other_agencies.all()]
    if chosen is not None:
        if chosen not in candidates:
            raise ValidationFailed(
                f"{chosen.name} không giải quyết thủ tục này.", code="agency_not_competent"
            )
        return chosen
    local_ones = [agency for agency in candidates if agency.is_within(unit)]
    return local_ones[0] if local_ones else version.agency


def _checked_components(version: ProcedureVersion, components: list[str]) -> list[str]:
    published = version.component_names()
    received = [clean_text(name) for name in components if clean_text(name)]
    if published and not received:
        raise ValidationFailed("Chưa đánh dấu thành phần hồ sơ nào đã nhận.", code="no_components")
    unknown = [name for name in received if name not in published]
    if published and unknown:
        raise ValidationFailed(
            "Thành phần hồ sơ không có trong danh mục của thủ tục.",
            code="unknown_component",
            components=unknown,
        )
    return [name for name in published if name in received] if published else received


def _check_applicant(applicant: Applicant, *, sets_count: int) -> None:
    if not applicant.name:
        raise ValidationFailed("Cần nhập họ tên người nộp hồ sơ.", code="applicant_name_required")
    if applicant.phone and not 9 <= len(applicant.phone) <= 11:
        raise ValidationFailed("Số điện thoại không hợp lệ.", code="invalid_phone")
    if not 1 <= sets_count <= 50:
        raise ValidationFailed("Số bộ hồ sơ phải từ 1 đến 50.", code="invalid_sets_count")

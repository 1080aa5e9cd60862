"""Receiving a complete dossier at the counter (tiếp nhận hồ sơ): code, clock, event."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.core.clock import now
from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.dossiers.actions import Applicant, receive_dossier
from motcua.dossiers.codes import is_valid_code
from motcua.dossiers.models import Dossier, DossierCodeCounter, DossierEvent, EventType
from tests.conftest import on_postgres, version_of, vn

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "3.000333"  # Cấp Phiếu lý lịch tư pháp: 10 working days, PV06
RESIDENCE = "1.004222"  # Đăng ký thường trú: 7 working days, commune police


def receive(by: User, unit_code: str = "AH", procedure: str = CRIMINAL_RECORD, **overrides):
    version = version_of(procedure)
    arguments = {
        "by": by,
        "unit": Unit.objects.get(code=unit_code),
        "version": version,
        "applicant": Applicant(name="Nguyễn Văn An", phone="0912 345 678"),
        "channel": "counter",
        "components": version.component_names()[:1],
        "received_at": vn(2025, 4, 24, 10, 0),
    }
    arguments.update(overrides)
    return receive_dossier(**arguments)


def nothing_written() -> bool:
    return not Dossier.objects.exists() and not DossierEvent.objects.exists()


def test_a_received_dossier_gets_its_code_due_date_and_received_event(counter_officer) -> None:
    dossier = receive(counter_officer)
    assert dossier.code == "000.00.01.H99-250424-0001"
    assert is_valid_code(dossier.code)
    assert dossier.status == "RECEIVED"
    assert dossier.province_code == "AH"
    assert dossier.agency.code == "AH-CAT-PV06"
    # 10 working days from Thu 24 Apr 2025 10:00: Sat 26 Apr is worked, 30 Apr–2 May closed.
    assert dossier.due_at == vn(2025, 5, 12, 10, 0)
    assert dossier.applicant_phone == "0912345678"
    event = dossier.events.get()
    assert event.type == EventType.RECEIVED and event.sequence == 1
    assert event.actor == counter_officer
    assert event.data["due_at"] == "2025-05-12T10:00:00+07:00"
    assert any("26/04/2025" in line for line in event.data["explanation"])
    assert any("02/05/2025" in line for line in event.data["explanation"])


def test_codes_count_per_unit_and_day_without_gaps(counter_officer, commune_officer) -> None:
    codes = [receive(counter_officer).code for _ in range(3)]
    assert [c.rsplit("-", 1)[1] for c in codes] == ["0001", "0002", "0003"]
    other_unit = receive(commune_officer, "AH-X01", RESIDENCE)
    assert other_unit.code == "000.01.01.H99-250424-0001"
    next_day = receive(counter_officer, received_at=vn(2025, 4, 25, 8, 0))
    assert next_day.code == "000.00.01.H99-250425-0001"


def test_a_failed_intake_gives_its_number_back(counter_officer) -> None:
    receive(counter_officer)
    with pytest.raises(ValidationFailed):
        receive(counter_officer, components=["Không có trong danh mục"])
    assert receive(counter_officer).code.endswith("-0002")


def test_a_commune_procedure_goes_to_the_commune_that_received_it(commune_officer) -> None:
    dossier = receive(commune_officer, "AH-X01", RESIDENCE)
    assert dossier.agency.code == "AH-X01-CA"


def test_the_officer_may_choose_another_competent_agency(commune_officer) -> None:
    dossier = receive(
        commune_officer, "AH-X01", RESIDENCE, agency=Unit.objects.get(code="AH-P02-CA")
    )
    assert dossier.agency.code == "AH-P02-CA"
    with pytest.raises(ValidationFailed) as caught:
        receive(commune_officer, "AH-X01", RESIDENCE, agency=Unit.objects.get(code="AH-STP"))
    assert caught.value.code == "agency_not_competent"


def test_text_is_normalised_to_nfc_and_trimmed(counter_officer) -> None:
    nfd_name = "  Nguye\u0302\u0303n   Thi\u0323 Hoa  "
    dossier = receive(counter_officer, applicant=Applicant(name=nfd_name, email=" A@B.VN "))
    assert dossier.applicant_name == "Nguyễn Thị Hoa"
    assert dossier.applicant_email == "a@b.vn"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"received_at": vn(2099, 1, 2, 9, 0)}, "received_in_future"),
        ({"components": []}, "no_components"),
        ({"components": ["Giấy không có trong danh mục"]}, "unknown_component"),
        ({"applicant": Applicant(name="   ")}, "applicant_name_required"),
        ({"applicant": Applicant(name="A", phone="12")}, "invalid_phone"),
        ({"sets_count": 0}, "invalid_sets_count"),
        ({"channel": "fax"}, "unknown_channel"),
        ({"return_channel": "postal"}, "postal_address_required"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(counter_officer, overrides, code) -> None:
    with pytest.raises(ValidationFailed) as caught:
        receive(counter_officer, **overrides)
    assert caught.value.code == code
    assert nothing_written()
    assert not DossierCodeCounter.objects.filter(last_value__gt=0).exists()


def test_a_timestamp_without_offset_is_refused(counter_officer) -> None:
    with pytest.raises(ValidationFailed) as caught:
        receive(counter_officer, received_at=vn(2025, 4, 24, 10, 0).replace(tzinfo=None))
    assert caught.value.code == "timestamp_without_offset"
    assert nothing_written()


def test_an_officer_of_another_unit_cannot_receive_here(
    commune_officer, specialist, outsider
) -> None:
    for person in (commune_officer, specialist, outsider):
        with pytest.raises(PermissionRefused):
            receive(person, "AH")
    assert nothing_written()


def test_an_agency_is_not_a_receiving_point(counter_officer) -> None:
    with pytest.raises(ValidationFailed) as caught:
        receive(counter_officer, "AH-STP")
    assert caught.value.code == "not_a_receiving_unit"


def test_received_now_by_default_and_outside_hours_starts_next_working_instant(
    counter_officer,
) -> None:
    before = now()
    dossier = receive(counter_officer, received_at=None)
    assert before <= dossier.received_at <= now()
    assert dossier.clock_started_at >= dossier.received_at - timedelta(seconds=1)


def test_postal_dossier_starts_at_the_hand_over(counter_officer) -> None:
    dossier = receive(
        counter_officer,
        channel="postal",
        received_at=vn(2025, 4, 26, 9, 30),
        return_channel="postal",
        postal_address="Số 1 Lê Lợi",
    )
    assert dossier.channel == "postal"
    assert dossier.received_at == vn(2025, 4, 26, 9, 30)  # a worked Saturday
    assert dossier.code.endswith("-250426-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_distinct_gap_free_codes(counter_officer) -> None:
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    failures: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                receive(counter_officer)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    sequences = sorted(
        int(code.rsplit("-", 1)[1]) for code in Dossier.objects.values_list("code", flat=True)
    )
    assert sequences == list(range(1, 31))

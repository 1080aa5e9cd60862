"""The hall of the provincial centre (AH): groups A (civil status) and B (land), counters 1
and 2, one kiosk and one call screen; the elderly and the disabled may draw priority."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Role, User
from motcua.catalog.models import Unit
from motcua.queueing.models import Counter, Device, DeviceKind, Hall, ServiceGroup
from tests.conftest import make_user


@pytest.fixture
def hall(province: Unit) -> Hall:
    found = Hall.objects.create(unit=province, priority_kinds=["elderly", "disabled"])
    ServiceGroup.objects.create(hall=found, code="A", name="Hộ tịch", position=1)
    ServiceGroup.objects.create(hall=found, code="B", name="Đất đai", position=2)
    Counter.objects.create(hall=found, number="1")
    Counter.objects.create(hall=found, number="2")
    return found


def group(hall: Hall, code: str) -> ServiceGroup:
    return hall.groups.get(code=code)


def counter(hall: Hall, number: str) -> Counter:
    return hall.counters.get(number=number)


@pytest.fixture
def kiosk(hall: Hall) -> Device:
    return Device.objects.create(hall=hall, kind=DeviceKind.KIOSK, name="Kiosk 1")


@pytest.fixture
def screen(hall: Hall) -> Device:
    return Device.objects.create(hall=hall, kind=DeviceKind.DISPLAY, name="Màn hình 1")


@pytest.fixture
def second_officer(catalogue: None) -> User:
    return make_user("second_officer", "AH", Role.COUNTER_OFFICER)

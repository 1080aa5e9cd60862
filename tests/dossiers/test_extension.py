"""Xin lỗi và hẹn lại: the new appointment is a working instant of the receiving unit's
calendar, after the current appointment and after the moment the apology is decided. Any
other date is refused with its own code, and nothing is written (so the once-only rule never
locks a mistake in). The apology letter never prints an impossible date."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client

from motcua.core.errors import ValidationFailed
from motcua.dossiers import actions, printing
from motcua.dossiers.models import DossierEvent, EventType
from tests.conftest import vn
from tests.dossiers.test_lifecycle import at_agency, snapshot
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db

# Received Monday 1 September 2025 09:00 (1–2 September are the National Day holidays):
# 10 working days from Wednesday 3 September 07:00 → due Tuesday 16 September 17:00.
RECEIVED = vn(2025, 9, 1, 9)
DUE = vn(2025, 9, 16, 17)
DECIDED = vn(2025, 9, 10, 9)


@pytest.fixture
def assigned(counter_officer, agency_leader, specialist):
    dossier = receive(counter_officer, received_at=RECEIVED)
    assert dossier.due_at == DUE
    dossier = actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 9, 3, 9))
    return actions.assign_dossier(
        dossier=dossier, by=agency_leader, specialist=specialist, at=vn(2025, 9, 3, 10)
    )


@pytest.mark.parametrize(
    ("new_due", "code"),
    [
        pytest.param(vn(2025, 9, 9, 9), "new_due_in_past", id="before the decision"),
        pytest.param(DECIDED, "new_due_in_past", id="the decision's own moment"),
        pytest.param(vn(2025, 9, 20, 9), "new_due_not_working_day", id="a Saturday"),
        pytest.param(vn(2025, 9, 21, 9), "new_due_not_working_day", id="a Sunday"),
        pytest.param(vn(2025, 9, 18, 12), "new_due_outside_working_hours", id="lunch break"),
        pytest.param(vn(2025, 9, 18, 18), "new_due_outside_working_hours", id="evening"),
        pytest.param(vn(2025, 9, 15, 9), "new_due_not_later", id="before the current due"),
        pytest.param(DUE, "new_due_not_later", id="the current due itself"),
    ],
)
def test_an_impossible_new_appointment_is_refused_and_nothing_written(
    assigned, agency_leader, new_due: datetime, code: str
) -> None:
    before = snapshot(assigned)
    with pytest.raises(ValidationFailed) as refused:
        actions.apologise_and_extend(
            dossier=assigned, by=agency_leader, new_due_at=new_due, reason="Chậm", at=DECIDED
        )
    assert refused.value.code == code
    assert refused.value.message  # a sentence for the officer, in Vietnamese
    assert snapshot(assigned) == before
    assert not DossierEvent.objects.filter(type=EventType.EXTENDED).exists()


def test_a_holiday_is_a_closed_day_too(counter_officer, agency_leader, specialist) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 4, 10, 9))  # due 24/4 09:00
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    with pytest.raises(ValidationFailed) as refused:
        actions.apologise_and_extend(
            dossier=dossier,
            by=agency_leader,
            new_due_at=vn(2025, 9, 2, 9),  # National Day
            reason="Chậm",
            at=vn(2025, 5, 5, 12),  # after the last event (at_agency acts in May)
        )
    assert refused.value.code == "new_due_not_working_day"
    assert "Quốc khánh" in refused.value.message


def test_a_session_end_is_a_working_instant(assigned, agency_leader) -> None:
    dossier = actions.apologise_and_extend(
        dossier=assigned,
        by=agency_leader,
        new_due_at=vn(2025, 9, 19, 17),
        reason="Chậm",
        at=DECIDED,
    )
    assert dossier.due_at == vn(2025, 9, 19, 17)
    assert dossier.due_at_original == DUE


def test_the_api_gives_the_code_and_changes_nothing(assigned, agency_leader) -> None:
    from motcua.api.auth import issue_token

    _, token = issue_token(user=agency_leader, name="agency system")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post(
        f"/api/v1/dossiers/{assigned.code}/extend",
        {"new_due_at": "2025-09-20T09:00:00+07:00", "reason": "Chậm", "at": DECIDED.isoformat()},
        content_type="application/json",
        headers={"Idempotency-Key": "extend-saturday-1"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "new_due_not_working_day"
    assert not DossierEvent.objects.filter(type=EventType.EXTENDED).exists()


def test_the_apology_letter_refuses_a_recorded_date_nobody_can_keep(
    assigned, agency_leader
) -> None:
    """An apology recorded before the check existed, to a Saturday: refused, not printed."""
    actions.append_event(
        assigned,
        type=EventType.EXTENDED,
        at=DECIDED,
        by=agency_leader,
        reason="Chậm",
        data={
            "new_due_at": vn(2025, 9, 20, 9).isoformat(),
            "original_due_at": DUE.isoformat(),
            "late_notice": False,
        },
    )
    with pytest.raises(ValidationFailed) as refused:
        printing.apology(assigned)
    assert refused.value.code == "impossible_appointment"


def test_the_apology_letter_prints_the_checked_date(assigned, agency_leader) -> None:
    dossier = actions.apologise_and_extend(
        dossier=assigned,
        by=agency_leader,
        new_due_at=vn(2025, 9, 19, 17),
        reason="Chậm",
        at=DECIDED,
    )
    assert printing.apology(dossier).new_due == vn(2025, 9, 19, 17)

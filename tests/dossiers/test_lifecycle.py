"""The life of a dossier (docs/domain/lifecycle.md): the right people at each step, the effects
of docs/domain/legal-clock.md#pauses, the process steps, and refusals that change nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motcua.accounts.models import Role
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.dossiers import actions, audit
from motcua.dossiers.models import Dossier
from tests.conftest import make_user, on_postgres, vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db

RECEIVED_AT = vn(2025, 5, 5, 9, 0)  # Mon; 10 working days for 3.000333 → due 19 May 09:00


@pytest.fixture
def dossier(counter_officer, agency_leader, specialist) -> Dossier:
    return receive(counter_officer, received_at=RECEIVED_AT)


def at_agency(dossier, counter_officer, agency_leader, specialist):
    dossier = actions.transfer_dossier(
        dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10, 0)
    )
    return actions.assign_dossier(
        dossier=dossier, by=agency_leader, specialist=specialist, at=vn(2025, 5, 5, 11, 0)
    )


def snapshot(dossier: Dossier) -> tuple:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.due_at,
        fresh.events.count(),
        fresh.steps.count(),
        fresh.assignee_id,
    )


def test_the_main_path_from_counter_to_delivery(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    assert dossier.due_at == vn(2025, 5, 19, 9, 0)
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    assert dossier.status == "ASSIGNED" and dossier.assignee == specialist
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ điều kiện cấp", at=vn(2025, 5, 7, 9, 0)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 7, 10))
    dossier = actions.approve_dossier(
        dossier=dossier, by=agency_leader, result_number="125/PV06", at=vn(2025, 5, 8, 9, 0)
    )
    dossier = actions.return_result(dossier=dossier, by=agency_leader, at=vn(2025, 5, 8, 10, 0))
    assert dossier.status == "RESOLVED" and dossier.ended_at == vn(2025, 5, 8, 10, 0)
    dossier = actions.deliver_result(
        dossier=dossier, by=counter_officer, via="counter", at=vn(2025, 5, 9, 8, 0)
    )
    assert dossier.status == "RETURNED" and dossier.delivered_via == "counter"
    types = list(dossier.events.order_by("sequence").values_list("type", flat=True))
    assert types == [
        "received",
        "transferred",
        "assigned",
        "appraised",
        "submitted_for_approval",
        "approved",
        "resolved",
        "result_delivered",
    ]
    steps = list(dossier.steps.order_by("opened_at", "id").values_list("key", "unit__code", "late"))
    assert steps == [
        ("reception", "AH", False),
        ("appraisal", "AH-CAT-PV06", False),
        ("approval", "AH-CAT-PV06", False),
        ("return", "AH-CAT-PV06", False),
    ]
    assert list(audit.verify_dossier(dossier)) == []


def test_a_late_step_is_attributed_to_its_unit(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    # The one-stop's share is 5 % of 10 days = 4 working hours: transferring next day is late.
    late = actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 6, 14))
    reception = late.steps.get(key="reception")
    assert reception.late is True and reception.unit.code == "AH"
    assert reception.due_at == vn(2025, 5, 5, 15, 0)  # 4 working hours after 09:00


def test_a_supplement_pauses_the_clock(dossier, counter_officer, agency_leader, specialist) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    dossier = actions.request_supplement(
        dossier=dossier,
        by=specialist,
        reason="Thiếu bản sao CCCD",
        items=["Bản sao thẻ Căn cước/CCCD"],
        at=vn(2025, 5, 7, 14, 0),
    )
    assert dossier.status == "AWAITING_SUPPLEMENT" and dossier.paused_at is not None
    dossier = actions.receive_supplement(
        dossier=dossier, by=counter_officer, at=vn(2025, 5, 19, 9, 0)
    )
    assert dossier.status == "ASSIGNED"  # back where it was
    assert dossier.due_at == vn(2025, 5, 28, 16, 0)  # docs/domain/legal-clock.md#worked-examples E4
    last = dossier.events.order_by("-sequence").first()
    assert last.type == "supplement_received"
    assert last.data["due_at"] == "2025-05-28T16:00:00+07:00"
    assert any("bổ sung" in line for line in last.data["explanation"])


def test_the_restart_rule_counts_the_whole_duration_again(
    counter_officer, agency_leader, specialist
) -> None:
    ProcedureVersion.objects.filter(procedure__code="3.000333").update(pause_rule="restart")
    dossier = receive(counter_officer, received_at=RECEIVED_AT)
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    dossier = actions.request_supplement(
        dossier=dossier,
        by=specialist,
        reason="Thiếu giấy",
        items=["Tờ khai"],
        at=vn(2025, 5, 7, 14, 0),
    )
    dossier = actions.receive_supplement(
        dossier=dossier, by=counter_officer, at=vn(2025, 5, 19, 9, 0)
    )
    assert dossier.due_at == vn(2025, 6, 2, 9, 0)  # docs/domain/legal-clock.md#worked-examples E4


def test_a_second_supplement_request_is_allowed_but_flagged(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    for day, expected in ((6, False), (8, True)):
        dossier = actions.request_supplement(
            dossier=dossier,
            by=specialist,
            reason="Thiếu",
            items=["Tờ khai"],
            at=vn(2025, 5, day, 9, 0),
        )
        assert dossier.events.order_by("-sequence").first().data["second_request"] is expected
        dossier = actions.receive_supplement(
            dossier=dossier, by=counter_officer, at=vn(2025, 5, day, 15, 0)
        )
    assert dossier.supplement_count == 2


def test_an_apology_extends_once_and_keeps_the_original_due(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    dossier = actions.apologise_and_extend(
        dossier=dossier,
        by=agency_leader,
        new_due_at=vn(2025, 5, 23, 17, 0),
        reason="Chờ xác minh",
        at=vn(2025, 5, 15, 9, 0),
    )
    assert dossier.status == "ASSIGNED"
    assert dossier.due_at == vn(2025, 5, 23, 17, 0)
    assert dossier.due_at_original == vn(2025, 5, 19, 9, 0)
    assert dossier.events.order_by("-sequence").first().data["late_notice"] is False
    before = snapshot(dossier)
    with pytest.raises(ValidationFailed) as caught:
        actions.apologise_and_extend(
            dossier=dossier,
            by=agency_leader,
            new_due_at=vn(2025, 5, 30, 17, 0),
            reason="Lần hai",
            at=vn(2025, 5, 20, 9, 0),
        )
    assert caught.value.code == "already_extended"
    assert snapshot(dossier) == before


def test_an_apology_sent_on_the_due_day_is_flagged_late(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    dossier = actions.apologise_and_extend(
        dossier=dossier,
        by=agency_leader,
        new_due_at=vn(2025, 5, 23, 17, 0),
        reason="Chậm",
        at=vn(2025, 5, 19, 8, 0),
    )
    assert dossier.events.order_by("-sequence").first().data["late_notice"] is True


def test_a_written_refusal_is_resolved_and_delivered_by_post(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Không đủ", at=vn(2025, 5, 6, 9, 0)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 6, 10))
    dossier = actions.refuse_dossier(
        dossier=dossier, by=agency_leader, reason="Không thuộc đối tượng", at=vn(2025, 5, 6, 15)
    )
    dossier = actions.return_result(dossier=dossier, by=agency_leader, at=vn(2025, 5, 7, 8))
    assert dossier.outcome == "denied"
    assert dossier.events.get(type="resolved").data == {"outcome": "denied"}
    dossier = actions.deliver_result(
        dossier=dossier,
        by=counter_officer,
        via="postal",
        postal_item="EMS123456789VN",
        at=vn(2025, 5, 8, 9, 0),
    )
    assert dossier.delivered_via == "postal"


def test_withdrawal_only_before_the_decision(
    dossier, counter_officer, agency_leader, specialist
) -> None:
    stopped = actions.withdraw_dossier(
        dossier=dossier, by=counter_officer, reason="Công dân xin rút", at=vn(2025, 5, 5, 9, 30)
    )
    assert stopped.status == "STOPPED" and stopped.ended_at == vn(2025, 5, 5, 9, 30)
    assert stopped.steps.filter(completed_at__isnull=True).count() == 0


def test_the_inter_agency_step_must_answer_before_approval(
    counter_officer, agency_leader, specialist, land_specialist
) -> None:
    process = [
        {
            "key": "reception",
            "name": "Tiếp nhận",
            "kind": "reception",
            "unit": "one_stop",
            "role": "counter_officer",
            "share": 5,
        },
        {
            "key": "appraisal",
            "name": "Thẩm định",
            "kind": "appraisal",
            "unit": "agency",
            "role": "specialist",
            "share": 60,
        },
        {
            "key": "land",
            "name": "Xác minh thông tin đất đai",
            "kind": "inter_agency",
            "unit": "AH-VPDKDD",
            "role": "specialist",
            "share": 30,
        },
        {
            "key": "approval",
            "name": "Phê duyệt",
            "kind": "approval",
            "unit": "agency",
            "role": "agency_leader",
            "share": 25,
        },
        {
            "key": "return",
            "name": "Trả kết quả",
            "kind": "return",
            "unit": "agency",
            "role": "agency_leader",
            "share": 10,
        },
    ]
    ProcedureVersion.objects.filter(procedure__code="3.000333").update(process=process)
    dossier = receive(counter_officer, received_at=RECEIVED_AT)
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    assert dossier.events.filter(type="transferred", data__to="AH-VPDKDD").exists()
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đạt", at=vn(2025, 5, 6, 9, 0)
    )
    with pytest.raises(ValidationFailed) as caught:
        actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 6, 10, 0))
    assert caught.value.code == "inter_agency_pending"
    with pytest.raises(PermissionRefused):
        actions.complete_inter_agency_step(
            dossier=dossier, by=specialist, step_key="land", opinion="x", at=vn(2025, 5, 6, 11, 0)
        )
    dossier = actions.complete_inter_agency_step(
        dossier=dossier,
        by=land_specialist,
        step_key="land",
        opinion="Thông tin khớp",
        at=vn(2025, 5, 8, 11, 0),
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 8, 14, 0))
    assert dossier.status == "AWAITING_APPROVAL"
    land = dossier.steps.get(key="land")
    assert land.unit.code == "AH-VPDKDD" and land.completed_at == vn(2025, 5, 8, 11, 0)


@pytest.mark.parametrize(
    ("actor", "action"),
    [
        ("outsider", "transfer"),
        ("commune_officer", "transfer"),  # a counter officer, but of another centre
        ("specialist", "transfer"),  # the right unit's people, the wrong role
    ],
)
def test_people_of_another_unit_or_role_are_refused(request, dossier, actor, action) -> None:
    person = request.getfixturevalue(actor)
    before = snapshot(dossier)
    with pytest.raises(PermissionRefused):
        actions.transfer_dossier(dossier=dossier, by=person, at=vn(2025, 5, 5, 10, 0))
    assert snapshot(dossier) == before


def test_only_the_assigned_specialist_appraises(
    dossier, counter_officer, agency_leader, specialist, other_specialist
) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    before = snapshot(dossier)
    with pytest.raises(PermissionRefused) as caught:
        actions.appraise_dossier(
            dossier=dossier, by=other_specialist, opinion="x", at=vn(2025, 5, 6, 9, 0)
        )
    assert caught.value.code == "not_assigned_to_you"
    assert snapshot(dossier) == before


def test_a_stale_copy_is_refused(dossier, counter_officer) -> None:
    stale = Dossier.objects.get(pk=dossier.pk)
    actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10, 0))
    with pytest.raises(actions.StaleDossier):
        actions.withdraw_dossier(
            dossier=stale, by=counter_officer, reason="x", at=vn(2025, 5, 5, 11, 0)
        )


def test_events_cannot_go_back_in_time(dossier, counter_officer) -> None:
    with pytest.raises(ValidationFailed) as caught:
        actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 4, 10, 0))
    assert caught.value.code == "event_out_of_order"


def test_missing_reasons_are_refused(dossier, counter_officer, agency_leader, specialist) -> None:
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    before = snapshot(dossier)
    for call in (
        lambda: actions.request_supplement(
            dossier=dossier, by=specialist, reason=" ", items=["x"], at=vn(2025, 5, 6, 9)
        ),
        lambda: actions.request_supplement(
            dossier=dossier, by=specialist, reason="x", items=[], at=vn(2025, 5, 6, 9)
        ),
        lambda: actions.return_unresolved(
            dossier=dossier, by=agency_leader, reason="", at=vn(2025, 5, 6, 9)
        ),
    ):
        with pytest.raises(ValidationFailed):
            call()
    assert snapshot(dossier) == before


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_one_wins_the_other_gets_a_conflict(counter_officer) -> None:
    if not on_postgres():
        pytest.skip("two real connections need PostgreSQL; SQLite serialises writers")
    second_officer = make_user("second_officer", "AH", Role.COUNTER_OFFICER)
    dossier = receive(counter_officer, received_at=RECEIVED_AT)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(person, call) -> None:
        copy = Dossier.objects.get(pk=dossier.pk)  # both read version 1
        barrier.wait()
        try:
            call(copy, person)
            outcomes.append("won")
        except (actions.StaleDossier, actions.TransitionNotAllowed) as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(
                counter_officer,
                lambda d, u: actions.transfer_dossier(dossier=d, by=u, at=vn(2025, 5, 5, 10, 0)),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                second_officer,
                lambda d, u: actions.withdraw_dossier(
                    dossier=d, by=u, reason="Rút", at=vn(2025, 5, 5, 10, 0)
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["stale_dossier", "won"]
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.version == 2
    assert fresh.events.count() == 2  # received + the winner's event, nothing lost or doubled
    assert list(audit.verify_dossier(fresh)) == []


def test_a_supplement_asked_before_the_clock_starts_costs_nothing(
    counter_officer, agency_leader, specialist
) -> None:
    evening = vn(2025, 5, 5, 18, 0)  # after hours: the clock starts Tue 6 May 07:00
    dossier = receive(counter_officer, received_at=evening)
    due = dossier.due_at
    dossier = actions.transfer_dossier(
        dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 18, 5)
    )
    dossier = actions.assign_dossier(
        dossier=dossier, by=agency_leader, specialist=specialist, at=vn(2025, 5, 5, 18, 10)
    )
    dossier = actions.request_supplement(
        dossier=dossier, by=specialist, reason="Thiếu", items=["Tờ khai"], at=vn(2025, 5, 5, 18, 20)
    )
    dossier = actions.receive_supplement(
        dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 19, 0)
    )
    assert dossier.due_at == due

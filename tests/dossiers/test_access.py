"""Who may see a dossier, act on it and report on a unit (`accounts.access`): the list and the
getter give one answer, a co-ordinating unit sees the dossier from the moment its step opens,
and a dossier someone may not see is not found, exactly like one that does not exist."""

from __future__ import annotations

import pytest

from motcua.accounts import access
from motcua.accounts.models import Role, User
from motcua.catalog.models import ProcedureVersion, Unit
from motcua.core.errors import NotFound
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from tests.conftest import make_user, vn
from tests.dossiers.test_receive_dossier import CRIMINAL_RECORD, receive

pytestmark = pytest.mark.django_db

LAND_STEP = [
    {"key": "reception", "name": "Tiếp nhận", "kind": "reception", "unit": "one_stop",
     "role": "counter_officer", "share": 10},
    {"key": "appraisal", "name": "Thẩm định", "kind": "appraisal", "unit": "agency",
     "role": "specialist", "share": 50},
    {"key": "land", "name": "Xác minh đất đai", "kind": "inter_agency", "unit": "AH-VPDKDD",
     "role": "specialist", "share": 20},
    {"key": "approval", "name": "Phê duyệt", "kind": "approval", "unit": "agency",
     "role": "agency_leader", "share": 10},
    {"key": "return", "name": "Trả kết quả", "kind": "return", "unit": "agency",
     "role": "agency_leader", "share": 10},
]  # fmt: skip


@pytest.fixture
def dossier(counter_officer) -> Dossier:
    ProcedureVersion.objects.filter(procedure__code=CRIMINAL_RECORD).update(process=LAND_STEP)
    return receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))


def sees(user: object, dossier: Dossier) -> bool:
    """What the list says and what the getter says, which must agree."""
    listed = access.visible_to(user).filter(pk=dossier.pk).exists()  # type: ignore[arg-type]
    try:
        access.dossier_for(user, dossier.code)  # type: ignore[arg-type]
    except NotFound:
        found = False
    else:
        found = True
    assert listed == found == access.may_see(user, dossier)  # type: ignore[arg-type]
    return found


def test_staff_over_the_receiving_unit_or_the_agency_see_it(
    dossier, counter_officer, specialist, commune_officer, outsider
) -> None:
    police = make_user("police_leader", "AH-CAT", Role.AGENCY_LEADER)  # over PV06
    assert sees(counter_officer, dossier) and sees(specialist, dossier) and sees(police, dossier)
    assert not sees(commune_officer, dossier) and not sees(outsider, dossier)


def test_a_coordinating_unit_sees_it_while_its_step_is_open(
    dossier, counter_officer, land_specialist
) -> None:
    assert not sees(land_specialist, dossier)
    dossier = actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10))
    assert sees(land_specialist, dossier)
    assert access.open_steps_for(land_specialist, dossier) == ["land"]
    dossier = actions.complete_inter_agency_step(
        dossier=dossier, by=land_specialist, step_key="land", opinion="Khớp", at=vn(2025, 5, 6)
    )
    assert not sees(land_specialist, dossier)


def test_the_list_and_the_rule_for_one_dossier_agree_for_everyone(
    dossier, counter_officer, specialist, agency_leader, commune_officer, land_specialist, outsider
) -> None:
    """`visible_to` (SQL, for lists) is the twin of `may_see` (Python, for one dossier)."""
    people = [
        counter_officer,
        specialist,
        agency_leader,
        commune_officer,
        land_specialist,
        outsider,
    ]
    people.append(User.objects.create_superuser("root", password="pw-root"))
    for code in ("AH-X01", "AH-CAT"):
        people += [make_user(f"{code}_{role.value}", code, role) for role in Role]
    others = [
        receive(commune_officer, unit_code="AH-X01", received_at=vn(2025, 5, 5, 9, 30)),
        actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10)),
    ]
    for person in people:
        listed = set(access.visible_to(person).values_list("pk", flat=True))
        for each in others:
            assert (each.pk in listed) == access.may_see(person, each), (person, each)


def test_nobody_signed_out_or_deactivated_sees_anything(dossier, counter_officer) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not sees(AnonymousUser(), dossier)
    User.objects.filter(pk=counter_officer.pk).update(is_active=False)
    counter_officer.refresh_from_db()
    assert not sees(counter_officer, dossier)
    admin = User.objects.create_superuser("root", password="pw-root")
    assert sees(admin, dossier)


def test_a_hidden_dossier_is_refused_as_not_found(dossier, commune_officer) -> None:
    with pytest.raises(NotFound) as hidden:
        access.dossier_for(commune_officer, dossier.code)
    with pytest.raises(NotFound) as missing:
        access.dossier_for(commune_officer, "000.00.01.H99-250505-9999")
    assert hidden.value.code == missing.value.code == "dossier_not_found"


def test_seeing_is_not_acting(dossier, counter_officer, specialist) -> None:
    assert access.may_act(counter_officer, dossier, "transfer")
    refusal = access.refusal_to_act(specialist, dossier, "transfer")
    assert refusal is not None and refusal.code == "not_your_step"
    assert actions.permitted_actions(specialist, dossier) == []
    assert actions.permitted_actions(counter_officer, dossier) == ["transfer", "withdraw"]


def test_reports_follow_the_units(counter_officer, commune_officer) -> None:
    province, commune = Unit.objects.get(code="AH"), Unit.objects.get(code="AH-X01")
    assert access.may_report_on(counter_officer, commune)
    assert access.may_report_on(commune_officer, commune)
    assert not access.may_report_on(commune_officer, province)
    offered = {unit.code for unit in access.reportable_units(commune_officer)}
    assert offered == {"AH-X01"}
    assert {"AH", "AH-X01", "AH-P02"} <= {u.code for u in access.reportable_units(counter_officer)}
    assert "AH-CAT" not in {u.code for u in access.reportable_units(counter_officer)}

"""The organisation tree under the 2025 reform (catalog/units.py): moving a unit takes its
whole subtree along, from code, the admin and the catalogue import; merging a commune hands
its open dossiers, its people's roles and its code counters to the survivor, with events;
a move or merge that would make a cycle or an orphan is refused with nothing written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import Unit, UnitEvent
from motcua.catalog.units import merge_unit, move_unit
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, DossierCodeCounter, DossierEvent, DossierMove
from motcua.integrations.catalogue import export_catalogue, import_catalogue
from tests.conftest import make_user, vn
from tests.integrations.helpers import run_import, write_lines

pytestmark = pytest.mark.django_db

COMMUNE = "000.01.01.H99"  # AH-X01's identity code
RESIDENCE = "1.004222"  # decided by the commune police (AH-X01-CA)
MERGE_DAY = date(2025, 7, 1)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def paths(prefix: str) -> dict[str, str]:
    return dict(Unit.objects.filter(code__startswith=prefix).values_list("code", "path"))


def tree_state() -> tuple:
    return (
        sorted(Unit.objects.values_list("code", "path", "province_code", "is_active")),
        UnitEvent.objects.count(),
        sorted(Membership.objects.values_list("user__username", "unit__code", "is_active")),
        sorted(Dossier.objects.values_list("code", "receiving_unit__code", "agency__code")),
        DossierEvent.objects.count(),
        sorted(DossierCodeCounter.objects.values_list("unit__code", "day", "last_value")),
    )


# ---- moving ----


def test_moving_a_unit_moves_its_whole_subtree(catalogue, counter_officer) -> None:
    moved = move_unit(unit("AH-X01"), parent=unit("AH-P02"), by=counter_officer, reason="QĐ 1")
    assert moved.path == "AH/AH-P02/AH-X01/"
    assert paths("AH-X01") == {
        "AH-X01": "AH/AH-P02/AH-X01/",
        "AH-X01-CA": "AH/AH-P02/AH-X01/AH-X01-CA/",
        "AH-X01-QS": "AH/AH-P02/AH-X01/AH-X01-QS/",
        "AH-X01-UBND": "AH/AH-P02/AH-X01/AH-X01-UBND/",
    }
    event = UnitEvent.objects.get(unit=moved)
    assert (event.type, event.actor, event.reason) == ("moved", counter_officer, "QĐ 1")
    assert event.data["from_parent"] == "AH" and event.data["to_parent"] == "AH-P02"
    # the commune police is now under both centres' ancestor chain
    assert unit("AH-X01-CA").is_within(unit("AH-P02"))


def test_a_plain_save_from_code_keeps_the_paths_right_too(catalogue) -> None:
    police = unit("AH-CAT")
    police.parent = unit("AH-SNV")
    police.save()
    assert unit("AH-CAT-PC06").path == "AH/AH-SNV/AH-CAT/AH-CAT-PC06/"
    assert unit("AH-CAT-PV06").province_code == "AH"


def test_a_new_root_is_a_new_province_for_the_whole_subtree(catalogue) -> None:
    move_unit(unit("AH-X01"), parent=None, by=None)
    assert unit("AH-X01-CA").path == "AH-X01/AH-X01-CA/"
    assert unit("AH-X01-CA").province_code == "AH-X01"


@pytest.mark.parametrize(
    ("code", "parent", "refusal"),
    [
        ("AH-X01", "AH-X01", "unit_cycle"),  # under itself
        ("AH-X01", "AH-X01-CA", "unit_cycle"),  # under its own child
        ("AH", "AH-CAT-PV06", "unit_cycle"),  # the root under a grandchild
    ],
)
def test_a_move_that_makes_a_cycle_is_refused(catalogue, code, parent, refusal) -> None:
    before = tree_state()
    with pytest.raises(ValidationFailed) as caught:
        move_unit(unit(code), parent=unit(parent), by=None)
    assert caught.value.code == refusal
    assert tree_state() == before


def test_a_move_under_an_inactive_unit_is_refused(catalogue) -> None:
    merge_unit(unit("AH-P02-QS"), into=unit("AH-X01-QS"), by=None, on=MERGE_DAY)
    before = tree_state()
    with pytest.raises(ValidationFailed) as caught:
        move_unit(unit("AH-X01-CA"), parent=unit("AH-P02-QS"), by=None)
    assert caught.value.code == "unit_parent_inactive"
    assert tree_state() == before
    with pytest.raises(ValidationFailed, match="ngừng hoạt động"):
        Unit.objects.create(code="AH-NEW", name="Mới", kind="agency", parent=unit("AH-P02-QS"))


def test_the_catalogue_import_moves_through_the_same_rule(catalogue) -> None:
    document = export_catalogue()
    entry = next(u for u in document["units"] if u["code"] == "AH-X01")
    entry["parent"] = "AH-P02"
    summary = import_catalogue(json.dumps(document, ensure_ascii=False))
    assert summary.units_moved == 1 and summary.units_unchanged == 27
    assert unit("AH-X01-UBND").path == "AH/AH-P02/AH-X01/AH-X01-UBND/"
    assert UnitEvent.objects.get(unit=unit("AH-X01")).type == "moved"


def test_the_catalogue_import_refuses_a_cycle_through_the_stored_tree(catalogue) -> None:
    before = tree_state()
    # only AH-X01 is in the file; its new parent is its own stored child
    document = {
        "format": "motcua.catalogue/1",
        "units": [
            {
                "code": "AH-X01",
                "name": "Trung tâm xã",
                "kind": "commune_center",
                "parent": "AH-X01-CA",
            }
        ],
        "procedures": [],
    }
    with pytest.raises(ValidationFailed) as caught:
        import_catalogue(json.dumps(document, ensure_ascii=False))
    assert caught.value.code == "invalid_catalogue"
    assert "cycle" in caught.value.detail["errors"][0]["reason"]
    assert tree_state() == before


# ---- merging ----


def history_at_the_commune(tmp_path, capsys) -> None:
    """Three residence dossiers received at AH-X01 in March 2025: A delivered (closed), B open
    at the commune police, C resolved but its result not yet handed over."""

    def line(number: int, day: str, *events: dict) -> dict:
        at = f"2025-03-{day}T09:00:00+07:00"
        return {
            "code": f"{COMMUNE}-2503{day}-{number:04d}",
            "procedure": RESIDENCE,
            "received_by": "AH-X01",
            "channel": "counter",
            "applicant": {"name": f"Người nộp {number}"},
            "events": [{"type": "received", "at": at}, *events],
        }

    transferred = {"type": "transferred", "at": "2025-03-10T14:00:00+07:00"}
    resolved = {"type": "resolved", "at": "2025-03-11T10:00:00+07:00"}
    delivered = {"type": "result_delivered", "at": "2025-03-12T10:00:00+07:00", "via": "counter"}
    lines = [
        line(1, "03", transferred, resolved, delivered),
        line(2, "05", transferred),
        line(3, "06", transferred, resolved),
    ]
    summary, err = run_import("dossiers", write_lines(tmp_path / "x01.jsonl", lines), capsys)
    assert summary["imported"] == 3, err


def merge_the_commune(by: User | None = None) -> None:
    """Đông Hòa (AH-X01) into Bắc An (AH-P02): its agencies first, then its centre."""
    for part in ("UBND", "CA", "QS"):
        merge_unit(unit(f"AH-X01-{part}"), into=unit(f"AH-P02-{part}"), by=by, on=MERGE_DAY)
    merge_unit(unit("AH-X01"), into=unit("AH-P02"), by=by, on=MERGE_DAY, reason="NQ 1656")


def test_a_merge_hands_over_the_open_work_and_keeps_the_closed(
    catalogue, commune_officer, tmp_path, capsys
) -> None:
    history_at_the_commune(tmp_path, capsys)
    police_officer = make_user("police_officer", "AH-X01-CA", Role.SPECIALIST)
    retired = make_user("retired", "AH-X01", Role.COUNTER_OFFICER)
    retired.is_active = False
    retired.save()
    admin = make_user("admin", "AH", Role.ADMINISTRATOR)
    merge_the_commune(by=admin)

    closed, open_, ready = (
        Dossier.objects.get(code=f"{COMMUNE}-2503{day}-{n:04d}")
        for n, day in ((1, "03"), (2, "05"), (3, "06"))
    )
    assert (closed.receiving_unit.code, closed.agency.code) == ("AH-X01", "AH-X01-CA")
    assert not closed.events.filter(type="unit_merged").exists()
    assert (open_.receiving_unit.code, open_.agency.code) == ("AH-P02", "AH-P02-CA")
    assert (ready.receiving_unit.code, ready.agency.code) == ("AH-P02", "AH-X01-CA")
    moved = open_.events.filter(type="unit_merged").order_by("sequence")
    assert [(e.data["from"], e.data["to"], e.data["fields"]) for e in moved] == [
        ("AH-X01-CA", "AH-P02-CA", ["agency"]),
        ("AH-X01", "AH-P02", ["receiving_unit"]),
    ]
    assert moved.last().actor == admin and moved.last().reason == "NQ 1656"
    # the log never goes back in time: the moves are dated at the merge's first moment
    assert moved.first().at == vn(2025, 7, 1, 0, 0)
    assert DossierMove.objects.filter(dossier=open_).count() == 2
    # people: the active ones now work at the survivor; the old roles stay, inactive
    assert commune_officer.has_role_at(Role.COUNTER_OFFICER, unit("AH-P02").pk)
    assert not commune_officer.has_role_at(Role.COUNTER_OFFICER, unit("AH-X01").pk)
    assert police_officer.has_role_at(Role.SPECIALIST, unit("AH-P02-CA").pk)
    assert not Membership.objects.filter(user=retired, unit=unit("AH-P02")).exists()
    # the merged units: inactive, pointing to their survivor, with the record
    old = unit("AH-X01")
    assert (old.is_active, old.merged_into.code, old.merged_on) == (False, "AH-P02", MERGE_DAY)
    merged = UnitEvent.objects.get(unit=old, type="merged")
    assert merged.data["dossiers"] == [open_.code, ready.code]
    assert merged.data["memberships"] == ["commune_officer:counter_officer"]
    assert UnitEvent.objects.get(unit=unit("AH-P02"), type="absorbed").actor == admin
    # the police's procedures still name the merged unit: the summary says so
    police = UnitEvent.objects.get(unit=unit("AH-X01-CA"), type="merged")
    assert RESIDENCE in police.data["procedures_to_review"]


def test_the_survivor_can_finish_the_moved_work(catalogue, commune_officer, tmp_path, capsys):
    from motcua.dossiers import actions

    history_at_the_commune(tmp_path, capsys)
    merge_the_commune()
    ready = Dossier.objects.get(code=f"{COMMUNE}-250306-0003")
    delivered = actions.deliver_result(dossier=ready, by=commune_officer, via="counter")
    assert delivered.status == "RETURNED"


def test_the_code_counters_carry_over_when_the_survivor_takes_the_prefix(catalogue) -> None:
    old, survivor = unit("AH-X01-QS"), unit("AH-P02-QS")
    DossierCodeCounter.objects.create(unit=old, day=date(2025, 6, 30), last_value=7)
    DossierCodeCounter.objects.create(unit=old, day=MERGE_DAY, last_value=4)
    survivor.identity_code = old.dossier_prefix  # the merged commune keeps the old code
    survivor.save()
    merge_unit(old, into=survivor, by=None, on=MERGE_DAY)
    carried = DossierCodeCounter.objects.filter(unit=survivor).values_list("day", "last_value")
    assert list(carried) == [(MERGE_DAY, 4)]  # the day before the merge was the old unit's


def test_under_another_prefix_no_counter_moves(catalogue) -> None:
    old, survivor = unit("AH-X01-QS"), unit("AH-P02-QS")
    DossierCodeCounter.objects.create(unit=old, day=MERGE_DAY, last_value=4)
    summary = merge_unit(old, into=survivor, by=None, on=MERGE_DAY)
    assert summary.code_counters == 0
    assert not DossierCodeCounter.objects.filter(unit=survivor).exists()


@pytest.mark.parametrize(
    ("old", "into", "refusal"),
    [
        ("AH-X01-QS", "AH-X01-QS", "unit_merge_into_itself"),
        ("AH-X01", "AH-X01-CA", "unit_cycle"),  # into its own descendant
        ("AH-X01", "AH-P02", "unit_has_active_children"),  # would orphan its agencies
        ("AH-X01-QS", "AH-P02-QS", None),  # (the valid one, for contrast)
    ],
)
def test_a_merge_that_cannot_be_is_refused_with_nothing_written(
    catalogue, tmp_path, capsys, old, into, refusal
) -> None:
    history_at_the_commune(tmp_path, capsys)
    before = tree_state()
    if refusal is None:
        merge_unit(unit(old), into=unit(into), by=None, on=MERGE_DAY)
        assert tree_state() != before
        return
    with pytest.raises(ValidationFailed) as caught:
        merge_unit(unit(old), into=unit(into), by=None, on=MERGE_DAY)
    assert caught.value.code == refusal
    assert tree_state() == before


def test_merging_into_or_from_an_inactive_unit_is_refused(catalogue) -> None:
    merge_unit(unit("AH-P02-QS"), into=unit("AH-X01-QS"), by=None, on=MERGE_DAY)
    before = tree_state()
    for old, into, refusal in [
        ("AH-X01-CA", "AH-P02-QS", "unit_merge_into_inactive"),
        ("AH-P02-QS", "AH-X01-CA", "unit_already_inactive"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            merge_unit(unit(old), into=unit(into), by=None, on=MERGE_DAY)
        assert caught.value.code == refusal
    assert tree_state() == before


def test_a_receiving_unit_merges_only_into_a_receiving_unit(catalogue) -> None:
    Unit.objects.create(
        code="AH-X09", name="Trung tâm xã X9", kind="commune_center", parent=unit("AH")
    )
    with pytest.raises(ValidationFailed) as caught:
        merge_unit(unit("AH-X09"), into=unit("AH-STP"), by=None)
    assert caught.value.code == "unit_merge_kind_mismatch"
    with pytest.raises(ValidationFailed) as caught:
        merge_unit(unit("AH-X09"), into=unit("AH-P02"), by=None, on=date(2999, 1, 1))
    assert caught.value.code == "unit_merge_in_future"
    assert unit("AH-X09").is_active


# ---- the interfaces ----


def test_the_command_merges_and_refuses_with_a_code(catalogue, capsys) -> None:
    call_command("units", "merge", "AH-X01-QS", "--into", "AH-P02-QS", "--at", "2025-07-01")
    summary = json.loads(capsys.readouterr().out)
    assert summary["into"] == "AH-P02-QS" and summary["on"] == "2025-07-01"
    assert not unit("AH-X01-QS").is_active
    with pytest.raises(CommandError) as caught:
        call_command("units", "merge", "AH-X01", "--into", "AH-X01-CA")
    assert caught.value.returncode == 2 and "unit_cycle" in str(caught.value)
    with pytest.raises(CommandError, match="invalid_date"):
        call_command("units", "merge", "AH-X01-CA", "--into", "AH-P02-CA", "--at", "1/7/2025")
    call_command("units", "move", "AH-X01", "--parent", "AH-P02")
    assert unit("AH-X01-CA").path == "AH/AH-P02/AH-X01/AH-X01-CA/"


@pytest.fixture
def admin_client(catalogue) -> Client:
    User.objects.create_superuser("root", "root@example.vn", "pw-root")
    client = Client()
    client.force_login(User.objects.get(username="root"))
    return client


def test_the_admin_refuses_a_cycle_on_the_form_and_moves_the_subtree(admin_client) -> None:
    x01 = unit("AH-X01")
    form = {
        "code": "AH-X01",
        "name": x01.name,
        "kind": x01.kind,
        "is_active": "on",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    url = f"/quan-tri/catalog/unit/{x01.pk}/change/"
    refused = admin_client.post(url, {**form, "parent": unit("AH-X01-CA").pk})
    assert refused.status_code == 200 and "cấp dưới" in refused.content.decode()
    assert unit("AH-X01").path == "AH/AH-X01/"
    moved = admin_client.post(url, {**form, "parent": unit("AH-P02").pk})
    assert moved.status_code == 302
    assert unit("AH-X01-QS").path == "AH/AH-P02/AH-X01/AH-X01-QS/"
    assert UnitEvent.objects.get(unit=x01).actor.username == "root"


def test_the_admin_merges_through_an_action(admin_client) -> None:
    old, into = unit("AH-X01-QS"), unit("AH-P02-QS")
    url = "/quan-tri/catalog/unit/"
    asked = admin_client.post(url, {"action": "merge_selected", "_selected_action": [old.pk]})
    assert asked.status_code == 200 and "Sáp nhập vào đơn vị" in asked.content.decode()
    done = admin_client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": [old.pk],
            "confirm": "1",
            "into": into.pk,
            "on": "2025-07-01",
            "reason": "NQ 1656",
        },
    )
    assert done.status_code == 302
    assert unit("AH-X01-QS").merged_into == into
    refused = admin_client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": [unit("AH-X01").pk],
            "confirm": "1",
            "into": unit("AH-P02").pk,
        },
        follow=True,
    )
    assert "unit_has_active_children" in refused.content.decode()
    assert unit("AH-X01").is_active

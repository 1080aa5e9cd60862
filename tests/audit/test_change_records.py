"""The change log of the reference data: each change to the catalogue, the calendar, units,
users and their roles is recorded with who, when, through what, and before → after; the
records are append-only and shown read-only in the admin."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import user_logged_in
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from motcua.accounts.models import Membership, Role, User
from motcua.calendars.models import DayOverride
from motcua.catalog.models import Unit
from motcua.core.changes import HIDDEN, acting
from motcua.core.models import AppendOnlyRecordError, AuditRecord
from tests.conftest import demo_catalogue_text, make_user, version_of

pytestmark = pytest.mark.django_db

RESIDENCE = "1.004222"  # Đăng ký thường trú, 7 working days in the demo catalogue


@pytest.fixture
def admin(catalogue) -> User:
    return User.objects.create_superuser("quantri", "quantri@example.invalid", "pw-quantri")


def as_admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(catalogue):
    """The records written during the test itself (the catalogue fixture writes its own)."""
    baseline = AuditRecord.objects.order_by("id").values_list("id", flat=True).last() or 0

    def written(model: str, **filters) -> list[AuditRecord]:
        made = AuditRecord.objects.filter(pk__gt=baseline, model=model, **filters)
        return list(made.order_by("id"))

    return written


def change_form_data(response) -> dict[str, object]:
    """What the admin's change form would send back unchanged: the form's and its inlines'
    current values under their HTML names."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, object] = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is not None:
                data[bound.html_name] = value
    return data


# --- the admin ----------------------------------------------------------------------------


def test_an_admin_change_of_a_procedure_is_recorded_with_before_and_after(admin, records):
    version = version_of(RESIDENCE)
    url = f"/quan-tri/catalog/procedure/{version.procedure.pk}/change/"
    client = as_admin(admin)
    data = change_form_data(client.get(url))
    prefix = next(key for key in data if key.endswith("-duration_value")).rsplit("-", 1)[0]
    data[f"{prefix}-duration_value"] = 10
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    [record] = records("catalog.procedureversion", kind="changed")
    assert record.object_id == str(version.pk)
    assert record.before == {"duration_value": 7}
    assert record.after == {"duration_value": 10}
    assert (record.actor_id, record.actor_name) == (admin.pk, str(admin))
    assert record.via == f"POST {url}"
    assert record.object_repr.startswith(f"{RESIDENCE} v1")


def test_saving_an_unchanged_form_records_nothing(admin) -> None:
    version = version_of(RESIDENCE)
    url = f"/quan-tri/catalog/procedure/{version.procedure.pk}/change/"
    client = as_admin(admin)
    before = AuditRecord.objects.count()
    assert client.post(url, change_form_data(client.get(url))).status_code == 302
    assert AuditRecord.objects.count() == before


def test_calendar_overrides_added_and_removed_in_the_admin(admin, records) -> None:
    client = as_admin(admin)
    response = client.post(
        "/quan-tri/calendars/dayoverride/add/",
        {"day": "2030-05-06", "kind": "closure", "reason": "Bão số 3", "legal_basis": ""},
    )
    assert response.status_code == 302
    override = DayOverride.objects.get(day=date(2030, 5, 6))
    [added] = records("calendars.dayoverride", kind="created")
    assert added.after["day"] == "2030-05-06" and added.after["reason"] == "Bão số 3"
    assert added.actor_id == admin.pk
    client.post(f"/quan-tri/calendars/dayoverride/{override.pk}/delete/", {"post": "yes"})
    [removed] = records("calendars.dayoverride", kind="deleted")
    assert removed.before["kind"] == "closure" and removed.after == {}


def test_the_admin_shows_the_log_and_allows_nothing_else(admin) -> None:
    version = version_of(RESIDENCE)
    version.duration_value = 9
    version.save()
    record = AuditRecord.objects.latest("id")
    client = as_admin(admin)
    assert client.get("/quan-tri/core/auditrecord/").status_code == 200
    page = client.get(f"/quan-tri/core/auditrecord/{record.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/quan-tri/core/auditrecord/add/").status_code == 403
    deleting = client.post(f"/quan-tri/core/auditrecord/{record.pk}/delete/", {"post": "yes"})
    assert deleting.status_code == 403
    assert AuditRecord.objects.filter(pk=record.pk).exists()


# --- other paths: imports, commands, code -------------------------------------------------


def test_the_catalogue_import_records_what_it_changes(records, tmp_path: Path) -> None:
    """A new version of one procedure: the old one closed, the new one created with its
    other agencies; nothing else in the file changed, nothing else is recorded."""
    document = json.loads(demo_catalogue_text())
    entry = next(item for item in document["procedures"] if item["code"] == RESIDENCE)
    entry["duration"]["value"] = 5
    entry["effective_from"] = "2030-01-01"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    old = version_of(RESIDENCE)
    call_command("import", "catalogue", str(path))
    made = records("catalog.procedureversion")
    assert {record.via for record in made} == {"motcua import"}
    assert (made[0].kind, made[0].object_id) == ("changed", str(old.pk))
    assert made[0].before == {"effective_to": None}
    assert made[0].after == {"effective_to": "2029-12-31"}
    created = made[1]
    assert created.kind == "created" and created.after["duration_value"] == 5
    assert created.after["number"] == 2
    agencies = made[2]
    assert (agencies.kind, agencies.object_id) == ("changed", created.object_id)
    assert agencies.before == {"other_agencies": []} and len(agencies.after["other_agencies"]) == 1
    assert len(made) == 3 and records("catalog.unit") == []


def test_units_users_and_roles_are_recorded(records) -> None:
    officer = make_user("can_bo", "AH", Role.COUNTER_OFFICER)
    [created_user] = records("accounts.user", kind="created")
    assert created_user.after["username"] == "can_bo"
    assert created_user.after["password"] == HIDDEN
    [role] = records("accounts.membership", kind="created")
    assert role.after["role"] == "counter_officer" and role.after["user"] == officer.pk
    director = make_user("giam_doc", None, None)
    with acting(by=director, via="test"):
        Membership.objects.filter(user=officer).get().delete()
        unit = Unit.objects.get(code="AH-X01")
        unit.name = "Trung tâm Phục vụ hành chính công xã Đông Hòa (mới)"
        unit.save()
    [revoked] = records("accounts.membership", kind="deleted")
    assert revoked.before["role"] == "counter_officer" and revoked.actor_id == director.pk
    [renamed] = records("catalog.unit", kind="changed")
    assert renamed.after == {"name": unit.name} and renamed.via == "test"


def test_a_password_change_is_recorded_without_the_hash(records) -> None:
    user = make_user("nguoi_dung", None, None)
    user.set_password("mat-khau-moi-2025")
    user.save()
    [change] = records("accounts.user", kind="changed")
    assert change.before == {"password": HIDDEN}
    assert change.after == {"password": f"{HIDDEN} (changed)"}
    assert "pbkdf2" not in json.dumps([change.before, change.after])
    assert user.password.split("$")[0] not in json.dumps(change.after)


def test_signing_in_is_not_a_change(catalogue) -> None:
    user = make_user("nguoi_dung", None, None)
    before = AuditRecord.objects.count()
    user_logged_in.send(sender=User, request=None, user=user)
    assert AuditRecord.objects.count() == before


def test_a_version_s_other_agencies_are_recorded(records) -> None:
    version = version_of(RESIDENCE)
    before = sorted(version.other_agencies.values_list("pk", flat=True))
    extra = Unit.objects.get(code="AH")
    version.other_agencies.add(extra)
    [change] = records("catalog.procedureversion", kind="changed")
    assert change.before == {"other_agencies": before}
    assert change.after == {"other_agencies": sorted([*before, extra.pk])}


# --- append-only --------------------------------------------------------------------------


def test_records_are_append_only(catalogue) -> None:
    record = AuditRecord.objects.first()
    record.via = "sửa"
    with pytest.raises(AppendOnlyRecordError):
        record.save()
    with pytest.raises(AppendOnlyRecordError):
        record.delete()
    for sql in (
        "UPDATE core_auditrecord SET via = 'x' WHERE id = %s",
        "DELETE FROM core_auditrecord WHERE id = %s",
    ):
        with (
            pytest.raises((DatabaseError, IntegrityError), match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [record.pk])
    assert AuditRecord.objects.get(pk=record.pk).via == AuditRecord.objects.first().via

"""The event log is append-only and sealed: tampering is refused (PostgreSQL) or detected."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.dossiers.models import AppendOnlyError, DossierEvent
from tests.conftest import on_postgres, vn
from tests.dossiers.test_lifecycle import at_agency
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(counter_officer, agency_leader, specialist):
    received = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    return at_agency(received, counter_officer, agency_leader, specialist)


def test_the_code_has_no_update_or_delete_path(dossier) -> None:
    event = dossier.events.first()
    event.reason = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_verify_passes_on_an_untouched_log(dossier, capsys) -> None:
    call_command("audit", "verify")
    assert "every event chain intact" in capsys.readouterr().out


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_postgres_refuses_updates_and_deletes(dossier) -> None:
    if not on_postgres():
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the code and on verify")
    event_id = dossier.events.first().pk
    for sql in (
        "UPDATE dossiers_dossierevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM dossiers_dossierevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [event_id])
    assert DossierEvent.objects.filter(pk=event_id, reason="").exists()


@pytest.mark.parametrize("tamper", ["change", "delete"])
def test_verify_detects_tampering(dossier, tamper, capsys) -> None:
    if on_postgres():  # a superuser going around the trigger, as an attacker with DBA rights
        _raw("SET session_replication_role = replica", [])
    second = dossier.events.get(sequence=2)
    if tamper == "change":
        _raw("UPDATE dossiers_dossierevent SET reason = 'sửa lén' WHERE id = %s", [second.pk])
    else:
        _raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [second.pk])
    if on_postgres():
        _raw("SET session_replication_role = DEFAULT", [])
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    assert caught.value.returncode == 1
    out = capsys.readouterr().out
    assert dossier.code in out
    expected = "content changed" if tamper == "change" else "sequence jumps"
    assert expected in out

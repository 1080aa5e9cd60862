"""The event log is append-only and sealed: tampering is refused by the database, and what a
database administrator without the audit key does anyway is found by `motcua audit verify`.

The attacker here may write any table (`as_dba`: PostgreSQL's replica role skips the
triggers, SQLite's are dropped) and knows how the seals are computed, but not the key."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from motcua.core import append_only
from motcua.dossiers import actions, audit
from motcua.dossiers.models import (
    AppendOnlyError,
    Dossier,
    DossierChainHead,
    DossierCodeCounter,
    DossierEvent,
    EventLogHead,
)
from tests.conftest import on_postgres, vn
from tests.dossiers.test_lifecycle import at_agency
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(counter_officer, agency_leader, specialist):
    received = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    return at_agency(received, counter_officer, agency_leader, specialist)


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@contextmanager
def as_dba() -> Iterator[None]:
    """Write the database around its append-only triggers, as its administrator can."""
    if on_postgres():
        _raw("SET session_replication_role = replica")
    else:
        for statement in append_only.sqlite_statements(create=False):
            _raw(statement)
    try:
        yield
    finally:
        if on_postgres():
            _raw("SET session_replication_role = DEFAULT")
        else:
            for statement in append_only.sqlite_statements(create=True):
                _raw(statement)


def found(capsys) -> str:
    """Run `motcua audit verify`, expect it to fail, and return what it printed."""
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    assert caught.value.returncode == 1
    return capsys.readouterr().out


def kinds(dossiers=None) -> set[str]:
    return {found.kind for found in audit.verify(dossiers)}


# --- append-only --------------------------------------------------------------------------


def test_the_code_has_no_update_or_delete_path(dossier) -> None:
    event = dossier.events.first()
    event.reason = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE dossiers_dossierevent SET reason = 'x' WHERE id = %s",
        "UPDATE dossiers_dossierevent SET hash = 'x' WHERE id = %s",
        "DELETE FROM dossiers_dossierevent WHERE id = %s",
    ],
    ids=["update-reason", "update-hash", "delete"],
)
def test_the_database_refuses_updates_and_deletes(dossier, sql) -> None:
    """On PostgreSQL and on SQLite alike."""
    event = dossier.events.first()
    with pytest.raises((DatabaseError, IntegrityError), match="append-only"), transaction.atomic():
        _raw(sql, [event.pk])
    assert DossierEvent.objects.get(pk=event.pk).hash == event.hash


def test_verify_passes_on_an_untouched_log(dossier, capsys) -> None:
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "ok: 1 dossier(s), 3 event(s)" in out
    head = EventLogHead.objects.get()
    assert f"log head #{head.last_serial} {head.mac}" in out


def test_every_event_has_the_next_serial_and_both_heads_follow(dossier, counter_officer) -> None:
    other = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 30))
    serials = list(DossierEvent.objects.order_by("serial").values_list("serial", flat=True))
    assert serials == list(range(1, 5))
    assert {event.key_id for event in DossierEvent.objects.all()} == {"test"}
    last = other.events.get()
    assert EventLogHead.objects.get().last_hash == last.hash
    head = DossierChainHead.objects.get(dossier_code=dossier.code)
    assert (head.last_sequence, head.last_hash) == (3, dossier.events.last().hash)


# --- tampering ----------------------------------------------------------------------------


@pytest.mark.parametrize("tamper", ["change", "delete"])
def test_verify_detects_tampering(dossier, tamper, capsys) -> None:
    second = dossier.events.get(sequence=2)
    with as_dba():
        if tamper == "change":
            _raw("UPDATE dossiers_dossierevent SET reason = 'sửa lén' WHERE id = %s", [second.pk])
        else:
            _raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [second.pk])
    out = found(capsys)
    assert dossier.code in out
    expected = "content changed" if tamper == "change" else "sequence jumps"
    assert expected in out


def _recompute_plain_chain(dossier: Dossier, *, keep_key: bool) -> None:
    """What an attacker without the key can do: recompute every seal as a plain SHA-256 of
    the same canonical content, chaining each to the one before."""
    previous = ""
    for event in dossier.events.order_by("sequence"):
        event.prev_hash = previous
        if not keep_key:
            event.key_id, event.serial = "", None
        digest = hashlib.sha256(audit.canonical(event, dossier_code=dossier.code)).hexdigest()
        _raw(
            "UPDATE dossiers_dossierevent SET prev_hash = %s, hash = %s, key_id = %s, "
            "serial = %s WHERE id = %s",
            [previous, digest, event.key_id, event.serial, event.pk],
        )
        previous = digest


@pytest.mark.parametrize("keep_key", [True, False], ids=["keyed", "passed-off-as-legacy"])
def test_a_rewritten_event_with_its_chain_recomputed_is_detected(dossier, keep_key, capsys) -> None:
    second = dossier.events.get(sequence=2)
    with as_dba():
        _raw("UPDATE dossiers_dossierevent SET reason = 'sửa lén' WHERE id = %s", [second.pk])
        _recompute_plain_chain(dossier, keep_key=keep_key)
    out = found(capsys)
    assert dossier.code in out
    if keep_key:
        assert "content changed after it was written" in out
    else:
        assert "plain-hash event(s) written after the cut-over" in out
        assert "last event is not the one its head sealed" in out


def test_removing_the_last_event_and_rolling_back_the_status_is_detected(dossier, capsys) -> None:
    """The dossier was assigned (#3); the assignment is erased as if it never happened."""
    last = dossier.events.get(sequence=3)
    with as_dba():
        _raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [last.pk])
        _raw(
            "UPDATE dossiers_dossier SET status = 'TRANSFERRED', assignee_id = NULL, "
            "version = version - 1 WHERE id = %s",
            [dossier.pk],
        )
    assert audit.replay(dossier.code, list(dossier.events.all()))[0].status == "TRANSFERRED"
    out = found(capsys)
    assert f"{dossier.code} #3: chain ends at #2 but its head says #3: events removed" in out
    assert "event #3 of the log, sealed by its head, is missing or changed" in out


def test_a_rewritten_due_date_is_detected(dossier, capsys) -> None:
    later = dossier.due_at + timedelta(days=2)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=later)
    out = found(capsys)
    assert f"{dossier.code} #3: due_at is {later.isoformat()}" in out
    assert "but the events say" in out


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "RESOLVED"),
        ("ended_at", vn(2025, 5, 6, 9, 0)),
        ("paused_at", vn(2025, 5, 6, 9, 0)),
        ("received_at", vn(2025, 5, 4, 9, 0)),
        ("assignee", None),
        ("outcome", "granted"),
        ("supplement_count", 1),
    ],
)
def test_each_cached_column_is_checked_against_the_events(dossier, column, value) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(**{column: value})
    problems = [found.problem for found in audit.verify() if found.kind == "cached_column"]
    assert [problem.split(" ")[0] for problem in problems] == [column]


def test_a_long_life_replays_to_its_cached_columns(
    counter_officer, agency_leader, specialist
) -> None:
    """Supplement, extension, decision, return and delivery: every column as the actions
    left it."""
    dossier = at_agency(
        receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0)),
        counter_officer,
        agency_leader,
        specialist,
    )
    dossier = actions.request_supplement(
        dossier=dossier, by=specialist, reason="Thiếu", items=["CCCD"], at=vn(2025, 5, 6, 9)
    )
    dossier = actions.receive_supplement(dossier=dossier, by=counter_officer, at=vn(2025, 5, 8, 9))
    dossier = actions.apologise_and_extend(
        dossier=dossier,
        by=agency_leader,
        new_due_at=vn(2025, 5, 26, 9),
        reason="Cần xác minh",
        at=vn(2025, 5, 8, 10),
    )
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ điều kiện", at=vn(2025, 5, 9, 9)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 9, 10))
    dossier = actions.approve_dossier(dossier=dossier, by=agency_leader, at=vn(2025, 5, 9, 11))
    dossier = actions.return_result(dossier=dossier, by=specialist, at=vn(2025, 5, 9, 14))
    dossier = actions.deliver_result(
        dossier=dossier, by=counter_officer, via="counter", at=vn(2025, 5, 12, 9)
    )
    assert list(audit.verify()) == []
    implied, refused = audit.replay(dossier.code, list(dossier.events.all()))
    assert refused == []
    assert (implied.status, implied.due_at, implied.ended_at) == (
        "RETURNED",
        dossier.due_at,
        dossier.ended_at,
    )
    assert implied.due_at_original == dossier.due_at_original is not None


def test_an_event_no_transition_allows_is_reported(dossier) -> None:
    """A forged `approved` straight after the assignment, sealed as if by the application."""
    forged = DossierEvent(
        dossier=dossier, type="approved", at=vn(2025, 5, 5, 12), data={"outcome": "granted"}
    )
    with transaction.atomic():
        audit.append(forged, dossier_code=dossier.code)
    assert "not_allowed" in kinds()


def _remove_dossier(dossier: Dossier) -> None:
    """The dossier and every row that names it, as if it had never been received."""
    for table in (
        "notifications_notification",
        "dossiers_dossierstep",
        "dossiers_supplementpause",
        "dossiers_dossierevent",
    ):
        _raw(f"DELETE FROM {table} WHERE dossier_id = %s", [dossier.pk])  # noqa: S608
    _raw("DELETE FROM dossiers_dossier WHERE id = %s", [dossier.pk])


def test_removing_a_whole_dossier_is_detected(counter_officer, capsys) -> None:
    first = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    second = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 30))
    assert first.code.endswith("-0001") and second.code.endswith("-0002")
    with as_dba():
        _remove_dossier(first)
        _raw("DELETE FROM dossiers_dossierchainhead WHERE dossier_code = %s", [first.code])
    out = found(capsys)
    assert "log: events #1 of the log are missing (removed events or dossiers)" in out
    assert f"{first.code}: issued by the counter of AH but no dossier has it" in out


def test_removing_the_latest_dossier_is_detected(counter_officer, capsys) -> None:
    first = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    last = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 30))
    with as_dba():
        _remove_dossier(last)
        # and the counter put back, as if the number had never been given
        DossierCodeCounter.objects.update(last_value=1)
    out = found(capsys)
    assert f"{last.code}: dossier removed: its chain head remains" in out
    assert "event #2 of the log, sealed by its head, is missing or changed" in out
    assert first.code not in out


def test_codes_below_an_imported_one_prove_nothing(counter_officer) -> None:
    """An import brought code …-0005 and raised the day's counter to it (as dossiers/codes.py
    does for imports): 0002–0004 were never issued here. Numbers issued after it are checked."""
    receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    day = DossierCodeCounter.objects.get()
    prefix = day.unit.dossier_prefix
    receive(counter_officer, received_at=vn(2025, 5, 5, 9, 10), code=f"{prefix}-250505-0005")
    DossierCodeCounter.objects.filter(pk=day.pk).update(last_value=5)
    sixth = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 20))
    assert sixth.code.endswith("-0006")
    assert "code_missing" not in kinds()
    with as_dba():
        _remove_dossier(sixth)
    missing = [found.dossier_code for found in audit.verify() if found.kind == "code_missing"]
    assert missing == [sixth.code]


def test_lost_triggers_are_reported(dossier) -> None:
    if on_postgres():
        _raw("DROP TRIGGER dossier_event_append_only ON dossiers_dossierevent")
    else:
        _raw("DROP TRIGGER dossiers_dossierevent_no_update")
        _raw("DROP TRIGGER dossiers_dossierevent_no_delete")
    assert [found.problem for found in audit.verify_protection()] == [
        "dossiers_dossierevent has lost its append-only triggers"
    ]


def test_verify_one_dossier(dossier, counter_officer, capsys) -> None:
    other = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 30))
    Dossier.objects.filter(pk=other.pk).update(status="STOPPED")
    call_command("audit", "verify", "--code", dossier.code)
    assert "ok: 1 dossier(s)" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--code", other.code)


# --- keys -----------------------------------------------------------------------------------


def test_a_retired_key_still_verifies_and_an_unknown_one_is_reported(dossier, settings) -> None:
    settings.AUDIT_KEY_ID = "next"
    settings.AUDIT_KEYS = {"next": "the-next-key-0123456789", "test": "tests-only-audit-key"}
    actions.appraise_dossier(
        dossier=Dossier.objects.get(pk=dossier.pk), by=dossier.assignee, opinion="Đủ điều kiện"
    )
    assert list(dossier.events.values_list("key_id", flat=True)) == ["test"] * 3 + ["next"]
    assert list(audit.verify()) == []
    settings.AUDIT_KEYS = {"next": "the-next-key-0123456789"}
    assert "unknown_key" in kinds()


def test_a_different_key_does_not_verify(dossier, settings) -> None:
    settings.AUDIT_KEYS = {"test": "someone-elses-key-0123456789"}
    assert {"content_changed", "head_changed", "log_head_changed"} <= kinds()


# --- the cut-over: events sealed before the key -------------------------------------------


def _as_before_the_key(dossier: Dossier) -> None:
    """Turn the log back into what it was before the keyed chain: plain SHA-256 seals, no
    serials, no heads."""
    with as_dba():
        _recompute_plain_chain(dossier, keep_key=False)
        _raw("DELETE FROM dossiers_dossierchainhead")
        _raw("DELETE FROM dossiers_eventloghead")


def _cut_over() -> None:
    migration = importlib.import_module("motcua.dossiers.migrations.0011_audit_cut_over")
    migration.cut_over(apps, None)


def test_events_from_before_the_key_are_accepted_up_to_the_cut_over(dossier, capsys) -> None:
    _as_before_the_key(dossier)
    _cut_over()
    assert list(audit.verify()) == []
    # work goes on: keyed events follow the plain ones in the same chain
    actions.appraise_dossier(
        dossier=Dossier.objects.get(pk=dossier.pk), by=dossier.assignee, opinion="Đủ điều kiện"
    )
    assert list(dossier.events.values_list("key_id", "serial")) == [
        ("", None),
        ("", None),
        ("", None),
        ("test", 1),
    ]
    call_command("audit", "verify")
    assert "ok: 1 dossier(s), 4 event(s)" in capsys.readouterr().out


def test_a_plain_chain_rewritten_after_the_cut_over_is_detected(dossier) -> None:
    _as_before_the_key(dossier)
    _cut_over()
    with as_dba():
        _raw(
            "UPDATE dossiers_dossierevent SET reason = 'sửa lén' WHERE id = %s",
            [dossier.events.get(sequence=2).pk],
        )
        _recompute_plain_chain(dossier, keep_key=False)
    assert kinds() == {"head_mismatch"}


def test_a_legacy_event_added_or_removed_after_the_cut_over_is_detected(dossier) -> None:
    _as_before_the_key(dossier)
    _cut_over()
    with as_dba():
        _raw("DELETE FROM dossiers_dossierevent WHERE id = %s", [dossier.events.last().pk])
    assert {"legacy_changed", "events_removed"} <= kinds()

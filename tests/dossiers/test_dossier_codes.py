"""Dossier codes never collide: the day's counter moves past every code that exists, whoever
wrote it (a live intake, an import of history, a backdated postal intake), also under
concurrency on PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from motcua.accounts.models import User
from motcua.api.auth import issue_token
from motcua.catalog.models import Unit
from motcua.core.errors import ValidationFailed
from motcua.dossiers.actions import Applicant, receive_dossier
from motcua.dossiers.codes import parse_code, record_code, units_with_prefix
from motcua.dossiers.models import Dossier, DossierCodeCounter
from tests.conftest import on_postgres, version_of, vn
from tests.integrations.helpers import PREFIX, dossier_line, run_import, write_lines

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "3.000333"
IMPORTED_DAY = vn(2021, 4, 5, 15, 0)  # the day of the lines of tests.integrations.helpers


def receive(by: User, **overrides) -> Dossier:
    version = version_of(CRIMINAL_RECORD)
    arguments = {
        "by": by,
        "unit": Unit.objects.get(code="AH"),
        "version": version,
        "applicant": Applicant(name="Nguyễn Văn An", phone="0912 345 678"),
        "channel": "counter",
        "components": version.component_names()[:1],
        "received_at": IMPORTED_DAY,
    }
    arguments.update(overrides)
    return receive_dossier(**arguments)


def import_numbers(tmp_path, capsys, *numbers: int) -> None:
    path = write_lines(tmp_path / "history.jsonl", [dossier_line(n) for n in numbers])
    summary, _ = run_import("dossiers", path, capsys)
    assert summary["imported"] == len(numbers), summary


def wait_until_one_waits_for_a_lock(seconds: float = 10) -> None:
    """Poll PostgreSQL until another connection of this database waits for a row lock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("no connection came to wait for the counter row")


def sequence(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def test_an_intake_after_an_import_gets_the_number_after_the_imported_ones(
    counter_officer, tmp_path, capsys
) -> None:
    import_numbers(tmp_path, capsys, 1, 2, 3)
    dossier = receive(counter_officer)
    assert dossier.code == f"{PREFIX}-210405-0004"
    assert receive(counter_officer).code == f"{PREFIX}-210405-0005"


def test_an_import_raises_the_days_counter_in_its_own_transaction(
    counter_officer, tmp_path, capsys
) -> None:
    import_numbers(tmp_path, capsys, 7)
    counter = DossierCodeCounter.objects.get(unit__code="AH", day=IMPORTED_DAY.date())
    assert counter.last_value == 7
    # an import of a lower number later never lowers it
    path = write_lines(tmp_path / "older.jsonl", [dossier_line(2)])
    run_import("dossiers", path, capsys)
    counter.refresh_from_db()
    assert counter.last_value == 7
    assert receive(counter_officer).code.endswith("-0008")


def test_a_backdated_postal_intake_on_an_imported_day_gets_a_fresh_code(
    counter_officer, tmp_path, capsys
) -> None:
    import_numbers(tmp_path, capsys, 1, 2)
    postal = receive(
        counter_officer,
        channel="postal",
        received_at=vn(2021, 4, 5, 9, 30),
        return_channel="postal",
        postal_address="Số 1 Lê Lợi",
    )
    assert postal.code == f"{PREFIX}-210405-0003"


def test_an_intake_steps_over_codes_written_behind_the_counters_back(counter_officer) -> None:
    first = receive(counter_officer)
    # a restored backup, a hand-made row: the counter says 0, dossiers 0001 and 0002 exist
    Dossier.objects.filter(pk=first.pk).update(code=f"{PREFIX}-210405-0002")
    receive(counter_officer, code=f"{PREFIX}-210405-0001")
    DossierCodeCounter.objects.update(last_value=0)
    assert receive(counter_officer).code == f"{PREFIX}-210405-0003"
    assert receive(counter_officer).code == f"{PREFIX}-210405-0004"


def test_a_failed_intake_after_a_skip_leaves_no_code_behind_the_counter(counter_officer) -> None:
    receive(counter_officer, code=f"{PREFIX}-210405-0001")
    DossierCodeCounter.objects.update(last_value=0)
    with pytest.raises(ValidationFailed):
        receive(counter_officer, components=["Không có trong danh mục"])
    assert receive(counter_officer).code == f"{PREFIX}-210405-0002"


def test_normal_work_leaves_no_gap(counter_officer) -> None:
    codes = [receive(counter_officer).code for _ in range(4)]
    assert [sequence(code) for code in codes] == [1, 2, 3, 4]


def test_the_api_receives_on_an_imported_day_with_201(counter_officer, tmp_path, capsys) -> None:
    import_numbers(tmp_path, capsys, 1, 2, 3)
    _, token = issue_token(user=counter_officer, name="counter system")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    body = {
        "unit": "AH",
        "procedure": CRIMINAL_RECORD,
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912 345 678"},
        "channel": "counter",
        "received_at": IMPORTED_DAY.isoformat(),
        "components": version_of(CRIMINAL_RECORD).component_names()[:1],
    }
    for expected in ("0004", "0005"):
        response = client.post(
            "/api/v1/dossiers",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.content
        assert response.json()["code"] == f"{PREFIX}-210405-{expected}"


def test_a_code_names_the_counters_that_could_issue_it(catalogue) -> None:
    assert [unit.code for unit in units_with_prefix(PREFIX)] == ["AH"]
    assert parse_code(f"{PREFIX}-210405-0012") == (PREFIX, IMPORTED_DAY.date(), 12)
    assert parse_code(f"{PREFIX}-219945-0012")[1] is None
    with transaction.atomic():
        record_code(f"{PREFIX}-219945-0012")  # no such day: nothing to raise
    assert not DossierCodeCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_and_an_intake_at_the_same_time_get_distinct_codes(counter_officer) -> None:
    """The import holds its line's transaction open with code 0001 written; the live intake
    of the same unit and day runs meanwhile on another connection. It must wait for the
    import and take 0002, not fail on the unique code."""
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    codes: list[str] = []

    def importer() -> None:
        try:
            with transaction.atomic():
                receive(counter_officer, code=f"{PREFIX}-210405-0001")
                written.set()
                release.wait(timeout=10)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
            written.set()
        finally:
            connection.close()

    def intake() -> None:
        try:
            written.wait(timeout=10)
            codes.append(receive(counter_officer).code)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=importer), threading.Thread(target=intake)]
    for thread in threads:
        thread.start()
    wait_until_one_waits_for_a_lock()  # the intake queues behind the import's counter row
    release.set()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert codes == [f"{PREFIX}-210405-0002"]
    assert sorted(Dossier.objects.values_list("code", flat=True)) == [
        f"{PREFIX}-210405-0001",
        f"{PREFIX}-210405-0002",
    ]


@pytest.mark.django_db(transaction=True)
def test_an_import_meeting_a_live_code_at_the_same_time_is_refused_not_merged(
    counter_officer, tmp_path, capsys
) -> None:
    """The live intake holds 0001 uncommitted while an import brings another dossier coded
    0001: the import waits for the counter, then reports the line as someone else's code."""
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    taken, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def intake() -> None:
        try:
            with transaction.atomic():
                receive(counter_officer)
                taken.set()
                release.wait(timeout=10)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
            taken.set()
        finally:
            connection.close()

    def importer() -> None:
        try:
            taken.wait(timeout=10)
            path = write_lines(tmp_path / "history.jsonl", [dossier_line(1)])
            call_command("import", "dossiers", str(path))
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake), threading.Thread(target=importer)]
    for thread in threads:
        thread.start()
    wait_until_one_waits_for_a_lock()  # the import queues behind the intake's counter row
    release.set()
    for thread in threads:
        thread.join()
    assert not failures, failures
    captured = capsys.readouterr()
    assert json.loads(captured.out)["rejected"] == 1
    assert "this code already belongs to another dossier" in captured.err
    assert Dossier.objects.get().received_at == IMPORTED_DAY

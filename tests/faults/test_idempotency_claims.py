"""An Idempotency-Key is held by the transaction of the request that claimed it, nothing else:
a duplicate waits for that transaction and gets its answer, or acts if it rolled back (a
killed worker: tests/faults/test_web_workers.py); it is told to retry only after `CLAIM_WAIT`.

Two API calls in threads, the first held inside its action by a row lock the test takes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from motcua.api import idempotency
from motcua.api.auth import issue_token
from motcua.dossiers.models import Dossier
from tests.dossiers.test_receive_dossier import receive
from tests.faults.processes import other_backends, wait_for
from tests.faults.test_web_workers import row_locked

pytestmark = pytest.mark.django_db(transaction=True)


def transfer_in_background(token: str, code: str, key: str) -> tuple[threading.Thread, list]:
    """POST the transfer in a thread with its own connection; the list gets the response."""
    answers: list[Any] = []

    def call() -> None:
        client = Client(headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
        try:
            answers.append(
                client.post(
                    f"/api/v1/dossiers/{code}/transfer",
                    data=json.dumps({}),
                    content_type="application/json",
                )
            )
        finally:
            connection.close()

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread, answers


def waiting(db: psycopg.Connection[Any], count: int) -> bool:
    return sum(row["wait"] == "Lock" for row in other_backends(db)) >= count


def test_a_duplicate_waits_for_the_first_and_gets_its_answer(
    counter_officer: Any, db_outside: psycopg.Connection[Any]
) -> None:
    dossier = receive(counter_officer)
    token = issue_token(user=counter_officer, name="faults")[1]
    with row_locked(dossier) as release:
        first, first_answer = transfer_in_background(token, dossier.code, "same")
        wait_for("the first to wait for the dossier", lambda: waiting(db_outside, 1))
        second, second_answer = transfer_in_background(token, dossier.code, "same")
        wait_for("the duplicate to wait for the key", lambda: waiting(db_outside, 2))
        release()
        first.join(timeout=20)
        second.join(timeout=20)
    [one], [two] = first_answer, second_answer
    assert one.status_code == two.status_code == 200 and one.content == two.content
    assert "Idempotent-Replayed" not in one and two["Idempotent-Replayed"] == "true"
    assert Dossier.objects.get(pk=dossier.pk).events.filter(type="transferred").count() == 1


def test_a_duplicate_that_waits_too_long_is_told_to_retry(
    counter_officer: Any, db_outside: psycopg.Connection[Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr(idempotency, "CLAIM_WAIT", idempotency.timedelta(milliseconds=300))
    dossier = receive(counter_officer)
    token = issue_token(user=counter_officer, name="faults")[1]
    with row_locked(dossier) as release:
        first, first_answer = transfer_in_background(token, dossier.code, "slow")
        wait_for("the first to wait for the dossier", lambda: waiting(db_outside, 1))
        started = time.monotonic()
        second, second_answer = transfer_in_background(token, dossier.code, "slow")
        second.join(timeout=20)
        [refused] = second_answer
        assert refused.status_code == 409
        assert refused.json()["code"] == "idempotency_in_progress"
        assert time.monotonic() - started < 5
        release()
        first.join(timeout=20)
    assert first_answer[0].status_code == 200
    retried, answers = transfer_in_background(token, dossier.code, "slow")
    retried.join(timeout=20)
    assert answers[0].status_code == 200 and answers[0]["Idempotent-Replayed"] == "true"

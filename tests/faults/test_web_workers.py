"""Web workers die and database connections drop under gunicorn; the client's retry with the same
Idempotency-Key acts once, and no request gets a server error.

gunicorn (two workers, as in production) serves motcua from the test database. To stop a
request in the middle of an action, the test holds the dossier's row lock from a connection of
its own, so the worker waits inside the action's transaction; it then kills the worker
(SIGKILL) or cuts its database session (pg_terminate_backend) and lets go of the lock."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from motcua.api.auth import issue_token
from motcua.dossiers.models import Dossier
from tests.dossiers.test_receive_dossier import receive
from tests.faults.processes import (
    Web,
    gunicorn,
    outside,
    running,
    terminate,
    wait_for,
    waiting_on_a_lock,
)

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "Idempotency-Key"


@pytest.fixture(scope="module")
def server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    web = gunicorn(tmp_path_factory.mktemp("web"))
    with running(web.process):
        yield web


@pytest.fixture
def web(server: Web, counter_officer: Any) -> Web:
    server.token = issue_token(user=counter_officer, name="faults")[1]
    server.calls.clear()
    return server


@pytest.fixture
def dossier(counter_officer: Any) -> Dossier:
    return receive(counter_officer)


def transferred(dossier: Dossier) -> int:
    return dossier.events.filter(type="transferred").count()


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `call` in a thread; the dict gets its `result` or its `error`."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@contextmanager
def locked(statement: str, *params: Any) -> Iterator[Callable[[], None]]:
    """A lock taken by `statement` in a transaction of the test's own connection; the block
    gets a function that lets go of it (at the latest, leaving the block does)."""
    holder = outside()
    try:
        holder.execute("BEGIN")
        holder.execute(statement, params)
        yield lambda: holder.execute("ROLLBACK")
    finally:
        holder.close()


def row_locked(dossier: Dossier) -> Any:
    return locked("SELECT id FROM dossiers_dossier WHERE id = %s FOR UPDATE", dossier.pk)


def test_a_worker_killed_mid_action_leaves_the_key_free_and_the_retry_acts_once(
    web: Web, dossier: Dossier, db_outside: psycopg.Connection[Any]
) -> None:
    path = f"/api/v1/dossiers/{dossier.code}/transfer"
    with row_locked(dossier):
        thread, outcome = in_background(lambda: web.request("POST", path, {}, **{KEY: "t-1"}))
        blocked = wait_for("the action to wait for the lock", lambda: waiting_on_a_lock(db_outside))
        os.kill(web.worker_serving(blocked["port"]), signal.SIGKILL)
        thread.join(timeout=20)
    assert isinstance(outcome.get("error"), OSError), outcome  # the client got no answer

    started = time.monotonic()
    status, headers, body = web.request("POST", path, {}, **{KEY: "t-1"})
    assert status == 200 and body["status"] == "TRANSFERRED", body
    assert "Idempotent-Replayed" not in headers  # the killed attempt committed nothing
    assert time.monotonic() - started < 5  # free within seconds, not after a lease
    assert transferred(dossier) == 1

    status, headers, again = web.request("POST", path, {}, **{KEY: "t-1"})
    assert status == 200 and headers["Idempotent-Replayed"] == "true" and again == body
    assert transferred(dossier) == 1


def test_cut_connections_cost_no_server_error(
    web: Web, dossier: Dossier, db_outside: psycopg.Connection[Any]
) -> None:
    detail = f"/api/v1/dossiers/{dossier.code}"

    # Each worker keeps a connection between requests; cut them all while they are idle.
    with ThreadPoolExecutor(4) as pool:
        assert [s for s, _, _ in pool.map(lambda _: web.request("GET", detail), range(8))] == [
            200
        ] * 8
    assert terminate(db_outside) >= 1
    assert [web.request("GET", detail)[0] for _ in range(6)] == [200] * 6

    # Cut in the middle of an action (waiting for the row lock): the server runs it again on a
    # new connection, and it acts once.
    with row_locked(dossier) as release:
        thread, outcome = in_background(
            lambda: web.request("POST", f"{detail}/transfer", {}, **{KEY: "cut-1"})
        )
        first = wait_for("the action to wait for the lock", lambda: waiting_on_a_lock(db_outside))
        terminate(db_outside, [first["pid"]])
        wait_for(
            "the action to run again and wait for the lock on a new connection",
            lambda: (row := waiting_on_a_lock(db_outside)) and row["pid"] != first["pid"],
        )
        release()
        thread.join(timeout=20)
    assert outcome["result"][0] == 200, outcome
    assert transferred(dossier) == 1

    # Cut in the middle of a read (waiting for a table lock): read again, answered.
    with locked("LOCK TABLE dossiers_dossier IN ACCESS EXCLUSIVE MODE") as release:
        thread, outcome = in_background(lambda: web.request("GET", detail))
        first = wait_for("the read to wait for the lock", lambda: waiting_on_a_lock(db_outside))
        terminate(db_outside, [first["pid"]])
        wait_for(
            "the read to run again on a new connection",
            lambda: (row := waiting_on_a_lock(db_outside)) and row["pid"] != first["pid"],
        )
        release()
        thread.join(timeout=20)
    assert outcome["result"][0] == 200, outcome
    assert max(web.calls) < 500, web.calls

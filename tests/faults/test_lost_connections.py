"""A request whose database connection drops in the middle: the view runs once more on a new
connection when that cannot apply a write twice; otherwise, or when the database stays away,
the answer is 503 with Retry-After — never a 500. Other database errors are not retried.

(Real cuts under gunicorn: tests/faults/test_web_workers.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.accounts import access
from tests.faults import lost_views
from tests.faults.lost_views import lost

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.faults.lost_views")]


@pytest.fixture(autouse=True)
def _count_from_zero() -> None:
    lost_views.runs.clear()


def test_a_read_runs_again_even_after_bookkeeping_writes(client: Client) -> None:
    response = client.get("/read/")
    assert response.status_code == 200 and response.content == b"read ran 2 times"


def test_a_post_that_had_written_nothing_runs_again(client: Client) -> None:
    response = client.post("/early/")
    assert response.status_code == 200 and response.content == b"early ran 2 times"


def test_a_post_that_had_written_is_not_run_again_but_told_to_retry(client: Client) -> None:
    response = client.post("/wrote/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Mất kết nối tới cơ sở dữ liệu" in response.content.decode()
    assert lost_views.runs["wrote"] == 1


def test_a_database_that_stays_away_gets_503_after_one_more_run(client: Client) -> None:
    response = client.get("/down/")
    assert response.status_code == 503 and lost_views.runs["down"] == 2


def test_other_database_errors_are_not_retried(client: Client) -> None:
    with pytest.raises(Exception, match="server closed"):
        client.get("/deadlock/")
    assert lost_views.runs["deadlock"] == 1


@pytest.mark.urls("motcua.config.urls")
def test_under_the_api_the_503_is_the_apis_json_error(
    counter_officer: Any, monkeypatch: Any
) -> None:
    from motcua.api.auth import issue_token

    def database_away(*args: Any, **kwargs: Any) -> None:
        raise lost()

    monkeypatch.setattr(access, "dossier_for", database_away)
    token = issue_token(user=counter_officer, name="faults")[1]
    response = Client().get(
        "/api/v1/dossiers/000.00.01.H99-250424-0001", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"

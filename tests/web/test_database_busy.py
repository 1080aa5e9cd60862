"""SQLite under heavy load (a hall's kiosks and counters drawing and calling at once): a
writer still waiting for the lock when the connection's timeout runs out gets 503 with
Retry-After — the kiosk then retries with its request key — never a server error."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.faults import lost_views

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.faults.lost_views")]


def test_sqlite_still_locked_after_its_timeout_is_busy_not_broken(client: Client) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file lock")
    lost_views.runs.clear()
    response = client.post("/locked/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Hệ thống đang bận" in response.content.decode()
    assert lost_views.runs["locked"] == 1  # not run again: the client retries


def test_other_errors_of_the_view_stay_errors(client: Client) -> None:
    lost_views.runs.clear()
    with pytest.raises(Exception, match="server closed"):
        client.get("/deadlock/")

"""Fault specifications run real processes against PostgreSQL; SQLite cannot be cut from
outside (no server, no sessions to terminate), so they are skipped there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.faults.processes import other_backends, outside, wait_for

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="fault specifications need PostgreSQL (server sessions to terminate and lock)"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.fixture
def db_outside(transactional_db: None) -> Iterator[psycopg.Connection[Any]]:
    """A connection of the test's own to the test database, outside Django's. Afterwards, it
    waits for the sessions of killed processes to end, before the tables are emptied."""
    with outside() as db:
        yield db
        wait_for(
            "the other sessions to finish",
            lambda: all(row["state"] == "idle" for row in other_backends(db)),
            timeout=15,
        )

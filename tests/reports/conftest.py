"""The March 2025 history (tests/reports/history.py) as a fixture."""

from __future__ import annotations

import pytest

from tests.reports.history import History, build_march, build_ratings, people


@pytest.fixture
def march(counter_officer, commune_officer, agency_leader) -> History:
    history = build_march(people(counter_officer, commune_officer, agency_leader))
    build_ratings()
    return history

"""The cast of the specifications: the demo province's real catalogue and one persona per role.

Personas: `counter_officer` at the provincial centre (AH), `commune_officer` at the Đông Hòa
commune centre (AH-X01), `specialist` of the criminal-records office (AH-CAT-PV06), and an
`outsider` with no role anywhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import Procedure, ProcedureVersion, Unit
from motcua.integrations.catalogue import import_catalogue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def vn(*args: int) -> datetime:
    """A moment in Vietnam's time zone: vn(2025, 4, 24, 10, 0)."""
    return datetime(*args, tzinfo=VN)


def demo_catalogue_text() -> str:
    return (
        resources.files("motcua.catalog")
        .joinpath("data/demo_province.json")
        .read_text(encoding="utf-8")
    )


@pytest.fixture
def catalogue(db: None) -> None:
    import_catalogue(demo_catalogue_text(), filename="demo_province.json")


def make_user(username: str, unit_code: str | None, role: Role | None) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, full_name=username.replace("_", " ").title()
    )
    if unit_code and role:
        Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role=role)
    return user


@pytest.fixture
def counter_officer(catalogue: None) -> User:
    return make_user("counter_officer", "AH", Role.COUNTER_OFFICER)


@pytest.fixture
def commune_officer(catalogue: None) -> User:
    return make_user("commune_officer", "AH-X01", Role.COUNTER_OFFICER)


@pytest.fixture
def specialist(catalogue: None) -> User:
    return make_user("specialist", "AH-CAT-PV06", Role.SPECIALIST)


@pytest.fixture
def outsider(catalogue: None) -> User:
    return make_user("outsider", None, None)


@pytest.fixture
def province(catalogue: None) -> Unit:
    return Unit.objects.get(code="AH")


def version_of(code: str) -> ProcedureVersion:
    version = Procedure.objects.get(code=code).current_version()
    assert version is not None
    return version


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_triggers() -> Iterator[None]:
    """Transactional tests empty the tables after each test. PostgreSQL does it with TRUNCATE,
    which row triggers ignore; SQLite with DELETE, which the append-only triggers refuse: so
    on SQLite the flush drops them first and puts them back after (core/append_only.py)."""
    from django.core.management.commands import flush

    from motcua.core import append_only

    original = flush.sql_flush

    def sql_flush(style, connection, **options):  # type: ignore[no-untyped-def]
        statements = original(style, connection, **options)
        if connection.vendor != "sqlite" or not statements:
            return statements
        drop = append_only.sqlite_statements(create=False)
        return [*drop, *statements, *append_only.sqlite_statements(create=True)]

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each specification starts with an empty cache (throttles keep their own table,
    emptied with the database)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def agency_leader(catalogue: None) -> User:
    return make_user("agency_leader", "AH-CAT-PV06", Role.AGENCY_LEADER)


@pytest.fixture
def other_specialist(catalogue: None) -> User:
    return make_user("other_specialist", "AH-CAT-PV06", Role.SPECIALIST)


@pytest.fixture
def land_specialist(catalogue: None) -> User:
    """A specialist of the co-ordinating land registry office (inter-agency steps)."""
    return make_user("land_specialist", "AH-VPDKDD", Role.SPECIALIST)

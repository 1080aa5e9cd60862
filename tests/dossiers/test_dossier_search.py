"""Staff search (dossiers/search.py): any part of the code, the applicant's name without
accents in any order, the phone or the ID number; finished dossiers too; only what the person
may see (`accounts/access.py`)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from motcua.accounts.models import Role
from motcua.core.text import search_key
from motcua.dossiers import search
from motcua.dossiers.actions import Applicant
from motcua.dossiers.models import Dossier
from tests.conftest import make_user, on_postgres, vn
from tests.dossiers.test_receive_dossier import RESIDENCE, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(commune_officer):
    """Two dossiers at Đông Hòa (AH-X01), one at Bắc An (AH-P02)."""
    other = make_user("other_counter", "AH-P02", Role.COUNTER_OFFICER)
    return {
        "an": receive(
            commune_officer,
            "AH-X01",
            RESIDENCE,
            applicant=Applicant(
                name="Nguyễn Thị Ánh Đào", phone="0912 345 678", id_number="001234567890"
            ),
        ),
        "binh": receive(
            commune_officer,
            "AH-X01",
            RESIDENCE,
            applicant=Applicant(name="Trần Văn Bình", phone="0987 654 321"),
            received_at=vn(2025, 4, 25, 9, 0),
        ),
        "elsewhere": receive(
            other,
            "AH-P02",
            RESIDENCE,
            applicant=Applicant(name="Nguyễn Thị Ánh Đào", phone="0912 345 678"),
        ),
    }


def names(who, query: str) -> list[str]:
    return [dossier.applicant_name for dossier in search.find(who, query)]


def test_the_folded_name_is_written_with_the_dossier(dossiers) -> None:
    assert dossiers["an"].applicant_name_folded == " nguyen thi anh dao"


@pytest.mark.parametrize("query", ["nguyen thi anh dao", "dao nguyen", "ÁNH  Đào", "anh dao"])
def test_name_without_accents_in_any_order(commune_officer, dossiers, query) -> None:
    assert names(commune_officer, query) == ["Nguyễn Thị Ánh Đào"]


def test_words_match_from_their_start(commune_officer, dossiers) -> None:
    assert names(commune_officer, "tran b") == ["Trần Văn Bình"]
    assert names(commune_officer, "inh") == []  # not the middle of "Bình"
    assert search_key("Nguyễn Thị Ánh-Đào (chị)") == " nguyen thi anh dao chi"


@pytest.mark.parametrize(
    "query", ["0912345678", "0912 345 678", "+84 912 345 678", "84912345678", "001234567890"]
)
def test_phone_in_any_form_or_id_number(commune_officer, dossiers, query) -> None:
    assert names(commune_officer, query) == ["Nguyễn Thị Ánh Đào"]


def test_any_part_of_the_code(commune_officer, dossiers) -> None:
    code = dossiers["binh"].code  # …-250425-0001
    assert names(commune_officer, code[-11:].lower()) == ["Trần Văn Bình"]
    assert names(commune_officer, code) == ["Trần Văn Bình"]
    assert len(search.find(commune_officer, code.split("-")[0])) == 2  # the unit's prefix


def test_finished_dossiers_are_found(commune_officer, dossiers) -> None:
    Dossier.objects.filter(pk=dossiers["binh"].pk).update(status="RETURNED")
    assert names(commune_officer, "binh tran") == ["Trần Văn Bình"]


def test_another_units_dossiers_stay_hidden(commune_officer, dossiers, outsider) -> None:
    found = search.find(commune_officer, "0912345678")
    assert [dossier.pk for dossier in found] == [dossiers["an"].pk]
    assert search.find(outsider, "nguyen") == []


def test_a_query_too_short_finds_nothing(commune_officer, dossiers) -> None:
    assert search.find(commune_officer, " a ") == []
    assert not search.is_searchable("ab")
    assert search.phone_forms("nguyen") == []


def test_the_migration_fills_the_folded_names_in_batches(dossiers, monkeypatch) -> None:
    migration = importlib.import_module("motcua.dossiers.migrations.0015_dossier_search")
    monkeypatch.setattr(migration, "BATCH", 2)
    Dossier.objects.update(applicant_name_folded="")
    migration.fill_folded_names(apps, SimpleNamespace(connection=connection))
    assert set(Dossier.objects.values_list("applicant_name_folded", flat=True)) == {
        " nguyen thi anh dao",
        " tran van binh",
    }


def test_the_search_page(commune_officer, dossiers) -> None:
    client = Client()
    client.force_login(commune_officer)
    page = client.get("/quay/tim-ho-so/", {"q": "anh dao"}).content.decode()
    assert dossiers["an"].code in page and dossiers["elsewhere"].code not in page
    assert "Nhập ít nhất 3 ký tự" in client.get("/quay/tim-ho-so/", {"q": "ab"}).content.decode()
    assert client.post("/quay/tim-ho-so/").status_code == 405
    assert 'href="/quay/tim-ho-so/"' in client.get("/quay/tim-ho-so/").content.decode()
    anonymous = Client().get("/quay/tim-ho-so/", {"q": "anh dao"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/dang-nhap/")


def test_postgresql_has_trigram_indexes_for_parts_of_codes_and_names() -> None:
    if not on_postgres():
        pytest.skip("PostgreSQL only: SQLite scans the folded column")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossiers_dossier' "
            "AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"dossier_code_trgm", "dossier_name_folded_trgm"}

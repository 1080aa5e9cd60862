"""The public catalogue of procedures (Decree 118/2025 art. 16): found by words typed without
accents in any order, one version per procedure (the one in force), and a sheet with what a
citizen needs before coming."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client

from motcua.catalog import published
from motcua.catalog.models import ProcedureVersion
from tests.conftest import on_postgres, version_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)
LAND_CHANGE = "1.013831"  # Đăng ký biến động quyền sử dụng đất…
RESIDENCE = "1.004222"  # Đăng ký thường trú (commune level, counter 20.000 đ, online 10.000 đ)
CRIMINAL_RECORD = "3.000333"  # province level, online, postal and counter


def codes(query: str) -> list[str]:
    return [version.procedure.code for version in published.search(query, day=TODAY)]


@pytest.mark.parametrize(
    "query",
    ["dang ky bien dong dat", "dat bien dong dang ky", "ĐĂNG KÝ biến   động đất", "BIEN DONG"],
)
def test_words_in_any_order_without_accents_find_the_land_change(catalogue, query) -> None:
    assert LAND_CHANGE in codes(query)


def test_every_word_must_be_there_and_closest_names_come_first(catalogue) -> None:
    found = codes("thuong tru dang ky")
    assert found[0] == RESIDENCE
    assert codes("thuong tru khong-co-tu-nay") == []


def test_a_part_of_the_code_finds_the_procedure(catalogue) -> None:
    assert codes("004222") == [RESIDENCE]


def test_one_version_per_procedure_the_latest_in_force(catalogue) -> None:
    current = version_of(RESIDENCE)
    newer = ProcedureVersion.objects.get(pk=current.pk)
    newer.pk = None
    newer.number = current.number + 1
    newer.name = "Đăng ký thường trú (sửa đổi)"
    newer.effective_from = date(2026, 6, 1)
    newer.save()
    future = ProcedureVersion.objects.get(pk=newer.pk)
    future.pk, future.number, future.effective_from = None, newer.number + 1, date(2027, 1, 1)
    future.save()
    found = [v for v in published.search("thuong tru", day=TODAY) if v.code == RESIDENCE]
    assert [v.number for v in found] == [newer.number]
    assert published.in_force(RESIDENCE, day=TODAY).number == newer.number
    assert (
        published.search("", day=TODAY).count()
        == ProcedureVersion.objects.values("procedure").distinct().count()
    )


def test_an_expired_procedure_is_not_published(catalogue) -> None:
    ProcedureVersion.objects.filter(procedure__code=RESIDENCE).update(effective_to=date(2026, 1, 1))
    assert RESIDENCE not in codes("thuong tru")
    assert published.in_force(RESIDENCE, day=TODAY) is None


def test_the_sheet_gives_each_channel_its_time_limit_and_where_to_submit(catalogue) -> None:
    land = published.sheet(version_of(LAND_CHANGE))
    assert [(c.key, c.duration) for c in land.channels] == [
        ("counter", "18 ngày làm việc"),
        ("online", "18 ngày làm việc"),
        ("postal", "4 ngày làm việc"),
    ]
    assert [unit.code for unit in land.receiving_points] == ["AH"]
    assert land.online
    residence = published.sheet(version_of(RESIDENCE))
    assert [unit.code for unit in residence.receiving_points] == ["AH-P02", "AH-X01"]
    assert [line.amount for line in residence.fees] == [20000, 10000]


def test_the_public_list_and_sheet(catalogue) -> None:
    client = Client()
    listed = client.get("/thu-tuc/", {"q": "dat dong bien ky dang"}).content.decode()
    assert f"/thu-tuc/{LAND_CHANGE}/" in listed
    page = client.get(f"/thu-tuc/{RESIDENCE}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Đăng ký thường trú" in text and "Tờ khai thay đổi thông tin cư trú" in text
    assert "20.000 đồng" in text and "Công an xã Đông Hòa" in text
    assert (
        "Trung tâm Phục vụ hành chính công"
        in client.get(f"/thu-tuc/{CRIMINAL_RECORD}/").content.decode()
    )


def test_an_unknown_code_is_a_page_not_a_crash(catalogue) -> None:
    client = Client()
    response = client.get("/thu-tuc/9.999999/")
    assert response.status_code == 404
    assert "9.999999" in response.content.decode()
    assert client.post("/thu-tuc/").status_code == 405
    assert client.get("/thu-tuc/", {"q": "x" * 5000, "trang": "abc"}).status_code == 200


def test_the_header_links_the_catalogue(catalogue) -> None:
    page = Client().get("/").content.decode()
    assert 'href="/thu-tuc/"' in page and 'href="/thong-ke/"' in page


def test_postgresql_answers_each_word_from_a_trigram_index() -> None:
    if not on_postgres():
        pytest.skip("PostgreSQL only: SQLite scans the folded column")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'procedure_name_folded_trgm'"
        )
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_the_catalogue_is_in_english(catalogue) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    listed = client.get("/thu-tuc/", {"q": "thuong tru"}).content.decode()
    assert "Find a procedure" in listed and "Administrative procedures" in listed
    sheet = client.get(f"/thu-tuc/{RESIDENCE}/").content.decode()
    for english in (
        "Documents to bring",
        "Where to submit",
        "Way of submission",
        "Print this page",
    ):
        assert english in sheet
    assert "Giấy tờ cần nộp" not in sheet

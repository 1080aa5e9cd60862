"""Who heads each paper, and whose name is under the signature: read from the unit tree and the
officer's full name, checked in the PDFs a centre prints (text and page count).

- the centres' papers are headed by the People's Committee of their own level (province or
  commune), with their own place in the date line;
- an agency's papers are headed by the agency above it: the criminal-records office (PV06)
  by the provincial police, not by the provincial People's Committee;
- the signature line prints the officer's full name, never the login or an account label."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from motcua.catalog.models import Unit
from motcua.dossiers import actions, printing
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.mark.parametrize(
    ("code", "governing", "place"),
    [
        ("AH", "UBND TỈNH AN HÒA", "An Hòa"),
        ("AH-X01", "UBND XÃ ĐÔNG HÒA", "Đông Hòa"),
        ("AH-P02", "UBND PHƯỜNG BẮC AN", "Bắc An"),
        ("AH-CAT-PV06", "CÔNG AN TỈNH AN HÒA", "An Hòa"),
        ("AH-VPDKDD", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "An Hòa"),
        ("AH-VPDKDD-CN01", "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI TỈNH AN HÒA", "An Hòa"),
        ("AH-STP", "UBND TỈNH AN HÒA", "An Hòa"),
        ("AH-X01-UBND", "", "Đông Hòa"),  # the commune's People's Committee heads itself
    ],
)
def test_the_letterhead_follows_the_unit_tree(catalogue, code, governing, place) -> None:
    unit = Unit.objects.get(code=code)
    head = unit.letterhead()
    assert (head.governing_body, head.issuing_body, head.place) == (
        governing,
        unit.name.upper(),
        place,
    )


@pytest.fixture
def lan(counter_officer):
    counter_officer.full_name = "Nguyễn Thị Lan"
    counter_officer.save()
    return counter_officer


def test_form_01_of_the_province_is_headed_by_its_committee_and_signed_by_name(lan) -> None:
    dossier = receive(lan, received_at=vn(2025, 4, 24, 10))
    pages, text = text_of(printing.paper_pdf(dossier, "01"))
    assert pages == 1
    assert "UBND TỈNH AN HÒA" in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH AN HÒA" in text
    assert "An Hòa, ngày 24 tháng 4 năm 2025" in text
    assert "Nguyễn Thị Lan" in text
    assert "counter_officer" not in text and "Counter Officer" not in text


def test_form_01_of_a_commune_centre_is_headed_by_the_communes_committee(
    commune_officer,
) -> None:
    dossier = receive(commune_officer, "AH-X01", received_at=vn(2025, 4, 24, 10))
    pages, text = text_of(printing.paper_pdf(dossier, "01"))
    assert pages == 1
    assert "UBND XÃ ĐÔNG HÒA" in text
    assert "UBND TỈNH" not in text
    assert "Đông Hòa, ngày 24 tháng 4 năm 2025" in text


def test_a_signature_without_a_full_name_is_left_blank_not_the_login(counter_officer) -> None:
    counter_officer.full_name = ""
    counter_officer.save()
    dossier = receive(counter_officer, received_at=vn(2025, 4, 24, 10))
    assert printing.receipt_slip(dossier).officer_name == ""
    _, text = text_of(printing.paper_pdf(dossier, "01"))
    assert "counter_officer" not in text


def test_the_police_offices_supplement_request_is_headed_by_the_provincial_police(
    lan, agency_leader, specialist
) -> None:
    specialist.full_name = "Hoàng Văn Nam"
    specialist.save()
    dossier = receive(lan, received_at=vn(2025, 10, 6, 9))
    dossier = actions.transfer_dossier(dossier=dossier, by=lan, at=vn(2025, 10, 6, 10))
    dossier = actions.assign_dossier(
        dossier=dossier, by=agency_leader, specialist=specialist, at=vn(2025, 10, 6, 14)
    )
    dossier = actions.request_supplement(
        dossier=dossier,
        by=specialist,
        reason="Thiếu bản sao căn cước",
        items=["Bản sao thẻ Căn cước"],
        at=vn(2025, 10, 7, 9),
    )
    pages, text = text_of(printing.paper_pdf(dossier, "02"))
    assert pages == 1
    assert "CÔNG AN TỈNH AN HÒA" in text
    assert "UBND TỈNH AN HÒA" not in text
    assert "Hoàng Văn Nam" in text
    assert "specialist" not in text.lower()


def test_the_tracking_book_of_a_commune_is_headed_by_the_communes_committee(
    commune_officer,
) -> None:
    receive(commune_officer, "AH-X01", received_at=vn(2025, 4, 24, 10))
    book = printing.tracking_book(
        Unit.objects.get(code="AH-X01"), vn(2025, 4, 1).date(), vn(2025, 4, 30).date()
    )
    assert book.header.issuing_body == "UBND XÃ ĐÔNG HÒA"
    assert book.header.place == "Đông Hòa"

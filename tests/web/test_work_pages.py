"""The staff's work pages: each person's inbox, the desk's actions, conflicts, the agencies."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dossier(counter_officer, agency_leader, specialist):
    return receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))


def test_each_person_sees_what_waits_for_them(
    dossier, counter_officer, agency_leader, specialist, commune_officer
) -> None:
    assert dossier.code in as_user(counter_officer).get("/quay/viec-can-lam/").content.decode()
    assert dossier.code not in as_user(agency_leader).get("/quay/viec-can-lam/").content.decode()
    assert dossier.code not in as_user(commune_officer).get("/quay/viec-can-lam/").content.decode()
    actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10, 0))
    leader_page = as_user(agency_leader).get("/quay/viec-can-lam/").content.decode()
    assert dossier.code in leader_page and "Phân công thụ lý" in leader_page
    assert "Quá hạn" in leader_page  # due 19 May 2025, long past
    assert dossier.code not in as_user(counter_officer).get("/quay/viec-can-lam/").content.decode()


def test_the_desk_offers_only_what_the_user_may_do(
    dossier, counter_officer, specialist, commune_officer
) -> None:
    page = as_user(counter_officer).get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert 'data-action="transfer"' in page and 'data-action="withdraw"' in page
    assert 'data-action="approve"' not in page
    # the lookup code, to read out to the applicant who lost the slip
    code = f"{dossier.lookup_code[:4]}-{dossier.lookup_code[4:]}"
    assert f'<span class="code" data-testid="lookup-code">{code}</span>' in page
    agency_view = as_user(specialist).get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert 'data-testid="no-actions"' in agency_view  # the agency sees it, cannot act yet
    assert as_user(commune_officer).get(f"/quay/ho-so/{dossier.code}/").status_code == 404


def test_acting_from_the_desk(dossier, counter_officer) -> None:
    response = as_user(counter_officer).post(
        f"/quay/ho-so/{dossier.code}/xu-ly/transfer/",
        {"transfer-version": dossier.version, "transfer-note": "Chuyển PV06"},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "TRANSFERRED"


def test_a_stale_form_is_a_conflict_and_changes_nothing(dossier, counter_officer) -> None:
    officer = as_user(counter_officer)
    seen = dossier.version
    officer.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/transfer/",
        {"transfer-version": seen, "transfer-note": ""},
    )
    response = officer.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/withdraw/",
        {"withdraw-version": seen, "withdraw-reason": "Rút"},
    )
    assert response.status_code == 409
    assert "vừa được người khác xử lý" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == "TRANSFERRED"


def test_an_incomplete_action_form_is_refused(dossier, counter_officer) -> None:
    response = as_user(counter_officer).post(
        f"/quay/ho-so/{dossier.code}/xu-ly/withdraw/",
        {"withdraw-version": dossier.version, "withdraw-reason": ""},
    )
    assert response.status_code == 422
    assert Dossier.objects.get(pk=dossier.pk).events.count() == 1


def test_papers_print_for_entitled_staff(dossier, counter_officer) -> None:
    officer = as_user(counter_officer)
    for form in ("01", "06"):
        response = officer.get(f"/quay/ho-so/{dossier.code}/mau-{form}.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert officer.get(f"/quay/ho-so/{dossier.code}/mau-04.pdf").status_code == 404


def test_the_tracking_book(dossier, counter_officer) -> None:
    response = as_user(counter_officer).get(
        "/quay/so-theo-doi/", {"don-vi": "AH", "tu": "2025-05-01", "den": "2025-05-31"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    bad = as_user(counter_officer).get(
        "/quay/so-theo-doi/", {"don-vi": "AH", "tu": "2025-06-01", "den": "2025-05-31"}
    )
    assert bad.status_code == 422


def test_the_tracking_book_as_xlsx_and_a_long_book_refused_as_pdf(
    dossier, counter_officer, monkeypatch
) -> None:
    query = {"don-vi": "AH", "tu": "2025-05-01", "den": "2025-05-31"}
    officer = as_user(counter_officer)
    response = officer.get("/quay/so-theo-doi/", query | {"dinh-dang": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "so-theo-doi-AH-2025-05-01-2025-05-31.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["B11"].value == dossier.code
    monkeypatch.setattr("motcua.backoffice.files.BOOK_PDF_MAX_ROWS", 0)
    refused = officer.get("/quay/so-theo-doi/", query)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "quá dài để in PDF" in page and 'value="xlsx"' in page


def test_the_agencies_page_counts_what_each_agency_holds(dossier, counter_officer) -> None:
    actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 5, 5, 10, 0))
    page = as_user(counter_officer).get("/quay/co-quan/").content.decode()
    assert "Phòng Hồ sơ nghiệp vụ (PV06)" in page
    assert 'class="is-overdue"' in page


def _tiny_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def test_uploading_a_scan_from_the_desk(dossier, counter_officer, tmp_path, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    officer = as_user(counter_officer)
    response = officer.post(
        f"/quay/ho-so/{dossier.code}/tai-lieu/",
        {
            "file": SimpleUploadedFile("to-khai.pdf", _tiny_pdf(), "application/pdf"),
            "kind": "component",
            "title": "Tờ khai",
        },
    )
    assert response.status_code == 302
    document = dossier.documents.get()
    assert document.content_type == "application/pdf"
    download = officer.get(f"/quay/ho-so/{dossier.code}/tai-lieu/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == _tiny_pdf()
    fake = officer.post(
        f"/quay/ho-so/{dossier.code}/tai-lieu/",
        {
            "file": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", "application/pdf"),
            "kind": "component",
        },
        follow=True,
    )
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG." in fake.content.decode()
    assert dossier.documents.count() == 1

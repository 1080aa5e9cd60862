"""Electronic results (issue 11 part 5): the result attached at approval, stamped with the
lookup QR, signed with a certificate of a test CA made here, checked with pyHanko's own
validator, and downloaded by the holder of the lookup code, which records the online
delivery once."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import NotFound, PermissionRefused, ValidationFailed
from motcua.documents import results
from motcua.documents.models import Document, DocumentKind
from motcua.documents.signing import in_own_loop
from motcua.dossiers import actions, printing
from motcua.dossiers.models import Dossier, EventType, ReturnChannel
from motcua.dossiers.papers.barcodes import qr_matrix
from motcua.integrations.catalogue import export_catalogue, import_catalogue
from motcua.workflow.states import Status
from tests.api.test_dossier_api import as_system, post
from tests.conftest import on_postgres, vn
from tests.documents.test_documents import media, pdf_bytes, png_bytes, stored_files
from tests.dossiers.test_receive_dossier import receive
from tests.eresults.ca import make_pki

pytestmark = pytest.mark.django_db
__all__ = ["media"]  # the fixture: files go to a throwaway directory


@pytest.fixture
def pki(tmp_path: Path):
    directory = tmp_path / "pki"
    directory.mkdir()
    return make_pki(directory)


@pytest.fixture
def signing(pki):
    with override_settings(SIGNING=pki.pkcs12_settings()):
        yield pki


@pytest.fixture
def e_result_version(catalogue) -> ProcedureVersion:
    dossier_version = receive_version()
    dossier_version.e_result = True
    dossier_version.save(update_fields=["e_result"])
    return dossier_version


def receive_version() -> ProcedureVersion:
    from tests.conftest import version_of

    return version_of("3.000333")


def awaiting_approval(counter, leader, specialist) -> Dossier:
    dossier = receive(counter, received_at=vn(2025, 5, 5, 9, 0))
    dossier = actions.transfer_dossier(dossier=dossier, by=counter, at=vn(2025, 5, 5, 10, 0))
    dossier = actions.assign_dossier(
        dossier=dossier, by=leader, specialist=specialist, at=vn(2025, 5, 5, 11, 0)
    )
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ điều kiện", at=vn(2025, 5, 7, 9, 0)
    )
    return actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 7, 10))


def upload(content: bytes, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def approve(dossier: Dossier, leader, content: bytes | None = None) -> Dossier:
    return actions.approve_dossier(
        dossier=dossier,
        by=leader,
        result_number="125/PV06",
        result_file=upload(content) if content is not None else None,
        at=vn(2025, 5, 8, 9, 0),
    )


def stored(document: Document) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as handle:
        return handle.read()


def validated(signed: bytes, pki):
    reader = PdfFileReader(io.BytesIO(signed))
    (embedded,) = reader.embedded_signatures
    root = asn1_x509.Certificate.load(pki.ca_certificate.public_bytes(_DER))
    context = ValidationContext(trust_roots=[root])
    return in_own_loop(async_validate_pdf_signature(embedded, context))


from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402

_DER = Encoding.DER


@pytest.fixture
def approved(media, signing, e_result_version, counter_officer, agency_leader, specialist):
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    return approve(dossier, agency_leader, pdf_bytes("Giay phep so 125"))


# --- signing ------------------------------------------------------------------------------


def test_the_approved_result_is_signed_by_the_configured_certificate(approved, signing) -> None:
    document = results.latest_result(approved)
    assert document is not None and document.kind == DocumentKind.RESULT
    signed = stored(document)
    status = validated(signed, signing)
    assert status.intact and status.valid, status.pretty_print_details()
    assert status.trusted, status.pretty_print_details()  # the chain ends at the test CA
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signer_der = signing.certificate.public_bytes(_DER)
    assert status.signing_cert.dump() == signer_der  # the configured certificate signed
    # PAdES: a CAdES signature (ETSI.CAdES.detached), SHA-256
    assert status.md_algorithm == "sha256"
    reader = PdfFileReader(io.BytesIO(signed))
    assert reader.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_the_original_bytes_are_kept_and_any_change_breaks_the_signature(approved, signing):
    original = pdf_bytes("Giay phep so 125")
    signed = stored(results.latest_result(approved))
    assert signed.startswith(original)  # an incremental update: the agency's file intact
    assert "Giay phep so 125" in PdfReader(io.BytesIO(signed)).pages[0].extract_text()
    tampered = signed.replace(b"Giay phep so 125", b"Giay phep so 126", 1)
    assert tampered != signed
    status = validated(tampered, signing)
    assert not status.intact


def test_the_result_carries_the_lookup_qr_and_url(approved) -> None:
    signed = stored(results.latest_result(approved))
    url = printing.lookup_url(approved)
    assert url.endswith(f"/tra-cuu/{approved.code}/") and "?k=" not in url
    text = PdfReader(io.BytesIO(signed)).pages[0].extract_text()
    assert url in text and approved.code in text
    assert drawn_qr(signed) == qr_matrix(url)


def drawn_qr(signed: bytes) -> tuple[tuple[bool, ...], ...]:
    """Read the QR back from the stamp's rectangles: after the white square, each
    `x y w h re` is a run of dark modules in one row, `w / h` modules long (quiet zone of
    2 modules)."""
    page = PdfReader(io.BytesIO(signed)).pages[0]
    contents = page.get_contents()
    assert contents is not None
    data = contents.get_data().decode("latin-1")
    boxes = [
        tuple(float(v) for v in match)
        for match in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re\b", data)
    ]
    background = max(boxes, key=lambda box: box[2] * box[3])
    runs = [box for box in boxes if box != background]
    size = runs[0][3]
    count = round(background[2] / size) - 4
    grid = [[False] * count for _ in range(count)]
    for x, y, width, _ in runs:
        first = round((x - background[0]) / size) - 2
        row = round((background[1] + background[3] - y) / size) - 3
        for column in range(first, first + round(width / size)):
            grid[row][column] = True
    return tuple(tuple(row) for row in grid)


def test_pem_files_with_a_passphrase_sign_too(
    media, pki, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    with override_settings(SIGNING=pki.pem_settings()):
        done = approve(dossier, agency_leader, pdf_bytes())
    status = validated(stored(results.latest_result(done)), pki)
    assert status.intact and status.valid and status.trusted


# --- refusals: nothing written ------------------------------------------------------------


def assert_nothing_written(dossier: Dossier, media_root: Path) -> None:
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_APPROVAL
    assert not Document.objects.filter(dossier=dossier).exists()
    assert not dossier.events.filter(
        type__in=[EventType.APPROVED, EventType.DOCUMENT_ADDED]
    ).exists()
    assert stored_files(media_root) == []


def refused(dossier: Dossier, leader, content: bytes | None, name: str = "ket-qua.pdf") -> str:
    with pytest.raises(ValidationFailed) as caught:
        actions.approve_dossier(
            dossier=dossier,
            by=leader,
            result_file=upload(content, name) if content is not None else None,
            at=vn(2025, 5, 8, 9, 0),
        )
    return caught.value.code


def test_an_e_result_procedure_is_not_approved_without_the_file(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    assert refused(dossier, agency_leader, None) == "result_file_required"
    assert_nothing_written(dossier, media)


def test_other_procedures_are_still_approved_without_a_file(
    media, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    assert not dossier.procedure_version.e_result
    assert approve(dossier, agency_leader).status == Status.APPROVED
    assert results.latest_result(dossier) is None


def test_a_file_that_lies_about_being_a_pdf_is_refused(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    fake = b"GIF89a not a pdf at all %%EOF"
    assert refused(dossier, agency_leader, fake) == "document_type_not_allowed"
    markup = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF"
    assert refused(dossier, agency_leader, markup) == "document_carries_markup"
    assert_nothing_written(dossier, media)


def test_an_image_is_a_document_but_not_a_result(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    assert refused(dossier, agency_leader, png_bytes(), "ket-qua.pdf") == "result_must_be_pdf"
    assert_nothing_written(dossier, media)


def test_a_damaged_pdf_is_refused(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    damaged = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    assert refused(dossier, agency_leader, damaged) == "result_pdf_unreadable"
    assert_nothing_written(dossier, media)


def test_without_a_configured_certificate_the_approval_is_refused(
    media, e_result_version, counter_officer, agency_leader, specialist, tmp_path
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    with override_settings(SIGNING={}):
        assert refused(dossier, agency_leader, pdf_bytes()) == "signing_not_configured"
    missing = {"pkcs12": str(tmp_path / "absent.p12"), "passphrase": "x"}
    with override_settings(SIGNING=missing):
        assert refused(dossier, agency_leader, pdf_bytes()) == "signing_material_unreadable"
    assert_nothing_written(dossier, media)


def test_a_wrong_passphrase_is_refused(
    media, pki, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    wrong = {**pki.pkcs12_settings(), "passphrase": "sai"}
    with override_settings(SIGNING=wrong):
        assert refused(dossier, agency_leader, pdf_bytes()) == "signing_material_unreadable"
    assert_nothing_written(dossier, media)


def test_someone_who_may_not_approve_gets_nothing_signed(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    with pytest.raises(PermissionRefused) as caught:
        actions.approve_dossier(
            dossier=dossier, by=specialist, result_file=upload(pdf_bytes()), at=vn(2025, 5, 8, 9)
        )
    assert caught.value.code == "not_your_step"
    assert_nothing_written(dossier, media)


# --- the desk and the API -----------------------------------------------------------------


def test_the_desk_approves_with_the_file(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    client = Client()
    client.force_login(agency_leader)
    page = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="approve-result_file"' in page
    without = client.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/approve/", {"approve-version": dossier.version}
    )
    assert without.status_code == 422
    assert_nothing_written(dossier, media)
    done = client.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/approve/",
        {
            "approve-version": dossier.version,
            "approve-result_number": "7/QĐ",
            "approve-result_file": upload(pdf_bytes("desk")),
        },
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED
    assert results.latest_result(dossier).title == "Kết quả giải quyết số 7/QĐ"


def test_the_api_takes_the_file_as_base64(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    client = as_system(agency_leader)
    path = f"/api/v1/dossiers/{dossier.code}/approve"
    missing = post(client, path, {"version": dossier.version})
    assert missing.status_code == 422 and missing.json()["code"] == "result_file_required"
    body = {"version": dossier.version, "result_file": base64.b64encode(pdf_bytes()).decode()}
    done = post(client, path, body)
    assert done.status_code == 200, done.content
    assert results.latest_result(dossier) is not None
    garbled = {"version": dossier.version + 1, "result_file": "***"}
    assert post(client, path, garbled).status_code == 422


# --- the catalogue ------------------------------------------------------------------------


def test_the_flag_travels_in_the_catalogue_format(catalogue) -> None:
    document = export_catalogue()
    assert all("e_result" not in entry for entry in document["procedures"])  # only when true
    for entry in document["procedures"]:
        if entry["code"] == "3.000333":
            entry["e_result"] = True
            entry["effective_from"] = "2026-01-01"
    summary = import_catalogue(json.dumps(document, ensure_ascii=False))
    assert summary.versions_created == 1
    current = ProcedureVersion.objects.filter(procedure__code="3.000333").order_by("-number")[0]
    assert current.e_result
    exported = next(e for e in export_catalogue()["procedures"] if e["code"] == "3.000333")
    assert exported["e_result"] is True
    assert import_catalogue(json.dumps(export_catalogue())).versions_created == 0
    for entry in document["procedures"]:
        entry["e_result"] = "yes"
    with pytest.raises(ValidationFailed) as caught:
        import_catalogue(json.dumps(document, ensure_ascii=False))
    assert "e_result must be true or false" in str(caught.value.as_dict())


# --- online delivery from the public lookup -----------------------------------------------


@pytest.fixture
def ready(approved, agency_leader) -> Dossier:
    """The signed result has reached the one-stop: the applicant may download it."""
    return actions.return_result(dossier=approved, by=agency_leader, at=vn(2025, 5, 8, 10, 0))


def download(dossier: Dossier, **form: str):
    return Client().post(f"/tra-cuu/{dossier.code}/ket-qua/", form)


def deliveries(dossier: Dossier) -> int:
    return dossier.events.filter(type=EventType.RESULT_DELIVERED).count()


def test_the_holder_of_the_lookup_code_downloads_the_signed_result(ready, signing) -> None:
    page = Client().post(f"/tra-cuu/{ready.code}/", {"khoa": ready.lookup_code})
    assert 'data-testid="download-result"' in page.content.decode()
    assert "Đã có kết quả điện tử" in page.content.decode()  # not "come to the counter"
    assert "mời ông/bà đến nhận" not in page.content.decode()
    response = download(ready, khoa=ready.lookup_code.lower())  # typed leniently
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body == stored(results.latest_result(ready))
    status = validated(body, signing)
    assert status.intact and status.valid and status.trusted


def test_the_first_download_records_the_online_delivery_once(ready) -> None:
    assert deliveries(ready) == 0
    assert download(ready, khoa=ready.lookup_code).status_code == 200
    assert download(ready, khoa=ready.lookup_code).status_code == 200  # still downloadable
    ready.refresh_from_db()
    assert ready.status == Status.RETURNED
    assert ready.delivered_via == "online" and ready.delivered_at is not None
    (event,) = ready.events.filter(type=EventType.RESULT_DELIVERED)
    assert event.data["via"] == "online"
    assert event.actor.username == actions.PORTAL_USERNAME
    assert event.data["recipient"] == actions.ONLINE_RECIPIENT
    assert event.at == ready.delivered_at


def test_without_the_lookup_code_there_is_no_file(ready) -> None:
    phone_digits = ready.applicant_phone[-4:]
    for form in ({}, {"khoa": phone_digits}, {"khoa": "ZZZZ-ZZZZ"}):
        response = download(ready, **form)
        assert response.status_code == 403, form
        assert response["Content-Type"].startswith("text/html")
        assert "Cần mã tra cứu để tải kết quả" in response.content.decode()
    page = Client().post(f"/tra-cuu/{ready.code}/", {"khoa": phone_digits}).content.decode()
    assert "download-result" not in page
    assert Client().get(f"/tra-cuu/{ready.code}/ket-qua/").status_code == 403
    assert deliveries(ready) == 0


def test_a_key_in_the_query_string_works_like_the_slip(ready) -> None:
    response = Client().get(f"/tra-cuu/{ready.code}/ket-qua/", {"k": ready.lookup_code})
    assert response.status_code == 200
    assert deliveries(ready) == 1


def test_no_result_yet_or_no_such_dossier_is_a_styled_404(approved) -> None:
    early = download(approved, khoa=approved.lookup_code)  # APPROVED: not at the one-stop
    assert early.status_code == 404 and "Chưa có kết quả điện tử" in early.content.decode()
    missing = download(Dossier(code="000.00.01.H99-250505-9999"), khoa="7KQ2-M9XD")
    assert missing.status_code == 404 and "<html" in missing.content.decode().lower()
    assert deliveries(approved) == 0


@override_settings(LOOKUP_MAX_REQUESTS=2)
def test_downloads_are_throttled_like_the_lookup(ready) -> None:
    client = Client()
    for _ in range(2):
        assert client.post(f"/tra-cuu/{ready.code}/ket-qua/", {}).status_code == 403
    limited = client.post(f"/tra-cuu/{ready.code}/ket-qua/", {"khoa": ready.lookup_code})
    assert limited.status_code == 429 and limited["Retry-After"]
    assert deliveries(ready) == 0


def test_a_counter_delivery_first_means_no_second_delivery_online(ready, counter_officer) -> None:
    actions.deliver_result(dossier=ready, by=counter_officer, via=ReturnChannel.COUNTER)
    assert download(ready, khoa=ready.lookup_code).status_code == 200
    assert deliveries(ready) == 1
    ready.refresh_from_db()
    assert ready.delivered_via == "counter"


def test_wrong_codes_lock_the_download_like_the_lookup(ready, settings) -> None:
    for _ in range(settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES):
        assert download(ready, khoa="ZZZZ-ZZZZ").status_code == 403
    assert download(ready, khoa=ready.lookup_code).status_code == 403  # locked for now
    assert deliveries(ready) == 0


# --- digitised copies ---------------------------------------------------------------------


def test_a_scanned_component_is_signed_as_a_copy(media, signing, counter_officer, outsider):
    from motcua.documents.services import add_document

    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    scan = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(pdf_bytes("ban quet")),
        kind=DocumentKind.COMPONENT,
        component_name=dossier.components[0],
    )
    copy = results.sign_component(document=scan, by=counter_officer)
    assert copy.pk != scan.pk and copy.kind == DocumentKind.COMPONENT
    assert copy.component_name == scan.component_name
    signed = stored(copy)
    assert signed.startswith(stored(scan))
    status = validated(signed, signing)
    assert status.intact and status.valid and status.trusted
    image = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(png_bytes(), "a.png"),
        kind="other",
    )
    with pytest.raises(ValidationFailed) as caught:
        results.sign_component(document=image, by=counter_officer)
    assert caught.value.code == "not_a_component_scan"
    with pytest.raises(NotFound) as hidden:
        results.sign_component(document=scan, by=outsider)
    assert hidden.value.code == "dossier_not_found"


def test_the_desk_button_signs_a_scanned_copy(media, signing, counter_officer) -> None:
    from motcua.documents.services import add_document

    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    scan = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(pdf_bytes("ban quet")),
        kind=DocumentKind.COMPONENT,
    )
    client = Client()
    client.force_login(counter_officer)
    desk = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert f'data-testid="sign-copy-{scan.pk}"' in desk
    done = client.post(f"/quay/ho-so/{dossier.code}/tai-lieu/{scan.pk}/ky-so/")
    assert done.status_code == 302
    copies = Document.objects.filter(dossier=dossier).exclude(pk=scan.pk)
    assert [copy.title for copy in copies] == [f"{scan.title} (bản ký số)"]
    with override_settings(SIGNING={}):
        desk = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
        assert "sign-copy-" not in desk


def test_a_failure_after_the_result_is_written_leaves_nothing(
    media, signing, e_result_version, counter_officer, agency_leader, specialist, monkeypatch
) -> None:
    """The approved event fails after the document's own rows: all is rolled back and the
    signed file removed from storage."""
    dossier = awaiting_approval(counter_officer, agency_leader, specialist)
    real = actions.append_event

    def failing(target, *, type, **rest):
        if type == EventType.APPROVED:
            raise RuntimeError("database went away")
        return real(target, type=type, **rest)

    monkeypatch.setattr(actions, "append_event", failing)
    with pytest.raises(RuntimeError):
        approve(dossier, agency_leader, pdf_bytes())
    assert_nothing_written(dossier, media)


@pytest.mark.django_db(transaction=True)
def test_downloads_at_once_record_one_delivery(ready) -> None:
    """Four downloads at the same moment on PostgreSQL: four files, one delivery."""
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    statuses: list[int] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            response = download(ready, khoa=ready.lookup_code)
            b"".join(response.streaming_content)
            statuses.append(response.status_code)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and statuses == [200] * 4
    assert deliveries(ready) == 1


def test_indicator_4_1_counts_the_signed_result(ready, counter_officer, agency_leader, specialist):
    """Decision 766 indicator 4.1: the dossier resolved with its signed result counts in the
    numerator once the applicant has downloaded it; one resolved the same way without a result
    file counts only below."""
    from datetime import date

    from motcua.catalog.models import Unit
    from motcua.reports import drilldown
    from motcua.reports.figures import ReportSpec
    from motcua.reports.indicators import compute_indicators
    from motcua.reports.report import build_report

    ProcedureVersion.objects.filter(pk=ready.procedure_version_id).update(e_result=False)
    other = approve(awaiting_approval(counter_officer, agency_leader, specialist), agency_leader)
    actions.return_result(dossier=other, by=agency_leader, at=vn(2025, 5, 8, 10, 0))
    spec = ReportSpec(
        unit=Unit.objects.get(code="AH"), start=date(2025, 5, 1), end=date(2025, 5, 31)
    )
    found = {i.id: i for i in compute_indicators(build_report(spec))}
    assert (found["4.1"].numerator, found["4.1"].denominator) == (0, 2)  # not downloaded yet
    # the applicant downloads it (the lookup's download records it so: deliver_online)
    assert actions.deliver_online(dossier=ready, at=vn(2025, 5, 9, 9, 0))
    found = {i.id: i for i in compute_indicators(build_report(spec))}
    assert (found["4.1"].numerator, found["4.1"].denominator) == (1, 2)
    listed = drilldown.dossiers(spec, "indicator.delivered_online")
    assert [d.code for d in listed] == [ready.code]
    # a period that ended before the download does not count it
    before = ReportSpec(unit=spec.unit, start=date(2025, 5, 1), end=date(2025, 5, 8))
    assert {i.id: i for i in compute_indicators(build_report(before))}["4.1"].numerator == 0

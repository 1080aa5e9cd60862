"""Issue 11, "Done means", first bullet, with real HTTP between real processes: a dossier
submitted on the (stand-in) national portal is pushed to motcua, accepted at reception,
processed and approved with its result file through the API, signed, downloaded by the
applicant from the public lookup (the online delivery), and every status reaches the portal,
delivered by `motcua db_worker` processes, in order and once each.

Nothing runs in the test process but the stand-in portal (its own HTTP server) and the HTTP
clients: motcua is migrated, loaded and served by separate processes configured by environment
variables only, against a database of the test's own (online_stack.py), on whichever database
the suite runs."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.documents.signing import in_own_loop
from tests.documents.test_documents import pdf_bytes
from tests.eresults import ca
from tests.faults.processes import wait_for
from tests.integrations.online_stack import Stack, own_database, stack
from tests.integrations.portal_standin import StandIn, standin_running

SECRET = "e2e-only-portal-secret"
CRIMINAL_RECORD = "3.000333"  # online, agency AH-CAT-PV06, received at AH (000.00.01.H99)
PORTAL_CODE = "G22.99-E2E-0001"
STAFF = [  # username, unit, role
    ("counter_officer", "AH", "counter_officer"),
    ("agency_leader", "AH-CAT-PV06", "agency_leader"),
    ("specialist", "AH-CAT-PV06", "specialist"),
]
# one process for the accounts and their tokens (the function `motcua apitoken create` calls):
# each motcua process takes seconds to start
CREATE_STAFF = """
import json
from motcua.accounts.models import Membership, User
from motcua.api.auth import issue_token
from motcua.catalog.models import Unit
tokens = {{}}
for username, unit, role in {staff!r}:
    user = User.objects.create_user(username=username, password=None, full_name=username)
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit), role=role)
    tokens[username] = issue_token(user=user, name="e2e")[1]
print(json.dumps(tokens))
"""


def catalogue_file(directory: Path) -> tuple[Path, str]:
    """The demo catalogue with 3.000333 issuing electronic results; and the name of its first
    paper (as the portal names a file's component)."""
    document = json.loads(
        resources.files("motcua.catalog")
        .joinpath("data/demo_province.json")
        .read_text(encoding="utf-8")
    )
    (entry,) = (p for p in document["procedures"] if p["code"] == CRIMINAL_RECORD)
    entry["e_result"] = True
    path = directory / "catalogue.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    first = entry["components"][0]
    return path, first if isinstance(first, str) else first["name"]


def portal_dossier(component: str) -> dict[str, Any]:
    """What the portal sends: submitted a minute ago, the result wanted online."""
    submitted = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) - timedelta(minutes=1)
    return {
        "MaHoSo": PORTAL_CODE,
        "MaTTHC": CRIMINAL_RECORD,
        "MaDonViTiepNhan": "000.00.01.H99",
        "NgayNopHoSo": submitted.strftime("%Y%m%d%H%M%S"),
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "001190000001",
        "SoDienThoai": "0912345678",
        "Email": "binh@example.vn",
        "HinhThucNhanKetQua": "2",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "DuocThanhToanTrucTuyen": "1",
        "TaiLieuNop": [
            {
                "TenTepDinhKem": "to-khai.pdf",
                "TenThanhPhanHoSo": component,
                "Base64": base64.b64encode(pdf_bytes("to khai")).decode(),
                "DuocSoHoa": "1",
                "DuocLayTuKhoDMQG": "0",
            }
        ],
    }


def validated(signed: bytes, pki: ca.TestPki) -> Any:
    """pyHanko's verdict on the PDF's one signature, trusting only the test CA."""
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    root = asn1_x509.Certificate.load(pki.ca_certificate.public_bytes(Encoding.DER))
    context = ValidationContext(trust_roots=[root])
    return in_own_loop(async_validate_pdf_signature(embedded, context))


def set_up(motcua: Stack, directory: Path) -> tuple[dict[str, str], str]:
    """Migrate, import the catalogue, create the staff and their API tokens, as an operator
    would from the shell; the tokens by username and the component's name."""
    catalogue, component = catalogue_file(directory)
    motcua.run("migrate", "--no-input")
    motcua.run("import", "catalogue", str(catalogue))
    created = motcua.run("shell", "-c", CREATE_STAFF.format(staff=STAFF))
    tokens = json.loads(created.strip().splitlines()[-1])
    return tokens, component


def test_a_portal_dossier_is_processed_signed_delivered_online_and_every_status_reaches_the_portal(
    tmp_path: Path,
) -> None:
    pki_dir = tmp_path / "pki"
    pki_dir.mkdir()
    pki = ca.make_pki(pki_dir)
    (tmp_path / "var").mkdir()
    with (
        standin_running(SECRET) as portal,
        own_database(tmp_path) as database_url,
        stack(
            tmp_path / "var",
            database_url,
            MOTCUA_NATIONAL_PORTAL_URL=portal.url,
            MOTCUA_NATIONAL_PORTAL_SECRET=SECRET,
            MOTCUA_NATIONAL_PORTAL_TIMEOUT="5",
            MOTCUA_OUTBOX_DESTINATIONS="national_portal",
            MOTCUA_SIGNING_PKCS12=str(pki.pkcs12),
            MOTCUA_SIGNING_PASSPHRASE=ca.PASSPHRASE,
        ) as motcua,
    ):
        tokens, component = set_up(motcua, tmp_path)
        motcua.worker("worker-1")
        motcua.worker("worker-2")
        motcua.serve(workers=2)
        run_the_dossier(motcua, portal, tokens, component, pki)


def run_the_dossier(
    motcua: Stack, portal: StandIn, tokens: dict[str, str], component: str, pki: ca.TestPki
) -> None:
    counter, leader, specialist = (tokens[name] for name, _unit, _role in STAFF)

    # the applicant submits on the portal, which pushes the dossier to motcua
    submitted = portal_dossier(component)
    status, answer = portal.push(
        f"http://127.0.0.1:{motcua.port}/api/v1/portal/dossiers", submitted
    )
    assert status == 201, answer
    assert answer["error_code"] == "0" and answer["MaHoSo"] == PORTAL_CODE
    code = answer["MaHoSoDonVi"]

    # the counter officer accepts it and sends it to the agency; the applicant gets the
    # lookup code with the receipt
    accepted = motcua.api(counter, f"/dossiers/{code}/accept", {})
    assert accepted["status"] == "RECEIVED" and accepted["channel"] == "online"
    lookup_code = accepted["lookup_code"]
    motcua.api(counter, f"/dossiers/{code}/transfer", {})
    # the agency: assigned, appraised, submitted, approved with the result file, returned
    motcua.api(leader, f"/dossiers/{code}/assign", {"specialist": "specialist"})
    motcua.api(specialist, f"/dossiers/{code}/appraise", {"opinion": "Đủ điều kiện cấp phiếu"})
    motcua.api(specialist, f"/dossiers/{code}/submit-for-approval", {})
    original = pdf_bytes("Phieu ly lich tu phap so 77")
    approved = motcua.api(
        leader,
        f"/dossiers/{code}/approve",
        {"result_number": "77/PV06", "result_file": base64.b64encode(original).decode()},
    )
    assert approved["status"] == "APPROVED"
    resolved = motcua.api(leader, f"/dossiers/{code}/return-result", {})
    assert resolved["status"] == "RESOLVED" and resolved["delivered_at"] is None

    # the applicant downloads the signed result from the public lookup with the lookup code,
    # twice: the first download is the online delivery, the second records nothing
    downloads = [
        motcua.request("GET", f"/tra-cuu/{code}/ket-qua/?k={lookup_code}") for _ in range(2)
    ]
    for status, headers, body in downloads:
        assert status == 200, body[:500]
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"].startswith("attachment;")
    signed = downloads[0][2]
    assert downloads[1][2] == signed
    assert signed.startswith(original)  # an incremental update: the agency's bytes kept
    verdict = validated(signed, pki)
    assert verdict.intact and verdict.valid and verdict.trusted
    assert verdict.signing_cert.subject.native["common_name"] == "So Tu phap thu nghiem"

    delivered = motcua.api(counter, f"/dossiers/{code}")
    assert delivered["status"] == "RETURNED" and delivered["delivered_via"] == "online"

    # every status reaches the portal through the outbox workers, in order, once each
    expected = [
        ("submitted", "1"),
        ("received", "2"),
        ("transferred", "4"),
        ("assigned", "4"),
        ("appraised", "4"),
        ("submitted_for_approval", "4"),
        ("approved", "4"),
        ("resolved", "9"),
        ("result_delivered", "10"),
    ]
    wait_for(
        "the portal to take every status",
        lambda: len(portal.records_of(PORTAL_CODE)) >= len(expected),
        timeout=60,
        step=0.1,
    )
    records = portal.records_of(PORTAL_CODE)
    assert [(r["SuKien"], r["TrangThaiHoSo"]) for r in records] == expected
    assert [r["SoThuTu"] for r in records] == list(range(1, len(expected) + 1))
    assert {r["MaHoSoDonVi"] for r in records} == {code}
    assert {r["KenhThucHien"] for r in records} == {"2"}  # online
    assert {r["NgayNopHoSo"] for r in records} == {submitted["NgayNopHoSo"]}
    assert {r["MaTTHC"] for r in records} == {CRIMINAL_RECORD}
    assert len({r["_key"] for r in records}) == len(expected)
    assert set(portal.keys_seen) == {r["_key"] for r in records}  # repeats only of these
    assert portal.bad_signatures == 0
    assert records[0]["NgayTiepNhan"] == "" and records[1]["NgayTiepNhan"] != ""
    assert records[-2]["NgayKetThucXuLy"] != "" and records[-2]["NgayTra"] == ""
    assert records[-1]["NgayTra"] != "" and records[-1]["MaKetQua"] == "77/PV06"
    assert records[-1]["DuongDanTepTinKetQua"].startswith(f"http://127.0.0.1:{motcua.port}/")

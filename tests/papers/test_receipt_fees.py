"""Item 7 of Form 01 (phí, lệ phí) for real dossiers: the fee that applies to the dossier's
channel, read from `ProcedureVersion.fee_for` — alternatives printed as alternatives, never
summed. The text is read back from the PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from motcua.catalog.models import Unit
from motcua.dossiers.actions import Applicant, receive_dossier
from motcua.dossiers.printing import receipt_pdf
from tests.conftest import version_of, vn

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "3.000333"  # 200.000 đ, 100.000 đ for students…, 5.000 đ per extra sheet
COMPANY = "2.001610"  # 100.000 đ publication fee + 50.000 đ registration fee on paper only
RESIDENCE = "1.004222"  # 20.000 đ at the counter, 10.000 đ online


def slip_text(by, procedure: str, channel: str, unit: str = "AH") -> str:
    version = version_of(procedure)
    dossier = receive_dossier(
        by=by,
        unit=Unit.objects.get(code=unit),
        version=version,
        applicant=Applicant(name="Lê Thị Hoa"),
        channel=channel,
        components=version.component_names()[:1],
        received_at=vn(2025, 10, 6, 9, 0),
    )
    reader = PdfReader(io.BytesIO(receipt_pdf(dossier)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_criminal_record_slip_prints_alternatives_not_their_sum(counter_officer) -> None:
    text = slip_text(counter_officer, CRIMINAL_RECORD, "counter")
    assert "305.000" not in text and "Tổng cộng" not in text
    assert "200.000 đồng hoặc 100.000 đồng tùy trường hợp" in text
    assert "5.000 đồng mỗi Phiếu, từ Phiếu thứ 3" in text


def test_a_fee_owed_everywhere_and_a_paper_only_fee_add_up(counter_officer) -> None:
    assert "7. Phí, lệ phí: 150.000 đồng" in slip_text(counter_officer, COMPANY, "counter")
    assert "7. Phí, lệ phí: 150.000 đồng" in slip_text(counter_officer, COMPANY, "postal")
    online = slip_text(counter_officer, COMPANY, "online")
    assert "7. Phí, lệ phí: 100.000 đồng (Phí công bố nội dung đăng ký doanh nghiệp)" in online
    assert "50.000" not in online


def test_the_channel_picks_its_own_rate(commune_officer) -> None:
    counter = slip_text(commune_officer, RESIDENCE, "counter", unit="AH-X01")
    assert "20.000 đồng (Lệ phí đăng ký cư trú (nộp trực tiếp))" in counter
    assert "10.000" not in counter and "30.000" not in counter
    online = slip_text(commune_officer, RESIDENCE, "online", unit="AH-X01")
    assert "10.000 đồng (Lệ phí đăng ký cư trú (nộp trực tuyến))" in online
    assert "20.000" not in online

"""The public lookup: the status, appointment and next step for anyone with the code; the steps
with the phone's last 4 digits; personal data only with the lookup code on the slip;
rate-limited."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(counter_officer):
    return receive(counter_officer)


def test_the_page_shows_status_and_appointment_but_nothing_personal(
    client: Client, dossier
) -> None:
    response = client.get(f"/tra-cuu/{dossier.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in page and "Đã tiếp nhận" in page
    assert "12/05/2025" in page  # the appointment
    assert "26/04/2025" in page  # the explanation names the worked Saturday
    assert "Nguyễn Văn An" not in page and "0912345678" not in page


def test_typing_the_code_in_the_form_opens_the_dossier(client: Client, dossier) -> None:
    response = client.get("/tra-cuu/", {"ma": f"  {dossier.code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{dossier.code}/"


def test_an_unknown_code_says_so(client: Client, catalogue) -> None:
    response = client.get("/tra-cuu/000.00.01.H99-250424-9999/")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.content.decode()


def test_the_phone_digits_show_the_steps_but_nothing_personal(client: Client, dossier) -> None:
    page = client.post(f"/tra-cuu/{dossier.code}/", {"khoa": "5678"}).content.decode()
    assert 'data-testid="steps"' in page and "Tiếp nhận hồ sơ" in page
    assert "Nguyễn Văn An" not in page and "5678" not in page.split("<main", 1)[1]
    assert 'data-testid="private"' not in page


def test_the_lookup_code_reveals_the_applicant(client: Client, dossier) -> None:
    typed = f"{dossier.lookup_code[:4].lower()}-{dossier.lookup_code[4:]}"
    response = client.post(f"/tra-cuu/{dossier.code}/", {"khoa": typed})
    page = response.content.decode()
    assert "Nguyễn Văn An" in page and "******5678" in page
    assert "0912345678" not in page
    assert "no-store" in response["Cache-Control"]


def test_the_qr_link_carries_the_lookup_code(client: Client, dossier) -> None:
    response = client.get(f"/tra-cuu/{dossier.code}/", {"k": dossier.lookup_code})
    assert "Nguyễn Văn An" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    wrong = client.get(f"/tra-cuu/{dossier.code}/", {"k": "ZZZZZZZZ"}).content.decode()
    assert "Mã tra cứu không đúng" in wrong and "Nguyễn Văn An" not in wrong


def test_another_dossiers_lookup_code_opens_nothing(client: Client, dossier, counter_officer):
    other = receive(counter_officer)
    page = client.post(f"/tra-cuu/{dossier.code}/", {"khoa": other.lookup_code}).content.decode()
    assert "Mã tra cứu không đúng" in page and "Nguyễn Văn An" not in page


def test_wrong_digits_reveal_nothing_and_lock_after_five_tries(client: Client, dossier) -> None:
    for _ in range(5):
        page = client.post(f"/tra-cuu/{dossier.code}/", {"so_cuoi": "0000"}).content.decode()
        assert "4 số cuối không khớp" in page and 'data-testid="steps"' not in page
    page = client.post(f"/tra-cuu/{dossier.code}/", {"so_cuoi": "5678"}).content.decode()
    assert "tạm khóa" in page and 'data-testid="steps"' not in page


def test_wrong_lookup_codes_lock_after_five_tries(client: Client, dossier) -> None:
    for _ in range(5):
        page = client.post(f"/tra-cuu/{dossier.code}/", {"khoa": "ZZZZ-ZZZZ"}).content.decode()
        assert "Mã tra cứu không đúng" in page
    page = client.post(f"/tra-cuu/{dossier.code}/", {"khoa": dossier.lookup_code}).content.decode()
    assert "tạm khóa" in page and "Nguyễn Văn An" not in page


def test_the_json_endpoint_mirrors_the_page(client: Client, dossier) -> None:
    body = client.get(f"/api/v1/lookup/{dossier.code}").json()
    assert body["status"] == "RECEIVED" and body["applicant"] is None
    assert body["status_label"] == "Đã tiếp nhận"
    assert body["due_at"] == "2025-05-12T10:00:00+07:00"
    assert body["second_factor"] == "not_given" and body["access"] == "public"
    assert body["timeline"] is None
    assert body["next_step"]["kind"] == "wait"
    assert body["next_step"]["title"] == "Hẹn trả kết quả: 10:00 thứ Hai 12/05/2025"
    assert body["explanation"][-1].startswith("Hẹn trả")
    english = client.get(f"/api/v1/lookup/{dossier.code}", {"lang": "en"}).json()
    assert english["explanation"][0].startswith("Received")
    assert english["status_label"] == "Received"
    assert english["next_step"]["title"] == "Result expected by 10:00 on Monday 12 May 2025"
    with_digits = client.get(f"/api/v1/lookup/{dossier.code}", {"phone_last4": "5678"}).json()
    assert with_digits["second_factor"] == "accepted" and with_digits["access"] == "progress"
    assert with_digits["applicant"] is None
    assert with_digits["timeline"][0] == {
        "type": "received",
        "label": "Tiếp nhận hồ sơ",
        "at": "2025-04-24T10:00:00+07:00",
    }
    with_code = client.get(
        f"/api/v1/lookup/{dossier.code}", {"lookup_code": dossier.lookup_code}
    ).json()
    assert with_code["second_factor"] == "accepted" and with_code["access"] == "full"
    assert with_code["applicant"]["name"] == "Nguyễn Văn An"
    wrong = client.get(f"/api/v1/lookup/{dossier.code}", {"phone_last4": "1111"}).json()
    assert wrong["second_factor"] == "rejected" and wrong["applicant"] is None
    assert wrong["access"] == "public" and wrong["timeline"] is None
    wrong = client.get(f"/api/v1/lookup/{dossier.code}", {"lookup_code": "0000-0000"}).json()
    assert wrong["second_factor"] == "rejected" and wrong["applicant"] is None


def test_the_json_endpoint_answers_errors_with_stable_codes(client: Client, catalogue) -> None:
    response = client.get("/api/v1/lookup/NOPE-000000-0000")
    assert response.status_code == 404
    assert response.json() == {
        "code": "dossier_not_found",
        "message": "Không tìm thấy hồ sơ NOPE-000000-0000.",
        "detail": {},
    }


@override_settings(LOOKUP_MAX_REQUESTS=3)
def test_lookups_are_rate_limited(client: Client, dossier) -> None:
    statuses = [client.get(f"/tra-cuu/{dossier.code}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(f"/api/v1/lookup/{dossier.code}")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"

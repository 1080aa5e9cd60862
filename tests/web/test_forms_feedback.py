"""Input checked where it is typed, feedback after each action, refusals as styled pages, the
menu from the access rules, and the clock in words (issue 10, items 4–6)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.accounts import access
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from tests.api.test_dossier_api import BASE, as_system, intake, post
from tests.conftest import version_of, vn
from tests.dossiers.test_lifecycle import at_agency
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(version, unit, **changes):
    data = {
        "unit": unit.pk,
        "version": version.pk,
        "applicant_name": "Trần Thị Bình",
        "applicant_phone": "0987 654 321",
        "channel": "counter",
        "components": version.component_names()[:2],
        "sets_count": 1,
        "return_channel": "counter",
    }
    return data | changes


# --- item 4: input checked where it is typed ----------------------------------------------


def test_every_bad_field_is_named_next_to_it_and_summarised(counter_officer, province) -> None:
    version = version_of("3.000333")
    response = as_user(counter_officer).post(
        "/quay/tiep-nhan/",
        _form(
            version,
            province,
            applicant_phone="0912 34a 678",
            applicant_id_number="12345",
            applicant_email="an@",
            applicant_name="A" * 201,
        ),
    )
    assert response.status_code == 422
    page = response.content.decode()
    for field in ("applicant_phone", "applicant_id_number", "applicant_email", "applicant_name"):
        assert f'id="id_{field}_error"' in page
        assert f'href="#id_{field}"' in page  # in the summary at the top
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_applicant_phone_helptext' in page
    assert "Số điện thoại không hợp lệ" in page
    assert "Địa chỉ thư điện tử không hợp lệ" in page and "Nhập một địa chỉ" not in page
    assert "tối đa 200 ký tự, đã nhập 201" in page
    assert 'data-testid="error-summary"' in page
    # the summary names a field once: not "Số điện thoại: Số điện thoại không hợp lệ…"
    assert "Số điện thoại: Số điện thoại" not in page
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert "tối đa 200 ký tự" in summary and "Họ và tên người nộp" in summary, summary
    assert not Dossier.objects.exists()


def test_no_field_cuts_what_is_typed_and_no_dashes_are_offered(counter_officer) -> None:
    version = version_of("3.000333")
    page = (
        as_user(counter_officer).get("/quay/tiep-nhan/", {"version": version.pk}).content.decode()
    )
    assert "maxlength" not in page
    assert "---------" not in page


def test_the_phone_is_stored_in_one_format_and_shown_grouped(counter_officer, province) -> None:
    version = version_of("3.000333")
    client = as_user(counter_officer)
    response = client.post(
        "/quay/tiep-nhan/", _form(version, province, applicant_phone="+84 987 654 321")
    )
    dossier = Dossier.objects.get()
    assert dossier.applicant_phone == "0987654321"
    assert "0987 654 321" in client.get(response["Location"]).content.decode()


def test_the_api_and_imports_refuse_a_bad_phone_with_a_stable_code(counter_officer) -> None:
    body = intake(applicant={"name": "Nguyễn Văn An", "phone": "09123 ABC 78"})
    response = post(as_system(counter_officer), BASE, body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_phone"
    body = intake(applicant={"name": "Nguyễn Văn An", "id_number": "12345"})
    assert post(as_system(counter_officer), BASE, body).json()["code"] == "invalid_id_number"
    assert not Dossier.objects.exists()


# --- item 5: feedback, menus, refusals ----------------------------------------------------


def test_intake_confirms_what_happened_and_what_is_next(counter_officer, province) -> None:
    version = version_of("3.000333")
    client = as_user(counter_officer)
    response = client.post("/quay/tiep-nhan/", _form(version, province), follow=True)
    page = response.content.decode()
    code = Dossier.objects.get().code
    assert f"Đã tiếp nhận hồ sơ {code}. Hẹn trả kết quả lúc" in page
    assert "Tiếp theo: in giấy tiếp nhận và hẹn trả" in page


def test_an_action_confirms_the_new_state_and_what_is_next(counter_officer) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    response = as_user(counter_officer).post(
        f"/quay/ho-so/{dossier.code}/xu-ly/transfer/",
        {"transfer-version": dossier.version},
        follow=True,
    )
    page = response.content.decode()
    assert "Đã thực hiện: Chuyển hồ sơ" in page or "Đã thực hiện:" in page
    assert "Tiếp theo: Phân công thụ lý" in page


def test_the_menu_shows_only_what_the_user_may_open(counter_officer, specialist) -> None:
    assert access.pages_for(counter_officer) >= {"inbox", "intake", "tracking_book"}
    assert "intake" not in access.pages_for(specialist)
    assert "agencies" not in access.pages_for(specialist)
    page = as_user(specialist).get("/quay/viec-can-lam/").content.decode()
    assert 'href="/quay/tiep-nhan/"' not in page and 'href="/quay/so-theo-doi/"' not in page
    page = as_user(counter_officer).get("/quay/viec-can-lam/").content.decode()
    assert 'href="/quay/tiep-nhan/"' in page


def test_a_refused_page_is_styled_with_a_way_back(specialist, commune_officer) -> None:
    dossier = receive(specialist and commune_officer, unit_code="AH-X01", procedure="1.004222")
    refused = as_user(specialist).get("/quay/tiep-nhan/")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert 'data-testid="refusal"' in body and 'data-testid="way-back"' in body
    assert "Bạn không được mở trang này" in body
    hidden = as_user(specialist).get(f"/quay/ho-so/{dossier.code}/")
    assert hidden.status_code == 404 and 'data-testid="way-back"' in hidden.content.decode()
    english = as_user(specialist)
    english.cookies["django_language"] = "en"
    assert "You may not open this page" in english.get("/quay/tiep-nhan/").content.decode()


def test_a_refused_csrf_check_is_a_styled_page(counter_officer) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(counter_officer)
    response = client.post("/quay/tiep-nhan/", {})
    assert response.status_code == 403
    assert 'data-testid="way-back"' in response.content.decode()


def test_under_api_a_missing_page_stays_json(client: Client, catalogue) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert json.loads(response.content)["code"]  # the API's own answer, not a page


# --- item 6: durations people can read, logs -----------------------------------------------


def test_the_desk_reads_the_clock_in_working_days_and_says_how_late(
    counter_officer, agency_leader, specialist
) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))  # due 19 May 09:00
    page = as_user(counter_officer).get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert "phút làm việc (" not in page
    assert "Quá hạn " in page and "ngày" in page and "giờ làm việc" in page


def test_a_finished_dossier_says_when_and_how_it_ended_and_who_received_it(
    counter_officer, agency_leader, specialist
) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    dossier = at_agency(dossier, counter_officer, agency_leader, specialist)
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ điều kiện", at=vn(2025, 5, 7, 9)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 7, 10))
    dossier = actions.approve_dossier(
        dossier=dossier, by=agency_leader, result_number="1/PV06", at=vn(2025, 5, 8, 9)
    )
    dossier = actions.return_result(dossier=dossier, by=agency_leader, at=vn(2025, 5, 8, 10))
    client = as_user(counter_officer)
    refused = client.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/deliver/",
        {
            "deliver-version": dossier.version,
            "deliver-via": "counter",
            "deliver-recipient": "Nguyễn Văn An",
            "deliver-recipient_id_number": "12AB",
        },
    )
    assert refused.status_code == 422
    assert 'id="id_deliver-recipient_id_number_error"' in refused.content.decode()
    client.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/deliver/",
        {
            "deliver-version": dossier.version,
            "deliver-via": "counter",
            "deliver-recipient": "Nguyễn Văn An",
            "deliver-recipient_id_number": "001 099 012 345",
        },
    )
    event = Dossier.objects.get(pk=dossier.pk).events.get(type="result_delivered")
    assert event.data["recipient_id_number"] == "001099012345"
    page = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert "Kết thúc lúc 10:00 thứ Năm 08/05/2025, sớm hơn hẹn" in page
    assert 'data-testid="left"' not in page
    assert "người nhận: Nguyễn Văn An 001099012345" in page
    assert "→ " + dossier.agency.name in page  # the transfer names the agency, not its code


def test_a_server_error_is_a_page_of_ours_and_json_under_api(rf) -> None:
    from motcua.config import error_pages

    page = error_pages.server_error(rf.get("/quay/"))
    assert page.status_code == 500 and 'data-testid="way-back"' in page.content.decode()
    answer = error_pages.server_error(rf.get("/api/v1/dossiers"))
    assert answer.status_code == 500 and json.loads(answer.content)["code"] == "server_error"

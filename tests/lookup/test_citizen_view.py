"""What the citizen reads at each state (issue 10 item 1): what to do and when, in their
words, the same on the page and in the API, the officers' texts only with the lookup code."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import EventType
from motcua.workflow import citizen
from motcua.workflow.actions import ACTIONS
from motcua.workflow.states import Status
from tests.lookup.states import at_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(counter_officer, agency_leader, specialist):
    return lambda state: at_state(state, counter_officer, agency_leader, specialist)


def api(dossier, **proof) -> dict:
    response = Client().get(f"/api/v1/lookup/{dossier.code}", proof)
    assert response.status_code == 200, response.content
    return response.json()


def page(dossier, **form) -> str:
    client = Client()
    if form:
        return client.post(f"/tra-cuu/{dossier.code}/", form).content.decode()
    return client.get(f"/tra-cuu/{dossier.code}/").content.decode()


def test_every_state_and_event_has_citizen_words() -> None:
    assert set(citizen.STATES) == set(Status)
    assert set(citizen.STEPS) == set(EventType.values)
    assert all(citizen.next_step for _ in Status)


def test_staff_jargon_never_reaches_the_citizen(make) -> None:
    dossier = make("delivered")
    body = api(dossier, lookup_code=dossier.lookup_code)
    labels = [entry["label"] for entry in body["timeline"]]
    staff = {str(action.label) for action in ACTIONS.values()} - {"Trả kết quả"}
    assert not staff & set(labels), labels
    assert "Phân công thụ lý" not in page(dossier, khoa=dossier.lookup_code)
    assert labels[2] == "Cán bộ của cơ quan giải quyết bắt đầu xem xét hồ sơ"


def test_received_says_when_the_result_comes_and_where(make) -> None:
    body = api(make("received"))
    assert body["status_label"] == "Đã tiếp nhận"
    assert body["next_step"]["kind"] == "wait"
    assert body["next_step"]["title"] == "Hẹn trả kết quả: 09:00 thứ Hai 19/05/2025"
    assert any("Nhận kết quả tại Trung tâm" in line for line in body["next_step"]["lines"])


def test_in_progress_is_one_stage_for_the_citizen(make) -> None:
    body = api(make("in_progress"))
    assert body["status_label"] == "Đang giải quyết"
    assert body["next_step"]["kind"] == "wait"


def test_waiting_for_a_supplement_says_which_papers_why_and_since_when(make) -> None:
    dossier = make("supplement")
    full = api(dossier, lookup_code=dossier.lookup_code)["next_step"]
    assert full["kind"] == "supplement"
    assert full["items"] == [
        "Bản sao có chứng thực giấy khai sinh",
        "Tờ khai có chữ ký của người nộp",
    ]
    text = " ".join(full["lines"])
    assert "Lý do: Bản sao giấy khai sinh chưa có chứng thực" in text
    assert "tạm dừng từ 14:00 thứ Tư 07/05/2025" in text
    # without the lookup code: the pause and its date, not the officer's words
    public = api(dossier)["next_step"]
    assert public["items"] == [] and "Bản sao giấy khai sinh" not in " ".join(public["lines"])
    assert "tạm dừng từ 14:00 thứ Tư 07/05/2025" in " ".join(public["lines"])
    html = page(dossier, khoa=dossier.lookup_code)
    assert "Tờ khai có chữ ký của người nộp" in html and "Chờ ông/bà bổ sung giấy tờ" in html


def test_an_extension_says_the_new_appointment_why_and_apologises(make) -> None:
    dossier = make("extended")
    body = api(dossier, lookup_code=dossier.lookup_code)
    step = body["next_step"]
    assert step["kind"] == "extended"
    assert step["title"] == "Ngày hẹn trả đã dời đến 09:00 thứ Hai 26/05/2025"
    text = " ".join(step["lines"])
    assert "xin lỗi" in text and "Ngày hẹn trước: 09:00 thứ Hai 19/05/2025" in text
    assert "Lý do: Cần xác minh thông tin" in text
    # the one reading of the clock: the same appointment as the due and its explanation
    assert body["due_at"] == "2025-05-26T09:00:00+07:00"
    assert body["explanation"][-1] == "Hẹn trả: 09:00 thứ Hai 26/05/2025."
    english = api(dossier, lang="en")["next_step"]
    assert english["title"] == "Appointment moved to 09:00 on Monday 26 May 2025"
    assert "apologises" in " ".join(english["lines"]) and "Why:" not in " ".join(english["lines"])


def test_a_result_at_the_counter_says_come_with_your_id(make) -> None:
    body = api(make("result_ready"))
    step = body["next_step"]
    assert body["status_label"] == "Đã có kết quả"
    assert step["kind"] == "collect"
    assert "mang theo giấy hẹn và căn cước" in " ".join(step["lines"])


def test_a_delivered_result_says_when_and_the_postal_item(make) -> None:
    dossier = make("delivered")
    body = api(dossier, lookup_code=dossier.lookup_code)
    assert body["ended"] is True and body["status_label"] == "Đã trả kết quả"
    assert body["next_step"]["title"] == "Đã trả kết quả lúc 08:00 thứ Sáu 09/05/2025"
    assert "số hiệu bưu gửi EL123456789VN" in " ".join(body["next_step"]["lines"])
    assert "EL123456789VN" not in str(api(dossier, phone_last4="5678"))
    html = page(dossier)
    assert 'class="due-kept"' in html and 'class="due"' not in html


def test_the_phone_digits_show_the_steps_with_their_dates_only(make) -> None:
    dossier = make("supplement")
    body = api(dossier, phone_last4="5678")
    assert body["access"] == "progress" and body["applicant"] is None
    assert [entry["type"] for entry in body["timeline"]] == [
        "received",
        "transferred",
        "assigned",
        "supplement_requested",
    ]
    assert body["next_step"]["items"] == []
    assert "Nguyễn Văn An" not in str(body) and "Bản sao giấy khai sinh" not in str(body)


def test_staff_only_steps_are_not_shown(make, agency_leader, specialist) -> None:
    from motcua.dossiers import actions
    from tests.conftest import vn

    dossier = make("in_progress")
    dossier = actions.appraise_dossier(
        dossier=dossier, by=specialist, opinion="Đủ", at=vn(2025, 5, 6, 9, 0)
    )
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist, at=vn(2025, 5, 6, 10))
    dossier = actions.send_back(
        dossier=dossier, by=agency_leader, reason="Sửa dự thảo", at=vn(2025, 5, 6, 11)
    )
    types = [entry["type"] for entry in api(dossier, phone_last4="5678")["timeline"]]
    assert "sent_back" not in types and "appraised" in types
    assert "Sửa dự thảo" not in page(dossier, khoa=dossier.lookup_code)


def test_the_page_is_in_english_too(make) -> None:
    dossier = make("result_ready")
    html = (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get(f"/tra-cuu/{dossier.code}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Result ready: please collect it" in html

"""Reception at the one-stop through its interfaces: the counter's queue of online dossiers,
the desk's three actions, the refusal of a paper dossier at the intake page, and the API's
endpoints built from the action table."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from motcua.accounts import access
from motcua.dossiers.models import Dossier, EventType, Source
from motcua.dossiers.reception import ask_to_complete, resubmit
from motcua.workflow.states import Status
from tests.api.test_dossier_api import as_system, call, ok
from tests.conftest import version_of, vn
from tests.dossiers.test_reception import submit

pytestmark = pytest.mark.django_db

QUEUE = "/quay/cho-tiep-nhan/"


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_the_queue_lists_the_units_online_dossiers_oldest_first(
    client: Client, counter_officer, commune_officer
) -> None:
    late = submit(submitted_at=vn(2026, 1, 22, 9, 0), external_code="B")
    early = submit(submitted_at=vn(2026, 1, 20, 19, 30), external_code="A")
    back = submit(submitted_at=vn(2026, 1, 19, 9, 0), external_code="C")
    back = ask_to_complete(
        dossier=back, by=counter_officer, reason="Thiếu", items=["Tờ khai"], at=vn(2026, 1, 19, 10)
    )
    back = resubmit(dossier=back, submitted_at=vn(2026, 1, 21, 8, 0))
    elsewhere = submit(
        unit=commune_officer.memberships.get().unit,
        procedure="1.004222",
        components=version_of("1.004222").component_names()[:1],
        external_code="D",
    )
    assert "reception_queue" in access.pages_for(counter_officer)
    page = logged_in(client, counter_officer).get(QUEUE).content.decode()
    assert 'href="/quay/cho-tiep-nhan/"' in page  # in the menu
    positions = [page.index(d.code) for d in (early, back, late)]
    assert positions == sorted(positions)
    # a role held at the province holds at the communes under it (accounts/access.py)
    assert elsewhere.code in page
    assert "Nộp lại sau bổ sung" in page and "Cổng Dịch vụ công quốc gia" in page
    assert "ngày" in page and "làm việc" in page  # how long, in working time
    assert f'href="/quay/ho-so/{early.code}/"' in page
    commune = logged_in(Client(), commune_officer).get(QUEUE).content.decode()
    assert elsewhere.code in commune and early.code not in commune


def test_the_queue_is_for_counter_officers(client: Client, specialist) -> None:
    assert "reception_queue" not in access.pages_for(specialist)
    assert logged_in(client, specialist).get(QUEUE).status_code == 403


def test_the_desk_offers_the_three_actions_and_accepts(client: Client, counter_officer) -> None:
    dossier = submit()
    page = logged_in(client, counter_officer).get(f"/quay/ho-so/{dossier.code}/").content.decode()
    for action in ("accept", "ask_to_complete", "refuse_at_reception"):
        assert f'data-action="{action}"' in page
    assert "phieu-hen.pdf" not in page and 'data-testid="before-reception"' in page
    response = client.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/accept/", {"accept-version": dossier.version}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page and "phieu-hen.pdf" in page
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_a_specialist_sees_no_reception_action(client: Client, counter_officer, specialist) -> None:
    dossier = submit()
    page = logged_in(client, specialist).get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert "data-action=" not in page
    response = client.post(
        f"/quay/ho-so/{dossier.code}/xu-ly/accept/", {"accept-version": dossier.version}
    )
    assert response.status_code == 422 and Dossier.objects.get().status == Status.SUBMITTED


def test_a_paper_dossier_is_refused_at_the_intake_page(
    client: Client, counter_officer, province
) -> None:
    version = version_of("3.000333")
    form = {
        "unit": province.pk,
        "version": version.pk,
        "applicant_name": "Trần Thị Bình",
        "channel": "counter",
        "components": version.component_names()[:1],
        "sets_count": 1,
        "return_channel": "counter",
        "refusal_reason": "Thủ tục không thuộc thẩm quyền của tỉnh",
        "refuse": "1",
    }
    response = logged_in(client, counter_officer).post("/quay/tiep-nhan/", form)
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.status == Status.REFUSED_AT_RECEPTION
    assert dossier.events.get().reason == "Thủ tục không thuộc thẩm quyền của tỉnh"
    page = client.get(response["Location"]).content.decode()
    assert "Mẫu 03" in page and 'data-testid="paper-03"' in page
    assert client.get(f"/quay/ho-so/{dossier.code}/mau-03.pdf").status_code == 200
    assert client.get(f"/quay/ho-so/{dossier.code}/phieu-hen.pdf").status_code == 404


def test_a_paper_refusal_without_a_reason_writes_nothing(
    client: Client, counter_officer, province
) -> None:
    version = version_of("3.000333")
    form = {
        "unit": province.pk,
        "version": version.pk,
        "applicant_name": "Trần Thị Bình",
        "channel": "counter",
        "sets_count": 1,
        "return_channel": "counter",
        "refuse": "1",
    }
    response = logged_in(client, counter_officer).post("/quay/tiep-nhan/", form)
    assert (
        response.status_code == 422
        and "Cần ghi lý do từ chối tiếp nhận" in response.content.decode()
    )
    assert not Dossier.objects.exists()


def test_the_api_takes_the_three_actions(counter_officer, commune_officer) -> None:
    officer = as_system(counter_officer)
    first, second = submit(external_code="A"), submit(external_code="B")
    read = ok(officer.get(f"/api/v1/dossiers/{first.code}"))
    assert {"accept", "ask-to-complete", "refuse-at-reception"} <= set(read["allowed_actions"])
    accepted = ok(call(officer, first.code, "accept", version=first.version))
    assert accepted["status"] == "RECEIVED"
    asked = ok(
        call(
            officer,
            second.code,
            "ask-to-complete",
            version=second.version,
            reason="Ảnh mờ",
            items=["Tờ khai"],
        )
    )
    assert asked["status"] == "NEEDS_COMPLETION_AT_RECEPTION"
    # another unit's officer may not even see it
    refused = call(as_system(commune_officer), second.code, "refuse-at-reception", reason="X")
    assert refused.status_code == 404 and refused.json()["code"] == "dossier_not_found"
    done = ok(
        call(
            officer,
            second.code,
            "refuse-at-reception",
            version=Dossier.objects.get(pk=second.pk).version,
            reason="Không đủ điều kiện",
        )
    )
    assert done["status"] == "REFUSED_AT_RECEPTION"
    assert (
        Dossier.objects.get(pk=second.pk)
        .events.filter(type=EventType.REFUSED_AT_RECEPTION)
        .exists()
    )
    assert Dossier.objects.filter(source=Source.NATIONAL_PORTAL).count() == 2


def test_before_receipt_the_lookup_search_export_and_book_say_the_right_thing(
    client: Client, counter_officer
) -> None:
    import io

    from motcua.dossiers import printing
    from motcua.integrations.dossiers import export_dossiers

    dossier = submit()
    public = client.get(f"/tra-cuu/{dossier.code}/").content.decode()
    assert "chờ tiếp nhận" in public
    found = logged_in(client, counter_officer).get("/quay/tim-ho-so/", {"q": dossier.code[-11:]})
    assert dossier.code in found.content.decode()
    out = io.StringIO()
    assert export_dossiers(out.write) == 0  # the format begins with `received`
    unit = dossier.receiving_unit
    day = dossier.submitted_at.date()
    assert printing.tracking_book(unit, day, day).rows == []


def test_the_queue_and_the_desk_before_reception_read_in_english(
    client: Client, counter_officer
) -> None:
    from tests.web.test_english import in_english

    dossier = submit()
    logged_in(client, counter_officer)
    with translation.override("vi"):  # the pages' English does not outlive the test
        in_english(client)
        page = client.get(QUEUE).content.decode()
        desk = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert "<h1>Online dossiers awaiting reception</h1>" in page
    assert "National Public Service Portal" in page and "of working time" in page
    assert "Hồ sơ trực tuyến" not in page and "Đã chờ" not in page
    assert "Accept the online dossier" in desk and "Refuse at reception" in desk
    assert "Ask the applicant to complete the dossier" in desk
    assert "its time limit has not started" in desk

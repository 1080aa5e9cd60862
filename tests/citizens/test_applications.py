"""A citizen's applications on the portal: drafts, submission into the reception check, reuse
of their earlier papers, supplements answered online, the signed result, and nobody else's
dossiers (issue 11 item 4). Each refusal leaves everything as it was."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.citizens import sign_in_citizen
from motcua.accounts.models import User
from motcua.citizens import services
from motcua.citizens.models import Application, ApplicationFile
from motcua.core.clock import local, now
from motcua.documents.models import Document
from motcua.dossiers import actions, audit
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    EventType,
    Source,
    SupplementPause,
)
from motcua.workflow.states import Status
from tests.conftest import version_of
from tests.documents.test_documents import media, pdf_bytes
from tests.eresults.test_e_results import e_result_version, pki, signing, validated

pytestmark = pytest.mark.django_db
__all__ = ["e_result_version", "media", "pki", "signing"]  # fixtures

CRIMINAL_RECORD = "3.000333"  # two required components, received at the provincial centre


def citizen(subject: str = "an", name: str = "Nguyễn Văn An") -> User:
    return sign_in_citizen(
        subject=subject, name=name, id_number="001090000123", level="2", verified_levels=["2"]
    )


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name: str, text: str = "motcua") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def started(client: Client, procedure: str = CRIMINAL_RECORD, unit: str = "AH") -> str:
    response = client.post(f"/cong-dan/nop-ho-so/{procedure}/", {"unit": unit})
    assert response.status_code == 302, response.content.decode()[:400]
    return Application.objects.latest("id").key


def details(**extra: Any) -> dict[str, Any]:
    return {"phone": "0912 345 678", "address": "12 Lê Lợi", "return_channel": "online", **extra}


def submitted(client: Client, *, texts: tuple[str, str] = ("To khai", "Can cuoc")) -> Dossier:
    key = started(client)
    files = {"file-0": pdf("to-khai.pdf", texts[0]), "file-1": pdf("cccd.pdf", texts[1])}
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), **files, "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:600]
    return Dossier.objects.get(application__key=key)


def snapshot() -> tuple[int, ...]:
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        Document.objects.count(),
        ApplicationFile.objects.count(),
    )


# --- drafts and submission ----------------------------------------------------------------


def test_the_form_lists_the_components_of_the_version_in_force(catalogue, media) -> None:
    client = browser(citizen())
    key = started(client)
    page = client.get(f"/cong-dan/ban-nhap/{key}/").content.decode()
    for name in version_of(CRIMINAL_RECORD).component_names():
        assert name in page
    assert page.count("(bắt buộc)") == 2


def test_a_draft_is_saved_without_becoming_a_dossier(catalogue, media) -> None:
    client = browser(citizen())
    key = started(client)
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), "file-0": pdf("a.pdf")})
    assert response.status_code == 302
    application = Application.objects.get(key=key)
    assert application.is_draft and application.phone == "0912345678"
    assert list(application.files.values_list("component_name", flat=True)) == [
        version_of(CRIMINAL_RECORD).component_names()[0]
    ]
    assert not Dossier.objects.exists()
    assert "Bản nháp" in client.get("/cong-dan/").content.decode()


def test_submitting_without_a_required_component_is_refused(catalogue, media) -> None:
    client = browser(citizen())
    key = started(client)
    before = snapshot()
    response = client.post(
        f"/cong-dan/ban-nhap/{key}/", {**details(), "file-0": pdf("a.pdf"), "submit": "1"}
    )
    assert response.status_code == 422
    assert "Còn thành phần hồ sơ bắt buộc chưa có tệp." in response.content.decode()
    assert not Dossier.objects.exists()
    assert snapshot()[:3] == before[:3]


def test_a_file_that_lies_about_its_type_is_refused(catalogue, media) -> None:
    client = browser(citizen())
    key = started(client)
    liar = SimpleUploadedFile("to-khai.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), "file-0": liar})
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG." in response.content.decode()
    assert not ApplicationFile.objects.exists()
    assert list(media.rglob("*.*")) == []


def test_a_submitted_dossier_waits_for_the_reception_check(
    catalogue, media, counter_officer
) -> None:
    user = citizen()
    dossier = submitted(browser(user))
    assert dossier.status == Status.SUBMITTED
    assert (dossier.source, dossier.channel) == (Source.OWN_PORTAL, Channel.ONLINE)
    assert dossier.external_code == dossier.application.key
    assert (dossier.applicant_name, dossier.applicant_id_number) == (
        "Nguyễn Văn An",
        "001090000123",
    )
    names = version_of(CRIMINAL_RECORD).component_names()[:2]
    assert sorted(dossier.components) == sorted(names)
    scans = dossier.documents.order_by("id")
    assert sorted(scans.values_list("component_name", flat=True)) == sorted(names)
    assert {d.uploaded_by for d in scans} == {user}
    assert dossier.events.filter(type=EventType.SUBMITTED).count() == 1
    # the counter's reception check accepts it through the action table
    accepted = actions.perform("accept", dossier=dossier, by=counter_officer)
    assert accepted.status == Status.RECEIVED
    page = browser(user).get("/cong-dan/").content.decode()
    assert dossier.code in page and "Đã tiếp nhận" in page


def test_a_draft_of_a_version_no_longer_in_force_is_not_submitted(catalogue, media) -> None:
    client = browser(citizen())
    key = started(client)
    files = {"file-0": pdf("a.pdf", "A"), "file-1": pdf("b.pdf", "B")}
    assert client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), **files}).status_code == 302
    version = version_of(CRIMINAL_RECORD)
    version.effective_to = local(now()).date() - timedelta(days=1)
    version.save(update_fields=["effective_to"])
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), "submit": "1"})
    assert response.status_code == 422
    assert "Thủ tục đã thay đổi" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_submitted_draft_cannot_be_changed_or_submitted_again(catalogue, media) -> None:
    client = browser(citizen())
    dossier = submitted(client)
    key = dossier.application.key
    before = snapshot()
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), "submit": "1"})
    assert response.status_code == 302  # to the dossier's page: the draft is gone
    assert snapshot() == before


# --- reuse of earlier papers ----------------------------------------------------------------


def test_an_earlier_paper_is_reused_and_recorded(catalogue, media) -> None:
    client = browser(citizen())
    first = submitted(client, texts=("To khai 1", "Can cuoc cua An"))
    earlier = first.documents.get(component_name=version_of(CRIMINAL_RECORD).component_names()[1])
    key = started(client)
    response = client.post(
        f"/cong-dan/ban-nhap/{key}/",
        {**details(), "file-0": pdf("to-khai-2.pdf", "To khai 2"), "reuse-1": str(earlier.pk)},
    )
    assert response.status_code == 302
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:500]
    second = Dossier.objects.get(application__key=key)
    reused = second.documents.get(component_name=earlier.component_name)
    assert reused.reused_from == earlier
    assert reused.sha256 == earlier.sha256
    assert second.documents.filter(reused_from__isnull=False).count() == 1


def test_another_citizens_paper_cannot_be_reused(catalogue, media) -> None:
    others = submitted(browser(citizen("binh", "Trần Thị Bình")))
    theirs = others.documents.first()
    client = browser(citizen())
    key = started(client)
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), "reuse-1": str(theirs.pk)})
    assert response.status_code == 422
    assert not ApplicationFile.objects.filter(application__key=key).exists()


# --- supplements answered online ----------------------------------------------------------


def asked_for_supplement(dossier: Dossier, counter, leader, specialist) -> Dossier:
    dossier = actions.perform("accept", dossier=dossier, by=counter)
    dossier = actions.transfer_dossier(dossier=dossier, by=counter)
    dossier = actions.assign_dossier(dossier=dossier, by=leader, specialist=specialist)
    return actions.request_supplement(
        dossier=dossier,
        by=specialist,
        reason="Bản sao căn cước bị mờ",
        items=["Bản sao căn cước rõ nét", "Tờ khai có chữ ký"],
    )


def test_the_citizen_answers_a_supplement_online_and_the_clock_resumes(
    catalogue, media, counter_officer, agency_leader, specialist
) -> None:
    user = citizen()
    client = browser(user)
    dossier = asked_for_supplement(submitted(client), counter_officer, agency_leader, specialist)
    assert dossier.status == Status.AWAITING_SUPPLEMENT and dossier.paused_at is not None
    page = client.get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    assert "Bản sao căn cước rõ nét" in page and "Chờ ông/bà bổ sung giấy tờ" in page
    assert "Gửi giấy tờ bổ sung ngay trên trang này" in page  # the lookup's words, for an account
    response = client.post(
        f"/cong-dan/ho-so/{dossier.code}/bo-sung/",
        {"item-0": pdf("cccd-ro.pdf", "CCCD ro"), "item-1": pdf("to-khai-ky.pdf", "Ky")},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.ASSIGNED and dossier.paused_at is None
    assert SupplementPause.objects.get(dossier=dossier).ended_at is not None
    received = dossier.events.get(type=EventType.SUPPLEMENT_RECEIVED)
    assert received.actor.username == actions.PORTAL_USERNAME
    added = dossier.documents.filter(title__startswith="Bổ sung:")
    assert added.count() == 2 and {d.uploaded_by for d in added} == {user}
    assert list(audit.verify()) == []  # the log agrees with the cached columns


def test_a_supplement_missing_a_listed_paper_changes_nothing(
    catalogue, media, counter_officer, agency_leader, specialist
) -> None:
    client = browser(citizen())
    dossier = asked_for_supplement(submitted(client), counter_officer, agency_leader, specialist)
    before = snapshot()
    response = client.post(
        f"/cong-dan/ho-so/{dossier.code}/bo-sung/", {"item-0": pdf("cccd-ro.pdf")}
    )
    assert response.status_code == 422
    assert "Cần tải lên tệp cho mỗi giấy tờ được yêu cầu." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_SUPPLEMENT and snapshot() == before


def test_no_supplement_is_taken_when_none_was_asked(catalogue, media) -> None:
    client = browser(citizen())
    dossier = submitted(client)
    before = snapshot()
    response = client.post(f"/cong-dan/ho-so/{dossier.code}/bo-sung/", {"item-0": pdf("x.pdf")})
    assert response.status_code == 422 and snapshot() == before


# --- the signed result --------------------------------------------------------------------


def test_the_signed_result_is_downloaded_and_the_delivery_recorded_once(
    media, signing, e_result_version, counter_officer, agency_leader, specialist
) -> None:
    client = browser(citizen())
    dossier = submitted(client)
    dossier = actions.perform("accept", dossier=dossier, by=counter_officer)
    dossier = actions.transfer_dossier(dossier=dossier, by=counter_officer)
    dossier = actions.assign_dossier(dossier=dossier, by=agency_leader, specialist=specialist)
    dossier = actions.appraise_dossier(dossier=dossier, by=specialist, opinion="Đủ điều kiện")
    dossier = actions.submit_for_approval(dossier=dossier, by=specialist)
    dossier = actions.approve_dossier(
        dossier=dossier, by=agency_leader, result_number="9/PV06", result_file=pdf("kq.pdf", "KQ")
    )
    dossier = actions.return_result(dossier=dossier, by=agency_leader)
    page = client.get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    assert "Tải kết quả (PDF có chữ ký số)" in page
    assert "Ông/bà tải kết quả có chữ ký số ngay trên trang này." in page  # no lookup code
    # never as a plain document: that would deliver it without recording the delivery
    result = dossier.documents.get(kind="result")
    assert client.get(f"/cong-dan/ho-so/{dossier.code}/tai-lieu/{result.pk}/").status_code == 404
    assert not dossier.events.filter(type=EventType.RESULT_DELIVERED).exists()
    for _ in range(2):
        response = client.post(f"/cong-dan/ho-so/{dossier.code}/ket-qua/")
        assert response.status_code == 200
        signed = b"".join(response.streaming_content)
    status = validated(signed, signing)
    assert status.intact and status.valid and status.trusted
    delivered = dossier.events.filter(type=EventType.RESULT_DELIVERED)
    assert delivered.count() == 1
    assert delivered.get().data["recipient"] == actions.ONLINE_RECIPIENT
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
    assert list(audit.verify()) == []
    # once delivered, the result is in the citizen's store for later dossiers
    assert result in services.reusable_documents(dossier.application.owner)


# --- only one's own -----------------------------------------------------------------------


def test_a_citizen_sees_only_their_own_dossiers(catalogue, media) -> None:
    an = browser(citizen())
    mine = submitted(an)
    draft_key = started(an)
    binh = browser(citizen("binh", "Trần Thị Bình"))
    document = mine.documents.first()
    assert mine.code not in binh.get("/cong-dan/").content.decode()
    before = snapshot()
    for method, url in [
        ("get", f"/cong-dan/ho-so/{mine.code}/"),
        ("get", f"/cong-dan/ho-so/{mine.code}/tai-lieu/{document.pk}/"),
        ("post", f"/cong-dan/ho-so/{mine.code}/ket-qua/"),
        ("post", f"/cong-dan/ho-so/{mine.code}/bo-sung/"),
        ("get", f"/cong-dan/ban-nhap/{draft_key}/"),
        ("post", f"/cong-dan/ban-nhap/{draft_key}/"),
    ]:
        response = getattr(binh, method)(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert "Nguyễn Văn An" not in body
        assert 'data-testid="refusal"' in body and "Về trang hồ sơ của tôi" in body  # styled
    # the owner gets their file; a document of the same number under another code is not theirs
    assert an.get(f"/cong-dan/ho-so/{mine.code}/tai-lieu/{document.pk}/").status_code == 200
    others = submitted(binh)
    theirs = others.documents.first()
    assert an.get(f"/cong-dan/ho-so/{mine.code}/tai-lieu/{theirs.pk}/").status_code == 404
    assert snapshot()[1:3] == (before[1] + 3, before[2] + 2)  # only binh's own submission


def test_the_portal_is_off_without_its_configuration(catalogue, settings) -> None:
    settings.OIDC_RP_CLIENT_ID = ""
    client = browser(citizen())
    assert client.get("/cong-dan/").status_code == 404
    assert client.get("/cong-dan/dang-nhap/").status_code == 404


# --- bad input: a page that says what is wrong, never a server error ----------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "not a phone"),
        ("return_channel", "teleport"),
        ("address", "x" * 301),
        ("email", "a" * 250 + "@example.com"),
        ("reuse-0", "999999"),
    ],
)
def test_bad_draft_input_is_refused_and_changes_nothing(catalogue, media, field, value) -> None:
    client = browser(citizen())
    key = started(client)
    before = snapshot()
    response = client.post(f"/cong-dan/ban-nhap/{key}/", {**details(), field: value})
    assert response.status_code == 422
    assert 'data-testid="draft-error"' in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "form", "status"),
    [
        ("/cong-dan/nop-ho-so/9.999999/", {"unit": "AH"}, 404),  # no such procedure
        ("/cong-dan/nop-ho-so/2.000986/", {"unit": "AH-X01"}, 404),  # not offered online
        ("/cong-dan/nop-ho-so/3.000333/", {"unit": "AH-X01"}, 422),  # not received there
        ("/cong-dan/nop-ho-so/3.000333/", {}, 422),
        ("/cong-dan/ban-nhap/no-such-draft/", {}, 404),
        ("/cong-dan/ho-so/%00%27/", {}, 404),  # PostgreSQL refuses NUL in a query
        ("/cong-dan/ban-nhap/%00/", {}, 404),
        ("/cong-dan/ho-so/%00/tai-lieu/1/", {}, 404),
    ],
)
def test_bad_addresses_and_choices_get_a_page(catalogue, media, url, form, status) -> None:
    client = browser(citizen())
    response = client.post(url, form)
    assert response.status_code == status
    assert not Application.objects.exists()

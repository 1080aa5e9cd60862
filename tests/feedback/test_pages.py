"""The rating pages: the counter's tablet, the dossier's form (QR with `?k=`, or the lookup
after delivery), the ticket's form; refusals shown in Vietnamese, or as a code in JSON."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from motcua.core.clock import now
from motcua.feedback.models import Rating
from tests.feedback.conftest import serve
from tests.lookup.states import at_state


def tablet_url(tablet) -> str:
    return f"/sanh/{tablet.counter.hall.unit.code}/danh-gia/{tablet.token}/"


def test_the_tablet_waits_then_offers_the_served_visit(
    client: Client, hall, tablet, counter_officer
):
    page = client.get(tablet_url(tablet))
    assert page.status_code == 200
    assert "Mời bạn đánh giá sau khi được phục vụ" in page.content.decode()
    assert 'data-refresh="5"' in page.content.decode()  # hall/rating.js reloads it
    moment = now() - timedelta(minutes=2)
    ticket, dossier = serve(
        hall,
        counter_officer,
        drawn=moment - timedelta(minutes=30),
        called=moment - timedelta(minutes=20),
        finished=moment,
    )
    page = client.get(tablet_url(tablet))
    assert f"Lượt phục vụ số {ticket.label}" in page.content.decode()
    answered = client.post(
        tablet_url(tablet), {"ticket": ticket.pk, "overall": "satisfied", "attitude": "normal"}
    )
    assert "Cảm ơn bạn đã đánh giá" in answered.content.decode()
    rating = Rating.objects.get()
    assert (rating.source, rating.ticket, rating.dossier, rating.officer) == (
        "tablet",
        ticket,
        dossier,
        counter_officer,
    )
    again = client.post(
        tablet_url(tablet),
        {"ticket": ticket.pk, "overall": "dissatisfied"},
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 409 and again.json()["code"] == "already_rated"


def test_a_wrong_token_or_site_is_not_found(client: Client, tablet) -> None:
    assert client.get(f"/sanh/AH/danh-gia/{tablet.token}x/").status_code == 404
    assert client.get(f"/sanh/XX/danh-gia/{tablet.token}/").status_code == 404


def test_the_qr_of_form_01_opens_the_form_with_the_key(client: Client, counter_officer) -> None:
    dossier = at_state("received", counter_officer, None, None)
    lookup = client.get(f"/tra-cuu/{dossier.code}/?k={dossier.lookup_code}")
    assert 'data-testid="rate"' in lookup.content.decode()
    url = f"/tra-cuu/{dossier.code}/danh-gia/?nguon=qr"
    opened = client.post(url, {"khoa": dossier.lookup_code, "mo": "1"})
    assert 'name="overall"' in opened.content.decode() and not Rating.objects.exists()
    sent = client.post(url, {"khoa": dossier.lookup_code, "overall": "very_satisfied"})
    assert "Cảm ơn bạn đã đánh giá" in sent.content.decode()
    assert Rating.objects.get().source == "qr"
    wrong = client.post(url, {"khoa": "0000-0000", "overall": "neutral"})
    assert wrong.status_code == 403 and "Mã tra cứu không đúng" in wrong.content.decode()
    api = client.post(
        url, {"khoa": "", "overall": "neutral"}, headers={"Accept": "application/json"}
    )
    assert api.json()["code"] == "lookup_code_needed"


def test_the_lookup_offers_online_rating_once_delivered(
    client: Client, counter_officer, agency_leader, specialist
) -> None:
    waiting = at_state("result_ready", counter_officer, agency_leader, specialist)
    typed = client.post(f"/tra-cuu/{waiting.code}/", {"khoa": waiting.lookup_code})
    assert 'data-testid="rate"' not in typed.content.decode()
    delivered = at_state("delivered", counter_officer, agency_leader, specialist)
    typed = client.post(f"/tra-cuu/{delivered.code}/", {"khoa": delivered.lookup_code})
    assert "?nguon=online" in typed.content.decode()


def test_an_unknown_dossier_is_refused(client: Client, catalogue) -> None:
    page = client.get("/tra-cuu/000.00.01.H99-250505-9999/danh-gia/")
    assert page.status_code == 404
    assert "Không tìm thấy trang hoặc hồ sơ" in page.content.decode()


def test_staff_type_in_paper_forms(client: Client, counter_officer, specialist, province) -> None:
    client.force_login(specialist)
    assert client.get("/quay/phieu-danh-gia/").status_code == 403
    client.force_login(counter_officer)
    page = client.get("/quay/phieu-danh-gia/")
    assert page.status_code == 200 and 'name="one_stop.c1_total_time"' in page.content.decode()
    empty = client.post("/quay/phieu-danh-gia/", {"unit": province.pk})
    assert empty.status_code == 422 and "Hãy chọn ít nhất một mức" in empty.content.decode()
    saved = client.post(
        "/quay/phieu-danh-gia/",
        {"unit": province.pk, "overall": "satisfied", "one_stop.c7_publicity": "2"},
    )
    assert saved.status_code == 302
    rating = Rating.objects.get()
    assert (rating.source, rating.recorded_by, rating.unit) == ("paper", counter_officer, province)
    assert rating.answers == {"overall": "satisfied", "one_stop.c7_publicity": "2"}

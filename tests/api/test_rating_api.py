"""POST /api/v1/ratings: another system (the provincial portal, a citizen app) relays a
citizen's rating of a dossier with its lookup code. One rating per dossier, changeable for a
while; every refusal has a stable code and a Vietnamese message, and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from motcua.core.clock import now
from motcua.feedback.models import Rating
from tests.api.test_dossier_api import as_system, post
from tests.lookup.states import at_state

pytestmark = pytest.mark.django_db

URL = "/api/v1/ratings"
GOOD = {"overall": "satisfied", "one_stop.c3_contacts": "2"}


@pytest.fixture
def received(counter_officer, agency_leader, specialist):
    return at_state("received", counter_officer, agency_leader, specialist)


def rating(of, **overrides) -> dict:
    return {
        "dossier": of.code,
        "lookup_code": of.lookup_code,
        "source": "qr",
        "answers": GOOD,
    } | overrides


def test_a_rating_is_given_once_replayed_and_changed_within_its_window(
    received, counter_officer
) -> None:
    portal = as_system(counter_officer)
    given = post(portal, URL, rating(received), key="rate-1")
    assert given.status_code == 201, given.json()
    body = given.json()
    assert (body["dossier"], body["source"], body["channel"]) == (received.code, "qr", "online")
    assert body["answers"] == GOOD and body["changes"] == 0
    stored = Rating.objects.get()
    assert (stored.dossier_id, stored.recorded_by_id) == (received.pk, counter_officer.pk)

    again = post(portal, URL, rating(received), key="rate-1")  # a lost answer, retried
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == body and Rating.objects.count() == 1

    changed = post(portal, URL, rating(received, answers={"overall": "neutral"}))
    assert changed.status_code == 200
    assert changed.json()["changes"] == 1 and changed.json()["id"] == body["id"]
    assert Rating.objects.get().answers == {"overall": "neutral"}


def refused(response, status: int, code: str, words: str) -> None:
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert words in response.json()["message"]


def test_refusals_are_clear_and_change_nothing(
    received, counter_officer, agency_leader, specialist, settings
) -> None:
    portal = as_system(counter_officer)
    refused(
        post(portal, URL, rating(received, dossier="000.00.01.H99-250505-9999")),
        404,
        "unknown_dossier",
        "Không tìm thấy hồ sơ",
    )
    refused(
        post(portal, URL, rating(received, lookup_code="")),
        403,
        "lookup_code_needed",
        "Cần mã tra cứu",
    )
    refused(
        post(portal, URL, rating(received, lookup_code="ZZZZ9999")),
        403,
        "wrong_lookup_code",
        "Mã tra cứu không đúng",
    )
    refused(
        post(portal, URL, rating(received, source="online")),
        422,
        "not_delivered",
        "chưa trả kết quả",
    )
    refused(
        post(portal, URL, rating(received, answers={"overall": "delighted"})),
        422,
        "invalid_answer",
        "không thuộc thang đánh giá",
    )
    refused(post(portal, URL, rating(received, answers={})), 422, "no_answer", "ít nhất một")
    assert Rating.objects.count() == 0

    # delivered in May 2025: the rating window (RATING_OPEN_DAYS after delivery) is long over
    delivered = at_state("delivered", counter_officer, agency_leader, specialist)
    refused(
        post(portal, URL, rating(delivered, source="online")),
        422,
        "rating_closed",
        "Đã hết thời hạn đánh giá",
    )
    assert Rating.objects.count() == 0


def test_a_second_rating_after_the_change_window_is_refused(received, counter_officer) -> None:
    portal = as_system(counter_officer)
    assert post(portal, URL, rating(received)).status_code == 201
    Rating.objects.update(at=now() - timedelta(days=2))  # given two days ago
    refused(
        post(portal, URL, rating(received, answers={"overall": "dissatisfied"})),
        409,
        "already_rated",
        "đã hết thời gian cho phép sửa đánh giá",
    )
    assert Rating.objects.get().answers == GOOD


def test_the_api_needs_a_caller_a_key_and_is_throttled(received, counter_officer, settings):
    anonymous = post(Client(), URL, rating(received))
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    portal = as_system(counter_officer)
    keyless = portal.post(URL, data=rating(received), content_type="application/json")
    assert keyless.json()["code"] == "idempotency_key_required"
    settings.RATING_MAX_REQUESTS = 2
    for answer in ("satisfied", "neutral"):
        assert post(portal, URL, rating(received, answers={"overall": answer})).status_code < 300
    refused(
        post(portal, URL, rating(received, answers={"overall": "dissatisfied"})),
        429,
        "too_many_ratings",
        "quá nhiều phiếu đánh giá",
    )
    assert Rating.objects.get().answers == {"overall": "neutral"}

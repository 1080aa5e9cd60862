"""Every way a rating is collected, and every refusal (docs/domain/ratings.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.core.errors import MotcuaError
from motcua.feedback import services
from motcua.feedback.models import Rating, RatingScale, RatingSource
from motcua.feedback.services import record_rating, served_ticket_for
from tests.conftest import vn
from tests.feedback.conftest import SERVED_AT, serve
from tests.lookup.states import at_state

GOOD = {"overall": "very_satisfied", "attitude": "very_polite"}


def refused(code: str, **kwargs) -> MotcuaError:
    before = Rating.objects.count()
    with pytest.raises(MotcuaError) as caught:
        record_rating(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert Rating.objects.count() == before  # nothing half written
    return caught.value


# --- the counter's tablet ----------------------------------------------------------------------


def test_the_tablet_rates_the_visit_just_served_bound_to_ticket_dossier_and_officer(
    hall, tablet, counter_officer
) -> None:
    ticket, dossier = serve(hall, counter_officer)
    moment = SERVED_AT + timedelta(minutes=1)
    assert served_ticket_for(tablet, moment) == ticket
    rating = record_rating(source="tablet", device=tablet, ticket=ticket, answers=GOOD, at=moment)
    assert (rating.source, rating.channel) == ("tablet", "kiosk")
    assert rating.ticket == ticket and rating.dossier == dossier
    assert rating.officer == counter_officer and rating.counter == ticket.counter
    assert rating.unit == hall.unit and rating.at == moment and rating.device == tablet
    assert served_ticket_for(tablet, moment) is None  # offered once
    refused("already_rated", source="tablet", device=tablet, ticket=ticket, answers=GOOD, at=moment)


def test_the_tablet_refuses_without_a_served_visit_or_after_its_minutes(
    hall, tablet, counter_officer, settings
) -> None:
    settings.RATING_TABLET_MINUTES = 10
    ticket, _dossier = serve(hall, counter_officer, intake=False)
    late = SERVED_AT + timedelta(minutes=11)
    assert served_ticket_for(tablet, late) is None
    err = refused(
        "no_service", source="tablet", device=tablet, ticket=ticket, answers=GOOD, at=late
    )
    assert "Không có lượt phục vụ" in err.message
    refused("no_service", source="tablet", device=tablet, ticket=None, answers=GOOD, at=SERVED_AT)
    tablet.is_active = False
    tablet.save()
    refused("unknown_device", source="tablet", device=tablet, ticket=ticket, answers=GOOD)


def test_a_guidance_visit_is_rated_without_a_dossier(hall, tablet, counter_officer) -> None:
    ticket, _none = serve(hall, counter_officer, intake=False)
    rating = record_rating(
        source="tablet", device=tablet, ticket=ticket, answers={"overall": "neutral"}, at=SERVED_AT
    )
    assert rating.dossier is None and rating.officer == counter_officer


def test_answers_must_be_of_the_scales(hall, tablet, counter_officer) -> None:
    ticket, _d = serve(hall, counter_officer)
    base = {"source": "tablet", "device": tablet, "ticket": ticket, "at": SERVED_AT}
    refused("unknown_scale", answers={"speed": "fast"}, **base)
    refused("invalid_answer", answers={"overall": "great"}, **base)
    refused("no_answer", answers={"overall": ""}, **base)
    refused("invalid_source", **{**base, "source": "sms"}, answers=GOOD)


# --- QR with the lookup code, and online after delivery ----------------------------------------


def test_the_qr_needs_the_dossiers_lookup_code(counter_officer) -> None:
    dossier = at_state("received", counter_officer, None, None)
    moment = vn(2025, 5, 5, 9, 30)
    base = {"source": "qr", "dossier_code": dossier.code, "answers": GOOD, "at": moment}
    refused("lookup_code_needed", **base)
    refused("wrong_lookup_code", lookup_code="0000-0000", **base)
    refused("unknown_dossier", **{**base, "dossier_code": "000.00.01.H99-250505-9999"})
    rating = record_rating(lookup_code=dossier.lookup_code.lower(), **base)
    assert (rating.source, rating.dossier, rating.unit) == ("qr", dossier, dossier.receiving_unit)
    assert rating.officer is None  # received without a ticket: no officer to bind


def test_guessing_the_code_locks_the_dossier(counter_officer, settings) -> None:
    settings.LOOKUP_MAX_SECOND_FACTOR_FAILURES = 2
    dossier = at_state("received", counter_officer, None, None)
    base = {"source": "qr", "dossier_code": dossier.code, "answers": GOOD}
    refused("wrong_lookup_code", lookup_code="AAAA-AAAA", **base)
    refused("wrong_lookup_code", lookup_code="AAAA-AAAB", **base)
    refused("lookup_code_locked", lookup_code=dossier.lookup_code, **base)


def test_one_rating_per_dossier_changeable_within_its_window(counter_officer, settings) -> None:
    settings.RATING_CHANGE_MINUTES = 60
    dossier = at_state("received", counter_officer, None, None)
    first_at = vn(2025, 5, 5, 10, 0)
    base = {"source": "qr", "dossier_code": dossier.code, "lookup_code": dossier.lookup_code}
    first = record_rating(answers={"overall": "neutral"}, at=first_at, **base)
    changed = record_rating(
        answers={"overall": "satisfied"}, at=first_at + timedelta(minutes=59), **base
    )
    assert changed.pk == first.pk and changed.answers == {"overall": "satisfied"}
    assert changed.changes == 1 and changed.changed_at == first_at + timedelta(minutes=59)
    assert changed.at == first_at  # still counted when first given
    err = refused(
        "already_rated",
        answers={"overall": "dissatisfied"},
        at=first_at + timedelta(hours=2),
        **base,
    )
    assert "hết thời gian cho phép sửa" in err.message
    assert Rating.objects.get().answers == {"overall": "satisfied"}


def test_online_rating_only_once_delivered_and_until_the_window_ends(
    counter_officer, agency_leader, specialist, settings
) -> None:
    settings.RATING_OPEN_DAYS = 30
    waiting = at_state("result_ready", counter_officer, agency_leader, specialist)
    base = {"source": "online", "answers": GOOD, "lookup_code": waiting.lookup_code}
    refused("not_delivered", dossier_code=waiting.code, at=vn(2025, 5, 8, 12, 0), **base)
    from motcua.dossiers import actions

    delivered = actions.deliver_result(
        dossier=waiting, by=counter_officer, via="counter", at=vn(2025, 5, 9, 8, 0)
    )
    rating = record_rating(dossier_code=delivered.code, at=vn(2025, 5, 10, 8, 0), **base)
    assert (rating.source, rating.channel) == ("online", "online")
    rating.delete()
    closed = refused("rating_closed", dossier_code=delivered.code, at=vn(2025, 6, 9, 8, 1), **base)
    assert closed.message == "Đã hết thời hạn đánh giá hồ sơ này (30 ngày sau khi kết thúc)."


def test_an_unknown_dossier_is_refused_in_vietnamese(catalogue) -> None:
    for source in ("qr", "online"):
        err = refused(
            "unknown_dossier",
            source=source,
            dossier_code="000.00.01.H99-250505-9999",
            lookup_code="ABCD2345",
            answers=GOOD,
        )
        assert err.message == "Không tìm thấy hồ sơ có mã này."


def test_the_tickets_qr_rates_the_visit_and_its_dossier(hall, counter_officer) -> None:
    ticket, dossier = serve(hall, counter_officer)
    refused("unknown_ticket", source="qr", ticket_key="not-a-key", answers=GOOD, at=SERVED_AT)
    rating = record_rating(
        source="qr", ticket_key=ticket.public_key, answers=GOOD, at=SERVED_AT + timedelta(hours=1)
    )
    assert (rating.ticket, rating.dossier, rating.officer) == (ticket, dossier, counter_officer)


def test_a_dossier_rated_by_qr_is_bound_to_the_officer_who_received_it(
    hall, counter_officer
) -> None:
    _ticket, dossier = serve(hall, counter_officer)
    assert dossier is not None
    rating = record_rating(
        source="qr",
        dossier_code=dossier.code,
        lookup_code=dossier.lookup_code,
        answers=GOOD,
        at=SERVED_AT + timedelta(days=1),
    )
    assert rating.officer == counter_officer and rating.counter == _ticket.counter
    assert rating.ticket is None  # the visit keeps its own rating (the tablet's)


# --- paper forms, the nine criteria, the throttle ----------------------------------------------


def test_staff_type_paper_forms_in_marked_as_such(counter_officer, province) -> None:
    dossier = at_state("received", counter_officer, None, None)
    refused("forbidden", source="paper", dossier_code=dossier.code, answers=GOOD)
    rating = record_rating(
        source="paper", by=counter_officer, dossier_code=dossier.code, answers=GOOD
    )
    assert (rating.source, rating.channel, rating.recorded_by) == (
        "paper",
        "paper",
        counter_officer,
    )
    unit_only = record_rating(source="paper", by=counter_officer, unit=province, answers=GOOD)
    assert unit_only.dossier is None and unit_only.unit == province
    refused("no_subject", source="paper", by=counter_officer, answers=GOOD)
    refused("unknown_dossier", source="paper", by=counter_officer, dossier_code="X", answers=GOOD)


def test_the_nine_criteria_are_a_built_in_scale(counter_officer, province) -> None:
    scale = RatingScale.objects.get(code="one_stop")
    assert len(scale.criteria) == 9 and scale.value_codes() == ["2", "1", "0"]
    keys = [key for key, _label in scale.questions()]
    assert keys[0] == "one_stop.c1_total_time" and len(keys) == 9
    rating = record_rating(
        source="paper",
        by=counter_officer,
        unit=province,
        answers={"one_stop.c3_contacts": "2", "one_stop.c6_attitude": "1"},
    )
    assert rating.answers == {"one_stop.c3_contacts": "2", "one_stop.c6_attitude": "1"}
    tablet_keys = {q.key for q in services.questions(tablet=True)}
    assert tablet_keys == {"overall", "attitude"}


def test_one_device_cannot_flood(counter_officer, settings) -> None:
    settings.RATING_MAX_REQUESTS = 2
    dossier = at_state("received", counter_officer, None, None)
    base = {"source": "qr", "dossier_code": dossier.code, "client": "10.0.0.7"}
    for _ in range(2):
        record_rating(lookup_code=dossier.lookup_code, answers=GOOD, **base)
    err = refused("too_many_ratings", lookup_code=dossier.lookup_code, answers=GOOD, **base)
    assert err.http_status == 429
    other = record_rating(
        lookup_code=dossier.lookup_code, answers=GOOD, **{**base, "client": "10.0.0.8"}
    )
    assert other.source == RatingSource.QR


def test_a_visit_rated_on_the_tablet_leaves_its_dossier_to_rate_by_qr(
    hall, tablet, counter_officer
) -> None:
    ticket, dossier = serve(hall, counter_officer)
    assert dossier is not None
    record_rating(source="tablet", device=tablet, ticket=ticket, answers=GOOD, at=SERVED_AT)
    later = SERVED_AT + timedelta(days=2)
    by_qr = record_rating(
        source="qr",
        dossier_code=dossier.code,
        lookup_code=dossier.lookup_code,
        answers={"one_stop.c7_publicity": "1"},
        at=later,
    )
    assert by_qr.officer == counter_officer and Rating.objects.count() == 2
    # the visit itself is rated once: its ticket's QR is refused
    refused("already_rated", source="qr", ticket_key=ticket.public_key, answers=GOOD, at=later)


def test_imported_lines_take_the_criteria_and_are_marked_import(catalogue, tmp_path) -> None:
    import json

    from django.core.management import call_command

    line = {
        "unit": "AH",
        "at": "2026-11-24T09:41:00+07:00",
        "channel": "paper",
        "answers": {"overall": "satisfied", "one_stop.c5_one_stop": "2"},
    }
    path = tmp_path / "ratings.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    call_command("import", "ratings", str(path), "--strict")
    rating = Rating.objects.get()
    assert (rating.source, rating.channel) == ("import", "paper")
    assert rating.answers == {"one_stop.c5_one_stop": "2", "overall": "satisfied"}


def test_the_tickets_qr_needs_a_served_visit_within_the_window(
    hall, counter_officer, settings
) -> None:
    from motcua.queueing import services as hall_services
    from tests.feedback.conftest import MORNING
    from tests.queueing.conftest import group
    from tests.queueing.test_tickets import key

    waiting = hall_services.issue_ticket(
        hall=hall, group=group(hall, "B"), request_key=key(), at=MORNING
    )
    refused("no_service", source="qr", ticket_key=waiting.public_key, answers=GOOD, at=MORNING)
    settings.RATING_OPEN_DAYS = 30
    ticket, _dossier = serve(hall, counter_officer, intake=False)
    late = SERVED_AT + timedelta(days=30, minutes=1)
    refused("rating_closed", source="qr", ticket_key=ticket.public_key, answers=GOOD, at=late)

"""Each action is declared once (`workflow/actions.py`), and every interface is built from that
record: a domain function that takes its fields, a form on the desk, an endpoint in the API
(and so in the committed OpenAPI document), the replay of imported history, the papers it
issues and the inbox's "waiting for you"."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from django.utils import translation

from motcua.backoffice.action_forms import form_for
from motcua.dossiers import actions, printing
from motcua.dossiers.models import EventType
from motcua.dossiers.papers import registry
from motcua.integrations.dossiers import FORMAT_EVENTS, REPLAYED
from motcua.workflow.actions import ACTIONS, TRANSITIONS, Kind, awaited
from motcua.workflow.states import Place, Role, Status
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
# The API's routes that are not an action on a dossier.
# Routes that are not dossier actions: the intake and the list, one dossier, the public lookup,
# and the ratings relayed by another system (docs/domain/ratings.md).
OTHER_ROUTES = {
    "/api/v1/dossiers",
    "/api/v1/dossiers/{code}",
    "/api/v1/lookup/{code}",
    "/api/v1/ratings",
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_has_a_function_that_takes_its_fields(name: str) -> None:
    function = actions.PERFORMERS[name]
    keywords = set(inspect.signature(function).parameters)
    assert {"dossier", "by", "at"} <= keywords
    assert {field.name for field in ACTIONS[name].fields} <= keywords
    required = {
        parameter
        for parameter, spec in inspect.signature(function).parameters.items()
        if spec.default is inspect.Parameter.empty and parameter not in ("dossier", "by")
    }
    assert required <= {field.name for field in ACTIONS[name].fields}, "a field is missing"
    assert set(actions.PERFORMERS) == set(ACTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_has_a_form_on_the_desk(name: str, counter_officer) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    form = form_for(name, dossier=dossier, step_key="land")
    assert list(form.fields) == ["version", *(field.name for field in ACTIONS[name].fields)]
    for field in ACTIONS[name].fields:
        shown = form.fields[field.name]
        assert shown.required == field.required
        assert shown.label == field.label.vi
        if field.kind in (Kind.TEXT, Kind.PARAGRAPH):
            assert shown.max_length == field.max_length  # type: ignore[attr-defined]
    assert form.label == ACTIONS[name].label.vi


def test_every_action_has_an_endpoint_unless_it_is_history_only() -> None:
    for action in ACTIONS.values():
        assert bool(action.endpoint) != action.history_only, action.name
    assert {a.name for a in ACTIONS.values() if a.history_only} == {
        "hand_over",
        "record_resolution",
    }


def test_the_openapi_document_lists_exactly_the_declared_endpoints() -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    declared = {
        f"/api/v1/dossiers/{{code}}/{action.endpoint}": action
        for action in ACTIONS.values()
        if not action.history_only
    }
    assert set(document["paths"]) - OTHER_ROUTES == set(declared)
    for path, action in declared.items():
        operation = document["paths"][path]["post"]
        assert operation["operationId"] == action.operation_id
        assert operation["summary"] == action.summary
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][body.rsplit("/", 1)[-1]]
        own = {f.name for f in action.fields if f.kind != Kind.STEP}
        assert set(schema["properties"]) == own | {"version", "at"}
        assert set(schema.get("required", [])) == {
            f.name for f in action.fields if f.required and f.kind != Kind.STEP
        }


def test_every_record_names_real_events_papers_and_vocabularies() -> None:
    for action in ACTIONS.values():
        assert action.event in EventType.values, action.name
        assert set(action.papers) <= set(registry.known_forms()) - {"01", "06", "07"}
        assert set(action.papers) <= set(printing.PAPERS)
        for field in action.fields:
            if field.kind == Kind.CHOICE:
                assert field.vocabulary in actions.VOCABULARIES, (action.name, field.name)
            if field.kind == Kind.USER:
                assert field.role is not None
            assert field.label.vi and field.label.en
        assert action.label.vi and action.label.en and action.label.vi != action.label.en
        assert action.awaited_in <= action.sources


def test_imports_replay_every_event_of_the_format_through_a_record() -> None:
    replayed = {action.event for action in ACTIONS.values() if action.replays}
    assert replayed == set(FORMAT_EVENTS) - {EventType.RECEIVED}
    # one action per event, except `transferred`: a transfer at the one-stop, a hand-over at
    # an agency (their sources do not overlap)
    transfer, hand_over = ACTIONS["transfer"], ACTIONS["hand_over"]
    assert not transfer.sources & hand_over.sources
    assert set(REPLAYED) == replayed - {EventType.TRANSFERRED}


def test_the_system_may_record_every_transition_but_not_answer_for_a_unit() -> None:
    assert all(Role.SYSTEM in action.roles for action in TRANSITIONS.values())
    assert Role.SYSTEM not in ACTIONS["complete_step"].roles
    assert "complete_step" not in TRANSITIONS and ACTIONS["complete_step"].place == Place.STEP


def test_the_inbox_waits_where_the_records_say() -> None:
    assert awaited(Role.COUNTER_OFFICER) == {
        Place.ONE_STOP: {Status.RECEIVED, Status.AWAITING_SUPPLEMENT, Status.RESOLVED}
    }
    assert awaited(Role.AGENCY_LEADER) == {
        Place.AGENCY: {Status.TRANSFERRED, Status.AWAITING_APPROVAL, Status.APPROVED}
    }
    assert awaited(Role.SPECIALIST) == {
        Place.AGENCY: {Status.ASSIGNED, Status.APPRAISED, Status.APPROVED}
    }
    assert awaited(Role.SYSTEM) == {} and awaited(Role.CENTRE_DIRECTOR) == {}


@pytest.mark.django_db
def test_the_desk_form_speaks_the_pages_language(counter_officer) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    with translation.override("en"):
        form = form_for("request_supplement", dossier=dossier)
    assert form.label == "Request more documents"
    assert form.fields["items"].label == "Documents to supplement (one per line)"


@pytest.mark.django_db
def test_the_desk_refuses_too_many_or_too_long_lines_and_writes_nothing(
    counter_officer,
) -> None:
    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    items = ACTIONS["request_supplement"].fields[1]
    assert items.max_items is not None and items.max_length is not None
    for text in ("x\n" * (items.max_items + 1), "y" * (items.max_length + 1)):
        form = form_for(
            "request_supplement",
            dossier=dossier,
            data={
                "request_supplement-version": dossier.version,
                "request_supplement-reason": "Thiếu",
                "request_supplement-items": text,
            },
        )
        assert not form.is_valid() and "items" in form.errors
    assert dossier.events.count() == 1


@pytest.mark.django_db
def test_the_desk_and_the_inbox_show_the_english_labels_in_english(counter_officer) -> None:
    from html import escape

    from django.test import Client

    dossier = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    client = Client()
    client.force_login(counter_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    desk = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert escape(ACTIONS["transfer"].label.en) in desk
    assert escape(ACTIONS["withdraw"].label.en) in desk
    assert ACTIONS["transfer"].label.vi not in desk
    inbox = client.get("/quay/viec-can-lam/").content.decode()
    assert f">{ACTIONS['transfer'].waiting_label.en}<" in inbox.replace("\n", "")

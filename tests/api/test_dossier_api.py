"""The staff's dossier API (/api/v1/dossiers): the whole life of a dossier through HTTP, who
may call it and how (tokens, sessions with CSRF), idempotent POSTs, refusals that change
nothing, and the list with its filters and scope."""

from __future__ import annotations

import io
import json
import threading
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from motcua.accounts.models import User
from motcua.api import idempotency
from motcua.api.auth import issue_token, revoke_token
from motcua.api.models import ApiToken, IdempotencyRecord
from motcua.catalog.models import ProcedureVersion
from motcua.core.clock import now
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, DossierEvent
from tests.conftest import on_postgres, version_of, vn

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dossiers"
CRIMINAL_RECORD = "3.000333"  # 10 working days, PV06
RESIDENCE = "1.004222"  # 7 working days, the commune police
RECEIVED_AT = vn(2025, 5, 5, 9, 0)  # Mon → due Mon 19 May 09:00


# --- how a system calls the API ----------------------------------------------------------


def as_system(user: User, **client_options: Any) -> Client:
    """A client that authenticates with an API token of `user`, as another system would."""
    _, token = issue_token(user=user, name=f"system of {user.username}")
    return Client(headers={"Authorization": f"Bearer {token}"}, **client_options)


def post(client: Client, path: str, body: Any, *, key: str | None = None, **headers: str):
    """POST JSON with an Idempotency-Key (a fresh one unless given)."""
    headers["Idempotency-Key"] = key or str(uuid.uuid4())
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )


def intake(procedure: str = CRIMINAL_RECORD, unit: str = "AH", **overrides: Any) -> dict:
    body = {
        "unit": unit,
        "procedure": procedure,
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912 345 678"},
        "channel": "counter",
        "received_at": RECEIVED_AT.isoformat(),
    }
    body.update(overrides)
    if "components" not in body:
        body["components"] = version_of(procedure).component_names()[:1]
    return body


def receive(client: Client, **overrides: Any) -> dict:
    response = post(client, BASE, intake(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def call(client: Client, code: str, action: str, **body: Any) -> Any:
    return post(client, f"{BASE}/{code}/{action}", body)


def ok(response: Any) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def snapshot(code: str) -> tuple:
    fresh = Dossier.objects.get(code=code)
    return (
        fresh.status,
        fresh.version,
        fresh.due_at,
        fresh.events.count(),
        fresh.steps.count(),
        fresh.assignee_id,
    )


@pytest.fixture
def counter(counter_officer) -> Client:
    return as_system(counter_officer)


@pytest.fixture
def leader(agency_leader) -> Client:
    return as_system(agency_leader)


@pytest.fixture
def expert(specialist) -> Client:
    return as_system(specialist)


# --- the whole life ----------------------------------------------------------------------


def test_a_dossier_lives_its_whole_life_through_the_api(counter, leader, expert) -> None:
    dossier = receive(counter, return_channel="postal", postal_address="Số 1 Lê Lợi")
    code = dossier["code"]
    assert dossier["status"] == "RECEIVED" and dossier["version"] == 1
    assert dossier["clock"]["due_at"] == "2025-05-19T09:00:00+07:00"
    assert dossier["agency"]["code"] == "AH-CAT-PV06"
    assert dossier["allowed_actions"] == ["transfer", "withdraw"]

    ok(call(counter, code, "transfer", at="2025-05-05T10:00:00+07:00"))
    assigned = ok(
        call(leader, code, "assign", specialist="specialist", at="2025-05-05T11:00:00+07:00")
    )
    assert assigned["assignee"] == "specialist"
    assert "request-supplement" not in assigned["allowed_actions"]  # the leader's view

    paused = ok(
        call(
            expert,
            code,
            "request-supplement",
            reason="Thiếu bản sao CCCD",
            items=["Bản sao thẻ Căn cước/CCCD"],
            at="2025-05-07T14:00:00+07:00",
        )
    )
    assert paused["status"] == "AWAITING_SUPPLEMENT"
    assert paused["clock"]["running"] is False
    assert paused["clock"]["paused_since"] == "2025-05-07T14:00:00+07:00"

    resumed = ok(
        call(
            counter,
            code,
            "receive-supplement",
            note="Đã nộp bản sao",
            at="2025-05-19T09:00:00+07:00",
        )
    )
    assert resumed["status"] == "ASSIGNED"
    assert resumed["clock"]["due_at"] == "2025-05-28T16:00:00+07:00"  # moved by the pause
    assert resumed["clock"]["paused_minutes"] > 0

    extended = ok(
        call(
            leader,
            code,
            "extend",
            new_due_at="2025-06-06T17:00:00+07:00",
            reason="Chờ xác minh",
            at="2025-05-27T09:00:00+07:00",
        )
    )
    assert extended["clock"]["due_at"] == "2025-06-06T17:00:00+07:00"
    assert extended["clock"]["due_at_original"] == "2025-05-28T16:00:00+07:00"
    assert "extend" not in extended["allowed_actions"]  # once per dossier

    ok(call(expert, code, "appraise", opinion="Đủ điều kiện", at="2025-05-28T09:00:00+07:00"))
    ok(call(expert, code, "submit-for-approval", at="2025-05-28T10:00:00+07:00"))
    ok(call(leader, code, "approve", result_number="125/PV06", at="2025-05-29T09:00:00+07:00"))
    resolved = ok(call(leader, code, "return-result", at="2025-05-29T10:00:00+07:00"))
    assert resolved["status"] == "RESOLVED"
    assert resolved["clock"]["ended_at"] == "2025-05-29T10:00:00+07:00"
    assert resolved["clock"]["overdue"] is False and resolved["clock"]["running"] is False

    delivered = ok(
        call(
            counter,
            code,
            "deliver",
            via="postal",
            postal_item="EMS123456789VN",
            recipient="Nguyễn Văn An",
            at="2025-05-30T09:00:00+07:00",
        )
    )
    assert delivered["status"] == "RETURNED" and delivered["delivered_via"] == "postal"
    assert delivered["allowed_actions"] == []

    shown = counter.get(f"{BASE}/{code}").json()
    assert shown == delivered
    assert [event["type"] for event in shown["timeline"]] == [
        "received",
        "transferred",
        "assigned",
        "supplement_requested",
        "supplement_received",
        "extended",
        "appraised",
        "submitted_for_approval",
        "approved",
        "resolved",
        "result_delivered",
    ]
    assert [event["sequence"] for event in shown["timeline"]] == list(range(1, 12))
    last = shown["timeline"][-1]
    assert last["actor_name"] == "Counter Officer" and last["label"] == "Đã trả kết quả"
    assert last["data"]["postal_item"] == "EMS123456789VN"
    assert shown["timeline"][3]["reason"] == "Thiếu bản sao CCCD"
    assert [(step["key"], step["unit"]) for step in shown["steps"]] == [
        ("reception", "AH"),
        ("appraisal", "AH-CAT-PV06"),
        ("approval", "AH-CAT-PV06"),
        ("return", "AH-CAT-PV06"),
    ]
    assert all(step["completed_at"] for step in shown["steps"])
    assert shown["version"] == 11


def test_the_fees_are_those_of_the_slip_alternatives_never_summed(counter) -> None:
    fees = receive(counter)["fees"]  # 3.000333 at the counter
    assert fees["total"] is None
    first, extra = fees["charges"]
    assert first["amount"] is None
    assert [o["amount"] for o in first["options"]] == [200000, 100000]
    assert first["text"] == "200.000 đồng hoặc 100.000 đồng tùy trường hợp"
    assert (extra["amount"], extra["options"][0]["per"]) == (None, "Phiếu, từ Phiếu thứ 3")
    online = receive(counter, procedure="2.001610", channel="online")["fees"]
    assert (online["total"], len(online["charges"])) == (100000, 1)


def test_the_caller_sees_only_the_actions_open_to_them(counter, leader, expert) -> None:
    code = receive(counter)["code"]
    assert expert.get(f"{BASE}/{code}").json()["allowed_actions"] == []
    ok(call(counter, code, "transfer", at="2025-05-05T10:00:00+07:00"))
    assert leader.get(f"{BASE}/{code}").json()["allowed_actions"] == [
        "assign",
        "return-unresolved",
        "extend",
    ]
    ok(call(leader, code, "assign", specialist="specialist", at="2025-05-05T11:00:00+07:00"))
    assert expert.get(f"{BASE}/{code}").json()["allowed_actions"] == [
        "appraise",
        "request-supplement",
    ]
    assert counter.get(f"{BASE}/{code}").json()["allowed_actions"] == ["withdraw"]


INTER_AGENCY_PROCESS = [
    {
        "key": "reception",
        "name": "Tiếp nhận",
        "kind": "reception",
        "unit": "one_stop",
        "role": "counter_officer",
        "share": 5,
    },
    {
        "key": "appraisal",
        "name": "Thẩm định",
        "kind": "appraisal",
        "unit": "agency",
        "role": "specialist",
        "share": 60,
    },
    {
        "key": "land",
        "name": "Xác minh thông tin đất đai",
        "kind": "inter_agency",
        "unit": "AH-VPDKDD",
        "role": "specialist",
        "share": 30,
    },
    {
        "key": "approval",
        "name": "Phê duyệt",
        "kind": "approval",
        "unit": "agency",
        "role": "agency_leader",
        "share": 25,
    },
    {
        "key": "return",
        "name": "Trả kết quả",
        "kind": "return",
        "unit": "agency",
        "role": "agency_leader",
        "share": 10,
    },
]


def test_a_coordinating_unit_sees_the_dossier_while_its_step_is_open(
    counter, leader, land_specialist
) -> None:
    ProcedureVersion.objects.filter(procedure__code=CRIMINAL_RECORD).update(
        process=INTER_AGENCY_PROCESS
    )
    land = as_system(land_specialist)
    code = receive(counter)["code"]
    assert land.get(f"{BASE}/{code}").status_code == 404  # not yet theirs
    ok(call(counter, code, "transfer", at="2025-05-05T10:00:00+07:00"))
    shown = land.get(f"{BASE}/{code}").json()
    assert shown["allowed_actions"] == ["steps/land/complete"]
    # the list and the dossier agree: what they may open, they find in their list
    assert [item["code"] for item in land.get(BASE).json()["items"]] == [code]
    answered = ok(
        call(
            land,
            code,
            "steps/land/complete",
            opinion="Thông tin khớp",
            at="2025-05-06T11:00:00+07:00",
        )
    )
    assert answered["timeline"][-1]["type"] == "step_completed"
    # their opinion is in the dossier's log; the dossier is theirs no more
    assert land.get(f"{BASE}/{code}").status_code == 404


# --- who may call ------------------------------------------------------------------------


def test_anonymous_calls_are_unauthenticated(counter_officer) -> None:
    anonymous = Client(enforce_csrf_checks=True)
    for response in (
        anonymous.get(BASE),
        anonymous.get(f"{BASE}/X-250505-0001"),
        post(anonymous, BASE, intake()),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Dossier.objects.exists()


def test_a_wrong_or_revoked_token_is_refused(counter_officer) -> None:
    wrong = Client(headers={"Authorization": "Bearer mc_00000000_not-the-secret"})
    assert wrong.get(BASE).json()["code"] == "invalid_token"
    token, text = issue_token(user=counter_officer, name="portal sync")
    valid = Client(headers={"Authorization": f"Bearer {text}"})
    assert valid.get(BASE).status_code == 200
    other = "1" if text.endswith("0") else "0"  # a secret ending in 0 made this flaky
    forged = Client(headers={"Authorization": f"Bearer {text[:-1]}{other}"})
    assert forged.get(BASE).status_code == 401
    revoke_token(token.prefix)
    assert valid.get(BASE).status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is not None and token.revoked_at is not None


def test_only_a_hash_of_the_secret_is_stored(counter_officer) -> None:
    token, text = issue_token(user=counter_officer, name="x")
    scheme, prefix, secret = text.split("_")
    assert scheme == "mc" and prefix == token.prefix
    stored = ApiToken.objects.values_list("key_hash", flat=True).get()
    assert secret not in stored and len(stored) == 64


def test_a_token_of_an_inactive_user_is_refused(counter_officer) -> None:
    client = as_system(counter_officer)
    User.objects.filter(pk=counter_officer.pk).update(is_active=False)
    assert client.get(BASE).status_code == 401


def test_our_pages_use_the_session_and_must_pass_csrf(counter_officer) -> None:
    page = Client(enforce_csrf_checks=True)
    page.force_login(counter_officer)
    assert page.get(BASE).status_code == 200
    refused = post(page, BASE, intake())
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert not Dossier.objects.exists()
    page.get("/dang-nhap/")  # any page that sets the CSRF cookie
    csrf = page.cookies["csrftoken"].value
    accepted = post(page, BASE, intake(), X_CSRFToken=csrf)
    assert accepted.status_code == 201


def test_a_token_needs_no_csrf(counter_officer) -> None:
    client = as_system(counter_officer, enforce_csrf_checks=True)
    assert post(client, BASE, intake()).status_code == 201


def test_someone_of_another_unit_may_look_but_not_act(counter, expert) -> None:
    code = receive(counter)["code"]
    before = snapshot(code)
    refused = call(expert, code, "transfer", at="2025-05-05T10:00:00+07:00")
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_step"
    assert snapshot(code) == before


def test_a_dossier_the_caller_may_not_see_does_not_exist_for_them(
    counter, commune_officer, outsider
) -> None:
    code = receive(counter)["code"]
    for person in (commune_officer, outsider):
        client = as_system(person)
        hidden, missing = client.get(f"{BASE}/{code}"), client.get(f"{BASE}/NOPE-250505-0001")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["code"] == missing.json()["code"] == "dossier_not_found"
        acting = call(client, code, "withdraw", reason="x", at="2025-05-05T10:00:00+07:00")
        assert acting.status_code == 404
    assert snapshot(code)[3] == 1


def test_the_counter_of_another_centre_cannot_receive_here(commune_officer) -> None:
    refused = post(as_system(commune_officer), BASE, intake())
    assert refused.status_code == 403 and refused.json()["code"] == "not_counter_officer"
    assert not Dossier.objects.exists()


def test_tokens_are_made_and_revoked_on_the_command_line(counter_officer) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "apitoken",
        "create",
        "counter_officer",
        "--name",
        "Cổng DVC quốc gia",
        stdout=out,
        stderr=err,
    )
    text = out.getvalue().strip()
    assert text.startswith("mc_") and "không hiển thị lại" in err.getvalue()
    client = Client(headers={"Authorization": f"Bearer {text}"})
    assert client.get(BASE).status_code == 200
    listing = io.StringIO()
    call_command("apitoken", "list", stdout=listing)
    assert text.split("_")[1] in listing.getvalue() and text not in listing.getvalue()
    call_command("apitoken", "revoke", text.split("_")[1], stdout=io.StringIO())
    assert client.get(BASE).status_code == 401
    with pytest.raises(CommandError):
        call_command("apitoken", "create", "nobody", "--name", "x", stderr=io.StringIO())


def test_errors_are_json_even_off_the_map(counter) -> None:
    unknown = counter.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["code"] == "no_such_endpoint"
    wrong_method = counter.delete(BASE)
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    assert "POST" in wrong_method["Allow"]


# --- idempotency -------------------------------------------------------------------------


def test_a_retried_receive_creates_one_dossier_and_gets_the_same_answer(counter) -> None:
    first = post(counter, BASE, intake(), key="intake-1")
    again = post(counter, BASE, intake(), key="intake-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true"
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == 1


def test_key_order_and_spacing_do_not_make_another_request(counter) -> None:
    body = intake()
    first = post(counter, BASE, body, key="k")
    reordered = counter.post(
        BASE,
        data=json.dumps(dict(reversed(body.items())), indent=4),
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    assert reordered.status_code == 201 and reordered.content == first.content


def test_a_retried_action_acts_once(counter) -> None:
    code = receive(counter)["code"]
    body = {"at": "2025-05-05T10:00:00+07:00"}
    first = post(counter, f"{BASE}/{code}/transfer", body, key="transfer-1")
    again = post(counter, f"{BASE}/{code}/transfer", body, key="transfer-1")
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert Dossier.objects.get(code=code).events.filter(type="transferred").count() == 1


def test_the_same_key_for_another_request_is_refused(counter) -> None:
    post(counter, BASE, intake(), key="k")
    other = post(counter, BASE, intake(sets_count=2), key="k")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    code = Dossier.objects.get().code
    elsewhere = post(counter, f"{BASE}/{code}/transfer", {}, key="k")
    assert elsewhere.json()["code"] == "idempotency_key_reused"
    assert Dossier.objects.count() == 1 and snapshot(code)[0] == "RECEIVED"


def test_keys_belong_to_their_user(counter, commune_officer) -> None:
    post(counter, BASE, intake(), key="shared")
    other = post(as_system(commune_officer), BASE, intake(RESIDENCE, unit="AH-X01"), key="shared")
    assert other.status_code == 201 and Dossier.objects.count() == 2


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "idempotency_key_required"),
        ({"Idempotency-Key": ""}, "idempotency_key_required"),
        ({"Idempotency-Key": "with space"}, "idempotency_key_invalid"),
        ({"Idempotency-Key": "x" * 256}, "idempotency_key_invalid"),
    ],
)
def test_a_post_needs_a_valid_key(counter, headers, code) -> None:
    response = counter.post(
        BASE, data=json.dumps(intake()), content_type="application/json", headers=headers
    )
    assert response.status_code == 422 and response.json()["code"] == code
    assert not Dossier.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_refusal_is_kept_and_replayed_too(counter, expert) -> None:
    code = receive(counter)["code"]
    path, body = f"{BASE}/{code}/transfer", {"at": "2025-05-05T10:00:00+07:00"}
    first = post(expert, path, body, key="t")
    assert first.status_code == 403
    again = post(expert, path, body, key="t")
    assert again.status_code == 403 and again.content == first.content


def test_a_crash_leaves_the_key_free_for_a_retry(counter, counter_officer, monkeypatch) -> None:
    code = receive(counter)["code"]
    crashing = as_system(counter_officer, raise_request_exception=False)

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(actions.PERFORMERS, "transfer", crash)
    body = {"at": "2025-05-05T10:00:00+07:00"}
    assert post(crashing, f"{BASE}/{code}/transfer", body, key="t").status_code == 500
    assert not IdempotencyRecord.objects.filter(key="t").exists()
    monkeypatch.undo()
    assert post(counter, f"{BASE}/{code}/transfer", body, key="t").status_code == 200


def test_records_expire_after_a_day(counter, counter_officer) -> None:
    first = post(counter, BASE, intake(), key="old")
    IdempotencyRecord.objects.update(created_at=now() - timedelta(hours=25))
    again = post(counter, BASE, intake(), key="old")  # expired: a new request
    assert again.status_code == 201 and again.json()["code"] != first.json()["code"]
    IdempotencyRecord.objects.update(created_at=now() - timedelta(hours=25))
    post(counter, BASE, intake(), key="fresh")
    assert idempotency.purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


# --- malformed input ---------------------------------------------------------------------


def locations(response: Any) -> list[list]:
    return [error["loc"] for error in response.json()["detail"]["errors"]]


def test_a_missing_field_is_named(counter) -> None:
    response = post(counter, BASE, intake(applicant={"phone": "0912345678"}))
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert locations(response) == [["body", "payload", "applicant", "name"]]


def test_a_timestamp_without_offset_is_refused(counter) -> None:
    response = post(counter, BASE, intake(received_at="2025-05-05T09:00:00"))
    assert response.status_code == 422
    assert response.json()["code"] == "timestamp_without_offset"
    assert locations(response) == [["body", "payload", "received_at"]]
    code = receive(counter)["code"]
    late = call(counter, code, "transfer", at="2025-05-05T10:00:00")
    assert late.json()["code"] == "timestamp_without_offset"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"channel": "fax"}, ["body", "payload", "channel"]),
        ({"return_channel": "pigeon"}, ["body", "payload", "return_channel"]),
        ({"components": "Tờ khai"}, ["body", "payload", "components"]),
        ({"unit": "AH/../X"}, ["body", "payload", "unit"]),
        ({"applicant": {"name": "A\x00B"}}, ["body", "payload", "applicant", "name"]),
        ({"received_at": "1900-01-01T00:00:00+07:00"}, ["body", "payload", "received_at"]),
    ],
)
def test_malformed_fields_are_named(counter, change, where) -> None:
    response = post(counter, BASE, intake(**change))
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert locations(response) == [where]
    assert not Dossier.objects.exists()


def test_a_body_that_is_not_json_is_refused(counter) -> None:
    response = counter.post(
        BASE, data="{not json", content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 422 and response.json()["code"] == "malformed_json"
    assert locations(response) == [["body"]]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"unit": "NOWHERE"}, 404, "unknown_unit"),
        ({"procedure": "9.999999", "components": ["Tờ khai"]}, 404, "unknown_procedure"),
        ({"agency": "NOWHERE"}, 404, "unknown_agency"),
        ({"received_at": "2099-01-01T09:00:00+07:00"}, 422, "received_in_future"),
        ({"components": ["Giấy không có trong danh mục"]}, 422, "unknown_component"),
        ({"sets_count": 0}, 422, "invalid_sets_count"),
    ],
)
def test_the_domain_refusals_keep_their_codes(counter, change, status, code) -> None:
    response = post(counter, BASE, intake(**change))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()) == {"code", "message", "detail"}
    assert not Dossier.objects.exists()


def test_the_version_in_force_on_the_receipt_date_applies(counter) -> None:
    ProcedureVersion.objects.filter(procedure__code=CRIMINAL_RECORD).update(
        effective_from=date(2025, 6, 1)
    )
    refused = post(counter, BASE, intake())
    assert refused.status_code == 422
    assert refused.json()["code"] == "procedure_version_not_in_force"
    assert receive(counter, received_at="2025-06-02T09:00:00+07:00")["procedure"]["version"] == 1


# --- conflicts ---------------------------------------------------------------------------


def test_a_stale_version_is_refused_and_nothing_changes(counter) -> None:
    code = receive(counter)["code"]
    seen = counter.get(f"{BASE}/{code}").json()["version"]
    ok(call(counter, code, "transfer", version=seen, at="2025-05-05T10:00:00+07:00"))
    before = snapshot(code)
    stale = call(
        counter,
        code,
        "withdraw",
        version=seen,
        reason="Công dân xin rút",
        at="2025-05-05T11:00:00+07:00",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_dossier"
    assert stale.json()["detail"] == {"seen_version": 1, "current_version": 2}
    assert snapshot(code) == before


def test_a_transition_the_status_does_not_allow_is_a_conflict(counter) -> None:
    code = receive(counter)["code"]
    before = snapshot(code)
    refused = call(counter, code, "deliver", via="counter", at="2025-05-05T10:00:00+07:00")
    assert refused.status_code == 409 and refused.json()["code"] == "transition_not_allowed"
    assert snapshot(code) == before


def test_an_unknown_specialist_is_named(counter, leader) -> None:
    code = receive(counter)["code"]
    ok(call(counter, code, "transfer", at="2025-05-05T10:00:00+07:00"))
    refused = call(leader, code, "assign", specialist="nobody")
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_specialist"


@pytest.mark.django_db(transaction=True)
def test_two_systems_acting_at_once_act_once(counter_officer) -> None:
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    code = receive(as_system(counter_officer))["code"]
    barrier = threading.Barrier(2)
    responses: list[Any] = []

    def worker() -> None:
        client = as_system(counter_officer)
        try:
            barrier.wait()
            responses.append(call(client, code, "transfer", at="2025-05-05T10:00:00+07:00"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(response.status_code for response in responses) == [200, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["code"] in {"stale_dossier", "transition_not_allowed"}
    dossier = Dossier.objects.get(code=code)
    assert dossier.events.filter(type="transferred").count() == 1 and dossier.version == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_twice_at_once_acts_once(counter_officer) -> None:
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    code = receive(as_system(counter_officer))["code"]
    barrier = threading.Barrier(2)
    responses: list[Any] = []

    def worker() -> None:
        client = as_system(counter_officer)
        try:
            barrier.wait()
            responses.append(
                post(
                    client,
                    f"{BASE}/{code}/transfer",
                    {"at": "2025-05-05T10:00:00+07:00"},
                    key="same",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(
        (r.status_code, r.json().get("code") if r.status_code != 200 else "") for r in responses
    )
    # Either the second arrived while the first ran (told to retry), or after (replayed).
    assert outcomes in ([(200, ""), (200, "")], [(200, ""), (409, "idempotency_in_progress")])
    assert Dossier.objects.get(code=code).events.filter(type="transferred").count() == 1


# --- the list ----------------------------------------------------------------------------


@pytest.fixture
def several(counter, commune_officer) -> dict[str, str]:
    """Three dossiers at the province centre and one at the Đông Hòa commune centre."""
    commune = as_system(commune_officer)
    codes = {
        "first": receive(counter)["code"],
        "later": receive(counter, received_at="2025-05-12T09:00:00+07:00")["code"],
        "recent": receive(counter, received_at=(now() - timedelta(minutes=5)).isoformat())["code"],
        "commune": receive(commune, procedure=RESIDENCE, unit="AH-X01")["code"],
    }
    ok(call(counter, codes["first"], "transfer", at="2025-05-05T10:00:00+07:00"))
    return codes


def listed(client: Client, **filters: Any) -> list[str]:
    response = client.get(BASE, filters)
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_the_list_is_scoped_to_the_callers_units(
    several, counter, commune_officer, outsider
) -> None:
    assert len(listed(counter)) == 4  # the province centre sees its communes too
    assert listed(as_system(commune_officer)) == [several["commune"]]
    assert listed(as_system(outsider)) == []


def test_the_list_filters(several, counter, expert) -> None:
    assert listed(counter, status="TRANSFERRED") == [several["first"]]
    assert listed(counter, unit="AH-X01") == [several["commune"]]
    assert set(listed(counter, agency="AH-CAT")) == {
        several["first"],
        several["later"],
        several["recent"],
    }
    assert listed(counter, procedure=RESIDENCE) == [several["commune"]]
    assert listed(counter, received_from="2025-05-06", received_to="2025-05-12") == [
        several["later"]
    ]
    assert listed(counter, q=several["later"][:-1].lower()) == [several["later"]]
    assert several["recent"] not in listed(counter, overdue=True)
    assert listed(counter, overdue=False) == [several["recent"]]
    assert listed(expert) == listed(counter, agency="AH-CAT-PV06")


def test_the_list_is_ordered_by_due_date_and_paged(several, counter) -> None:
    page = counter.get(BASE, {"limit": 2, "offset": 1}).json()
    everything = counter.get(BASE).json()
    dues = [item["due_at"] for item in everything["items"]]
    assert dues == sorted(dues)
    assert page["count"] == 4 and page["limit"] == 2 and page["offset"] == 1
    assert [item["code"] for item in page["items"]] == [
        item["code"] for item in everything["items"][1:3]
    ]
    assert counter.get(BASE, {"limit": 201}).status_code == 422
    unknown = counter.get(BASE, {"unit": "NOWHERE"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_unit"


def test_the_list_costs_the_same_queries_for_more_dossiers(
    several, counter, django_assert_max_num_queries
) -> None:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(db) as few:
        counter.get(BASE, {"limit": 2})
    with django_assert_max_num_queries(len(few.captured_queries)):
        counter.get(BASE, {"limit": 4})

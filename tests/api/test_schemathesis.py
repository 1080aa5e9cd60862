"""Property-based tests of the committed OpenAPI document against the running code:
schemathesis generates requests for every operation (valid ones and invalid ones), sends them
in-process to the WSGI application as a counter officer with an API token, and checks that no
request gets a server error and that every response is documented and matches its schema.

Path parameters hit real dossiers half of the time (received by the `world` fixture), so
the actions run against real states and not only against 404s."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from motcua.api.auth import issue_token
from motcua.dossiers import actions
from tests.conftest import version_of, vn
from tests.dossiers.test_receive_dossier import receive

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
schema = schemathesis.openapi.from_path(COMMITTED)

# Codes of the dossiers the `world` fixture receives: the counter of AH numbers them per day.
SERIAL = itertools.count()
COMPONENT: list[str] = []  # a component of the procedure, from the catalogue
REAL_CODES = ["000.00.01.H99-250505-0001", "000.00.01.H99-250505-0002", "000.00.01.H99-250506-0001"]
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
# What the document refuses, the server refuses (lengths, formats, ranges, patterns): judged on
# the generated invalid requests the hooks below left as they were.
NEGATIVE_CHECKS = [*CHECKS, schemathesis.checks.negative_data_rejection]


class Replaced(dict[str, Any]):
    """Parameters or a body a hook put in place of the generated ones (a real code, a known
    unit, an acceptable body): a request that was generated invalid may have become valid."""


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half of the time, a real dossier's code."""
    if not path_parameters or "code" not in path_parameters:
        return st.just(path_parameters)
    real = st.sampled_from(REAL_CODES).map(lambda code: Replaced(path_parameters, code=code))
    return real | st.just(path_parameters)


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
    """Half of the time, real units in the list's filters (unknown ones are a 404)."""
    if not query or not {"unit", "agency"} & set(query):
        return st.just(query)
    known = {key: "AH" for key in ("unit", "agency") if key in query}
    return st.sampled_from([query, Replaced(query, **known)])


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Half of the time, a body the domain can accept: a real unit, procedure and component
    for an intake; no `at` or `version` (so: now, on the current state) for an action."""
    if not isinstance(body, dict):
        return st.just(body)
    return st.sampled_from([body, _acceptable(body)])


def _acceptable(body: dict[str, Any]) -> Replaced:
    if "applicant" in body:
        return Replaced(
            {
                **body,
                "unit": "AH",
                "procedure": "3.000333",
                "components": [COMPONENT[0]],
                "agency": None,
                "received_at": None,
                "return_channel": "counter",
                "sets_count": 1,
            }
        )
    return Replaced({key: value for key, value in body.items() if key not in ("at", "version")})


@schema.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """A fresh Idempotency-Key for every request that has a valid one (a repeated key with
    another body is refused with 422, which tests/api/test_dossier_api.py covers)."""
    key = (headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(r"[!-~]{1,255}", key):
        return {**(headers or {}), "Idempotency-Key": f"{key[:200]}-{next(SERIAL)}"}
    return headers


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """The WSGI application, in this test's transaction: like Django's test client, it must
    not close the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(counter_officer, agency_leader, specialist) -> dict[str, str]:
    """Three dossiers in different states, and the counter officer's token. (Made through the
    domain, not a test client: Django's test client would reconnect the signal `app` cut.)"""
    first = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 0))
    second = receive(counter_officer, received_at=vn(2025, 5, 5, 9, 30))
    third = receive(counter_officer, received_at=vn(2025, 5, 6, 9, 0))
    assert [first.code, second.code, third.code] == REAL_CODES
    moved = actions.transfer_dossier(dossier=second, by=counter_officer, at=vn(2025, 5, 5, 10))
    actions.assign_dossier(
        dossier=moved, by=agency_leader, specialist=specialist, at=vn(2025, 5, 5, 11, 0)
    )
    COMPONENT[:] = version_of("3.000333").component_names()[:1]
    _, token = issue_token(user=counter_officer, name="schemathesis")
    return {"token": token}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_answers_as_documented(case, world, app) -> None:
    # The token goes into the case itself, not only into the call, so that the negative-data
    # check judges the request that was sent (a generated bad Authorization is replaced).
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {world['token']}"}
    replaced = any(
        isinstance(part, Replaced) for part in (case.path_parameters, case.query, case.body)
    )
    case.call_and_validate(app=app, checks=CHECKS if replaced else NEGATIVE_CHECKS)


@pytest.mark.django_db
def test_the_documented_successes_match_their_schemas(world, app) -> None:
    """The generated requests rarely succeed (random data is mostly refused): the success
    responses are checked against the document here, on requests known to be good."""
    token = {"Authorization": f"Bearer {world['token']}"}
    intake = {
        "unit": "AH",
        "procedure": "3.000333",
        "channel": "counter",
        "components": COMPONENT,
        "applicant": {"name": "Trần Thị Bình", "phone": "0987654321"},
        "received_at": vn(2025, 5, 6, 10, 0).isoformat(),
    }
    cases = [
        (schema["/api/v1/dossiers"]["GET"].Case(query={"unit": "AH", "overdue": "true"}), 200),
        (
            schema["/api/v1/dossiers/{code}"]["GET"].Case(path_parameters={"code": REAL_CODES[1]}),
            200,
        ),
        (schema["/api/v1/dossiers"]["POST"].Case(body=intake), 201),
        (
            schema["/api/v1/dossiers/{code}/transfer"]["POST"].Case(
                path_parameters={"code": REAL_CODES[0]}, body={"note": "Chuyển PV06"}
            ),
            200,
        ),
        (schema["/api/v1/lookup/{code}"]["GET"].Case(path_parameters={"code": REAL_CODES[0]}), 200),
    ]
    for number, (case, status) in enumerate(cases):
        headers = {**token, "Idempotency-Key": f"documented-{number}"}
        response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        assert response.status_code == status, response.text
    listed = (
        schema["/api/v1/dossiers"]["GET"].Case(query={"unit": "AH"}).call(app=app, headers=token)
    )
    assert listed.json()["count"] == 4

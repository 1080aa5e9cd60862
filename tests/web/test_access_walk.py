"""Every route, as everyone who should be refused: the permission walk.

A dossier received at the Đông Hòa commune centre (AH-X01), transferred to the commune police
with a step open at the commune's people's committee, a scan attached. Then every URL of the
URLconf (walked from `get_resolver()`, so a new route is covered, and refused if nobody said
what it is) and every route of the committed OpenAPI document is called with GET and POST by
an anonymous visitor and by each role held at another commune (Bắc An, AH-P02).

What they get (`accounts.access`):
- a page, a download, a paper, a document or an API call bound to the dossier: 404, exactly
  what a code that does not exist gets (a route that only takes POST answers 405 to GET, before
  any dossier is looked up); anonymous visitors go to the login page (the API: 401);
- a page bound to a role: 403 without the role; with it, their own units only;
- a report of a unit they may not report on: 403;
- the admin: the login page, for anyone who is not staff;
- the public pages: never the applicant's personal data.
And nothing changes: the dossier's version, status, events, steps and documents."""

from __future__ import annotations

import base64
import itertools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from motcua.accounts.models import Role, User
from motcua.api.auth import issue_token
from motcua.catalog.models import ProcedureVersion
from motcua.documents.models import Document
from motcua.documents.services import add_document
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.workflow.actions import ACTIONS, Kind
from tests.conftest import make_user, version_of, vn
from tests.dossiers.test_receive_dossier import RESIDENCE, receive

pytestmark = pytest.mark.django_db

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
HOME, ELSEWHERE = "AH-X01", "AH-P02"
GHOST = "000.00.01.H99-250505-9999"  # a well-formed code no dossier has
PERIOD = {"don-vi": HOME, "ky": "thang", "nam": "2025", "thang": "5"}

# Each role, held at the other commune: its centre, or its police (an agency).
OUTSIDERS = {
    Role.COUNTER_OFFICER: ELSEWHERE,
    Role.CENTRE_DIRECTOR: ELSEWHERE,
    Role.ADMINISTRATOR: ELSEWHERE,
    Role.SPECIALIST: f"{ELSEWHERE}-CA",
    Role.AGENCY_LEADER: f"{ELSEWHERE}-CA",
}
ANONYMOUS = "anonymous"

# --- what each route is --------------------------------------------------------------------

PUBLIC, DOSSIER, PAGE, REPORT, ADMIN, API = "public", "dossier", "page", "report", "admin", "api"
CITIZEN = "citizen"  # the citizen portal: citizens' accounts only, their own dossiers only
ROUTES = {
    "portal:lookup": PUBLIC,
    "portal:lookup_form": PUBLIC,
    "portal:dossier": PUBLIC,  # the public lookup by code: personal data only with the phone
    "portal:result": PUBLIC,  # the signed e-result: only with the lookup code (403 without)
    "portal:statistics": PUBLIC,
    "portal:procedures": PUBLIC,
    "portal:procedure": PUBLIC,
    # the hall's screens: each device opens by its token at its site; a ticket by its key
    "portal:hall_kiosk": PUBLIC,
    "portal:hall_issue": PUBLIC,
    "portal:hall_display": PUBLIC,
    "portal:hall_events": PUBLIC,
    "portal:hall_state": PUBLIC,
    "portal:hall_ticket": PUBLIC,
    "portal:hall_booking": PUBLIC,
    "portal:hall_ticket_pdf": PUBLIC,
    # the rating forms: a dossier's needs its lookup code to write, a tablet its token
    "portal:rate_dossier": PUBLIC,
    "portal:rate_tablet": PUBLIC,
    "portal:rate_ticket": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "admin:logout": PUBLIC,  # signing out needs no rights
    "set_language": PUBLIC,
    "quan-tri/login/": PUBLIC,  # the admin's sign-in goes to ours
    # the national portal's push: no account, its HMAC signature instead (401 unsigned)
    "national_portal_push": PUBLIC,
    # the citizen portal: its sign-in page, the start of the sign-in (to the provider) and the
    # provider's callback (refused with a page unless it matches what this browser started)
    "portal:citizen_signin": PUBLIC,
    "portal:citizen_oidc": PUBLIC,
    "portal:citizen_callback": PUBLIC,
    "portal:citizen_home": CITIZEN,
    "portal:citizen_procedures": CITIZEN,
    "portal:citizen_start": CITIZEN,
    "portal:citizen_draft": CITIZEN,
    "portal:citizen_dossier": CITIZEN,
    "portal:citizen_supplement": CITIZEN,
    "portal:citizen_document": CITIZEN,
    "portal:citizen_result": CITIZEN,
    "backoffice:home": PAGE,
    "backoffice:inbox": PAGE,
    "backoffice:dossier_search": PAGE,
    "backoffice:agencies": PAGE,
    "backoffice:tracking_book": PAGE,
    "backoffice:intake": PAGE,
    "backoffice:hall_counter": PAGE,  # counter officers of a unit with hall counters
    "backoffice:reception_queue": PAGE,
    "backoffice:paper_ratings": PAGE,  # counter officers, directors, administrators
    "backoffice:procedure_search": PAGE,
    "backoffice:dashboard": REPORT,
    "backoffice:dashboard_dossiers": REPORT,
    "backoffice:dashboard_ratings": REPORT,
    "backoffice:dashboard_visits": REPORT,
    "backoffice:dashboard_download": REPORT,
    "backoffice:dossier": DOSSIER,
    "backoffice:act": DOSSIER,
    "backoffice:upload": DOSSIER,
    "backoffice:document": DOSSIER,
    "backoffice:sign_copy": DOSSIER,
    "backoffice:receipt_pdf": DOSSIER,
    "backoffice:paper": DOSSIER,
}
# API routes are walked from the OpenAPI document; these serve the document itself.
API_EXTRAS = {"api:openapi-json", "api:openapi-view", "api:api-root", "api/^.*$"}

# Role-bound pages: the statuses each outsider gets (GET, POST); anything else is 403.
OWN_SCOPE = {
    "backoffice:home": dict.fromkeys(Role, (302, 302)),
    "backoffice:inbox": dict.fromkeys(Role, (200, 200)),
    "backoffice:procedure_search": dict.fromkeys(Role, (200, 200)),
    "backoffice:dossier_search": dict.fromkeys(Role, (200, 405)),
    "backoffice:intake": {Role.COUNTER_OFFICER: (200, 422)},
    "backoffice:reception_queue": {Role.COUNTER_OFFICER: (200, 200)},
    "backoffice:agencies": dict.fromkeys(
        (Role.COUNTER_OFFICER, Role.CENTRE_DIRECTOR, Role.ADMINISTRATOR), (200, 200)
    ),
    # their own unit's forms: an empty form is refused (422) and writes nothing
    "backoffice:paper_ratings": dict.fromkeys(
        (Role.COUNTER_OFFICER, Role.CENTRE_DIRECTOR, Role.ADMINISTRATOR), (200, 422)
    ),
}
# Only POST is served: a GET is refused (405) before any dossier is looked up.
POST_ONLY = {"backoffice:act", "backoffice:upload", "backoffice:sign_copy"}
CITIZEN_POST_ONLY = {"portal:citizen_supplement", "portal:citizen_result"}
NOT_SAFE = {
    "backoffice:dashboard",
    "backoffice:dashboard_dossiers",
    "backoffice:dashboard_ratings",
    "backoffice:dashboard_visits",
    "backoffice:dashboard_download",
}

INTER_AGENCY = [
    {"key": "reception", "name": "Tiếp nhận", "kind": "reception", "unit": "one_stop",
     "role": "counter_officer", "share": 10},
    {"key": "appraisal", "name": "Thẩm định", "kind": "appraisal", "unit": "agency",
     "role": "specialist", "share": 50},
    {"key": "ubnd", "name": "Ý kiến UBND xã", "kind": "inter_agency", "unit": "AH-X01-UBND",
     "role": "specialist", "share": 20},
    {"key": "approval", "name": "Phê duyệt", "kind": "approval", "unit": "agency",
     "role": "agency_leader", "share": 10},
    {"key": "return", "name": "Trả kết quả", "kind": "return", "unit": "agency",
     "role": "agency_leader", "share": 10},
]  # fmt: skip


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself when it has no name
    pattern: URLPattern
    namespace: str
    text: str  # the whole route, from the root


def routes() -> Iterator[Route]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield Route(name, pattern, namespace, prefix + str(pattern.pattern))
            else:
                text = prefix + str(pattern.pattern)
                yield Route(text, pattern, namespace, text)

    yield from walk(get_resolver().url_patterns, "", "")


def kind_of(route: Route) -> str | None:
    """What the route is; the admin and the API are classified whole (the admin is for staff;
    the API's routes are walked from its document)."""
    if route.key in ROUTES:
        return ROUTES[route.key]
    return {"admin": ADMIN, "api": API}.get(route.namespace)


# --- the cast and the dossier --------------------------------------------------------------


@dataclass
class Scene:
    dossier: Dossier
    document: Document
    insider: User
    consulted: User
    specialist: User

    def snapshot(self) -> tuple[Any, ...]:
        fresh = Dossier.objects.get(pk=self.dossier.pk)
        return (
            fresh.status,
            fresh.version,
            fresh.assignee_id,
            fresh.due_at,
            DossierEvent.objects.count(),
            DossierStep.objects.filter(completed_at__isnull=True).count(),
            Document.objects.count(),
            Dossier.objects.count(),
        )


@pytest.fixture
def scene(catalogue, tmp_path) -> Iterator[Scene]:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(MEDIA_ROOT=str(tmp_path), STORAGES=storages):
        ProcedureVersion.objects.filter(procedure__code=RESIDENCE).update(process=INTER_AGENCY)
        insider = make_user("home_counter", HOME, Role.COUNTER_OFFICER)
        consulted = make_user("home_committee", f"{HOME}-UBND", Role.SPECIALIST)
        specialist = make_user("home_police", f"{HOME}-CA", Role.SPECIALIST)
        dossier = receive(
            insider, unit_code=HOME, procedure=RESIDENCE, received_at=vn(2025, 5, 5, 9, 0)
        )
        dossier = actions.transfer_dossier(dossier=dossier, by=insider, at=vn(2025, 5, 5, 10))
        scan = SimpleUploadedFile("to-khai.pdf", _pdf(), content_type="application/pdf")
        document = add_document(dossier=dossier, by=insider, uploaded_file=scan, kind="component")
        yield Scene(Dossier.objects.get(pk=dossier.pk), document, insider, consulted, specialist)


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def outsider(role: Role) -> User:
    return make_user(f"other_{role.value}", OUTSIDERS[role], role)


class Caller:
    """One person's browser: a fresh signed-in client per request (a route may sign out)."""

    def __init__(self, user: User | None) -> None:
        self.user = user

    def client(self) -> Client:
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client

    def call(self, method: str, url: str) -> Any:
        client = self.client()
        return client.get(url) if method == "GET" else client.post(url, {})


# --- building URLs -------------------------------------------------------------------------


def samples(scene: Scene) -> dict[str, list[Any]]:
    """Values for each URL parameter: every action on the desk, a paper it has, one it has
    not, and the other report formats."""
    return {
        "code": [scene.dossier.code],
        "action": list(ACTIONS),
        "pk": [scene.document.pk],
        "form": ["01", "04", "06"],
        "fmt": ["xlsx", "pdf"],
        "object_id": [scene.dossier.pk],
        "content_type_id": [ContentType.objects.get_for_model(Dossier).pk],
        "id": [scene.insider.pk],
        "app_label": ["dossiers"],
        "url": ["nope/"],
        "site": [HOME],
        "token": ["not-a-device-token"],
        "key": ["not-a-ticket-key"],
        "procedure": ["3.000333"],
    }


def urls_of(route: Route, scene: Scene) -> list[str]:
    names = list(route.pattern.pattern.regex.groupindex)
    values = samples(scene)
    combinations = itertools.product(*(values[name] for name in names))
    if route.key == "api/^.*$":
        return ["/api/nope"]
    urls = []
    for combination in combinations:
        kwargs = dict(zip(names, combination, strict=True))
        if route.pattern.name:
            urls.append(reverse(route.key, kwargs=kwargs))
        else:
            text = "/" + route.key
            for name, value in kwargs.items():
                text = re.sub(rf"<(\w+:)?{name}>", str(value), text)
            urls.append(text)
    return urls


def with_query(route: Route, url: str) -> str:
    """Report and book pages are asked for the dossier's own commune."""
    if route.key in ("backoffice:dashboard", "backoffice:dashboard_download"):
        return url + "?" + "&".join(f"{k}={v}" for k, v in PERIOD.items())
    if route.key == "backoffice:dashboard_dossiers":
        period = "&".join(f"{k}={v}" for k, v in PERIOD.items())
        return f"{url}?{period}&chi-so=received.total"
    if route.key == "backoffice:dashboard_ratings":
        period = "&".join(f"{k}={v}" for k, v in PERIOD.items())
        return f"{url}?{period}&chi-so=indicator.rated"
    if route.key == "backoffice:dashboard_visits":
        period = "&".join(f"{k}={v}" for k, v in PERIOD.items())
        return f"{url}?{period}&chi-so=visits.served"
    if route.key == "backoffice:tracking_book":
        return url + f"?don-vi={HOME}&tu=2025-05-01&den=2025-05-31"
    if route.key == "backoffice:dossier_search":  # its code must not come back to outsiders
        return url + "?q=250505-0001"
    if route.key == "backoffice:agencies":
        return url + f"?don-vi={HOME}"
    return url


# --- the walk ------------------------------------------------------------------------------


def test_every_route_is_classified() -> None:
    unknown = [route.key for route in routes() if kind_of(route) is None]
    assert unknown == [], "say who may use these routes (ROUTES in this file)"


def test_every_api_route_is_in_the_committed_document() -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    served = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.text)
        for route in routes()
        if kind_of(route) == API and route.key not in API_EXTRAS
    }
    assert served == set(document["paths"])


@pytest.mark.parametrize("role", [ANONYMOUS, *OUTSIDERS], ids=str)
def test_every_page_refuses_other_units_and_changes_nothing(scene: Scene, role: str) -> None:
    person = None if role == ANONYMOUS else outsider(Role(role))
    caller = Caller(person)
    before = scene.snapshot()
    failures = []
    for route in routes():
        kind = kind_of(route)
        if kind == API:
            continue
        for url, method in itertools.product(urls_of(route, scene), ("GET", "POST")):
            url = with_query(route, url)
            response = caller.call(method, url)
            problem = _problem(route, kind, role, method, url, response, scene, caller)
            if problem:
                failures.append(f"{method} {url}: {problem}")
    assert failures == []
    assert scene.snapshot() == before


def _problem(
    route: Route,
    kind: str | None,
    role: str,
    method: str,
    url: str,
    response: Any,
    scene: Scene,
    caller: Caller,
) -> str:
    status = response.status_code
    body = _body(response)
    if status >= 500:
        return f"server error {status}"
    if scene.dossier.applicant_name in body or scene.dossier.applicant_phone in body:
        return "shows the applicant's personal data"
    if kind == PUBLIC:
        return ""
    if kind == CITIZEN:  # a visitor is asked to sign in as a citizen; staff are refused
        if role == ANONYMOUS:
            return _to_login(response, "/cong-dan/dang-nhap/")
        return "" if status == 403 else f"{status}, expected 403"
    if role == ANONYMOUS:
        if kind == ADMIN:
            return _to_login(response, "/quan-tri/login/")
        return _to_login(response, "/dang-nhap/")
    if kind == ADMIN:
        return _to_login(response, "/quan-tri/login/")
    if kind == DOSSIER:
        expected = 405 if method == "GET" and route.key in POST_ONLY else 404
        ghost = caller.call(method, url.replace(scene.dossier.code, GHOST)).status_code
        if status != expected or ghost != expected:
            return f"{status} (a code that does not exist: {ghost}), expected {expected}"
        return ""
    if scene.dossier.code in body:
        return "shows the dossier's code"
    if kind == REPORT:
        expected = 405 if method == "POST" and route.key in NOT_SAFE else 403
    else:
        statuses = OWN_SCOPE.get(route.key, {}).get(Role(role), (403, 403))
        expected = statuses[0] if method == "GET" else statuses[1]
    return "" if status == expected else f"{status}, expected {expected}"


def test_a_citizen_reaches_no_staff_route_and_no_one_elses_dossier(scene: Scene) -> None:
    """A citizen's account: every back-office and admin route is 403, the staff API answers
    as to an anonymous caller; on the citizen portal, the scene's dossier (not theirs) is 404
    like a code that does not exist."""
    from motcua.accounts.citizens import sign_in_citizen

    citizen = sign_in_citizen(subject="walker", name="Phạm Thị Dung", verified_levels=["2"])
    caller = Caller(citizen)
    before = scene.snapshot()
    failures = []
    for route in routes():
        kind = kind_of(route)
        if kind in (PUBLIC, API):
            continue
        for url, method in itertools.product(urls_of(route, scene), ("GET", "POST")):
            url = with_query(route, url)
            status = caller.call(method, url).status_code
            if url.startswith("/quan-tri/login/"):
                expected = {302}  # to the staff sign-in page, which is public
            elif kind != CITIZEN:
                expected = {403}
            elif method == "GET" and route.key in CITIZEN_POST_ONLY:
                expected = {405}
            elif "<str:code>" in route.text or "<str:key>" in route.text:
                expected = {404}
            else:
                expected = {200, 302, 405, 422}
            if status not in expected:
                failures.append(f"{method} {url}: {status}, expected {expected}")
    for path, method, url, body in api_calls(scene):
        client = caller.client()
        status = client.generic(
            method.upper(),
            url,
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ).status_code
        documented = method in json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"][path]
        expected = api_expected(path, method, ANONYMOUS, documented)  # their session counts not
        if status not in expected:
            failures.append(f"{method} {url}: {status}, expected {expected}")
    assert failures == []
    assert scene.snapshot() == before


def _to_login(response: Any, login: str) -> str:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith((login, "/dang-nhap/")):
        return ""
    return f"{response.status_code} {location!r}, expected the login page"


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# --- the API -------------------------------------------------------------------------------


def api_body(path: str, method: str, scene: Scene) -> dict[str, Any]:
    """A body the endpoint accepts, so the call reaches the question of access."""
    if method != "post":
        return {}
    if path == "/api/v1/dossiers":
        version = version_of(RESIDENCE)
        return {
            "unit": HOME,
            "procedure": RESIDENCE,
            "applicant": {"name": "Trần Thị Bình"},
            "channel": "counter",
            "components": version.component_names()[:1],
        }
    if path == "/api/v1/ratings":  # a citizen's rating, without its proof
        answers = {"overall": "satisfied"}
        return {"dossier": scene.dossier.code, "lookup_code": "", "answers": answers}
    segment = path.split("/{code}/", 1)[-1]
    action = next((a for a in ACTIONS.values() if a.endpoint and a.endpoint == segment), None)
    body: dict[str, Any] = {"version": scene.dossier.version, "at": "2025-05-06T09:00:00+07:00"}
    values = {
        Kind.TEXT: "x",
        Kind.PARAGRAPH: "x",
        Kind.LINES: ["x"],
        Kind.MOMENT: "2025-06-30T09:00:00+07:00",
        Kind.USER: scene.specialist.username,
        Kind.FILE: base64.b64encode(_pdf()).decode(),
    }
    for field in action.fields if action else ():
        if field.kind == Kind.CHOICE:
            body[field.name] = actions.VOCABULARIES[field.vocabulary].values[0]
        elif field.kind != Kind.STEP:
            body[field.name] = values[field.kind]
    return body


def api_calls(scene: Scene) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path template, method, URL, body) for GET and POST on every documented path."""
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    for path in document["paths"]:
        url = path.replace("{code}", scene.dossier.code).replace("{key}", "ubnd")
        for method in ("get", "post"):
            yield path, method, url, api_body(path, method, scene)


def api_expected(path: str, method: str, role: str, documented: bool) -> set[int]:
    if not documented:
        return {405}
    if path.startswith("/api/v1/lookup/"):
        return {200}  # public: the dossier's public view, without personal data
    if role == ANONYMOUS:
        return {401}
    if path == "/api/v1/dossiers":
        return {200} if method == "get" else {403}  # their own list; receiving here is refused
    if path == "/api/v1/ratings":
        return {403}  # any caller may relay a rating, but only with the dossier's lookup code
    return {404}


@pytest.mark.parametrize("role", [ANONYMOUS, *OUTSIDERS], ids=str)
def test_every_api_route_refuses_other_units_and_changes_nothing(scene: Scene, role: str) -> None:
    headers = {}
    if role != ANONYMOUS:
        _, token = issue_token(user=outsider(Role(role)), name="walk")
        headers["Authorization"] = f"Bearer {token}"
    client = Client(headers=headers)
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    before = scene.snapshot()
    failures = []
    for path, method, url, body in api_calls(scene):
        documented = method in document["paths"][path]
        ghost_url = url.replace(scene.dossier.code, GHOST)
        responses = [
            client.generic(
                method.upper(),
                target,
                json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            for target in (url, ghost_url)
        ]
        statuses = [response.status_code for response in responses]
        text = responses[0].content.decode()
        expected = api_expected(path, method, role, documented)
        hidden = "{code}" in path and not path.startswith("/api/v1/lookup/")
        if statuses[0] not in expected or (hidden and statuses[1] != statuses[0]):
            failures.append(f"{method} {url}: {statuses} (real, ghost), expected {expected}")
        if scene.dossier.applicant_name in text:
            failures.append(f"{method} {url}: shows the applicant's name")
        if path == "/api/v1/dossiers" and scene.dossier.code in text:
            failures.append(f"{method} {url}: lists the dossier")
    assert failures == []
    assert scene.snapshot() == before


def test_the_walk_reaches_real_pages_for_those_who_may_see(scene: Scene) -> None:
    """The same URLs serve the dossier's own staff, and a co-ordinating unit while its step
    is open: the refusals above are refusals, not broken links."""
    code = scene.dossier.code
    for person in (scene.insider, scene.consulted, scene.specialist):
        client = Caller(person).client()
        for url in (
            f"/quay/ho-so/{code}/",
            f"/quay/ho-so/{code}/phieu-hen.pdf",
            f"/quay/ho-so/{code}/mau-06.pdf",
            f"/quay/ho-so/{code}/tai-lieu/{scene.document.pk}/",
        ):
            assert client.get(url).status_code == 200, (person.username, url)
        assert client.get(f"/api/v1/dossiers/{code}").status_code == 200
    officer = Caller(scene.insider).client()
    dashboard = "/quay/bao-cao/?" + "&".join(f"{k}={v}" for k, v in PERIOD.items())
    assert officer.get(dashboard).status_code == 200
    drill = dashboard.replace("/bao-cao/?", "/bao-cao/ho-so/?") + "&chi-so=received.total"
    listed = officer.get(drill)
    assert listed.status_code == 200 and code in listed.content.decode()

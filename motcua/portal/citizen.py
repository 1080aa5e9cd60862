"""The citizen portal (/cong-dan/, docs/integrations/citizen-portal.md): a citizen signed in
through the identity provider lists their dossiers, starts one for a procedure in force,
saves it as a draft, submits it, answers a supplement request and downloads the signed result.

Thin pages: each finds what it shows through `accounts.access` (the citizen's own only: 404
otherwise), calls one function of `citizens/services.py` (or the e-result delivery of the
public lookup), and renders. States and steps are told in the public lookup's words
(`dossiers.selectors.public_view`, `workflow/citizen.py`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.catalog import published
from motcua.citizens import services
from motcua.citizens.models import Application
from motcua.core.clock import local, now
from motcua.core.errors import MotcuaError, NotFound
from motcua.documents import results
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import download_headers, open_document
from motcua.dossiers import actions, selectors
from motcua.dossiers.models import Dossier, ReturnChannel
from motcua.portal import citizen_signin
from motcua.workflow import citizen as wording
from motcua.workflow.explain import Lang

View = Callable[..., HttpResponseBase]


def citizen_only(view: View) -> View:
    """The portal's pages: 404 while it is off; the sign-in page for a visitor; 403 for an
    account that is not a citizen's (staff have no business here); never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not citizen_signin.enabled():
            raise Http404
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:citizen_signin')}?{query}")
        if not access.is_citizen(request.user):
            raise PermissionDenied
        try:
            response = view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped


def signin(request: HttpRequest) -> HttpResponse:
    """The page with the button to the identity provider."""
    if not citizen_signin.enabled():
        raise Http404
    if access.is_citizen(request.user):
        return redirect("portal:citizen_home")
    return render(request, "portal/citizen/signin.html", {})


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@citizen_only
def home(request: HttpRequest) -> HttpResponse:
    """All of the citizen's dossiers with their state in citizen words, and their drafts."""
    user = _user(request)
    applications = access.own_applications(user).select_related(
        "procedure_version", "dossier", "unit"
    )
    lang: Lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    rows = []
    for application in applications:
        dossier = application.dossier
        rows.append(
            {
                "application": application,
                "dossier": dossier,
                "state": wording.state_label(dossier.status, lang) if dossier else "",
            }
        )
    return render(
        request,
        "portal/citizen/home.html",
        {
            "drafts": [row for row in rows if row["dossier"] is None],
            "dossiers": [row for row in rows if row["dossier"] is not None],
            "account": user.citizen,
        },
    )


@citizen_only
def procedures(request: HttpRequest) -> HttpResponse:
    """The procedures in force that may be submitted online, searched like the catalogue."""
    query = request.GET.get("q", "")
    found = published.search(query, day=local(now()).date()).exclude(online="none")[:50]
    return render(request, "portal/citizen/procedures.html", {"query": query, "found": found})


@citizen_only
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, procedure: str) -> HttpResponseBase:
    """Choose where to submit; a draft is made for the version in force."""
    try:
        version = services.offered_version(procedure)
    except MotcuaError as error:
        raise Http404(error.message) from error
    error_message = ""
    if request.method == "POST":
        try:
            application = services.start_application(
                by=_user(request),
                procedure_code=procedure,
                unit_code=request.POST.get("unit", ""),
            )
        except MotcuaError as error:
            error_message = error.message
        else:
            return redirect("portal:citizen_draft", key=application.key)
    context = {
        "version": version,
        "units": services.receiving_points(version),
        "error": error_message,
    }
    return render(
        request, "portal/citizen/start.html", context, status=422 if error_message else 200
    )


def _draft_context(application: Application, user: User, **extra: Any) -> dict[str, Any]:
    files = {entry.component_name: entry for entry in application.files.all()}
    required = set(services.required_components(application.procedure_version))
    components = [
        {"index": index, "name": name, "required": name in required, "file": files.get(name)}
        for index, name in enumerate(application.procedure_version.component_names())
    ]
    return {
        "application": application,
        "components": components,
        "reusable": list(services.reusable_documents(user)[:50]),
        "channels": ReturnChannel.choices,
        **extra,
    }


@citizen_only
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, key: str) -> HttpResponseBase:
    """The draft: contact details, one file per component (uploaded or reused), save, submit."""
    user = _user(request)
    application = access.own_application_for(user, key)
    if not application.is_draft:
        return redirect("portal:citizen_dossier", code=application.dossier.code)  # type: ignore[union-attr]
    if request.method == "GET":
        return render(request, "portal/citizen/draft.html", _draft_context(application, user))
    try:
        outcome = _draft_step(request, user, application)
    except MotcuaError as error:
        application.refresh_from_db()
        context = _draft_context(application, user, error=error)
        return render(request, "portal/citizen/draft.html", context, status=422)
    return outcome


def _draft_step(request: HttpRequest, user: User, application: Application) -> HttpResponseBase:
    key, post = application.key, request.POST
    services.save_details(
        by=user,
        key=key,
        phone=post.get("phone", ""),
        email=post.get("email", ""),
        address=post.get("address", ""),
        return_channel=post.get("return_channel", ReturnChannel.ONLINE),
        postal_address=post.get("postal_address", ""),
    )
    names = application.procedure_version.component_names()
    for index, name in enumerate(names):
        upload = request.FILES.get(f"file-{index}")
        reuse = post.get(f"reuse-{index}", "")
        if upload is not None:
            services.attach_file(by=user, key=key, component_name=name, uploaded_file=upload)
        elif reuse.isdigit():
            services.reuse_document(by=user, key=key, component_name=name, document_id=int(reuse))
        elif post.get(f"remove-{index}"):
            services.remove_file(by=user, key=key, component_name=name)
    if post.get("submit"):
        dossier = services.submit_application(by=user, key=key)
        return redirect("portal:citizen_dossier", code=dossier.code)
    return redirect(f"{reverse('portal:citizen_draft', args=[key])}?da-luu=1")


@citizen_only
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    """Follow one dossier: its state and next step as the lookup tells them, its steps, the
    papers given, the supplement form when asked, the signed result when ready."""
    found = access.own_dossier_for(_user(request), code)
    return render(request, "portal/citizen/dossier.html", _dossier_context(found))


def _dossier_context(found: Dossier, **extra: Any) -> dict[str, Any]:
    return {
        "dossier": selectors.public_view(found, selectors.Access.FULL, in_account=True),
        "code": found.code,
        "documents": found.documents.exclude(kind=DocumentKind.RESULT).order_by(
            "uploaded_at", "id"
        ),
        "supplement": services.supplement_items(found)
        if found.status == "AWAITING_SUPPLEMENT"
        else [],
        "result_ready": _has_result(found),
        **extra,
    }


def _has_result(found: Dossier) -> bool:
    try:
        results.result_for_download(found)
    except NotFound:
        return False
    return True


@citizen_only
@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The papers asked for, one file per item; the clock resumes when they are received."""
    user = _user(request)
    found = access.own_dossier_for(user, code)
    items = services.supplement_items(found)
    files: dict[str, File[Any]] = {}
    for index, item in enumerate(items):
        upload = request.FILES.get(f"item-{index}")
        if upload is not None:
            files[item] = upload
    try:
        services.answer_supplement(
            by=user, code=found.code, files=files, note=request.POST.get("note", "")
        )
    except MotcuaError as error:
        found.refresh_from_db()
        context = _dossier_context(found, error=error)
        return render(request, "portal/citizen/dossier.html", context, status=422)
    return redirect(f"{reverse('portal:citizen_dossier', args=[found.code])}?da-bo-sung=1")


@citizen_only
def document(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """One of the citizen's own papers, sent as the back office sends documents."""
    user = _user(request)
    found = access.own_dossier_for(user, code)
    # the result goes out only through `result`, which records its delivery
    item = Document.objects.filter(dossier=found, pk=pk).exclude(kind=DocumentKind.RESULT).first()
    if item is None:
        raise Http404
    response = FileResponse(open_document(item, by=user))
    for header, value in download_headers(item).items():
        response[header] = value
    return response


@citizen_only
@require_POST
def result(request: HttpRequest, code: str) -> HttpResponseBase:
    """The signed e-result; the first download records the online delivery exactly as the
    public lookup does (`actions.deliver_online`)."""
    found = access.own_dossier_for(_user(request), code)
    document = results.result_for_download(found)
    handle = document.file.storage.open(document.file.name or "", "rb")
    actions.deliver_online(dossier=found)
    response = FileResponse(handle)
    for header, value in download_headers(document).items():
        response[header] = value
    return response

"""The committed OpenAPI document is the API's contract with other systems: it must be exactly
what the code serves. After changing the API, regenerate it with

    motcua openapi --output docs/api/openapi.json

and commit the diff (it shows reviewers what changed for the systems that call us)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from motcua.cli.management.commands.openapi import openapi_text

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
REGENERATE = "Regenerate it: motcua openapi --output docs/api/openapi.json"


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), REGENERATE


def test_the_command_writes_the_same_document(tmp_path) -> None:
    target = tmp_path / "openapi.json"
    call_command("openapi", "--output", str(target))
    written = target.read_bytes()
    assert written.decode("utf-8") == openapi_text()
    assert written.endswith(b"}\n") and "Một cửa".encode() in written  # UTF-8, not \u escapes


@pytest.mark.django_db
def test_the_served_document_is_the_committed_one() -> None:
    served = Client().get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text(encoding="utf-8")), REGENERATE


def test_every_post_requires_an_idempotency_key_and_every_staff_call_a_login() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/lookup/"):
                assert "security" not in operation  # the public lookup
                continue
            assert {"ApiTokenAuth": []} in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)
            headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
            if method == "post":
                assert headers["Idempotency-Key"]["required"] is True, path


@pytest.mark.django_db
def test_the_docs_page_loads_nothing_from_elsewhere() -> None:
    page = Client().get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    assert all(finders.find(url.removeprefix("/static/")) for url in urls)
    # Under `script-src 'self'` only script files run: no inline script may be needed.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline)
    assert "script-src 'self'" in page["Content-Security-Policy"]

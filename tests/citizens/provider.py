"""A real OpenID Connect provider (the npm package oidc-provider, `provider.mjs`) run on a free
loopback port for the citizen portal's tests, and a person signing in on its own pages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from django.conf import settings
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"

# The test people, as the provider knows them (their claims).
ACCOUNTS: dict[str, dict[str, Any]] = {
    "an": {"name": "Nguyễn Văn An", "id_number": "001090000123", "identity_level": "2"},
    "binh": {"name": "Trần Thị Bình", "id_number": "001190000456", "identity_level": "1"},
    "cuong": {"name": "Lê Văn Cường", "id_number": "001090000789", "identity_level": "2"},
}


@dataclass(frozen=True)
class Provider:
    issuer: str

    def settings(self) -> dict[str, str]:
        return {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
        }


@contextmanager
def running_provider(redirect_uris: list[str]) -> Iterator[Provider]:
    """The provider, running until the block ends, with the site's settings pointing at it."""
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        pytest.fail("node and node_modules/oidc-provider are needed: scripts/setup --browser")
    config = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "client_secret": settings.OIDC_RP_CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "accounts": ACCOUNTS,
    }
    process = subprocess.Popen(
        [node, str(SCRIPT), json.dumps(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        issuer = process.stdout.readline().strip()
        if not issuer.startswith("http://127.0.0.1:"):
            pytest.fail(f"the OIDC provider did not start: {issuer!r}")
        provider = Provider(issuer)
        with override_settings(**provider.settings()):
            yield provider
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.IGNORECASE)


def sign_in_at_provider(authorize_url: str, login: str, *, until: str) -> str:
    """What a person does on the provider's own pages: sign in as `login` (any password),
    consent, and be sent back. Returns the URL the provider sends the browser to (starting
    with `until`, the site's callback) without opening it."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(12):  # bounded: authorise, log in, resume, consent, resume
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            target = urljoin(url, response.headers["Location"])
            if target.startswith(until):
                return target
            url = target
            response = browser.get(url, allow_redirects=False, timeout=10)
        page = response.text
        match = _FORM.search(page)
        if match is None:
            raise AssertionError(f"no form on the provider's page {url}: {page[:300]}")
        form = {name: unescape(value) for name, value in _HIDDEN.findall(page)}
        if 'name="login"' in page:
            form |= {"login": login, "password": "any"}
        posted = browser.post(
            urljoin(url, unescape(match.group(1))), data=form, allow_redirects=False, timeout=10
        )
        target = urljoin(url, posted.headers.get("Location", ""))
        if target.startswith(until):
            return target
        url = target
    raise AssertionError("the provider never sent the browser back")

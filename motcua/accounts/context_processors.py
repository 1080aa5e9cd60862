"""What every page's menu needs to know: the pages the signed-in user may open
(`access.pages_for`), whether they are a citizen and whether the citizen portal is on, read
only when a template asks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from motcua.accounts import access
from motcua.accounts.citizens import portal_enabled


def pages(request: HttpRequest) -> dict[str, Any]:
    return {
        "pages": SimpleLazyObject(lambda: access.pages_for(request.user)),
        "is_citizen": SimpleLazyObject(lambda: access.is_citizen(request.user)),
        "citizen_portal": portal_enabled(),
    }

"""What every page's menu needs to know: the pages the signed-in user may open
(`access.pages_for`), read only when a template asks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from motcua.accounts import access


def pages(request: HttpRequest) -> dict[str, Any]:
    return {"pages": SimpleLazyObject(lambda: access.pages_for(request.user))}

"""Staff login with throttling: after too many failures for one login name from one address,
further attempts are refused unread for a while, whatever the password."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from motcua.accounts.models import User
from motcua.core import ratelimit


def _subject(request: HttpRequest) -> str:
    username = User.normalize_username(str(request.POST.get("username", "")))
    return f"{ratelimit.client_address(request)}|{username}"


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lock, subject = ratelimit.login_lock(), _subject(request)
        verdict = ratelimit.attempt(lock, subject)
        if not verdict.allowed:
            context = self.get_context_data(
                form=self.get_form(),
                throttled=True,
                minutes=math.ceil(verdict.retry_after / 60),
            )
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            ratelimit.succeeded(lock, subject)
        return response

"""Staff login with throttling: after too many failures from one address for one user name,
further attempts are refused for a while, whatever the password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from motcua.core import ratelimit


def _subject(request: HttpRequest) -> str:
    username = str(request.POST.get("username", "")).strip().lower()
    return f"{ratelimit.client_address(request)}|{username}"


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        subject = _subject(request)
        if ratelimit.is_blocked("login", subject, limit=settings.LOGIN_MAX_ATTEMPTS):
            context = self.get_context_data(
                form=self.get_form(),
                throttled=True,
                minutes=max(1, settings.LOGIN_WINDOW_SECONDS // 60),
            )
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            ratelimit.reset("login", subject)
        else:
            ratelimit.hit(
                "login",
                subject,
                limit=settings.LOGIN_MAX_ATTEMPTS,
                window=settings.LOGIN_WINDOW_SECONDS,
            )
        return response

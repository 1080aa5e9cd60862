from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from motcua.accounts.views import ThrottledLoginView
from motcua.api.urls import api
from motcua.integrations.national_portal import views as national_portal

admin.site.site_header = "motcua — Quản trị một cửa điện tử"
admin.site.site_title = "motcua"

urlpatterns = [
    path("", include("motcua.portal.urls")),
    path("quay/", include("motcua.backoffice.urls")),
    path("dang-nhap/", ThrottledLoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through the throttled login page too.
    path("quan-tri/login/", RedirectView.as_view(url=reverse_lazy("login"), query_string=True)),
    path("quan-tri/", admin.site.urls),
    # signed pushes from the national portal (not the staff API: no token, an HMAC instead)
    path("api/v1/portal/dossiers", national_portal.push, name="national_portal_push"),
    path("api/", api.urls),
]

# Styled pages in the user's language; under /api/ the API's JSON errors (motcua/api/fallbacks.py).
handler400 = "motcua.config.error_pages.bad_request"
handler403 = "motcua.config.error_pages.permission_denied"
handler404 = "motcua.config.error_pages.page_not_found"
handler500 = "motcua.config.error_pages.server_error"

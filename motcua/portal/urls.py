from django.urls import path

from motcua.portal import catalogue, citizen, citizen_signin, hall, ratings, statistics, views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("tra-cuu/", views.lookup, name="lookup_form"),
    path("tra-cuu/<str:code>/", views.dossier, name="dossier"),
    path("tra-cuu/<str:code>/ket-qua/", views.result, name="result"),
    path("tra-cuu/<str:code>/danh-gia/", ratings.dossier, name="rate_dossier"),
    path("thong-ke/", statistics.statistics, name="statistics"),
    path("thu-tuc/", catalogue.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", catalogue.procedure, name="procedure"),
    path("sanh/<str:site>/kiosk/<str:token>/", hall.kiosk, name="hall_kiosk"),
    path("sanh/<str:site>/kiosk/<str:token>/lay-so/", hall.kiosk_issue, name="hall_issue"),
    path("sanh/<str:site>/man-hinh/<str:token>/", hall.display, name="hall_display"),
    path("sanh/<str:site>/man-hinh/<str:token>/su-kien/", hall.events, name="hall_events"),
    path("sanh/<str:site>/man-hinh/<str:token>/trang-thai/", hall.state, name="hall_state"),
    path("sanh/<str:site>/dat-lich/", hall.booking, name="hall_booking"),
    path("sanh/<str:site>/danh-gia/<str:token>/", ratings.tablet, name="rate_tablet"),
    path("sanh/ve/<str:key>/danh-gia/", ratings.ticket, name="rate_ticket"),
    path("sanh/ve/<str:key>/", hall.ticket, name="hall_ticket"),
    path("sanh/ve/<str:key>/ve.pdf", hall.ticket_pdf, name="hall_ticket_pdf"),
    # the citizen portal (docs/integrations/citizen-portal.md)
    path("cong-dan/", citizen.home, name="citizen_home"),
    path("cong-dan/dang-nhap/", citizen.signin, name="citizen_signin"),
    path("cong-dan/dang-nhap/vneid/", citizen_signin.SignInView.as_view(), name="citizen_oidc"),
    path(
        "cong-dan/dang-nhap/xac-thuc/",
        citizen_signin.CallbackView.as_view(),
        name="citizen_callback",
    ),
    path("cong-dan/nop-ho-so/", citizen.procedures, name="citizen_procedures"),
    path("cong-dan/nop-ho-so/<str:procedure>/", citizen.start, name="citizen_start"),
    path("cong-dan/ban-nhap/<str:key>/", citizen.draft, name="citizen_draft"),
    path("cong-dan/ho-so/<str:code>/", citizen.dossier, name="citizen_dossier"),
    path("cong-dan/ho-so/<str:code>/bo-sung/", citizen.supplement, name="citizen_supplement"),
    path("cong-dan/ho-so/<str:code>/tai-lieu/<int:pk>/", citizen.document, name="citizen_document"),
    path("cong-dan/ho-so/<str:code>/ket-qua/", citizen.result, name="citizen_result"),
]

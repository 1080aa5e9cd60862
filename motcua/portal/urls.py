from django.urls import path

from motcua.portal import catalogue, hall, ratings, statistics, views

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
]

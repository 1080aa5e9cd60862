from django.urls import path

from motcua.portal import catalogue, statistics, views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("tra-cuu/", views.lookup, name="lookup_form"),
    path("tra-cuu/<str:code>/", views.dossier, name="dossier"),
    path("tra-cuu/<str:code>/ket-qua/", views.result, name="result"),
    path("thong-ke/", statistics.statistics, name="statistics"),
    path("thu-tuc/", catalogue.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", catalogue.procedure, name="procedure"),
]

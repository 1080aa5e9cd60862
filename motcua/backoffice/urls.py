from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("thu-tuc/", views.procedure_search, name="procedure_search"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/phieu-hen.pdf", views.receipt_pdf, name="receipt_pdf"),
]

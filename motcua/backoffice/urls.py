from django.urls import path

from motcua.backoffice import counter, dashboard, files, paper_ratings, reception, views, work

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("viec-can-lam/", work.inbox, name="inbox"),
    path("tim-ho-so/", work.dossier_search, name="dossier_search"),
    path("co-quan/", work.agencies, name="agencies"),
    path("so-theo-doi/", files.tracking_book, name="tracking_book"),
    path("bao-cao/", dashboard.dashboard, name="dashboard"),
    path("bao-cao/ho-so/", dashboard.dossier_list, name="dashboard_dossiers"),
    path("bao-cao/danh-gia/", dashboard.rating_list, name="dashboard_ratings"),
    path("bao-cao/luot-phuc-vu/", dashboard.visit_list, name="dashboard_visits"),
    path("bao-cao/tai-ve.<str:fmt>", dashboard.download, name="dashboard_download"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("phieu-danh-gia/", paper_ratings.paper_ratings, name="paper_ratings"),
    path("quay-so/", counter.counter_desk, name="hall_counter"),
    path("cho-tiep-nhan/", reception.queue, name="reception_queue"),
    path("thu-tuc/", views.procedure_search, name="procedure_search"),
    path("ho-so/<str:code>/", work.desk, name="dossier"),
    path("ho-so/<str:code>/xu-ly/<str:action>/", work.act, name="act"),
    path("ho-so/<str:code>/tai-lieu/", files.upload, name="upload"),
    path("ho-so/<str:code>/tai-lieu/<int:pk>/", files.document, name="document"),
    path("ho-so/<str:code>/tai-lieu/<int:pk>/ky-so/", files.sign_copy, name="sign_copy"),
    path("ho-so/<str:code>/phieu-hen.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("ho-so/<str:code>/mau-<str:form>.pdf", files.paper, name="paper"),
]

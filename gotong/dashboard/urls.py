from django.urls import path, re_path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("k/<slug:slug>/dasbor/", views.dashboard, name="public"),
    path("k/<slug:slug>/dasbor/data/", views.open_data, name="open_data"),
    path("k/<slug:slug>/dasbor/data/kamus.json", views.data_dictionary, name="dictionary"),
    re_path(
        r"^k/(?P<slug>[-\w]+)/dasbor/data/(?P<name>[a-z_]+)\.(?P<fmt>csv|json)$",
        views.dataset_download,
        name="dataset",
    ),
    path("k/<slug:slug>/dasbor/laporan/", views.report_list, name="reports"),
    re_path(
        r"^k/(?P<slug>[-\w]+)/dasbor/laporan/(?P<month>\d{4}-\d{2})/$",
        views.report_month,
        name="report",
    ),
    re_path(
        r"^k/(?P<slug>[-\w]+)/dasbor/laporan/(?P<month>\d{4}-\d{2})\.pdf$",
        views.report_month_pdf,
        name="report_pdf",
    ),
    path("k/<slug:slug>/dasbor/sinergi/", views.synergy_page, name="synergy"),
    path("k/<slug:slug>/dasbor/sinergi.pdf", views.synergy_pdf, name="synergy_pdf"),
    path("k/<slug:slug>/dasbor/petugas/", views.officer, name="officer"),
]

from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("k/<slug:slug>/daftar/", views.register, name="register"),
    path("k/<slug:slug>/data-saya/", views.me, name="me"),
    path("k/<slug:slug>/data-saya/unduh/", views.me_export, name="me_export"),
    path("k/<slug:slug>/relawan/daftar/", views.volunteer_signup, name="volunteer_signup"),
    path("k/<slug:slug>/rt/<int:rt_id>/keluarga/baru/", views.household_new, name="household_new"),
    path("k/<slug:slug>/kios/", views.kiosk, name="kiosk"),
    path("k/<slug:slug>/organisasi/", views.organisations, name="organisations"),
    path("k/<slug:slug>/organisasi/daftar/", views.organisation_new, name="organisation_new"),
    path("k/<slug:slug>/warga/", views.persons, name="persons"),
    path("k/<slug:slug>/warga/<int:person_id>/", views.person, name="person"),
    path("k/<slug:slug>/permintaan-data/", views.requests_queue, name="requests"),
    path("k/<slug:slug>/duplikat/", views.duplicates, name="duplicates"),
    path("k/<slug:slug>/impor/", views.person_import, name="import"),
    path(
        "k/<slug:slug>/impor/<int:batch_id>/laporan.csv", views.import_report, name="import_report"
    ),
]

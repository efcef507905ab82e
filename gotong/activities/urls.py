from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("k/<slug:slug>/kegiatan/", views.activity_list, name="list"),
    path("k/<slug:slug>/kegiatan/baru/", views.activity_create, name="create"),
    path("k/<slug:slug>/kegiatan/<int:activity_id>/", views.activity_detail, name="detail"),
    path(
        "k/<slug:slug>/kegiatan/<int:activity_id>/bukti/",
        views.activity_evidence,
        name="evidence",
    ),
    path(
        "k/<slug:slug>/kegiatan/<int:activity_id>/nilai/<int:need_id>/",
        views.rating,
        name="rate",
    ),
    path("k/<slug:slug>/verifikasi/", views.verifier_queue, name="queue"),
]

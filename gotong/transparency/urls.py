from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [
    path("k/<slug:slug>/bukti/unggah/", views.evidence_upload, name="evidence_upload"),
    path("k/<slug:slug>/bukti/<str:code>/", views.receipt, name="receipt"),
    path("k/<slug:slug>/bukti/<str:code>/foto.jpg", views.receipt_photo, name="receipt_photo"),
    path("k/<slug:slug>/log/", views.log_list, name="log"),
    path("k/<slug:slug>/log/<int:index>/", views.log_entry, name="log_entry"),
]

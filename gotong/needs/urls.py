from django.urls import path

from . import views

app_name = "needs"

urlpatterns = [
    path("k/<slug:slug>/bantuan/ajukan/", views.need_submit_self, name="submit"),
    path("k/<slug:slug>/rt/<int:rt_id>/bantuan/ajukan/", views.need_submit_for, name="submit_for"),
    path("k/<slug:slug>/bantuan/saya/", views.needs_mine, name="mine"),
    path("k/<slug:slug>/bantuan/<int:need_id>/", views.need_detail, name="detail"),
    path("k/<slug:slug>/rt/<int:rt_id>/antrian/", views.rt_queue, name="rt_queue"),
    path("k/<slug:slug>/rw/<int:rw_number>/persetujuan/", views.rw_queue, name="rw_queue"),
    path("k/<slug:slug>/papan/", views.board, name="board"),
]

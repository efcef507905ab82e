from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("k/<slug:slug>/pencocokan/", views.board, name="board"),
    path("k/<slug:slug>/pencocokan/putaran/<int:round_id>/", views.round_detail, name="round"),
    path(
        "k/<slug:slug>/pencocokan/usulan/<int:proposal_id>/",
        views.proposal_decide,
        name="decide",
    ),
    path("k/<slug:slug>/pencocokan/aturan/", views.policy, name="policy"),
]

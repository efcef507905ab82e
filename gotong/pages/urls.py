from django.urls import path

from . import views
from .models import PolicyKind

app_name = "pages"

urlpatterns = [
    path(
        "k/<slug:slug>/kebijakan-privasi/",
        views.policy_page,
        {"kind": PolicyKind.PRIVACY.value},
        name="privacy",
    ),
    path(
        "k/<slug:slug>/sop/pengajuan-bantuan/",
        views.policy_page,
        {"kind": PolicyKind.SOP_NEED.value},
        name="sop_need",
    ),
    path(
        "k/<slug:slug>/sop/pengelolaan-donasi/",
        views.policy_page,
        {"kind": PolicyKind.SOP_DONATION.value},
        name="sop_donation",
    ),
    path("k/<slug:slug>/kebijakan/<str:kind>/ubah/", views.policy_page_edit, name="edit"),
]

from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("k/<slug:slug>/donasi/", views.campaign_list, name="campaigns"),
    path("k/<slug:slug>/donasi/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("k/<slug:slug>/donasi/bayar/<str:reference>/", views.pay, name="pay"),
    path("k/<slug:slug>/donasi/saya/", views.my_donations, name="mine"),
    path("k/<slug:slug>/bendahara/", views.treasury, name="treasury"),
    path("k/<slug:slug>/voucher/tukar/", views.redeem, name="redeem"),
    path(
        "k/<slug:slug>/laporan-keuangan/<int:year>/<int:month>/",
        views.monthly_report,
        name="monthly",
    ),
    path(
        "k/<slug:slug>/laporan-keuangan/<int:year>/<int:month>/pdf/",
        views.monthly_report_pdf_view,
        name="monthly_pdf",
    ),
]

from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("k/<slug:slug>/donasi/", views.campaign_list, name="campaigns"),
    path("k/<slug:slug>/donasi/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("k/<slug:slug>/donasi/bayar/<str:reference>/", views.pay, name="pay"),
    path("k/<slug:slug>/donasi/saya/", views.my_donations, name="mine"),
    path("k/<slug:slug>/bendahara/", views.treasury, name="treasury"),
    path("k/<slug:slug>/bendahara/kampanye/", views.officer_campaigns, name="officer_campaigns"),
    path("k/<slug:slug>/bendahara/kampanye/baru/", views.campaign_new, name="campaign_new"),
    path(
        "k/<slug:slug>/bendahara/kampanye/<int:campaign_id>/tutup/",
        views.campaign_close,
        name="campaign_close",
    ),
    path("k/<slug:slug>/bendahara/pencocokan/", views.pledges, name="pledges"),
    path("k/<slug:slug>/bendahara/pencocokan/baru/", views.pledge_new, name="pledge_new"),
    path("k/<slug:slug>/bendahara/donasi/catat/", views.donation_record, name="record"),
    path("k/<slug:slug>/bendahara/antrian/", views.donation_queue, name="queue"),
    path(
        "k/<slug:slug>/bendahara/donasi/<int:donation_id>/konfirmasi/",
        views.donation_confirm,
        name="donation_confirm",
    ),
    path(
        "k/<slug:slug>/bendahara/donasi/<int:donation_id>/batal/",
        views.donation_cancel,
        name="donation_cancel",
    ),
    path("k/<slug:slug>/bendahara/mutasi-bank/", views.statements, name="statements"),
    path(
        "k/<slug:slug>/bendahara/mutasi-bank/<int:statement_id>/",
        views.statement_detail,
        name="statement",
    ),
    path("k/<slug:slug>/bendahara/buku-besar/", views.ledger_accounts, name="ledger"),
    path(
        "k/<slug:slug>/bendahara/buku-besar/transfer/",
        views.ledger_transfers,
        name="ledger_transfers",
    ),
    path(
        "k/<slug:slug>/bendahara/buku-besar/transfer/<int:transfer_id>/",
        views.ledger_transfer,
        name="ledger_transfer",
    ),
    path(
        "k/<slug:slug>/bendahara/buku-besar/transfer/<int:transfer_id>/koreksi/",
        views.transfer_reverse,
        name="transfer_reverse",
    ),
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

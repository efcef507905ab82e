from django.urls import path

from . import views, views_aid

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
    # Aid out (views_aid): vouchers, UMKM, goods, payout accounts, payments, call-backs.
    path("k/<slug:slug>/voucher/kartu/", views_aid.voucher_card, name="voucher_card"),
    path("k/<slug:slug>/bendahara/voucher/", views_aid.vouchers, name="aid_vouchers"),
    path(
        "k/<slug:slug>/bendahara/voucher/terbitkan/",
        views_aid.voucher_issue,
        name="aid_voucher_issue",
    ),
    path("k/<slug:slug>/bendahara/umkm/", views_aid.merchants, name="aid_merchants"),
    path(
        "k/<slug:slug>/bendahara/umkm/<int:merchant_id>/pelunasan/",
        views_aid.settlement_request,
        name="aid_settlement",
    ),
    path("k/<slug:slug>/bendahara/barang/", views_aid.goods, name="aid_goods"),
    path("k/<slug:slug>/bendahara/barang/masuk/", views_aid.goods_in, name="aid_goods_in"),
    path(
        "k/<slug:slug>/bendahara/barang/<int:item_id>/keluar/",
        views_aid.goods_issue,
        name="aid_goods_issue",
    ),
    path(
        "k/<slug:slug>/bendahara/barang/<int:item_id>/hitung/",
        views_aid.stock_count,
        name="aid_stock_count",
    ),
    path(
        "k/<slug:slug>/bendahara/barang/mutasi/",
        views_aid.goods_movements,
        name="aid_goods_movements",
    ),
    path(
        "k/<slug:slug>/bendahara/barang/selisih/",
        views_aid.goods_discrepancies,
        name="aid_goods_discrepancies",
    ),
    path("k/<slug:slug>/bendahara/rekening/", views_aid.payouts, name="aid_payouts"),
    path(
        "k/<slug:slug>/bendahara/rekening/usul/",
        views_aid.payout_propose,
        name="aid_payout_propose",
    ),
    path(
        "k/<slug:slug>/bendahara/rekening/<int:payout_id>/putuskan/",
        views_aid.payout_decide,
        name="aid_payout_decide",
    ),
    path("k/<slug:slug>/bendahara/pencairan/", views_aid.disbursements, name="aid_disbursements"),
    path(
        "k/<slug:slug>/bendahara/pencairan/ajukan/",
        views_aid.disbursement_new,
        name="aid_disbursement_new",
    ),
    path(
        "k/<slug:slug>/bendahara/pencairan/<int:disbursement_id>/",
        views_aid.disbursement_detail,
        name="aid_disbursement",
    ),
    path("k/<slug:slug>/bendahara/telepon-balik/", views_aid.callbacks, name="aid_callbacks"),
]

from django.urls import path

from .views import aid, public, reports, treasury, vouchers

app_name = "funds"

urlpatterns = [
    path("k/<slug:slug>/donasi/", public.campaign_list, name="campaigns"),
    path("k/<slug:slug>/donasi/<int:campaign_id>/", public.campaign_detail, name="campaign"),
    path("k/<slug:slug>/donasi/bayar/<str:reference>/", public.pay, name="pay"),
    path("k/<slug:slug>/donasi/saya/", public.my_donations, name="mine"),
    path("k/<slug:slug>/bendahara/", treasury.treasury, name="treasury"),
    path("k/<slug:slug>/bendahara/kampanye/", treasury.officer_campaigns, name="officer_campaigns"),
    path("k/<slug:slug>/bendahara/kampanye/baru/", treasury.campaign_new, name="campaign_new"),
    path(
        "k/<slug:slug>/bendahara/kampanye/<int:campaign_id>/tutup/",
        treasury.campaign_close,
        name="campaign_close",
    ),
    path("k/<slug:slug>/bendahara/pencocokan/", treasury.pledges, name="pledges"),
    path("k/<slug:slug>/bendahara/pencocokan/baru/", treasury.pledge_new, name="pledge_new"),
    path("k/<slug:slug>/bendahara/donasi/catat/", treasury.donation_record, name="record"),
    path("k/<slug:slug>/bendahara/antrian/", treasury.donation_queue, name="queue"),
    path(
        "k/<slug:slug>/bendahara/donasi/<int:donation_id>/konfirmasi/",
        treasury.donation_confirm,
        name="donation_confirm",
    ),
    path(
        "k/<slug:slug>/bendahara/donasi/<int:donation_id>/batal/",
        treasury.donation_cancel,
        name="donation_cancel",
    ),
    path("k/<slug:slug>/bendahara/mutasi-bank/", treasury.statements, name="statements"),
    path(
        "k/<slug:slug>/bendahara/mutasi-bank/<int:statement_id>/",
        treasury.statement_detail,
        name="statement",
    ),
    path("k/<slug:slug>/bendahara/buku-besar/", treasury.ledger_accounts, name="ledger"),
    path(
        "k/<slug:slug>/bendahara/buku-besar/transfer/",
        treasury.ledger_transfers,
        name="ledger_transfers",
    ),
    path(
        "k/<slug:slug>/bendahara/buku-besar/transfer/<int:transfer_id>/",
        treasury.ledger_transfer,
        name="ledger_transfer",
    ),
    path(
        "k/<slug:slug>/bendahara/buku-besar/transfer/<int:transfer_id>/koreksi/",
        treasury.transfer_reverse,
        name="transfer_reverse",
    ),
    path("k/<slug:slug>/voucher/tukar/", vouchers.redeem, name="redeem"),
    path(
        "k/<slug:slug>/laporan-keuangan/<int:year>/<int:month>/",
        reports.monthly_report,
        name="monthly",
    ),
    path(
        "k/<slug:slug>/laporan-keuangan/<int:year>/<int:month>/pdf/",
        reports.monthly_report_pdf_view,
        name="monthly_pdf",
    ),
    # Aid out (views_aid): vouchers, UMKM, goods, payout accounts, payments, call-backs.
    path("k/<slug:slug>/voucher/kartu/", vouchers.voucher_card, name="voucher_card"),
    path("k/<slug:slug>/bendahara/voucher/", vouchers.vouchers, name="aid_vouchers"),
    path(
        "k/<slug:slug>/bendahara/voucher/terbitkan/",
        vouchers.voucher_issue,
        name="aid_voucher_issue",
    ),
    path("k/<slug:slug>/bendahara/umkm/", vouchers.merchants, name="aid_merchants"),
    path(
        "k/<slug:slug>/bendahara/umkm/<int:merchant_id>/pelunasan/",
        vouchers.settlement_request,
        name="aid_settlement",
    ),
    path("k/<slug:slug>/bendahara/barang/", aid.goods, name="aid_goods"),
    path("k/<slug:slug>/bendahara/barang/masuk/", aid.goods_in, name="aid_goods_in"),
    path(
        "k/<slug:slug>/bendahara/barang/<int:item_id>/keluar/",
        aid.goods_issue,
        name="aid_goods_issue",
    ),
    path(
        "k/<slug:slug>/bendahara/barang/<int:item_id>/hitung/",
        aid.stock_count,
        name="aid_stock_count",
    ),
    path(
        "k/<slug:slug>/bendahara/barang/mutasi/",
        aid.goods_movements,
        name="aid_goods_movements",
    ),
    path(
        "k/<slug:slug>/bendahara/barang/selisih/",
        aid.goods_discrepancies,
        name="aid_goods_discrepancies",
    ),
    path("k/<slug:slug>/bendahara/rekening/", aid.payouts, name="aid_payouts"),
    path(
        "k/<slug:slug>/bendahara/rekening/usul/",
        aid.payout_propose,
        name="aid_payout_propose",
    ),
    path(
        "k/<slug:slug>/bendahara/rekening/<int:payout_id>/putuskan/",
        aid.payout_decide,
        name="aid_payout_decide",
    ),
    path("k/<slug:slug>/bendahara/pencairan/", aid.disbursements, name="aid_disbursements"),
    path(
        "k/<slug:slug>/bendahara/pencairan/ajukan/",
        aid.disbursement_new,
        name="aid_disbursement_new",
    ),
    path(
        "k/<slug:slug>/bendahara/pencairan/<int:disbursement_id>/",
        aid.disbursement_detail,
        name="aid_disbursement",
    ),
    path("k/<slug:slug>/bendahara/telepon-balik/", aid.callbacks, name="aid_callbacks"),
]

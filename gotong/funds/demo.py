"""Demo funds: a treasurer (bendahara), the kelurahan's synthetic static QRIS, two
campaigns ("Paket Sembako Lansia RW 01", earmarked to RW 01, and "Posyandu Sehat",
earmarked to posyandu), a month of donations (individual, anonymous, CSR; bank statement
matched, cash with a receipt photo), a CSR 1:1 matching pledge, rice given in kind and
handed out to the closed delivery, vouchers issued and redeemed at a UMKM, the UMKM
settled with two approvals and proof, and a call-back sample.

Everything goes through the services; synthetic and deterministic for a seed. Skips when
the kelurahan already has campaigns.
"""

import datetime as dt
from typing import Any

import qriskit
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gotong.accounts.demo import demo_acting, demo_officer, demo_role_holder
from gotong.accounts.models import Role
from gotong.accounts.services import (
    membership_create_by_system,
    user_get_or_create,
)
from gotong.activities.models import Activity
from gotong.core.seeding import DemoContext, demo_slip
from gotong.registry.models import Organisation, OrganisationKind
from gotong.registry.services import organisation_approve_by_system
from gotong.territory.models import RT, Kelurahan

from . import services
from .models import Campaign
from .selectors import goods_list

TREASURER_PHONE = "+6281100000006"
SELLER_PHONE = "+6281100000007"


def _receipt(label: str, rng: Any) -> SimpleUploadedFile:
    """A synthetic receipt slip drawn with Pillow."""
    return demo_slip(f"KUITANSI DEMO {label} - sintetis", f"kuitansi-{label}.jpg", rng, stamp=True)


def _treasurer(demo: DemoContext, kelurahan: Kelurahan) -> Any:
    user = user_get_or_create(phone=TREASURER_PHONE, display_name="Bendahara (demo)", is_demo=True)
    return demo_acting(demo_officer(demo, kelurahan, user, Role.BENDAHARA))


def _static_qris() -> str:
    """A synthetic static QRIS for the demo (not a registered merchant: nothing is paid)."""
    return str(
        qriskit.build(
            merchant_name="KEL TAMAN DEMO",
            merchant_city="MADIUN",
            mcc="9399",
            postal_code="63139",
            accounts=[qriskit.MerchantAccount.national(nmid="ID1099900000001", criteria="UMI")],
        )
    )


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    treasurer = _treasurer(demo, kelurahan)
    if Campaign.objects.filter(kelurahan=kelurahan).exists():
        return
    rng = demo.rng
    admin = demo_role_holder(kelurahan, Role.ADMIN)
    operator = demo_role_holder(kelurahan, Role.OPERATOR)
    lurah = demo_role_holder(kelurahan, Role.LURAH)
    rts: list[RT] = sorted(demo.objects["rts"], key=lambda r: (r.rw.number, r.number))
    rw01 = rts[0].rw
    if admin is None or operator is None or lurah is None:
        return
    services.funds_profile_set(
        actor=treasurer,
        kelurahan=kelurahan,
        qris_static_payload=_static_qris(),
        bank_label="Bank Jatim 0011223344 a.n. Kas Gotong Royong Kel. Taman (demo)",
    )
    today = timezone.localdate()
    sembako = services.campaign_create(
        actor=operator,
        kelurahan=kelurahan,
        title="Paket Sembako Lansia RW 01",
        purpose="Paket sembako bulanan untuk lansia yang tinggal sendiri di RW 01 (demo).",
        target_amount=15_000_000,
        starts_on=today - dt.timedelta(days=35),
        ends_on=today + dt.timedelta(days=60),
        earmark_kind="rw",
        earmark_rw=rw01,
    )
    posyandu = services.campaign_create(
        actor=operator,
        kelurahan=kelurahan,
        title="Posyandu Sehat",
        purpose="Makanan tambahan dan timbangan untuk posyandu balita (demo).",
        target_amount=5_000_000,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=90),
        earmark_kind="category",
        earmark_category="posyandu",
    )
    # A CSR sponsor matches small donations 1:1 up to Rp 2.000.000.
    sponsor = Organisation.objects.create(
        kelurahan=kelurahan,
        kind=OrganisationKind.DONOR,
        name="PT Sinar Taman Abadi (demo)",
        description="Mitra CSR sintetis untuk demo.",
        address_outside="Jl. Industri 1, Madiun (demo)",
    )
    organisation_approve_by_system(organisation=sponsor)
    pledge = services.pledge_create(
        actor=operator, campaign=sembako, sponsor=sponsor, cap=2_000_000, max_donation=500_000
    )
    start = timezone.now() - dt.timedelta(days=30)
    gifts: list[Any] = [
        services.donation_create(
            kelurahan=kelurahan,
            donor=None,
            amount=2_000_000,
            target="pledge",
            pledge=pledge,
            channel="bank",
            donor_organisation=sponsor,
            recorded_by=treasurer,
        )
    ]
    for n in range(14):
        gifts.append(
            services.donation_create(
                kelurahan=kelurahan,
                donor=None,
                amount=rng.choice([50_000, 100_000, 150_000, 200_000, 250_000, 750_000]),
                campaign=sembako if n % 3 else posyandu,
                channel="bank" if n % 2 else "qris",
                is_anonymous=n % 4 == 0,
                public_name=demo.person_name(),
                recorded_by=treasurer,
            )
        )
    unpaid = services.donation_create(
        kelurahan=kelurahan,
        donor=None,
        amount=125_000,
        campaign=sembako,
        channel="qris",
        public_name=demo.person_name(),
        recorded_by=treasurer,
    )
    lines = ["tanggal,keterangan,jumlah,referensi"]
    for n, gift in enumerate(gifts):
        day = (start + dt.timedelta(days=n * 2)).date().isoformat()
        lines.append(f"{day},TRF {gift.payment_reference} DONASI,{gift.amount},DEMO{n:03d}")
    lines.append(f"{today.isoformat()},SETORAN TANPA BERITA (demo),30000,DEMO999")
    services.statement_import(
        actor=treasurer,
        kelurahan=kelurahan,
        file_name="mutasi-demo.csv",
        content="\n".join(lines).encode(),
    )
    for n, gift in enumerate(gifts):
        services.donation_confirm(
            actor=treasurer, donation=gift, at=start + dt.timedelta(days=n * 2, hours=3)
        )
    # Cash handed in at the office: recorded with a receipt by the treasurer, confirmed by
    # the administrator (who records does not confirm).
    cash = services.donation_record(
        actor=treasurer,
        kelurahan=kelurahan,
        receipt=_receipt("tunai", rng),
        channel="cash",
        amount=300_000,
        target="aid_fund",
        public_name="Kotak amal Masjid (demo)",
    )
    services.donation_confirm(actor=admin, donation=cash)
    # Rice in kind, valued at the donor's declared value, into the aid fund's store.
    rice = services.donation_record(
        actor=treasurer,
        kelurahan=kelurahan,
        receipt=_receipt("beras", rng),
        target="aid_fund",
        amount=1_300_000,
        public_name="Toko Beras Makmur (demo)",
        kind="in_kind",
        goods_name="Beras 5 kg",
        goods_unit="karung",
        goods_quantity=20,
        goods_category="sembako",
        goods_expires_on=today + dt.timedelta(days=180),
    )
    services.donation_confirm(actor=admin, donation=rice)
    _goods_out(kelurahan, operator)
    _vouchers(demo, kelurahan, sembako, rts, operator, treasurer, lurah, admin)
    # The daily task draws the month's call-back sample (no acting officer).
    services.callbacks_sample(
        actor=None, kelurahan=kelurahan, cycle=today.strftime("%Y-%m"), size=5, rng=rng
    )
    demo.objects["funds_unpaid_reference"] = unpaid.payment_reference


def _goods_out(kelurahan: Kelurahan, operator: Any) -> None:
    """Four sacks go to the closed sembako delivery (which has its evidence photo)."""
    activity = Activity.objects.filter(kelurahan=kelurahan, status="closed").order_by("pk").first()
    item = goods_list(kelurahan=kelurahan).first()
    if activity is None or item is None:
        return
    services.goods_issue(actor=operator, item=item, quantity=4, activity_id=activity.pk)
    services.stock_count(actor=operator, item=item, counted=15, note="1 karung rusak (demo)")


def _vouchers(
    demo: DemoContext,
    kelurahan: Kelurahan,
    sembako: Campaign,
    rts: list[RT],
    operator: Any,
    treasurer: Any,
    lurah: Any,
    admin: Any,
) -> None:
    """Ten sembako vouchers for RT 01/01 handed out anonymously; six redeemed at a UMKM,
    which is then settled with two approvals and a proof of payment."""
    umkm = (
        Organisation.objects.filter(kelurahan=kelurahan, kind=OrganisationKind.UMKM)
        .order_by("pk")
        .first()
    )
    if umkm is None:
        return
    if umkm.status != "approved":
        organisation_approve_by_system(organisation=umkm)
        umkm.refresh_from_db()
    merchant = services.merchant_enrol(actor=operator, organisation=umkm, categories=["sembako"])
    seller = user_get_or_create(
        phone=SELLER_PHONE, display_name="Penjual UMKM (demo)", is_demo=True
    )
    rt = umkm.rt or rts[0]
    membership_create_by_system(kelurahan=kelurahan, user=seller, role=Role.UMKM, rw=rt.rw, rt=rt)
    alphabet = services.VOUCHER_CODE_ALPHABET
    codes = []
    for _ in range(10):
        raw = "".join(demo.rng.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    services.voucher_issue(
        actor=operator,
        source=sembako.account,
        category="sembako",
        value=150_000,
        count=10,
        rt=rts[0],
        codes=codes,
        at=timezone.now() - dt.timedelta(days=6),
    )
    for code in codes[:6]:
        services.voucher_redeem(actor=seller, kelurahan=kelurahan, code=code, merchant=merchant)
    demo.logins.append(
        (
            f"UMKM {umkm.name}",
            SELLER_PHONE,
            f"login code (var/outbox/); voucher to redeem: {codes[6]}",
        )
    )
    merchant.account.refresh_from_db()
    settlement = services.disbursement_request(
        actor=operator,
        kelurahan=kelurahan,
        kind="settlement",
        amount=merchant.account.balance,
        purpose="Pelunasan voucher sembako (demo)",
        category="sembako",
        merchant=merchant,
    )
    services.disbursement_approve(actor=lurah, disbursement=settlement)
    services.disbursement_approve(actor=admin, disbursement=settlement)
    services.disbursement_pay(
        actor=treasurer, disbursement=settlement, proof=_receipt("transfer-umkm", demo.rng)
    )

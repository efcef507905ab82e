"""Demo market: products of the registry's 10 demo UMKM, two bundles ("paket pasar minggu
ini" and a sembako package), the fee rules, three community couriers, four past weekly
cycles (backdated, with orders, closing, route plans and drop-offs) and one open cycle.

Order counts grow week by week, so the UMKM dashboard shows growth against the baseline.
Money goes through the funds ledger: the treasurer confirms the QRIS payments (with a
photo), cash on delivery is posted at each drop-off, each past cycle is settled (UMKM
payables, couriers, operational fund), the cash is paid into the bank and every UMKM and
every courier is paid out with two approvals and a proof photo. About two in three buyers
of the past cycles rate the UMKM of their order. The open cycle has QRIS orders (their
pages show the code), one order paid with a sembako voucher, one aid order for a food need
served by an activity, and a campaign that fills the rice group buy's gap at closing.
Skips when the kelurahan already has cycles (idempotent).
"""

import datetime as dt
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gotong.accounts.demo import demo_role_holder
from gotong.accounts.models import Membership, Role
from gotong.activities import services as activity_services
from gotong.activities.models import ActivityNeed
from gotong.core.seeding import DemoContext, demo_slip
from gotong.funds import selectors as funds_selectors
from gotong.funds.models import AccountKind
from gotong.funds.services import market_port as funds_services
from gotong.needs.models import Need
from gotong.registry.models import Organisation, OrganisationKind, OrganisationStatus
from gotong.territory.models import RT, Kelurahan

from . import selectors, services
from .models import Offer, Order, OrderCycle, OrderStatus, Product, ThresholdRule

# (UMKM name without " (demo)", product, category, unit, price, stock, daily capacity, halal, P-IRT)
PRODUCTS = [
    ("Sayur Segar Pak Joko", "Bayam", "sayur", "ikat", 3000, 200, None, "", ""),
    ("Sayur Segar Pak Joko", "Kangkung", "sayur", "ikat", 3000, 200, None, "", ""),
    ("Sayur Segar Pak Joko", "Tomat", "sayur", "kg", 12000, 80, None, "", ""),
    ("Warung Bu Sri", "Telur ayam", "lauk", "kg", 28000, 150, None, "", ""),
    ("Warung Bu Sri", "Tempe", "lauk", "papan", 5000, None, 120, "", "2063577010011"),
    ("Toko Kelontong Makmur", "Beras 5 kg", "sembako", "karung", 65000, 120, None, "", ""),
    (
        "Toko Kelontong Makmur",
        "Minyak goreng 1 L",
        "sembako",
        "botol",
        18000,
        150,
        None,
        "ID35110000123",
        "",
    ),
    ("Toko Kelontong Makmur", "Gula pasir 1 kg", "sembako", "kg", 17000, 150, None, "", ""),
    (
        "Pecel Madiun Mbak Yuni",
        "Sambal pecel",
        "bumbu",
        "bungkus",
        10000,
        None,
        150,
        "ID35110000456",
        "2063577010022",
    ),
    (
        "Pecel Madiun Mbak Yuni",
        "Kerupuk puli",
        "olahan",
        "bungkus",
        7000,
        None,
        200,
        "",
        "2063577010033",
    ),
    (
        "Roti Barokah",
        "Roti tawar",
        "olahan",
        "bungkus",
        15000,
        None,
        60,
        "ID35110000789",
        "2063577010044",
    ),
    ("Katering Sehati", "Nasi kotak", "olahan", "kotak", 20000, None, 80, "ID35110000999", ""),
    ("Jahit Rapi", "Permak celana", "jasa", "potong", 15000, None, 15, "", ""),
    ("Laundry Bersih", "Cuci setrika", "jasa", "kg", 7000, None, 60, "", ""),
    ("Kerajinan Bambu Taman", "Tampah bambu", "kerajinan", "buah", 25000, 30, None, "", ""),
    ("Bengkel Motor Jaya", "Ganti oli", "jasa", "motor", 45000, None, 12, "", ""),
]
WEEKS = 4
ORDERS_PER_WEEK = [14, 15, 18, 20]  # the pilot's growth, week by week


def _catalogue(kelurahan: Kelurahan, operator: Any) -> dict[str, Product]:
    umkm = {
        o.name.removesuffix(" (demo)"): o
        for o in Organisation.objects.filter(
            kelurahan=kelurahan, kind=OrganisationKind.UMKM, status=OrganisationStatus.APPROVED
        )
    }
    products: dict[str, Product] = {}
    for org_name, name, category, unit, price, stock, capacity, halal, pirt in PRODUCTS:
        org = umkm.get(org_name)
        if org is None:
            continue
        products[name] = services.product_create(
            actor=operator,
            organisation=org,
            name=name,
            category=category,
            unit=unit,
            price=price,
            stock=stock,
            daily_capacity=capacity,
            halal_certificate=halal,
            pirt_number=pirt,
            description="(demo)",
        )
    return products


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    if OrderCycle.objects.filter(kelurahan=kelurahan).exists():
        return
    operator = demo_role_holder(kelurahan, Role.OPERATOR)
    if operator is None:
        return
    rng = demo.rng
    services.settings_set(
        actor=operator,
        kelurahan=kelurahan,
        operations_fee_bp=500,
        delivery_fee=5000,
        courier_share_bp=8000,
        baseline_cycles=2,
    )
    products = _catalogue(kelurahan, operator)
    if len(products) < 10:
        return
    weekly = services.bundle_create(
        actor=operator,
        kelurahan=kelurahan,
        name="Paket Pasar Minggu Ini (demo)",
        category="sayur",
        price=45000,
        description="Sayur, telur dan kerupuk dari tiga UMKM Taman",
        components=[
            services.ComponentSpec(products["Bayam"], 2, 6000),
            services.ComponentSpec(products["Kangkung"], 1, 3000),
            services.ComponentSpec(products["Telur ayam"], 1, 27000),
            services.ComponentSpec(products["Kerupuk puli"], 1, 9000),
        ],
    )
    sembako = services.bundle_create(
        actor=operator,
        kelurahan=kelurahan,
        name="Paket Sembako Gotong Royong (demo)",
        category="sembako",
        price=98000,
        description="Beras, minyak, gula dan tempe",
        components=[
            services.ComponentSpec(products["Beras 5 kg"], 1, 63000),
            services.ComponentSpec(products["Minyak goreng 1 L"], 1, 17000),
            services.ComponentSpec(products["Gula pasir 1 kg"], 1, 13000),
            services.ComponentSpec(products["Tempe"], 1, 5000),
        ],
    )
    relawan = list(
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.RELAWAN)
        .select_related("user")
        .order_by("pk")[:3]
    )
    for n, membership in enumerate(relawan):
        services.courier_create(
            actor=operator,
            kelurahan=kelurahan,
            label=f"Kurir {n + 1} (demo)",
            capacity=8,
            user=membership.user,
        )
    treasurer = demo_role_holder(kelurahan, Role.BENDAHARA)
    approvers = [
        a
        for a in (demo_role_holder(kelurahan, Role.LURAH), demo_role_holder(kelurahan, Role.ADMIN))
        if a
    ]
    gap_campaign = _gap_campaign(kelurahan)
    buyers = list(
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.WARGA)
        .select_related("user", "rt__rw")
        .order_by("pk")[:40]
    )
    if not buyers:
        return
    rts = {m.rt_id: m.rt for m in buyers if m.rt is not None}
    centre = (
        float(kelurahan.centroid_lat or -7.639),
        float(kelurahan.centroid_lon or 111.523),
    )
    now = timezone.now()
    for week in range(WEEKS + 1):
        opens = now - dt.timedelta(days=7 * (WEEKS - week), hours=2)
        past = week < WEEKS
        cycle = services.cycle_open(
            actor=operator,
            kelurahan=kelurahan,
            title=f"Pasar Minggu ke-{week + 1} (demo)",
            opens_at=opens,
            closes_at=opens + dt.timedelta(hours=24),
            delivery_date=timezone.localtime(opens).date() + dt.timedelta(days=2),
            hub=centre,
            offers=[
                services.OfferSpec(bundle=weekly),
                services.OfferSpec(bundle=sembako),
                services.OfferSpec(
                    product=products["Beras 5 kg"],
                    threshold=10,
                    threshold_rule=ThresholdRule.FALLBACK,
                    gap_campaign=None if past else gap_campaign,
                ),
                services.OfferSpec(product=products["Tomat"]),
                services.OfferSpec(product=products["Sambal pecel"]),
                services.OfferSpec(product=products["Roti tawar"]),
                services.OfferSpec(product=products["Tempe"]),
            ],
        )
        offers = list(cycle.offers.order_by("pk"))
        count = ORDERS_PER_WEEK[week] if past else 6
        for n in range(count):
            member = buyers[(n * 7 + week * 3) % len(buyers)]
            rt: RT = rts.get(member.rt_id) or next(iter(rts.values()))
            picks = [offers[0]] if rng.random() < 0.7 else [offers[1]]
            picks += rng.sample(offers[3:], rng.randint(0, 2))
            lines = [services.LineSpec(offer=o, quantity=rng.randint(1, 2)) for o in picks]
            if rng.random() < 0.4:
                lines.append(services.LineSpec(offer=offers[2], quantity=1, fallback=offers[6]))
            delivery = rng.random() < 0.6
            base = (float(rt.centroid_lat or centre[0]), float(rt.centroid_lon or centre[1]))
            services.order_place(
                actor=member.user,
                marketplace_consent=True,  # the demo buyer ticks the consent box
                cycle=cycle,
                lines=lines,
                fulfilment="delivery" if delivery else "pickup",
                rt=rt,
                address_note="Rumah (demo)" if delivery else "",
                payment_method="qris" if rng.random() < 0.4 else "cod",
                location=(
                    base[0] + rng.uniform(-0.002, 0.002),
                    base[1] + rng.uniform(-0.002, 0.002),
                )
                if delivery
                else None,
                now=opens + dt.timedelta(hours=1 + n),
            )
        Order.objects.filter(cycle=cycle).update(created_at=opens + dt.timedelta(hours=3))
        if not past:
            _voucher_and_aid_orders(demo, kelurahan, operator, cycle, offers[1], rts)
            continue
        services.cycle_close(actor=operator, cycle=cycle, now=opens + dt.timedelta(hours=24))
        services.routes_plan(actor=operator, cycle=cycle, time_limit_s=0.3)
        for order in Order.objects.filter(cycle=cycle, status=OrderStatus.CONFIRMED).order_by("pk"):
            services.dropoff_record(
                actor=operator,
                order=order,
                code=selectors.recipient_code(order),
                cash_collected=order.total if order.payment_method == "cod" else None,
            )
        Order.objects.filter(cycle=cycle).update(delivered_at=opens + dt.timedelta(days=2, hours=3))
        OrderCycle.objects.filter(pk=cycle.pk).update(created_at=opens)
        _ratings(cycle)
        if treasurer is not None and len(approvers) == 2:
            _settle_and_pay(kelurahan, cycle, operator, treasurer, approvers, rng)


def _proof(label: str, rng: Any) -> SimpleUploadedFile:
    """A synthetic transfer slip drawn with Pillow (not a real payment)."""
    return demo_slip(
        f"BUKTI TRANSFER DEMO {label} - sintetis",
        f"bukti-{label}.jpg",
        rng,
        size=(480, 320),
        paper=(244, 248, 252),
        ink=(40, 80, 140),
        rows=4,
    )


def _settle_and_pay(
    kelurahan: Kelurahan,
    cycle: OrderCycle,
    operator: Any,
    treasurer: Any,
    approvers: list[Any],
    rng: Any,
) -> None:
    """The treasurer confirms the QRIS payments, the operator settles the cycle, the cash
    taken at the door goes to the bank, and each UMKM is paid with two approvals."""
    orders = list(Order.objects.filter(cycle=cycle, status=OrderStatus.DELIVERED).order_by("pk"))
    for order in orders:
        if order.payment_method == "qris":
            services.order_payment_confirm(
                actor=treasurer, order=order, receipt=_proof(order.code, rng)
            )
    services.cycle_settle(actor=operator, cycle=cycle)
    cash = sum(o.cash_collected or 0 for o in orders)
    if cash:
        accounts = funds_services.market_accounts(kelurahan=kelurahan)
        funds_services.transfer_internal(
            actor=treasurer,
            kelurahan=kelurahan,
            source=accounts[AccountKind.CASH],
            destination=accounts[AccountKind.BANK],
            amount=cash,
            memo=f"Setoran tunai {cycle.title}",
        )
    for payout in services.cycle_payouts_request(actor=operator, cycle=cycle):
        for approver in approvers:
            services.payout_approve(actor=approver, payout=payout)
        services.payout_pay(actor=treasurer, payout=payout, proof=_proof(f"umkm-{payout.pk}", rng))
    # Its own random stream, so the demo's orders stay those of the shared seed.
    local = random.Random(f"kurir-{cycle.title}")  # noqa: S311 - synthetic demo data
    for courier_payout in services.cycle_courier_payouts_request(actor=operator, cycle=cycle):
        for approver in approvers:
            services.payout_approve(actor=approver, payout=courier_payout)
        services.payout_pay(
            actor=treasurer,
            payout=courier_payout,
            proof=_proof(f"kurir-{courier_payout.pk}", local),
        )


# Stars the demo buyers give (mostly content, some not); comments are short and name nobody.
RATING_STARS = [5, 5, 4, 5, 4, 3, 5, 4, 2, 5]
RATING_COMMENTS = ["Segar, diantar tepat waktu", "Kemasan rapi", "", "Sesuai pesanan", ""]


def _ratings(cycle: OrderCycle) -> None:
    """About two in three buyers of a past cycle rate the UMKM of their delivered order
    (its own random stream, so the demo's orders stay those of the shared seed)."""
    rng = random.Random(f"nilai-{cycle.title}")  # noqa: S311 - synthetic demo data

    for order in Order.objects.filter(cycle=cycle, status=OrderStatus.DELIVERED).order_by("pk"):
        if rng.random() >= 0.65:
            continue
        services.order_rate(
            actor=order.buyer,
            order=order,
            ratings=[
                services.RatingSpec(
                    organisation_id=org.pk,
                    stars=rng.choice(RATING_STARS),
                    comment=rng.choice(RATING_COMMENTS),
                )
                for org in selectors.order_umkm(order=order)
            ],
        )


def _gap_campaign(kelurahan: Kelurahan) -> Any:
    """The sembako campaign (funds demo) fills the open cycle's rice group buy."""
    return (
        funds_selectors.campaign_list(kelurahan=kelurahan, active_only=True)
        .filter(title__icontains="sembako")
        .first()
    )


def _voucher_and_aid_orders(
    demo: DemoContext,
    kelurahan: Kelurahan,
    operator: Any,
    cycle: OrderCycle,
    sembako: Offer,
    rts: dict[Any, RT],
) -> None:
    """In the open cycle: a resident pays the sembako package with an aid voucher, and an
    operator buys one for a food need an activity serves, paid from the aid fund."""
    aid = funds_services.market_accounts(kelurahan=kelurahan)[AccountKind.AID_FUND]
    aid.refresh_from_db()
    rt = next(iter(rts.values()))
    if aid.balance >= 100_000 + 103_000:
        raw = "".join(demo.rng.choice(funds_services.VOUCHER_CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        funds_services.voucher_issue(
            actor=operator,
            source=aid,
            category="sembako",
            value=100_000,
            count=1,
            rt=rt,
            allow_partial=True,
            codes=[code],
        )
        buyer = (
            Membership.objects.active()
            .filter(kelurahan=kelurahan, role=Role.WARGA, rt=rt)
            .select_related("user")
            .order_by("-pk")
            .first()
        )
        if buyer is not None:
            services.order_place(
                actor=buyer.user,
                marketplace_consent=True,
                cycle=cycle,
                lines=[services.LineSpec(offer=sembako, quantity=1)],
                fulfilment="pickup",
                rt=rt,
                payment_method="voucher",
                voucher_code=code,
            )
    link = (
        ActivityNeed.objects.filter(
            activity__kelurahan=kelurahan,
            need__category="pangan",
            activity__status__in=["planned", "in_progress"],
        )
        .select_related("activity", "need__rt")
        .order_by("pk")
        .first()
    )
    if link is None or Order.objects.filter(need_id=link.need_id).exists():
        link = _aid_activity(kelurahan, operator, cycle)
    if link is not None and not Order.objects.filter(need_id=link.need_id).exists():
        services.aid_order_place(
            actor=operator, activity=link.activity, need=link.need, offer=sembako
        )


def _aid_activity(kelurahan: Kelurahan, operator: Any, cycle: OrderCycle) -> Any:
    """A delivery activity for an approved food need: the package comes from the market."""
    need = (
        Need.objects.filter(kelurahan=kelurahan, category="pangan", status="approved")
        .select_related("rt")
        .order_by("pk")
        .first()
    )
    if need is None:
        return None
    starts = timezone.make_aware(
        dt.datetime.combine(cycle.delivery_date, dt.time(9)), timezone.get_current_timezone()
    )
    activity = activity_services.activity_create(
        actor=operator,
        kelurahan=kelurahan,
        rt=need.rt,
        kind="delivery",
        title="Paket sembako dari Pasar Gotong Royong (demo)",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        coordinator=operator,
        needs=[need],
    )
    return ActivityNeed.objects.select_related("activity", "need__rt").get(
        activity=activity, need=need
    )

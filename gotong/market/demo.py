"""Demo market: products of the registry's 10 demo UMKM, two bundles ("paket pasar minggu
ini" and a sembako package), the fee rules, three community couriers, four past weekly
cycles (backdated, with orders, closing, route plans and drop-offs) and one open cycle.

Order counts grow week by week, so the UMKM dashboard shows growth against the baseline.
Skips when the kelurahan already has cycles (idempotent).
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from gotong.accounts.models import Membership, Role
from gotong.core.seeding import DemoContext
from gotong.registry.models import Organisation, OrganisationKind, OrganisationStatus
from gotong.territory.models import RT, Kelurahan

from . import services
from .models import Order, OrderCycle, OrderStatus, Product, ThresholdRule

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


def _holder(kelurahan: Kelurahan, role: str) -> Any:
    membership = (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    user = membership.user
    user.is_verified = lambda: True  # type: ignore[attr-defined]  # as after a TOTP login
    return user


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
    operator = _holder(kelurahan, Role.OPERATOR)
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
            continue
        services.cycle_close(actor=operator, cycle=cycle, now=opens + dt.timedelta(hours=24))
        services.routes_plan(actor=operator, cycle=cycle, time_limit_s=0.3)
        for order in Order.objects.filter(cycle=cycle, status=OrderStatus.CONFIRMED).order_by("pk"):
            services.dropoff_record(
                actor=operator,
                order=order,
                code=services.recipient_code(order),
                cash_collected=order.total if order.payment_method == "cod" else None,
            )
        Order.objects.filter(cycle=cycle).update(delivered_at=opens + dt.timedelta(days=2, hours=3))
        OrderCycle.objects.filter(pk=cycle.pk).update(created_at=opens)

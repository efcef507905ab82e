"""Market test data built through the services: approved UMKM, products, a bundle, a cycle."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gotong.accounts.models import Role
from gotong.registry.models import Organisation, OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.territory.models import RT

from .. import services
from ..models import Bundle, Offer, OrderCycle, Product, ThresholdRule


def verified(user: Any) -> Any:
    """As after a TOTP login (services check officer roles only in a verified session)."""
    user.is_verified = lambda: True
    return user


def umkm(kelurahan: Any, rt: RT | None = None, **fields: Any) -> Organisation:
    return OrganisationFactory(
        kelurahan=kelurahan, status=OrganisationStatus.APPROVED, rt=rt, **fields
    )


@dataclass
class Market:
    operator: Any
    sayur: Organisation
    telur: Organisation
    kerupuk: Organisation
    bayam: Product
    telur_kg: Product
    kerupuk_pack: Product
    beras: Product
    bundle: Bundle
    cycle: OrderCycle
    bundle_offer: Offer
    beras_offer: Offer
    telur_offer: Offer


def market(kelurahan: Any, rt: RT, make_member: Any, *, stock: int = 20) -> Market:
    """Three UMKM, four products, the week's bundle (sayur + telur + kerupuk), and an open
    cycle with a rice sack shared by 10 households (fallback: a kilo of eggs)."""
    operator = verified(make_member(Role.OPERATOR, kelurahan))
    sayur, telur, kerupuk = (umkm(kelurahan, rt) for _ in range(3))
    bayam = services.product_create(
        actor=operator,
        organisation=sayur,
        name="Bayam",
        category="sayur",
        unit="ikat",
        price=3000,
        stock=stock,
    )
    beras = services.product_create(
        actor=operator,
        organisation=sayur,
        name="Beras 5 kg (karung bersama)",
        category="sembako",
        unit="karung",
        price=60000,
        daily_capacity=30,
    )
    telur_kg = services.product_create(
        actor=operator,
        organisation=telur,
        name="Telur",
        category="lauk",
        unit="kg",
        price=28000,
        stock=stock,
        halal_certificate="ID35110000001",
    )
    kerupuk_pack = services.product_create(
        actor=operator,
        organisation=kerupuk,
        name="Kerupuk",
        category="olahan",
        unit="bungkus",
        price=8000,
        daily_capacity=stock,
        pirt_number="2063577010001",
    )
    bundle = services.bundle_create(
        actor=operator,
        kelurahan=kelurahan,
        name="Paket Pasar Minggu Ini",
        category="sembako",
        price=40000,
        components=[
            services.ComponentSpec(bayam, 2, 6000),
            services.ComponentSpec(telur_kg, 1, 27000),
            services.ComponentSpec(kerupuk_pack, 1, 7000),
        ],
    )
    now = timezone.now()
    cycle = services.cycle_open(
        actor=operator,
        kelurahan=kelurahan,
        title="Pasar minggu ini",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=23),
        delivery_date=timezone.localdate() + dt.timedelta(days=2),
        offers=[
            services.OfferSpec(bundle=bundle),
            services.OfferSpec(product=beras, threshold=10, threshold_rule=ThresholdRule.FALLBACK),
            services.OfferSpec(product=telur_kg),
        ],
    )
    offers = {o.bundle_id or o.product_id: o for o in cycle.offers.all()}
    return Market(
        operator,
        sayur,
        telur,
        kerupuk,
        bayam,
        telur_kg,
        kerupuk_pack,
        beras,
        bundle,
        cycle,
        offers[bundle.pk],
        offers[beras.pk],
        offers[telur_kg.pk],
    )

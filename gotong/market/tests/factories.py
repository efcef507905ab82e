"""Market test data built through the services (approved UMKM, products, a bundle, a cycle,
orders, deliveries, vouchers) and the checks and page helpers several test modules share."""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import qriskit
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from gotong.accounts.models import Role
from gotong.funds import selectors as funds_selectors
from gotong.funds import services as funds_services
from gotong.funds.models import Account, AccountKind, Transfer, TransferKind
from gotong.funds.tests.factories import confirmed_donation
from gotong.registry.models import Organisation, OrganisationStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.territory.models import RT

from .. import selectors, services
from ..models import Bundle, Offer, Order, OrderCycle, OrderStatus, Product, ThresholdRule


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


class Officers:
    """The treasurer, an admin and the lurah of the kelurahan (TOTP-verified)."""

    def __init__(self, kelurahan: Any, make_member: Any) -> None:
        self.treasurer = verified(make_member(Role.BENDAHARA, kelurahan))
        self.admin = verified(make_member(Role.ADMIN, kelurahan))
        self.lurah = verified(make_member(Role.LURAH, kelurahan))


def order_for(world: Market, buyer: Any, rt: Any, *lines: tuple[Any, int], **kw: Any) -> Order:
    """A resident's order of the world's cycle (``fb<i>=offer``: line i's fallback)."""
    specs = [
        services.LineSpec(offer=o, quantity=q, fallback=kw.pop(f"fb{i}", None))
        for i, (o, q) in enumerate(lines)
    ]
    kw.setdefault("fulfilment", "delivery")
    kw.setdefault("address_note", "Gang Mawar 3")
    return services.order_place(actor=buyer, cycle=world.cycle, lines=specs, rt=rt, **kw)


def deliver_all(world: Market, actor: Any = None) -> None:
    """Record every confirmed order of the cycle delivered, by code (and the cash due)."""
    for order in Order.objects.filter(cycle=world.cycle, status=OrderStatus.CONFIRMED):
        cash = order.balance_due if order.payment_method in ("cod", "voucher") else None
        services.dropoff_record(
            actor=actor or world.operator,
            order=order,
            code=selectors.recipient_code(order),
            cash_collected=cash or None,
        )
    world.cycle.refresh_from_db()


def delivered_order(world: Market, buyer: Any, rt: Any) -> Order:
    """A bundle order of ``buyer``, the cycle closed and every order delivered."""
    order = order_for(world, buyer, rt, (world.bundle_offer, 1))
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    deliver_all(world)
    order.refresh_from_db()
    return order


def stars_for(world: Market, **by_org: int) -> list[services.RatingSpec]:
    """Rating specs by UMKM nickname (sayur, telur, kerupuk)."""
    orgs = {"sayur": world.sayur, "telur": world.telur, "kerupuk": world.kerupuk}
    return [services.RatingSpec(orgs[k].pk, v) for k, v in by_org.items()]


def ledger_account(kelurahan: Any, kind: str) -> Account:
    return funds_services.market_accounts(kelurahan=kelurahan)[kind]


def balance_of(account: Account) -> int:
    account.refresh_from_db()
    return account.balance


def settlement_matches_breakdown(world: Market) -> Transfer:
    """The settlement transfer sums to zero and posts exactly the public breakdown."""
    kelurahan = world.cycle.kelurahan
    world.cycle.refresh_from_db()
    transfer = Transfer.objects.get(pk=world.cycle.settlement_transfer_id or 0)
    assert transfer.kind == TransferKind.MARKET_SETTLEMENT
    postings = {p.account_id: p.amount for p in transfer.postings.all()}
    assert sum(postings.values()) == 0
    split = selectors.cycle_breakdown(cycle=world.cycle)
    assert split.balance == 0
    assert postings[ledger_account(kelurahan, AccountKind.MARKET_CLEARING).pk] == split.buyers_paid
    # An account with nothing to receive is not posted to (e.g. no operations fee when
    # aid money paid everything).
    operations = postings.get(ledger_account(kelurahan, AccountKind.OPERATIONAL_FUND).pk, 0)
    assert operations == -(split.operations_fee + split.delivery_to_operations)
    couriers = postings.get(ledger_account(kelurahan, AccountKind.COURIER_PAYABLE).pk, 0)
    assert couriers == -split.courier_share
    owed = {
        a.organisation_id: postings[a.pk]
        for a in Account.objects.filter(pk__in=postings, kind=AccountKind.UMKM_PAYABLE)
    }
    assert owed == {
        pk: -net for pk, (_n, _g, _f, net) in zip(split.umkm_ids, split.umkm, strict=True)
    }
    assert funds_selectors.ledger_reconcile(kelurahan=kelurahan).balanced
    return transfer


def voucher_code_for(
    world: Market, officers: Officers, rt: Any, value: int, *, partial: bool = False
) -> str:
    """The code of a fresh sembako voucher of ``value`` paid from a funded aid fund."""
    kelurahan = world.cycle.kelurahan
    confirmed_donation(officers.treasurer, officers.admin, kelurahan, 1_000_000, target="aid_fund")
    aid = ledger_account(kelurahan, AccountKind.AID_FUND)
    [(_v, code)] = funds_services.voucher_issue(
        actor=world.operator,
        source=aid,
        category="sembako",
        value=value,
        count=1,
        rt=rt,
        allow_partial=partial,
    )
    return code


def static_qris() -> str:
    """A valid static QRIS payload (for the kelurahan's funds profile)."""
    return str(
        qriskit.build(
            merchant_name="KEL UJI",
            merchant_city="MADIUN",
            mcc="9399",
            postal_code="63139",
            accounts=[qriskit.MerchantAccount.national(nmid="ID1099900000009", criteria="UMI")],
        )
    )


def anonymous_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_url(name: str, kelurahan: Any, **kwargs: Any) -> str:
    return reverse(f"market:{name}", kwargs={"slug": kelurahan.slug, **kwargs})


def jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (900, 600), (30, 160, 60))
    ImageDraw.Draw(image).ellipse((100, 100, 500, 400), fill=(200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    return SimpleUploadedFile("bayam.jpg", raw.getvalue(), content_type="image/jpeg")


def alert_shown(response: Any) -> bool:
    return 'role="alert"' in response.content.decode()


def closed_with_orders(world: Market, rt: Any, make_member: Any, n: int = 3) -> list[Order]:
    orders = [
        services.order_place(
            actor=make_member(Role.WARGA, rt),
            cycle=world.cycle,
            lines=[services.LineSpec(offer=world.bundle_offer, quantity=1)],
            fulfilment="delivery",
            rt=rt,
            address_note=f"Gang Melati {i}",
            location=(-7.63 + i / 1000, 111.52),
        )
        for i in range(n)
    ]
    services.cycle_close(actor=world.operator, cycle=world.cycle)
    return orders

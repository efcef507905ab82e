"""Pasar Gotong Royong: UMKM products, weekly order cycles with bundles and bulk
thresholds, residents' orders, community couriers and their routes.

Stock is counted per cycle and product (``CycleStock``): a database check keeps ``used``
at or under ``limit``, and orders take stock with a conditional UPDATE, so no amount of
concurrency oversells even where row locks are ignored (SQLite).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel


class ProductCategory(models.TextChoices):
    SAYUR = "sayur", _("Vegetables and fruit")
    LAUK = "lauk", _("Eggs, meat and fish")
    SEMBAKO = "sembako", _("Staple food (sembako)")
    OLAHAN = "olahan", _("Snacks and prepared food")
    BUMBU = "bumbu", _("Spices and seasoning")
    MINUMAN = "minuman", _("Drinks")
    KEBUTUHAN = "kebutuhan", _("Household needs")
    KERAJINAN = "kerajinan", _("Crafts")
    JASA = "jasa", _("Services")


# Categories that can serve a need (aid categories): product category -> need category.
AID_CATEGORIES = {ProductCategory.SEMBAKO: "pangan", ProductCategory.KEBUTUHAN: "barang"}
# Which aid voucher category (funds) may pay for an item of a product category; items of
# other categories cannot be paid with a voucher.
VOUCHER_CATEGORIES = {ProductCategory.SEMBAKO.value: "sembako"}


class MarketSettings(BaseModel):
    """A kelurahan's public fee rules: shown on the catalogue before anyone orders."""

    kelurahan = models.OneToOneField(
        "territory.Kelurahan", on_delete=models.CASCADE, related_name="+"
    )
    operations_fee_bp = models.PositiveIntegerField(
        _("operations fee (basis points of the goods total)"),
        default=500,
        help_text=_("500 = 5% of the goods total, kept for running the platform"),
    )
    delivery_fee = models.PositiveIntegerField(
        _("delivery fee per delivered order (Rp)"), default=5000
    )
    courier_share_bp = models.PositiveIntegerField(
        _("courier's share of the delivery fee (basis points)"), default=10000
    )
    baseline_cycles = models.PositiveSmallIntegerField(
        _("cycles in the baseline period"), default=2
    )

    class Meta:
        verbose_name = _("market settings")
        verbose_name_plural = _("market settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(operations_fee_bp__lte=3000), name="market_ops_fee_at_most_30pct"
            ),
            models.CheckConstraint(
                condition=Q(courier_share_bp__lte=10000), name="market_courier_share_le_100pct"
            ),
        ]


class Seller(BaseModel):
    """A user who manages the products of one UMKM (given by an operator)."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="market_seller_unique")
        ]


class Product(BaseModel):
    """What a UMKM offers: price per unit, stock or daily capacity, certificates, photo."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=ProductCategory.choices)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. ikat, kg, butir, bungkus"))
    price = models.PositiveIntegerField(_("price (Rp)"))
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Units in stock; empty: made to order")
    )
    daily_capacity = models.PositiveIntegerField(
        _("daily capacity"), null=True, blank=True, help_text=_("Units the UMKM can make a day")
    )
    halal_certificate = models.CharField(_("halal certificate no."), max_length=40, blank=True)
    pirt_number = models.CharField(_("P-IRT no."), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    photo_name = models.CharField(max_length=120, blank=True, editable=False)
    photo_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["kelurahan", "is_active", "category"])]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="market_product_price_positive"),
            models.CheckConstraint(
                condition=Q(stock__isnull=False) | Q(daily_capacity__isnull=False),
                name="market_product_stock_or_capacity",
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"], name="market_product_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Bundle(BaseModel):
    """A package of several UMKM's products at one price, split per UMKM as stated."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=ProductCategory.choices)
    price = models.PositiveIntegerField(_("price (Rp)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="market_bundle_price_positive"),
            models.UniqueConstraint(fields=["kelurahan", "name"], name="market_bundle_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BundleComponent(models.Model):
    """One product in a bundle and the part of the price its UMKM receives."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="components")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    share = models.PositiveIntegerField(_("UMKM's share (Rp)"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="market_component_qty_pos"),
            models.UniqueConstraint(fields=["bundle", "product"], name="market_component_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x product {self.product_id}"


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open for orders")
    CLOSED = "closed", _("Closed, being prepared")
    FULFILLED = "fulfilled", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class OrderCycle(BaseModel):
    """A weekly round of pooled orders: a window, a delivery day, UMKM and offers."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    opens_at = models.DateTimeField(_("orders open"))
    closes_at = models.DateTimeField(_("orders close"))
    delivery_date = models.DateField(_("pickup / delivery date"))
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    sellers = models.ManyToManyField("registry.Organisation", related_name="+", blank=True)
    hub_lat = models.FloatField(_("hub latitude"), null=True, blank=True)
    hub_lon = models.FloatField(_("hub longitude"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Settlement: the ledger transfer that paid the UMKM, couriers and operations.
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settlement_transfer_id = models.PositiveIntegerField(null=True, blank=True)
    # The fee rules in force when the cycle opened (copied from ``MarketSettings``): its
    # order totals, public breakdown and settlement use these, so changing the rules
    # later does not change a past cycle.
    operations_fee_bp = models.PositiveIntegerField(
        _("operations fee (basis points of the goods total)"), default=500
    )
    delivery_fee = models.PositiveIntegerField(
        _("delivery fee per delivered order (Rp)"), default=5000
    )
    courier_share_bp = models.PositiveIntegerField(
        _("courier's share of the delivery fee (basis points)"), default=10000
    )
    # Aid money (aid orders, the voucher-paid part of an order) pays no operations fee
    # and none of it goes to the operational fund (issue 7: operational and aid money
    # kept apart). Cycles settled before this rule keep False, so their breakdown still
    # equals the settlement they posted (migration 0004).
    aid_fee_exempt = models.BooleanField(_("no operations fee on aid money"), default=True)

    class Meta:
        verbose_name = _("order cycle")
        verbose_name_plural = _("order cycles")
        ordering = ["-opens_at"]
        indexes = [models.Index(fields=["kelurahan", "status", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="market_cycle_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(operations_fee_bp__lte=3000), name="market_cycle_ops_fee_le_30pct"
            ),
            models.CheckConstraint(
                condition=Q(courier_share_bp__lte=10000), name="market_cycle_courier_le_100pct"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ThresholdRule(models.TextChoices):
    CONFIRM = "confirm", _("Go ahead anyway")
    FALLBACK = "fallback", _("Give the buyer's fallback item")
    CANCEL = "cancel", _("Cancel the line and refund")


class Offer(models.Model):
    """A product or a bundle on sale in a cycle, optionally with a bulk threshold."""

    cycle = models.ForeignKey(OrderCycle, on_delete=models.CASCADE, related_name="offers")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, null=True, blank=True)
    price = models.PositiveIntegerField(_("price (Rp)"))
    threshold = models.PositiveIntegerField(
        _("bulk threshold"), null=True, blank=True, help_text=_("Units the group must reach")
    )
    threshold_rule = models.CharField(
        _("if the threshold is not reached"),
        max_length=10,
        choices=ThresholdRule.choices,
        default=ThresholdRule.CANCEL,
    )
    ordered = models.PositiveIntegerField(default=0)
    threshold_met = models.BooleanField(null=True, blank=True)
    # A funds campaign that buys the missing units for households with open needs when
    # the group falls short at closing (if its balance allows); units it bought.
    gap_campaign_id = models.PositiveIntegerField(null=True, blank=True)
    gap_filled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(bundle__isnull=True))
                | (Q(product__isnull=True) & Q(bundle__isnull=False)),
                name="market_offer_product_xor_bundle",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="market_offer_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.bundle.name if self.bundle_id else self.product.name  # type: ignore[union-attr]


class CycleStock(models.Model):
    """How many units of a product the cycle may sell, and how many are taken."""

    cycle = models.ForeignKey(OrderCycle, on_delete=models.CASCADE, related_name="stocks")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    limit = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "product"], name="market_cyclestock_unique"),
            models.CheckConstraint(condition=Q(used__lte=F("limit")), name="market_no_oversell"),
        ]

    def __str__(self) -> str:
        return f"{self.used}/{self.limit}"


class Fulfilment(models.TextChoices):
    PICKUP = "pickup", _("Pick up at the RT point")
    DELIVERY = "delivery", _("Deliver to my house")


class PaymentMethod(models.TextChoices):
    QRIS = "qris", _("QRIS")
    COD = "cod", _("Cash on delivery")
    VOUCHER = "voucher", _("Aid voucher")
    AID = "aid", _("Aid fund (for a need)")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    CONFIRMED = "confirmed", _("Confirmed")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Order(BaseModel):
    """A resident's order in one cycle (or an aid order for a need)."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(OrderCycle, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="market_orders"
    )
    code = models.CharField(max_length=12, unique=True)
    fulfilment = models.CharField(
        _("pickup or delivery"), max_length=10, choices=Fulfilment.choices
    )
    rt = models.ForeignKey("territory.RT", on_delete=models.PROTECT, related_name="+")
    address_note = models.CharField(_("address / landmark"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    payment_method = models.CharField(
        _("payment"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.COD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    goods_total = models.PositiveIntegerField(default=0)
    delivery_fee = models.PositiveIntegerField(default=0)
    refund_total = models.PositiveIntegerField(default=0)
    need_id = models.PositiveIntegerField(null=True, blank=True)
    cash_collected = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_proof = models.CharField(max_length=40, blank=True)
    # Payment through the funds ledger: money received into the market clearing account
    # (QRIS confirmed by the treasurer, voucher, aid source, cash at the door) and money
    # given back (refunds); the funds voucher or aid account that paid.
    paid_amount = models.PositiveIntegerField(default=0)
    returned_amount = models.PositiveIntegerField(default=0)
    voucher_amount = models.PositiveIntegerField(default=0)
    voucher_id = models.PositiveIntegerField(null=True, blank=True)
    aid_account_id = models.PositiveIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_receipt = models.CharField(max_length=16, blank=True)
    # The funds bank-statement line that evidenced a QRIS payment (statement import).
    payment_statement_line_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kelurahan", "cycle", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_total__lte=F("goods_total")), name="market_refund_le_goods"
            ),
            models.CheckConstraint(
                condition=Q(returned_amount__lte=F("paid_amount")),
                name="market_returned_le_paid",
            ),
        ]

    @property
    def total(self) -> int:
        return self.goods_total - self.refund_total + self.delivery_fee

    @property
    def payment_reference(self) -> str:
        """What the buyer writes in a transfer and what the QRIS carries (tag 62.05)."""
        return self.code

    @property
    def paid_net(self) -> int:
        return self.paid_amount - self.returned_amount

    @property
    def amount_owed(self) -> int:
        """What the order still costs once delivered (0 when cancelled)."""
        return 0 if self.status == OrderStatus.CANCELLED else self.total

    @property
    def balance_due(self) -> int:
        """Still to pay (by QRIS, or in cash at the door)."""
        return max(0, self.amount_owed - self.paid_net)

    @property
    def cash_to_collect(self) -> int:
        """What the courier collects at the door: the rest of a cash-on-delivery order or of
        an order a voucher paid only in part (a QRIS order is paid by QRIS, never in cash)."""
        if self.payment_method in (PaymentMethod.COD, PaymentMethod.VOUCHER):
            return self.balance_due
        return 0

    @property
    def refund_owed(self) -> int:
        """Paid beyond what the order costs after closing: to give back."""
        return max(0, self.paid_net - self.amount_owed)


class LineStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    CONFIRMED = "confirmed", _("Confirmed")
    FALLBACK = "fallback", _("Replaced by your fallback item")
    CANCELLED = "cancelled", _("Cancelled and refunded")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.PositiveIntegerField()
    fallback_offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=LineStatus.choices, default=LineStatus.PLACED)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="market_line_qty_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x offer {self.offer_id}"

    @property
    def line_total(self) -> int:
        return self.quantity * self.unit_price


class Courier(BaseModel):
    """A volunteer or paid community courier with how many packages they can carry."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    label = models.CharField(_("name on the route sheet"), max_length=60)
    capacity = models.PositiveSmallIntegerField(_("packages per trip"))
    is_paid = models.BooleanField(_("paid courier"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        ordering = ["label"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="market_courier_capacity_pos")
        ]

    def __str__(self) -> str:
        return self.label


class RoutePlan(BaseModel):
    """One courier's route in a cycle: pick-ups at the UMKM, then the drop-offs."""

    cycle = models.ForeignKey(OrderCycle, on_delete=models.CASCADE, related_name="routes")
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    distance_m = models.PositiveIntegerField(default=0)
    load = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "courier"], name="market_route_unique")
        ]


class StopKind(models.TextChoices):
    PICKUP = "pickup", _("Pick up")
    DROP = "drop", _("Drop off")


class RouteStop(models.Model):
    plan = models.ForeignKey(RoutePlan, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=6, choices=StopKind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rt = models.ForeignKey(
        "territory.RT", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    orders = models.ManyToManyField(Order, related_name="stops", blank=True)
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        ordering = ["plan_id", "sequence"]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.kind}"


class _SettlementPayout(models.Model):
    """What a cycle's settlement credited a payee, and the id of the funds disbursement
    that pays it out (none until an officer asks for it)."""

    amount = models.PositiveIntegerField()
    disbursement_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]


class CyclePayout(_SettlementPayout):
    """What a cycle's settlement credited one UMKM's payable, and the funds disbursement
    (UMKM settlement) that pays it out: two officers approve, the treasurer pays with proof."""

    cycle = models.ForeignKey(OrderCycle, on_delete=models.PROTECT, related_name="payouts")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    class Meta(_SettlementPayout.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="market_payout_once_per_cycle"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="market_payout_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.organisation_id}: {self.amount}"


class CourierPayout(_SettlementPayout):
    """A courier's part of what a cycle's settlement credited the couriers' payable (their
    share of the delivery fees of the orders on their routes), and the funds disbursement
    that pays it: two other officers approve, the treasurer pays with proof."""

    cycle = models.ForeignKey(OrderCycle, on_delete=models.PROTECT, related_name="courier_payouts")
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="+")
    deliveries = models.PositiveIntegerField(default=0)

    class Meta(_SettlementPayout.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "courier"], name="market_courier_payout_once_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="market_courier_payout_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/courier {self.courier_id}: {self.amount}"


class OrderRating(models.Model):
    """A buyer's stars (1-5) for one UMKM of a delivered order, given once per order.

    Decision: per UMKM in the order (a bundle brings goods of several UMKM, and one bad
    item should not lower the others). The comment is shown only to that UMKM and the
    officers, without the buyer's name, and never logged; the public sees an average."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="ratings")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kelurahan", "organisation"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "organisation"], name="market_rating_once_per_order_umkm"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="market_rating_stars_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id} / {self.organisation_id}: {self.stars}"

"""Helpers the market's use-case modules share: input checks, the log entry, stock taken and
released with conditional UPDATEs, and the market's postings into the funds ledger
(voucher and aid payments, cash at the door, what goes back to a voucher or aid source).

Money of the market moves through the funds ledger (``gotong.funds.services``): every
payment goes into the market clearing account, the settlement pays it out."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts import selectors as accounts_selectors
from gotong.accounts import services as accounts_services
from gotong.accounts.models import Role
from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.funds import selectors as funds_selectors
from gotong.funds.models import AID_SOURCES as FUNDS_AID_SOURCES
from gotong.funds.models import AccountKind as FundsAccountKind
from gotong.funds.models import TransferKind as FundsTransferKind
from gotong.funds.services import market_port as funds_services
from gotong.registry.models import Organisation, OrganisationKind, OrganisationStatus
from gotong.territory.models import Kelurahan
from gotong.transparency.services import entry_record

from ..models import (
    AID_CATEGORIES,
    VOUCHER_CATEGORIES,
    CycleStock,
    Offer,
    Order,
    OrderCycle,
    PaymentMethod,
    Seller,
)
from ..selectors import (
    user_is_officer,
)

MAX_PRICE = 50_000_000


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _log(kelurahan: Kelurahan, type: str, actor: Any, subject: str, data: dict[str, Any]) -> None:
    entry_record(kelurahan=kelurahan, type=type, actor=_user(actor), subject=subject, data=data)


def _seller_check(actor: Any, organisation: Organisation) -> None:
    """The actor manages this UMKM's products (an operator manages any)."""
    permission_require(actor, "market.sell", organisation.kelurahan)
    if user_is_officer(kelurahan=organisation.kelurahan, user=actor):
        return
    if not Seller.objects.filter(organisation=organisation, user=actor).exists():
        raise PermissionDenied(_("You do not manage the products of this UMKM."))


def _umkm_approved(organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.UMKM:
        raise ValidationFailed(_("Only a UMKM can sell in the market."), {"field": "organisation"})
    if organisation.status != OrganisationStatus.APPROVED:
        raise ValidationFailed(
            _("This UMKM has not been approved by an operator yet, so it cannot list products."),
            {"field": "organisation"},
        )


def _price_check(price: Any, field: str = "price") -> int:
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0 or price > MAX_PRICE:
        raise ValidationFailed(
            _("The price must be a whole number of rupiah above zero."), {"field": field}
        )
    return price


def _text(value: str, field: str, *, low: int, high: int, message: Any) -> str:
    value = " ".join((value or "").split())
    if not low <= len(value) <= high:
        raise ValidationFailed(message, {"field": field})
    return value


def _member_for_phone(*, actor: Any, kelurahan: Kelurahan, phone: str, role: Role) -> Any:
    """The account of a phone number holding ``role`` in the kelurahan; the role is granted
    kelurahan-wide through the accounts service (which checks the actor may give it) when
    missing. A seller needs it kelurahan-wide (products are checked against the kelurahan);
    for a courier (volunteer) any RT or RW of the kelurahan will do."""
    user = accounts_services.user_get_or_create(phone=phone)
    held = any(
        m.role == role
        and m.kelurahan_id == kelurahan.pk
        and (m.rw_id is None or role == Role.RELAWAN)
        for m in accounts_selectors.user_memberships(user=user)
    )
    if not held:
        accounts_services.membership_grant(
            actor=actor, kelurahan=kelurahan, phone=user.phone, role=role
        )
    return user


def _needed(offer: Offer, quantity: int) -> dict[int, int]:
    """Units of each product an offer line takes."""
    if offer.product_id:
        return {offer.product_id: quantity}
    return {c.product_id: c.quantity * quantity for c in offer.bundle.components.all()}  # type: ignore[union-attr]


def _stock_take(cycle: OrderCycle, needed: dict[int, int]) -> None:
    """Take stock for every product or refuse; the caller's transaction rolls back."""
    rows = list(
        CycleStock.objects.select_for_update()
        .filter(cycle=cycle, product_id__in=needed)
        .select_related("product")
        .order_by("pk")
    )
    if len(rows) != len(needed):
        raise NotFound(_("A product is not on offer in this cycle."), {"field": "lines"})
    for row in rows:
        amount = needed[row.product_id]
        taken = CycleStock.objects.filter(pk=row.pk, used__lte=F("limit") - amount).update(
            used=F("used") + amount
        )
        if not taken:
            row.refresh_from_db(fields=["used", "limit"])
            raise Conflict(
                _("Not enough %(name)s left: %(left)s %(unit)s.")
                % {
                    "name": row.product.name,
                    "left": row.limit - row.used,
                    "unit": row.product.unit,
                },
                {"field": "lines", "product": row.product_id, "left": row.limit - row.used},
            )


def _stock_release(cycle: OrderCycle, needed: dict[int, int]) -> None:
    for product_id, amount in sorted(needed.items()):
        CycleStock.objects.filter(cycle=cycle, product_id=product_id).update(
            used=F("used") - amount
        )


def _accounts(kelurahan: Kelurahan) -> dict[str, Any]:
    return funds_services.market_accounts(kelurahan=kelurahan)


def _order_locked(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",)).select_related("kelurahan").get(pk=order.pk)
    )


def _paid(order: Order, amount: int, at: dt.datetime, **fields: Any) -> None:
    Order.objects.filter(pk=order.pk).update(
        paid_amount=F("paid_amount") + amount, paid_at=at, updated_at=timezone.now(), **fields
    )


def _paid_logged(
    actor: Any,
    kelurahan: Kelurahan,
    order: Order,
    *,
    method: str,
    amount: int,
    transfer: Any,
    at: dt.datetime,
    logged: dict[str, Any] | None = None,
    refresh: bool = True,
    **fields: Any,
) -> None:
    """Record ``amount`` paid on the order through ``transfer`` (``fields`` too), read the
    order again unless ``refresh`` is off, and log the payment (``logged`` adds to it)."""
    _paid(order, amount, at, **fields)
    if refresh:
        order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_paid",
        actor,
        f"order:{order.pk}",
        {
            "method": method,
            "amount": amount,
            "transfer": f"transfer:{transfer.pk}",
            **(logged or {}),
        },
    )


def _item_voucher_category(offer: Offer) -> str:
    item: Any = offer.bundle or offer.product
    return VOUCHER_CATEGORIES.get(str(item.category), "")


def _voucher_pay(actor: Any, order: Order, code: str, offers: Sequence[Offer]) -> None:
    """Pay ``order`` with an aid voucher through the funds rules (or refuse it all)."""
    items = [(o.name, _item_voucher_category(o)) for o in offers]
    redemption = funds_services.voucher_market_pay(
        actor=actor,
        kelurahan=order.kelurahan,
        code=code,
        items=items,
        amount_max=order.total,
        market_order_id=order.pk,
    )
    _paid(
        order,
        redemption.amount,
        redemption.created_at,
        voucher_id=redemption.voucher_id,
        voucher_amount=redemption.amount,
    )
    order.refresh_from_db()
    _log(
        order.kelurahan,
        "market.order_paid",
        actor,
        f"order:{order.pk}",
        {
            "method": PaymentMethod.VOUCHER,
            "amount": redemption.amount,
            "transfer": f"transfer:{redemption.transfer_id}",
            "cash_due": order.balance_due,
        },
    )


def _aid_pay(actor: Any, order: Order, source: Any, *, activity_id: int | None) -> None:
    """Pay an aid order from the aid fund or a campaign (earmark checked); it counts as
    spent on aid, for the activity when there is one."""
    kelurahan = order.kelurahan
    accounts = _accounts(kelurahan)
    source = source if source is not None else accounts[FundsAccountKind.AID_FUND]
    if source.kelurahan_id != kelurahan.pk or source.kind not in FUNDS_AID_SOURCES:
        raise ValidationFailed(
            _("Aid is paid from the aid fund or a campaign."), {"field": "source"}
        )
    category = next(
        (
            _item_voucher_category(line.offer)
            for line in order.lines.select_related("offer__product", "offer__bundle")
        ),
        "",
    )
    funds_services.earmark_check(
        account=source, category=category or "lainnya", activity_id=activity_id, rt=order.rt
    )
    campaign = funds_selectors.campaign_list(kelurahan=kelurahan).filter(account=source).first()
    amount = order.balance_due
    transfer = funds_services.transfer_post(
        kelurahan=kelurahan,
        kind=FundsTransferKind.SPEND,
        postings=[(source, amount), (accounts[FundsAccountKind.MARKET_CLEARING], -amount)],
        actor=actor,
        memo=f"Pasar {order.code}",
        campaign=campaign,
        activity_id=activity_id,
        log_data={"market_order": f"order:{order.pk}", "need": f"need:{order.need_id}"},
    )
    _paid_logged(
        actor,
        kelurahan,
        order,
        method=PaymentMethod.AID,
        amount=amount,
        transfer=transfer,
        at=transfer.created_at,
        aid_account_id=source.pk,
    )


def _returned(order: Order, amount: int) -> None:
    if not Order.objects.filter(pk=order.pk, returned_amount=order.returned_amount).update(
        returned_amount=F("returned_amount") + amount, updated_at=timezone.now()
    ):
        raise Conflict(_("This refund was already made."), {"field": "order"})


def _prepaid_return(actor: Any, order: Order) -> None:
    """What a voucher or aid order no longer costs goes back automatically: to the
    voucher (or its source once expired), or to the aid fund or campaign that paid."""
    order = _order_locked(order)
    owed = order.refund_owed
    if owed <= 0 or order.payment_method not in (PaymentMethod.VOUCHER, PaymentMethod.AID):
        return
    kelurahan = order.kelurahan
    if order.payment_method == PaymentMethod.VOUCHER and order.voucher_id:
        transfer = funds_services.voucher_market_refund(
            actor=actor,
            kelurahan=kelurahan,
            voucher_id=order.voucher_id,
            amount=owed,
            market_order_id=order.pk,
        )
        to = "voucher"
    elif order.payment_method == PaymentMethod.AID and order.aid_account_id:
        source = funds_selectors.account_get(kelurahan=kelurahan, pk=order.aid_account_id)
        transfer = funds_services.transfer_post(
            kelurahan=kelurahan,
            kind=FundsTransferKind.MARKET_REFUND,
            postings=[
                (_accounts(kelurahan)[FundsAccountKind.MARKET_CLEARING], owed),
                (source, -owed),
            ],
            actor=actor,
            memo=f"Pasar {order.code}",
            campaign=funds_selectors.campaign_list(kelurahan=kelurahan)
            .filter(account=source)
            .first(),
            log_data={"market_order": f"order:{order.pk}"},
        )
        to = "aid_source"
    else:
        return
    _returned(order, owed)
    _log(
        kelurahan,
        "market.order_refunded",
        actor,
        f"order:{order.pk}",
        {"amount": owed, "to": to, "transfer": f"transfer:{transfer.pk}"},
    )


def _cash_receive(actor: Any, order: Order, amount: int, at: dt.datetime) -> None:
    """Cash taken at the door goes into the cash box, held for the cycle's settlement."""
    accounts = _accounts(order.kelurahan)
    transfer = funds_services.transfer_post(
        kelurahan=order.kelurahan,
        kind=FundsTransferKind.MARKET_PAYMENT,
        postings=[
            (accounts[FundsAccountKind.CASH], amount),
            (accounts[FundsAccountKind.MARKET_CLEARING], -amount),
        ],
        actor=actor,
        memo=f"Pasar {order.code}",
        log_data={"market_order": f"order:{order.pk}", "channel": "cash"},
        at=at,
    )
    _paid_logged(
        actor,
        order.kelurahan,
        order,
        method="cash",
        amount=amount,
        transfer=transfer,
        at=at,
        refresh=False,
    )


def _gap_campaign_check(
    kelurahan: Kelurahan, campaign: Any, item: Any, threshold: int | None
) -> None:
    if campaign.kelurahan_id != kelurahan.pk:
        raise NotFound(_("That campaign is not in this kelurahan."), {"field": "gap_campaign"})
    if threshold is None:
        raise ValidationFailed(
            _("Only a group buy with a threshold can have a campaign fill its gap."),
            {"field": "gap_campaign"},
        )
    if str(item.category) not in {str(k) for k in AID_CATEGORIES}:
        raise ValidationFailed(
            _("A campaign fills the gap only for aid items (sembako, household needs)."),
            {"field": "gap_campaign"},
        )

"""The money page of a cycle (linked from the cycle sheet): how each order is paid (the
treasurer confirms QRIS payments and pays back refunds, with a photo), the settlement
into the ledger (the public fee split, posted once), and the UMKM and courier payouts
(asked for by an operator, approved by two other officers, paid by the treasurer with
proof). Thin: the rules are in ``services``; each action is one POST with ``action``."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds
from gotong.core.exceptions import ApplicationError, PermissionDenied
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refused

from . import selectors, services
from .models import OrderStatus

MONEY_PERMISSIONS = ("market.manage", "funds.treasury", "funds.approve", "funds.operate")


def _order(cycle: Any, pk: str | None) -> Any:
    order = selectors.cycle_orders_payments(cycle=cycle).filter(pk=int(pk or 0)).first()
    if order is None:
        raise PermissionDenied(_("This order is not in this cycle."))
    return order


def _act(request: HttpRequest, cycle: Any) -> str:
    """Run one action of the money page; the success message."""
    post, files, user = request.POST, request.FILES, request.user
    action = post.get("action", "")
    key = post.get("idempotency_key") or None
    if action == "confirm":
        order = services.order_payment_confirm(
            actor=user,
            order=_order(cycle, post.get("order")),
            amount=post.get("amount") or None,
            receipt=files.get("receipt"),
            idempotency_key=key,
        )
        return _("Payment of %(code)s confirmed.") % {"code": order.code}
    if action == "refund":
        order = services.order_refund_pay(
            actor=user,
            order=_order(cycle, post.get("order")),
            proof=files.get("receipt"),
            idempotency_key=key,
        )
        return _("Refund of %(code)s paid.") % {"code": order.code}
    if action == "settle":
        services.cycle_settle(actor=user, cycle=cycle, idempotency_key=key)
        return _("The cycle is settled in the ledger.")
    if action == "payouts":
        services.cycle_payouts_request(
            actor=user, cycle=cycle, pay_by_cash=post.get("pay_by_cash") == "1"
        )
        return _("Payouts requested; two other officers approve them.")
    if action == "courier_payouts":
        services.cycle_courier_payouts_request(
            actor=user, cycle=cycle, pay_by_cash=post.get("pay_by_cash") == "1"
        )
        return _("Courier payouts requested; two other officers approve them.")
    payout: Any
    if post.get("courier_payout"):
        payout = selectors.courier_payout_get(cycle=cycle, pk=int(post.get("courier_payout") or 0))
    else:
        payout = selectors.payout_get(cycle=cycle, pk=int(post.get("payout") or 0))
    if action == "approve":
        services.payout_approve(actor=user, payout=payout)
        return _("Payout approved.")
    if action == "pay":
        services.payout_pay(
            actor=user, payout=payout, proof=files.get("receipt"), idempotency_key=key
        )
        return _("Payout paid.")
    raise PermissionDenied(_("Unknown action."))


@login_required
def cycle_money(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """Payments, settlement and UMKM payouts of one cycle (officers and the treasurer)."""
    kelurahan = request_kelurahan(request)
    user = request.user
    try:
        if not any(permission_holds(user, perm, kelurahan) for perm in MONEY_PERMISSIONS):
            raise PermissionDenied(_("Only officers and the treasurer see the cycle's money."))
        cycle = selectors.cycle_get(kelurahan=kelurahan, pk=cycle_id)
    except ApplicationError as exc:
        return refused(request, exc)
    if request.method == "POST":
        try:
            messages.success(request, _act(request, cycle))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("market:cycle_money", slug=kelurahan.slug, cycle_id=cycle.pk)
    orders = list(selectors.cycle_orders_payments(cycle=cycle))
    payouts = selectors.cycle_payouts(cycle=cycle)
    courier_payouts = selectors.cycle_courier_payouts(cycle=cycle)
    asked = {p.payout.courier_id for p in courier_payouts}
    shares = selectors.courier_shares(cycle=cycle)
    return render(
        request,
        "market/cycle_money.html",
        {
            "cycle": cycle,
            "orders": orders,
            "breakdown": selectors.cycle_breakdown(cycle=cycle),
            "payouts": payouts,
            "payouts_waiting": any(not p.status for p in payouts),
            "courier_payouts": courier_payouts,
            "courier_shares_waiting": [
                c for c in shares if c.courier and c.amount and c.courier.pk not in asked
            ],
            "courier_unassigned": sum(c.amount for c in shares if c.courier is None),
            "unpaid": [
                o for o in orders if o.status != OrderStatus.CANCELLED and o.balance_due > 0
            ],
            "can_manage": permission_holds(user, "market.manage", kelurahan),
            "can_treasury": permission_holds(user, "funds.treasury", kelurahan),
            "can_approve": permission_holds(user, "funds.approve", kelurahan),
            "can_operate": permission_holds(user, "funds.operate", kelurahan),
        },
    )

"""Payments the treasurer records (QRIS, by photo or bank statement line) and refunds."""

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    ValidationFailed,
)
from gotong.funds.models import AccountKind as FundsAccountKind
from gotong.funds.models import TransferKind as FundsTransferKind
from gotong.funds.services import market_port as funds_services
from gotong.territory.models import Kelurahan
from gotong.transparency import selectors as transparency_selectors
from gotong.transparency.services import evidence_upload

from ..models import (
    Order,
    OrderStatus,
    PaymentMethod,
)
from ..transitions import ORDER_IN_WINDOW
from ._common import (
    _accounts,
    _log,
    _order_locked,
    _paid_logged,
    _returned,
)


def _proof(actor: Any, kelurahan: Kelurahan, subject: str, upload: Any, receipt_code: str) -> str:
    if receipt_code:
        return transparency_selectors.evidence_get(kelurahan=kelurahan, code=receipt_code).code
    if upload is None:
        raise ValidationFailed(
            _("A photo of the receipt or proof of payment is required."), {"field": "receipt"}
        )
    return evidence_upload(kelurahan=kelurahan, uploader=actor, subject=subject, upload=upload).code


@transaction.atomic
def order_payment_confirm(
    *,
    actor: Any,
    order: Order,
    amount: Any = None,
    receipt: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
    statement_line: Any = None,
) -> Order:
    """The treasurer confirms a QRIS payment seen in the kelurahan's account (with a
    photo of it, or the funds bank-statement line that shows it: ``statement_line``): the
    money is posted bank -> market clearing. ``amount`` defaults to what the order owes;
    more than that becomes a refund owed to the buyer."""
    kelurahan = order.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"market_payment": order.pk}
    replay = funds_services.transfer_replayed(
        kelurahan=kelurahan, key=idempotency_key, request=request
    )
    if replay is not None:
        return Order.objects.get(pk=order.pk)
    order = _order_locked(order)
    if order.payment_method != PaymentMethod.QRIS:
        raise ValidationFailed(
            _("Only QRIS payments are confirmed by the treasurer."), {"field": "order"}
        )
    if order.paid_at is not None:
        raise Conflict(_("This payment was already confirmed."), {"field": "order"})
    if amount in (None, ""):
        value = order.balance_due
        if value <= 0:
            raise ValidationFailed(
                _("Nothing is due on this order: enter the amount received."),
                {"field": "amount"},
            )
    else:
        value = funds_services.amount_clean(amount)
    evidence: dict[str, Any]
    if statement_line is not None:
        code = ""
        evidence = {"statement_line": f"statement_line:{statement_line.pk}"}
    else:
        code = _proof(actor, kelurahan, f"market_order:{order.pk}", receipt, receipt_code)
        evidence = {"receipt": code}
    accounts = _accounts(kelurahan)
    transfer = funds_services.transfer_post(
        kelurahan=kelurahan,
        kind=FundsTransferKind.MARKET_PAYMENT,
        postings=[
            (accounts[FundsAccountKind.BANK], value),
            (accounts[FundsAccountKind.MARKET_CLEARING], -value),
        ],
        actor=actor,
        memo=f"QRIS {order.code}",
        idempotency_key=idempotency_key,
        request=request,
        receipt_code=code,
        log_data={"market_order": f"order:{order.pk}", "channel": "qris", **evidence},
    )
    _paid_logged(
        actor,
        kelurahan,
        order,
        method=PaymentMethod.QRIS,
        amount=value,
        transfer=transfer,
        at=transfer.created_at,
        logged=evidence,
        payment_confirmed_by=actor,
        payment_receipt=code,
        payment_statement_line_id=statement_line.pk if statement_line is not None else None,
    )
    return order


# An order code (``_order_code``) in a bank statement line's description: the QRIS
# reference (tag 62.05) the bank shows, or what the buyer wrote in a transfer.
ORDER_CODE_RE = re.compile(r"(?<![0-9A-Z])P[ACDEFGHJKMNPQRTUVWXY34679]{9}(?![0-9A-Z])")


def statement_line_match(*, actor: Any, kelurahan: Kelurahan, line: Any) -> bool:
    """The funds statement import offers each line no donation matched (registered in
    ``MarketConfig.ready``): a line whose description holds the code of a QRIS order of
    this kelurahan that is still unpaid, for exactly what it owes, records that payment
    with the line as its evidence (``order_payment_confirm``). Anything else (unknown
    code, other amount, already paid, cancelled, not QRIS) is left unmatched."""
    for code in ORDER_CODE_RE.findall((line.description or "").upper()):
        order = Order.objects.filter(kelurahan=kelurahan, code=code).first()
        if (
            order is None
            or order.payment_method != PaymentMethod.QRIS
            or order.status == OrderStatus.CANCELLED
            or order.paid_at is not None
            or order.balance_due <= 0
            or order.balance_due != line.amount
        ):
            continue
        order_payment_confirm(actor=actor, order=order, amount=line.amount, statement_line=line)
        return True
    return False


@transaction.atomic
def order_refund_pay(
    *,
    actor: Any,
    order: Order,
    proof: Any = None,
    receipt_code: str = "",
    idempotency_key: str | None = None,
) -> Order:
    """The treasurer pays back what a QRIS buyer paid beyond the order's final total (a
    line cancelled at closing, a cancelled order), with proof: clearing -> bank."""
    kelurahan = order.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"market_refund": order.pk}
    replay = funds_services.transfer_replayed(
        kelurahan=kelurahan, key=idempotency_key, request=request
    )
    if replay is not None:
        return Order.objects.get(pk=order.pk)
    order = _order_locked(order)
    owed = order.refund_owed
    if order.payment_method != PaymentMethod.QRIS or owed <= 0:
        raise Conflict(_("Nothing is owed back on this order."), {"field": "order"})
    if order.status in ORDER_IN_WINDOW:
        raise Conflict(_("Refunds are paid once the order window has closed."), {"field": "order"})
    code = _proof(actor, kelurahan, f"market_order:{order.pk}", proof, receipt_code)
    accounts = _accounts(kelurahan)
    transfer = funds_services.transfer_post(
        kelurahan=kelurahan,
        kind=FundsTransferKind.MARKET_REFUND,
        postings=[
            (accounts[FundsAccountKind.MARKET_CLEARING], owed),
            (accounts[FundsAccountKind.BANK], -owed),
        ],
        actor=actor,
        memo=f"Refund {order.code}",
        idempotency_key=idempotency_key,
        request=request,
        receipt_code=code,
        log_data={"market_order": f"order:{order.pk}"},
    )
    _returned(order, owed)
    order.refresh_from_db()
    _log(
        kelurahan,
        "market.order_refunded",
        actor,
        f"order:{order.pk}",
        {"amount": owed, "to": "buyer", "transfer": f"transfer:{transfer.pk}", "receipt": code},
    )
    return order

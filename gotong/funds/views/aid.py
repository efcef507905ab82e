"""Aid-out pages under /k/<slug>/bendahara/: the goods store (stock in, out to an activity,
counts, movements, discrepancies), beneficiaries' payout accounts (masked; a second officer
approves), disbursements (request, two approvals, reject, pay with proof) and the monthly
call-back list.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds
from gotong.core.exceptions import ApplicationError
from gotong.funds import selectors, services
from gotong.funds.forms import (
    CallbackForm,
    DisbursementForm,
    GoodsInForm,
    GoodsIssueForm,
    PayForm,
    PayoutProposeForm,
    RejectForm,
    StockCountForm,
    optional_pk,
)
from gotong.funds.models import (
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonationTarget,
    GoodsMovementKind,
    PayoutAccount,
    PayoutAccountStatus,
)
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import AccessPurpose
from gotong.registry.services import person_list_view
from gotong.territory.middleware import request_kelurahan
from gotong.territory.models import Kelurahan
from gotong.ui.pages import refusal_for, refused

from ._common import _disbursement_step, _form_step, _key, _page, _success


@login_required
def goods(request: HttpRequest, slug: str) -> HttpResponse:
    """The goods store: lots with stock, and goods received waiting for confirmation."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    kelurahan = request_kelurahan(request)
    waiting = selectors.donation_queue(kelurahan=kelurahan).filter(kind=DonationKind.IN_KIND)
    return render(
        request,
        "funds/aid/goods.html",
        {
            "page": _page(request, selectors.goods_list(kelurahan=kelurahan)),
            "waiting": waiting[:50],
            "today": timezone.localdate(),
            "may_operate": permission_holds(
                request.user, "funds.operate", request_kelurahan(request)
            ),
            "may_receive": permission_holds(
                request.user, "funds.treasury", request_kelurahan(request)
            ),
        },
    )


@login_required
def goods_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Record goods handed in (an in-kind donation) with a photo; stock grows once another
    officer confirms it on the treasurer's page."""
    if refusal := refusal_for(request, "funds.treasury"):
        return refusal
    kelurahan = request_kelurahan(request)
    form = GoodsInForm(request.POST or None, request.FILES or None, kelurahan=kelurahan)

    def step(data: dict[str, Any]) -> Donation:
        campaign = None
        if data["target"] != "aid_fund":
            campaign = selectors.campaign_get(kelurahan=kelurahan, pk=int(data["target"]))
        return services.donation_record(
            actor=request.user,
            kelurahan=kelurahan,
            receipt=data["receipt"],
            amount=data["amount"],
            target=DonationTarget.CAMPAIGN if campaign else DonationTarget.AID_FUND,
            campaign=campaign,
            public_name=data["public_name"],
            is_anonymous=data["is_anonymous"],
            kind=DonationKind.IN_KIND,
            goods_name=data["goods_name"],
            goods_unit=data["goods_unit"],
            goods_quantity=data["goods_quantity"],
            goods_category=data["goods_category"],
            goods_expires_on=data["goods_expires_on"],
        )

    def done(donation: Donation) -> HttpResponse:
        message = _(
            "Goods recorded as %(ref)s. Another officer confirms them on the "
            "treasurer's page; then they are in stock."
        ) % {"ref": donation.payment_reference}
        return _success(request, message, "funds:aid_goods", slug=slug)

    return _form_step(request, form, step=step, done=done, template="funds/aid/goods_in.html")


def _goods_action(request: HttpRequest, slug: str, item_id: int, action: str) -> HttpResponse:
    if refusal := refusal_for(request, "funds.operate"):
        return refusal
    kelurahan = request_kelurahan(request)
    try:
        item = selectors.goods_get(kelurahan=kelurahan, pk=item_id)
    except ApplicationError as exc:
        return refused(request, exc)
    form: forms.Form
    if action == "issue":
        form = GoodsIssueForm(request.POST or None, kelurahan=kelurahan)
    else:
        form = StockCountForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "issue":
                services.goods_issue(
                    actor=request.user,
                    item=item,
                    quantity=data["quantity"],
                    activity_id=data["activity"],
                    receipt_code=data["receipt_code"].strip(),
                )
                messages.success(
                    request,
                    _("%(quantity)s %(unit)s of %(name)s handed out to activity #%(activity)s.")
                    % {
                        "quantity": data["quantity"],
                        "unit": item.unit,
                        "name": item.name,
                        "activity": data["activity"],
                    },
                )
            else:
                movement = services.stock_count(
                    actor=request.user, item=item, counted=data["counted"], note=data["note"]
                )
                if movement.quantity:
                    messages.warning(
                        request,
                        _("Counted %(counted)s, expected %(expected)s: difference %(diff)+d.")
                        % {
                            "counted": movement.counted,
                            "expected": movement.expected,
                            "diff": movement.quantity,
                        },
                    )
                else:
                    messages.success(request, _("The count matches the stock."))
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            return redirect("funds:aid_goods", slug=slug)
    return render(
        request,
        "funds/aid/goods_action.html",
        {"form": form, "item": item, "action": action},
        status=status,
    )


@login_required
def goods_issue(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Hand goods out to an activity (with the activity's evidence photo)."""
    return _goods_action(request, slug, item_id, "issue")


@login_required
def stock_count(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Record a physical count of a lot; a difference is booked and listed."""
    return _goods_action(request, slug, item_id, "count")


@login_required
def goods_movements(request: HttpRequest, slug: str) -> HttpResponse:
    """Every stock movement: in, out to activities, counts."""
    return _movements_page(request, selectors.goods_movements, _("Stock movements"))


@login_required
def goods_discrepancies(request: HttpRequest, slug: str) -> HttpResponse:
    """Stock counts that found a difference."""
    return _movements_page(request, selectors.goods_discrepancies, _("Stock count differences"))


def _movements_page(request: HttpRequest, rows: Callable[..., Any], title: str) -> HttpResponse:
    """A page of stock movements, ``rows(kelurahan=...)``, for whoever sees the ledger."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    return render(
        request,
        "funds/aid/goods_movements.html",
        {
            "page": _page(request, rows(kelurahan=request_kelurahan(request))),
            "title": title,
            "kinds": dict(GoodsMovementKind.choices),
        },
    )


@login_required
def payouts(request: HttpRequest, slug: str) -> HttpResponse:
    """Beneficiaries' bank accounts, masked; pending changes wait for a second officer."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    return _payouts_page(request)


def _payouts_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    kelurahan = request_kelurahan(request)
    rows = selectors.payout_account_list(kelurahan=kelurahan).select_related(
        "proposed_by", "approved_by"
    )
    return render(
        request,
        "funds/aid/payouts.html",
        {
            "pending": rows.filter(status=PayoutAccountStatus.PENDING),
            "page": _page(request, rows.exclude(status=PayoutAccountStatus.PENDING)),
            "may_propose": permission_holds(
                request.user, "funds.operate", request_kelurahan(request)
            ),
            "may_approve": permission_holds(
                request.user, "funds.approve", request_kelurahan(request)
            ),
            "error": error,
        },
        status=status,
    )


@login_required
def payout_propose(request: HttpRequest, slug: str) -> HttpResponse:
    """Propose a beneficiary's bank account (never by whoever registered them)."""
    if refusal := refusal_for(request, "funds.operate"):
        return refusal
    kelurahan = request_kelurahan(request)
    form = PayoutProposeForm(request.POST or None)

    def step(data: dict[str, Any]) -> PayoutAccount:
        return services.payout_account_propose(
            actor=request.user,
            person=registry_selectors.person_get(kelurahan=kelurahan, pk=data["person"]),
            bank_name=data["bank_name"],
            account_number=data["account_number"],
        )

    def done(payout: PayoutAccount) -> HttpResponse:
        message = _("Bank account …%(last4)s proposed; a second officer must approve it.") % {
            "last4": payout.account_last4
        }
        return _success(request, message, "funds:aid_payouts", slug=slug)

    return _form_step(request, form, step=step, done=done, template="funds/aid/payout_propose.html")


@login_required
def payout_decide(request: HttpRequest, slug: str, payout_id: int) -> HttpResponse:
    """A second officer approves or rejects a proposed bank account (POST)."""
    if refusal := refusal_for(request, "funds.approve"):
        return refusal
    if request.method != "POST":
        return redirect("funds:aid_payouts", slug=slug)
    kelurahan = request_kelurahan(request)
    try:
        payout = selectors.payout_account_get(kelurahan=kelurahan, pk=payout_id)
        approve = request.POST.get("decision") == "approve"
        payout = services.payout_account_approve(actor=request.user, payout=payout, approve=approve)
    except ApplicationError as exc:
        return _payouts_page(request, error=str(exc.message), status=exc.status_code)
    messages.success(
        request,
        (
            _("Bank account …%(last4)s approved.")
            if approve
            else _("Bank account …%(last4)s rejected.")
        )
        % {"last4": payout.account_last4},
    )
    return redirect("funds:aid_payouts", slug=slug)


@login_required
def disbursements(request: HttpRequest, slug: str) -> HttpResponse:
    """Payments out by status: waiting for approvals, approved (to pay), paid, rejected."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    kelurahan = request_kelurahan(request)
    status = request.GET.get("status") or DisbursementStatus.REQUESTED
    if status not in DisbursementStatus.values:
        status = DisbursementStatus.REQUESTED
    rows = selectors.disbursement_list(kelurahan=kelurahan, status=status)
    return render(
        request,
        "funds/aid/disbursements.html",
        {
            "page": _page(request, rows),
            "status": status,
            "statuses": DisbursementStatus.choices,
            "query": f"status={status}&",
            "may_request": permission_holds(
                request.user, "funds.operate", request_kelurahan(request)
            ),
        },
    )


@login_required
def disbursement_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Request cash aid to a beneficiary's approved account or a supplier payment."""
    if refusal := refusal_for(request, "funds.operate"):
        return refusal
    kelurahan = request_kelurahan(request)
    form = DisbursementForm(request.POST or None, kelurahan=kelurahan)

    def ask(data: dict[str, Any]) -> Disbursement:
        payout = supplier = None
        if data["payout"] and data["kind"] == DisbursementKind.CASH_AID:
            payout = selectors.payout_account_get(kelurahan=kelurahan, pk=int(data["payout"]))
        if data["supplier"] and data["kind"] == DisbursementKind.SUPPLIER:
            supplier = registry_selectors.organisation_get(
                kelurahan=kelurahan, pk=int(data["supplier"])
            )
        return services.disbursement_request(
            actor=request.user,
            kelurahan=kelurahan,
            kind=data["kind"],
            amount=data["amount"],
            purpose=data["purpose"],
            category=data["category"],
            source=selectors.account_get(kelurahan=kelurahan, pk=int(data["source"])),
            activity_id=optional_pk(data["activity"]),
            payout=payout,
            supplier=supplier,
            pay_by_cash=data["pay_by_cash"],
        )

    return _disbursement_step(
        request, slug, form, ask=ask, template="funds/aid/disbursement_new.html"
    )


@login_required
def disbursement_detail(request: HttpRequest, slug: str, disbursement_id: int) -> HttpResponse:
    """One payment: its approvals and, by role, approve / reject / pay with proof."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    kelurahan = request_kelurahan(request)
    try:
        row = selectors.disbursement_get(kelurahan=kelurahan, pk=disbursement_id)
    except ApplicationError as exc:
        return refused(request, exc)
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    pay_form = PayForm(
        request.POST if request.POST.get("action") == "pay" else None,
        request.FILES or None,
        initial={"idempotency_key": _key()},
    )
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        perm = {"approve": "funds.approve", "reject": "funds.approve", "pay": "funds.treasury"}
        if action not in perm:
            return redirect("funds:aid_disbursement", slug=slug, disbursement_id=row.pk)
        if refusal := refusal_for(request, perm[action]):
            return refusal
        try:
            if action == "approve":
                row = services.disbursement_approve(actor=request.user, disbursement=row)
                done = _("Approved (%(count)s of 2).") % {"count": row.approvals.count()}
            elif action == "reject":
                if not reject_form.is_valid():
                    raise _FormInvalid
                row = services.disbursement_reject(
                    actor=request.user, disbursement=row, reason=reject_form.cleaned_data["reason"]
                )
                done = _("Payment P-%(id)s rejected.") % {"id": row.pk}
            else:
                if not pay_form.is_valid():
                    raise _FormInvalid
                row = services.disbursement_pay(
                    actor=request.user,
                    disbursement=row,
                    proof=pay_form.cleaned_data["proof"],
                    idempotency_key=f"pay-{pay_form.cleaned_data['idempotency_key']}",
                )
                done = _("Payment P-%(id)s paid; the proof is public as receipt %(code)s.") % {
                    "id": row.pk,
                    "code": row.receipt_code,
                }
        except _FormInvalid:
            status = 422
        except ApplicationError as exc:
            error, status = str(exc.message), exc.status_code
        else:
            messages.success(request, done)
            return redirect("funds:aid_disbursement", slug=slug, disbursement_id=row.pk)
        row = selectors.disbursement_get(kelurahan=kelurahan, pk=disbursement_id)
    approvals = list(row.approvals.select_related("officer"))
    return render(
        request,
        "funds/aid/disbursement.html",
        {
            "row": row,
            "approvals": approvals,
            "approved_by_me": any(a.officer_id == request.user.pk for a in approvals),
            "requested_by_me": row.requested_by_id == request.user.pk,
            "may_approve": permission_holds(
                request.user, "funds.approve", request_kelurahan(request)
            ),
            "may_pay": permission_holds(request.user, "funds.treasury", request_kelurahan(request)),
            "reject_form": reject_form,
            "pay_form": pay_form,
            "error": error,
        },
        status=status,
    )


class _FormInvalid(Exception):
    """A bound form has errors; they are shown next to its fields."""


def _cycle(value: str | None) -> str:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return dt.date(year, month, 1).strftime("%Y-%m")
    except ValueError:
        return today.strftime("%Y-%m")


@login_required
def callbacks(request: HttpRequest, slug: str) -> HttpResponse:
    """The operator's call-back list for a month's random sample of recipients."""
    if refusal := refusal_for(request, "funds.operate"):
        return refusal
    kelurahan = request_kelurahan(request)
    cycle = _cycle(request.POST.get("cycle") or request.GET.get("bulan"))
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sample":
                rows = services.callbacks_sample(
                    actor=request.user, kelurahan=kelurahan, cycle=cycle
                )
                messages.success(
                    request, _("%(count)s recipients drawn to call back.") % {"count": len(rows)}
                )
            else:
                callback = selectors.callback_get(
                    kelurahan=kelurahan, pk=int(request.POST.get("callback", "0"))
                )
                form = CallbackForm(request.POST)
                if not form.is_valid():
                    raise _FormInvalid
                services.callback_record(
                    actor=request.user,
                    callback=callback,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Call-back recorded."))
        except _FormInvalid:
            error, status = _("Choose the outcome of the call."), 422
        except (ApplicationError, ValueError) as exc:
            error = str(getattr(exc, "message", exc))
            status = getattr(exc, "status_code", 422)
        else:
            return redirect(
                f"{reverse('funds:aid_callbacks', kwargs={'slug': slug})}?bulan={cycle}"
            )
    rows = list(selectors.callback_list(kelurahan=kelurahan, cycle=cycle))
    return render(
        request,
        "funds/aid/callbacks.html",
        {
            "cycle": cycle,
            "rows": _callback_rows(request, kelurahan, rows),
            "error": error,
        },
        status=status,
    )


def _callback_rows(
    request: HttpRequest, kelurahan: Kelurahan, rows: list[Any]
) -> list[dict[str, Any]]:
    """Each call-back with whom to call; names and numbers come through the registry,
    which logs the read (purpose: aid delivery) and hides what this role may not see."""
    people: dict[int, Any] = {}
    for row in rows:
        person = None
        if row.disbursement_id and row.disbursement.payout_account_id:
            person = row.disbursement.payout_account.person
        elif row.voucher_id and row.voucher.household_id:
            person = row.voucher.household.head
        if person is not None:
            people[row.pk] = person
    seen = {
        p["id"]: p
        for p in person_list_view(
            actor=request.user,
            kelurahan=kelurahan,
            persons=list({p.pk: p for p in people.values()}.values()),
            purpose=AccessPurpose.AID_DELIVERY,
        )
    }
    return [
        {
            "callback": row,
            "person": people.get(row.pk),
            "view": seen.get(getattr(people.get(row.pk), "pk", 0)),
            "form": CallbackForm(auto_id=f"cb{row.pk}_%s"),
        }
        for row in rows
    ]

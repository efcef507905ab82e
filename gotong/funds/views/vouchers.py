"""Voucher pages: the UMKM's redemption, issuing and listing vouchers, the household's
voucher card, UMKM enrolment and settlement.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_gate, permission_holds
from gotong.core.exceptions import ApplicationError, NotFound
from gotong.funds import selectors, services
from gotong.funds.forms import MerchantEnrolForm, RedeemForm, SettlementForm, VoucherIssueForm
from gotong.funds.models import (
    Category,
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    VoucherStatus,
)
from gotong.registry import selectors as registry_selectors
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refusal_for, refused

from ._common import _disbursement_step, _key, _page, _qr, _redeem_url


@login_required
def redeem(request: HttpRequest, slug: str) -> HttpResponse:
    """A UMKM redeems a voucher from their phone: scan (the QR opens this page) or type."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "funds.redeem", kelurahan)
    except ApplicationError as exc:
        return refused(request, exc)
    merchant = services.merchant_for_user(kelurahan=kelurahan, user=request.user)
    form = RedeemForm(request.POST or None, initial={"code": request.GET.get("kode", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            redemption = services.voucher_redeem(
                actor=request.user,
                kelurahan=kelurahan,
                code=form.cleaned_data["code"],
                amount=form.cleaned_data["amount"],
                idempotency_key=request.POST.get("idempotency_key") or None,
                ip=request.META.get("REMOTE_ADDR"),
            )
            messages.success(
                request,
                _("Voucher …%(hint)s redeemed: %(amount)s.")
                % {"hint": redemption.voucher.code_hint, "amount": redemption.amount},
            )
            return redirect("funds:redeem", slug=slug)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
    redemptions = (
        selectors.redemption_list_for_merchant(kelurahan=kelurahan, merchant=merchant)[:50]
        if merchant
        else []
    )
    return render(
        request,
        "funds/redeem.html",
        {"form": form, "merchant": merchant, "redemptions": redemptions},
        status=status,
    )


@login_required
def vouchers(request: HttpRequest, slug: str) -> HttpResponse:
    """Vouchers issued (codes are never stored: only the last characters), with counts."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    kelurahan = request_kelurahan(request)
    status = request.GET.get("status", "")
    counts = selectors.voucher_counts(kelurahan=kelurahan)
    rows = selectors.voucher_list(kelurahan=kelurahan)
    if status in VoucherStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "funds/aid/vouchers.html",
        {
            "counts": [(value, label, counts[value]) for value, label in VoucherStatus.choices],
            "statuses": VoucherStatus.choices,
            "status": status,
            "page": _page(request, rows),
            "query": f"status={status}&" if status else "",
            "may_issue": permission_holds(
                request.user, "funds.operate", request_kelurahan(request)
            ),
        },
    )


@login_required
def voucher_issue(request: HttpRequest, slug: str) -> HttpResponse:
    """Issue vouchers: a household's codes go out by message; anonymous ones are shown
    once, on a sheet to print for the RT head."""
    if refusal := refusal_for(request, "funds.operate"):
        return refusal
    kelurahan = request_kelurahan(request)
    form = VoucherIssueForm(
        request.POST or None, kelurahan=kelurahan, initial={"idempotency_key": _key()}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source = selectors.account_get(kelurahan=kelurahan, pk=int(data["source"]))
            household = None
            if data["recipient"] == "household":
                household = registry_selectors.household_get(
                    kelurahan=kelurahan, pk=data["household"]
                )
                rt = household.rt
            else:
                rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=int(data["rt"]))
            issued = services.voucher_issue(
                actor=request.user,
                source=source,
                category=data["category"],
                value=data["value"],
                count=data["count"],
                rt=rt,
                household=household,
                allow_partial=data["allow_partial"],
                valid_days=data["valid_days"],
                idempotency_key=f"voucher-issue-{data['idempotency_key']}",
                link_base=request.build_absolute_uri("/"),
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            if household is not None:
                messages.success(
                    request,
                    _("%(count)s voucher(s) issued and sent by message to household KK #%(id)s.")
                    % {"count": len(issued), "id": household.pk},
                )
                return redirect("funds:aid_vouchers", slug=slug)
            cards = [
                {
                    "voucher": voucher,
                    "code": code,
                    "qr": _qr(_redeem_url(request, kelurahan, code)),
                }
                for voucher, code in issued
            ]
            response = render(request, "funds/aid/voucher_sheet.html", {"cards": cards, "rt": rt})
            # Shown once: never cached; reloading replays the key and is refused.
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "funds/aid/voucher_issue.html", {"form": form}, status=status)


def voucher_card(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the card a household opens from its message; the QR for the UMKM to scan.

    Only a signed payload (made by this server) opens a card, so codes cannot be tried.
    """
    kelurahan = request_kelurahan(request)
    payload = request.GET.get("kode", "")
    try:
        code = signing.Signer(salt=services.VOUCHER_SIGNING_SALT).unsign(payload)
        voucher = selectors.voucher_get_by_code(kelurahan=kelurahan, code=code)
    except signing.BadSignature:
        return refused(request, NotFound(_("This voucher link is not valid.")))
    except ApplicationError as exc:
        return refused(request, exc)
    response = render(
        request,
        "funds/aid/voucher_card.html",
        {"voucher": voucher, "code": code, "qr": _qr(_redeem_url(request, kelurahan, code))},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def merchants(request: HttpRequest, slug: str) -> HttpResponse:
    """UMKM accepting vouchers: what each is owed, settlements under way, enrolment."""
    if refusal := refusal_for(request, "funds.view_ledger"):
        return refusal
    kelurahan = request_kelurahan(request)
    may_operate = permission_holds(request.user, "funds.operate", request_kelurahan(request))
    form = MerchantEnrolForm(request.POST or None, kelurahan=kelurahan)
    status = 200
    if request.method == "POST":
        if not may_operate:
            return refusal_for(request, "funds.operate") or redirect(
                "funds:aid_merchants", slug=slug
            )
        if form.is_valid():
            try:
                organisation = registry_selectors.organisation_get(
                    kelurahan=kelurahan, pk=int(form.cleaned_data["organisation"])
                )
                services.merchant_enrol(
                    actor=request.user,
                    organisation=organisation,
                    categories=form.cleaned_data["categories"],
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status_code
            else:
                messages.success(
                    request, _("%(name)s accepts vouchers now.") % {"name": organisation.name}
                )
                return redirect("funds:aid_merchants", slug=slug)
    in_progress: dict[int, int] = {}
    for row in selectors.disbursement_list(kelurahan=kelurahan).filter(
        kind=DisbursementKind.UMKM_SETTLEMENT,
        status__in=[DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED],
    ):
        if row.merchant_id is not None:
            in_progress[row.merchant_id] = in_progress.get(row.merchant_id, 0) + row.amount
    rows = [
        {"merchant": m, "settling": in_progress.get(m.pk, 0), "categories": _labels(m.categories)}
        for m in selectors.merchant_list(kelurahan=kelurahan).order_by("organisation__name")
    ]
    return render(
        request,
        "funds/aid/merchants.html",
        {"rows": rows, "form": form if may_operate else None, "may_operate": may_operate},
        status=status,
    )


def _labels(categories: list[str]) -> str:
    return ", ".join(str(Category(c).label) for c in categories if c in Category.values)


@login_required
def settlement_request(request: HttpRequest, slug: str, merchant_id: int) -> HttpResponse:
    """Ask to pay a UMKM what its redeemed vouchers earned (two approvals, then paid)."""
    if refusal := refusal_for(request, "funds.operate"):
        return refusal
    kelurahan = request_kelurahan(request)
    try:
        merchant = selectors.merchant_get(kelurahan=kelurahan, pk=merchant_id)
    except ApplicationError as exc:
        return refused(request, exc)
    initial = {
        "amount": merchant.account.balance or None,
        "purpose": _("Settlement of redeemed vouchers: %(name)s")
        % {"name": merchant.organisation.name},
        "category": (merchant.categories or [Category.SEMBAKO])[0],
    }
    form = SettlementForm(request.POST or None, initial=initial)

    def ask(data: dict[str, Any]) -> Disbursement:
        return services.disbursement_request(
            actor=request.user,
            kelurahan=kelurahan,
            kind=DisbursementKind.UMKM_SETTLEMENT,
            amount=data["amount"],
            purpose=data["purpose"],
            category=data["category"],
            merchant=merchant,
            pay_by_cash=data["pay_by_cash"],
        )

    return _disbursement_step(
        request,
        slug,
        form,
        ask=ask,
        template="funds/aid/settlement.html",
        context={"merchant": merchant},
    )

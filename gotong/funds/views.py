"""Funds pages: public campaigns and reports, giving (reference + QRIS), the donor's own
trail, the treasurer's confirmation queue and the UMKM's voucher redemption. Thin: every
rule is in services and selectors."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError, NotFound
from gotong.territory.middleware import request_kelurahan

from . import qris, selectors, services
from .pdf import monthly_report_pdf


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/refused.html", {"message": exc.message}, status=exc.status_code)


class DonateForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Amount (Rp)"), min_value=1)
    public_name = forms.CharField(
        label=gettext_lazy("Name shown publicly"), max_length=100, required=False
    )
    is_anonymous = forms.BooleanField(label=gettext_lazy("Stay anonymous"), required=False)


class RedeemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Voucher code"), max_length=200)
    amount = forms.IntegerField(
        label=gettext_lazy("Amount (empty: the whole voucher)"), min_value=1, required=False
    )


def campaign_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: every campaign with money raised, matched, spent and its balance."""
    kelurahan = request_kelurahan(request)
    return render(
        request,
        "funds/campaigns.html",
        {
            "summaries": selectors.campaign_summaries(kelurahan=kelurahan),
            "totals": selectors.funds_summary(kelurahan=kelurahan),
            "months": selectors.report_months(kelurahan=kelurahan)[:12],
        },
    )


def campaign_detail(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """Public: a campaign's report (no personal data) and, for logged-in donors, a form."""
    kelurahan = request_kelurahan(request)
    try:
        campaign = selectors.campaign_get(kelurahan=kelurahan, pk=campaign_id)
    except NotFound as exc:
        return _refused(request, exc)
    form = DonateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/masuk/?next={request.path}")
        if form.is_valid():
            try:
                donation = services.donation_create(
                    kelurahan=kelurahan,
                    donor=request.user,
                    amount=form.cleaned_data["amount"],
                    campaign=campaign,
                    public_name=form.cleaned_data["public_name"],
                    is_anonymous=form.cleaned_data["is_anonymous"],
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                return redirect("funds:pay", slug=slug, reference=donation.payment_reference)
    return render(
        request,
        "funds/campaign.html",
        {"report": selectors.campaign_report(campaign=campaign), "form": form},
    )


def pay(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """The payment reference, the bank label and the dynamic QRIS code of a donation."""
    kelurahan = request_kelurahan(request)
    try:
        donation = selectors.donation_get_by_reference(kelurahan=kelurahan, reference=reference)
        payload = services.donation_qris_payload(donation=donation)
    except ApplicationError as exc:
        return _refused(request, exc)
    from .models import FundsProfile

    profile = FundsProfile.objects.filter(kelurahan=kelurahan).first()
    return render(
        request,
        "funds/pay.html",
        {
            "donation": donation,
            "qris_svg": qris.qris_svg(payload) if payload else "",
            "bank_label": profile.bank_label if profile else "",
        },
    )


@login_required
def my_donations(request: HttpRequest, slug: str) -> HttpResponse:
    """The donor's private report: where each donation went, with the activities' proof."""
    kelurahan = request_kelurahan(request)
    return render(
        request,
        "funds/mine.html",
        {
            "trails": selectors.donor_report(kelurahan=kelurahan, user=request.user),
            "pending": selectors.donation_list_for_user(
                kelurahan=kelurahan, user=request.user
            ).exclude(status="confirmed")[:50],
        },
    )


@login_required
def treasury(request: HttpRequest, slug: str) -> HttpResponse:
    """The treasurer's queue: recorded donations to confirm, payments to make."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "funds.treasury", kelurahan)
    except ApplicationError as exc:
        return _refused(request, exc)
    if request.method == "POST" and request.POST.get("donation"):
        try:
            donation = selectors.donation_get(kelurahan=kelurahan, pk=int(request.POST["donation"]))
            services.donation_confirm(
                actor=request.user,
                donation=donation,
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
            messages.success(
                request, _("Donation %(ref)s confirmed.") % {"ref": donation.payment_reference}
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("funds:treasury", slug=slug)
    return render(
        request,
        "funds/treasury.html",
        {
            "recorded": selectors.donation_queue(kelurahan=kelurahan)[:100],
            "pending": selectors.donation_queue(kelurahan=kelurahan, status="pending")[:100],
            "payments": selectors.disbursement_list(kelurahan=kelurahan, status="approved")[:50],
            "reconciliation": selectors.ledger_reconcile(kelurahan=kelurahan),
        },
    )


@login_required
def redeem(request: HttpRequest, slug: str) -> HttpResponse:
    """A UMKM redeems a voucher from their phone: scan (the QR opens this page) or type."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "funds.redeem", kelurahan)
    except ApplicationError as exc:
        return _refused(request, exc)
    merchant = services.merchant_for_user(kelurahan=kelurahan, user=request.user)
    form = RedeemForm(request.POST or None, initial={"code": request.GET.get("kode", "")})
    if request.method == "POST" and form.is_valid():
        try:
            redemption = services.voucher_redeem(
                actor=request.user,
                kelurahan=kelurahan,
                code=form.cleaned_data["code"],
                amount=form.cleaned_data["amount"],
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
            messages.success(
                request,
                _("Voucher …%(hint)s redeemed: %(amount)s.")
                % {"hint": redemption.voucher.code_hint, "amount": redemption.amount},
            )
            return redirect("funds:redeem", slug=slug)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
    redemptions = (
        selectors.redemption_list_for_merchant(kelurahan=kelurahan, merchant=merchant)[:50]
        if merchant
        else []
    )
    return render(
        request,
        "funds/redeem.html",
        {"form": form, "merchant": merchant, "redemptions": redemptions},
    )


def _month(year: int, month: int) -> Any:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise NotFound(_("No such month."))
    return year, month


def monthly_report(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """Public monthly financial report: every account's opening, movements and closing."""
    kelurahan = request_kelurahan(request)
    try:
        _month(year, month)
    except NotFound as exc:
        return _refused(request, exc)
    report = selectors.monthly_report(kelurahan=kelurahan, year=year, month=month)
    return render(request, "funds/monthly.html", {"report": report})


def monthly_report_pdf_view(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """The same report as PDF."""
    kelurahan = request_kelurahan(request)
    try:
        _month(year, month)
    except NotFound as exc:
        return _refused(request, exc)
    report = selectors.monthly_report(kelurahan=kelurahan, year=year, month=month)
    response = HttpResponse(monthly_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="laporan-{year}-{month:02d}.pdf"'
    return response

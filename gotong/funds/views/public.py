"""Public funds pages: campaigns, paying a donation (reference + QRIS), the donor's own
trail.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from gotong.core.exceptions import ApplicationError, NotFound
from gotong.core.money import rupiah_parse
from gotong.funds import qris, selectors, services
from gotong.funds.forms import DonateForm
from gotong.funds.models import FundsProfile
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refused


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
    """Public: a campaign's report (no personal data), its spending lines page by page
    (newest first, purpose and receipt) and, for logged-in donors, a form."""
    kelurahan = request_kelurahan(request)
    try:
        campaign = selectors.campaign_get(kelurahan=kelurahan, pk=campaign_id)
    except NotFound as exc:
        return refused(request, exc)
    typed = rupiah_parse(request.GET.get("amount", "")[:20])
    form = DonateForm(request.POST or None, initial={"amount": typed} if typed else None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_login_url(request.path, request.POST.get("amount", "")))
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
    spending_page, spending = selectors.campaign_spending_page(
        campaign=campaign, page=request.GET.get("page")
    )
    return render(
        request,
        "funds/campaign.html",
        {
            "report": selectors.campaign_report(campaign=campaign),
            "page": spending_page,
            "spending": spending,
            "form": form,
            "login_url": _login_url(request.path, request.GET.get("amount", "")),
        },
    )


def _login_url(path: str, typed_amount: str) -> str:
    """The login page that comes back to the donation page with the amount already typed
    (only a valid amount is carried, as plain digits)."""
    amount = rupiah_parse(typed_amount[:20])
    target = f"{path}?{urlencode({'amount': amount})}" if amount else path
    return f"{reverse('accounts:login')}?{urlencode({'next': target})}"


def pay(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """The payment reference, the bank label and the dynamic QRIS code of a donation."""
    kelurahan = request_kelurahan(request)
    try:
        donation = selectors.donation_get_by_reference(kelurahan=kelurahan, reference=reference)
        payload = services.donation_qris_payload(donation=donation)
    except ApplicationError as exc:
        return refused(request, exc)
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

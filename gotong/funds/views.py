"""Funds pages: public campaigns and reports, giving (reference + QRIS), the donor's own
trail, the UMKM's voucher redemption, and the officers' pages under /bendahara/ (hub,
campaigns and matching pledges, recording and confirming money in, bank statements, the
ledger with reversals). Thin: every rule is in services and selectors."""

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError, NotFound, ValidationFailed
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import Organisation, OrganisationKind
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.territory.models import RW, Kelurahan

from . import qris, selectors, services
from .models import (
    Campaign,
    Category,
    Channel,
    DonationStatus,
    DonationTarget,
    EarmarkKind,
    MatchPledge,
    OwnerKind,
    TransferKind,
)
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
def redeem(request: HttpRequest, slug: str) -> HttpResponse:
    """A UMKM redeems a voucher from their phone: scan (the QR opens this page) or type."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "funds.redeem", kelurahan)
    except ApplicationError as exc:
        return _refused(request, exc)
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


# --------------------------------------------------------------------------- officers
#
# The treasurer's and operators' pages under /k/<slug>/bendahara/. Each page is gated on
# the role (``permission_gate``: 403 page for a wrong role, login for anonymous); the
# services check the territory again and do every write.

QUEUE_PAGE_SIZE = 30
TRANSFER_PAGE_SIZE = 50
STATEMENT_PAGE_SIZE = 20

# Service error fields that a form names differently.
_FIELD_ALIASES = {"earmark_activity_id": "earmark_activity"}

OfficerView = Callable[..., HttpResponse]


def _holds(user: Any, perm: str, kelurahan: Kelurahan) -> bool:
    try:
        permission_gate(user, perm, kelurahan)
    except ApplicationError:
        return False
    return True


def _officer_page(*perms: str) -> Callable[[OfficerView], OfficerView]:
    """Login required, then one of ``perms`` held in the kelurahan; the view gets the
    kelurahan instead of the slug."""

    def decorate(view: OfficerView) -> OfficerView:
        @login_required
        @functools.wraps(view)
        def page(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            kelurahan = request_kelurahan(request)
            if not any(_holds(request.user, perm, kelurahan) for perm in perms):
                try:
                    permission_gate(request.user, perms[0], kelurahan)
                except ApplicationError as exc:
                    return _refused(request, exc)
            return view(request, kelurahan, **kwargs)

        return page

    return decorate


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    field = str(exc.extra.get("field") or "")
    field = _FIELD_ALIASES.get(field, field)
    form.add_error(field if field in form.fields else None, str(exc.message))


def _can(user: Any, kelurahan: Kelurahan) -> dict[str, bool]:
    """Which parts of the treasurer's hub the user may open."""
    return {
        "treasury": _holds(user, "funds.treasury", kelurahan),
        "operate": _holds(user, "funds.operate", kelurahan),
        "campaigns": _holds(user, "funds.manage_campaigns", kelurahan),
        "approve": _holds(user, "funds.approve", kelurahan),
        "ledger": _holds(user, "funds.view_ledger", kelurahan),
    }


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _photo_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class CampaignForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_amount = forms.CharField(
        label=gettext_lazy("Target (Rp)"),
        max_length=20,
        help_text=gettext_lazy("Whole rupiah, e.g. 5000000 or 5.000.000."),
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=_date_input())
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=_date_input())
    owner_kind = forms.ChoiceField(
        label=gettext_lazy("Owner"), choices=OwnerKind.choices, initial=OwnerKind.KELURAHAN
    )
    owner_rw = forms.ModelChoiceField(
        label=gettext_lazy("Owning RW (when an RW owns it)"),
        queryset=RW.objects.none(),
        required=False,
    )
    owner_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Owning community group (when a group owns it)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    earmark_kind = forms.ChoiceField(
        label=gettext_lazy("Earmark: what the money may pay for"),
        choices=EarmarkKind.choices,
        required=False,
    )
    earmark_rw = forms.ModelChoiceField(
        label=gettext_lazy("Earmarked RW"), queryset=RW.objects.none(), required=False
    )
    earmark_category = forms.ChoiceField(
        label=gettext_lazy("Earmarked category"),
        choices=[("", "—"), *Category.choices],
        required=False,
    )
    earmark_activity = forms.TypedChoiceField(
        label=gettext_lazy("Earmarked activity"), coerce=int, choices=[], required=False
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gotong.activities import selectors as activity_selectors

        self.fields["starts_on"].initial = timezone.localdate()
        rws = territory_selectors.rw_list(kelurahan=kelurahan)
        self.fields["owner_rw"].queryset = rws  # type: ignore[attr-defined]
        self.fields["earmark_rw"].queryset = rws  # type: ignore[attr-defined]
        self.fields["owner_organisation"].queryset = registry_selectors.organisation_list(  # type: ignore[attr-defined]
            kelurahan=kelurahan, kind=OrganisationKind.COMMUNITY
        )
        activities = activity_selectors.activity_list(kelurahan=kelurahan, open_only=True)[:200]
        self.fields["earmark_activity"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(a.pk, f"#{a.pk} {a.title}") for a in activities],
        ]


class PledgeForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none()
    )
    sponsor = forms.ModelChoiceField(
        label=gettext_lazy("Sponsor (CSR / donor company)"), queryset=Organisation.objects.none()
    )
    ratio_numerator = forms.IntegerField(
        label=gettext_lazy("Rupiah matched"), min_value=1, max_value=100, initial=1
    )
    ratio_denominator = forms.IntegerField(
        label=gettext_lazy("per rupiah donated"), min_value=1, max_value=100, initial=1
    )
    cap = forms.CharField(label=gettext_lazy("Cap: at most (Rp)"), max_length=20)
    max_donation = forms.CharField(
        label=gettext_lazy("Only donations up to (Rp, empty: any size)"),
        max_length=20,
        required=False,
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = selectors.campaign_list(  # type: ignore[attr-defined]
            kelurahan=kelurahan, active_only=True
        )
        self.fields["sponsor"].queryset = registry_selectors.organisation_list(  # type: ignore[attr-defined]
            kelurahan=kelurahan, kind=OrganisationKind.DONOR
        )


class RecordForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Payment reference (if the donor has one)"),
        max_length=16,
        required=False,
        help_text=gettext_lazy("GR-XXXXXX: records that pending donation instead of a new one."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Received by"),
        choices=[
            (Channel.BANK_TRANSFER, Channel.BANK_TRANSFER.label),
            (Channel.CASH, Channel.CASH.label),
        ],
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount received (Rp)"), max_length=20, required=False
    )
    target = forms.ChoiceField(
        label=gettext_lazy("For"), choices=DonationTarget.choices, initial=DonationTarget.AID_FUND
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    pledge = forms.ModelChoiceField(
        label=gettext_lazy("Matching pledge"), queryset=MatchPledge.objects.none(), required=False
    )
    donor_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Given by an organisation (CSR)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    public_name = forms.CharField(
        label=gettext_lazy("Name shown publicly"), max_length=100, required=False
    )
    is_anonymous = forms.BooleanField(label=gettext_lazy("Anonymous to the public"), required=False)
    receipt = forms.FileField(
        label=gettext_lazy("Photo of the receipt or transfer slip"), widget=_photo_input()
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = selectors.campaign_list(  # type: ignore[attr-defined]
            kelurahan=kelurahan, active_only=True
        )
        self.fields["pledge"].queryset = selectors.pledge_list(kelurahan=kelurahan)  # type: ignore[attr-defined]
        self.fields["donor_organisation"].queryset = registry_selectors.organisation_list(  # type: ignore[attr-defined]
            kelurahan=kelurahan
        ).exclude(kind=OrganisationKind.UMKM)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reference"):
            if data.get("target") == DonationTarget.CAMPAIGN and not data.get("campaign"):
                self.add_error("campaign", _("Choose the campaign."))
            if data.get("target") == DonationTarget.PLEDGE and not data.get("pledge"):
                self.add_error("pledge", _("Choose the matching pledge."))
        return data


class StatementForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement (CSV)"),
        help_text=gettext_lazy(
            "Columns: tanggal, keterangan, jumlah (and optionally referensi); incoming "
            "transfers only."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@_officer_page(
    "funds.treasury",
    "funds.operate",
    "funds.manage_campaigns",
    "funds.approve",
    "funds.view_ledger",
)
def treasury(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """The treasurer's hub: what waits, and links to every officer page of the funds."""
    can = _can(request.user, kelurahan)
    context: dict[str, Any] = {"can": can}
    if can["treasury"]:
        context.update(
            recorded_count=selectors.donation_queue(kelurahan=kelurahan).count(),
            pending_count=selectors.donation_queue(kelurahan=kelurahan, status="pending").count(),
            payments=selectors.disbursement_list(kelurahan=kelurahan, status="approved")[:50],
        )
    if can["ledger"]:
        context["reconciliation"] = selectors.ledger_reconcile(kelurahan=kelurahan)
    return render(request, "funds/treasury.html", context)


# --- campaigns and matching pledges


@_officer_page("funds.manage_campaigns")
def officer_campaigns(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Every campaign with its figures; open ones can be closed."""
    return render(
        request,
        "funds/officer_campaigns.html",
        {"summaries": selectors.campaign_summaries(kelurahan=kelurahan)},
    )


@_officer_page("funds.manage_campaigns")
def campaign_new(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Open a campaign: title, purpose, target, period, owner and an optional earmark."""
    form = CampaignForm(request.POST or None, kelurahan=kelurahan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                kelurahan=kelurahan,
                title=data["title"],
                purpose=data["purpose"],
                target_amount=data["target_amount"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                owner_kind=data["owner_kind"],
                owner_rw=data["owner_rw"],
                owner_organisation=data["owner_organisation"],
                earmark_kind=data["earmark_kind"] or EarmarkKind.NONE,
                earmark_rw=data["earmark_rw"],
                earmark_category=data["earmark_category"] or "",
                earmark_activity_id=data["earmark_activity"] or None,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Campaign “%(title)s” opened.") % {"title": campaign.title})
            return redirect("funds:campaign", slug=kelurahan.slug, campaign_id=campaign.pk)
    return render(request, "funds/campaign_form.html", {"form": form})


@require_POST
@_officer_page("funds.manage_campaigns")
def campaign_close(request: HttpRequest, kelurahan: Kelurahan, campaign_id: int) -> HttpResponse:
    """Stop a campaign taking donations (what it holds stays earmarked to it)."""
    try:
        campaign = selectors.campaign_get(kelurahan=kelurahan, pk=campaign_id)
        services.campaign_close(actor=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Campaign “%(title)s” closed.") % {"title": campaign.title})
    return redirect("funds:officer_campaigns", slug=kelurahan.slug)


@_officer_page("funds.operate")
def pledges(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Matching pledges: sponsor, campaign, ratio, cap, matched so far, money in the pool."""
    return render(
        request,
        "funds/pledges.html",
        {"pledges": selectors.pledge_list(kelurahan=kelurahan).order_by("-pk")},
    )


@_officer_page("funds.operate")
def pledge_new(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Record a CSR sponsor's pledge to match small donations to a campaign."""
    form = PledgeForm(request.POST or None, kelurahan=kelurahan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = services.pledge_create(
                actor=request.user,
                campaign=data["campaign"],
                sponsor=data["sponsor"],
                cap=data["cap"],
                ratio_numerator=data["ratio_numerator"],
                ratio_denominator=data["ratio_denominator"],
                max_donation=data["max_donation"] or None,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Matching pledge #%(id)s recorded. It matches once the sponsor's money "
                    "is confirmed."
                )
                % {"id": pledge.pk},
            )
            return redirect("funds:pledges", slug=kelurahan.slug)
    return render(request, "funds/pledge_form.html", {"form": form})


# --- money in: record, confirm, cancel, bank statements


@_officer_page("funds.treasury")
def donation_record(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Record money received by bank transfer or in cash, with a photo of the receipt."""
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        kelurahan=kelurahan,
        initial={"reference": request.GET.get("ref", "")[:16]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = None
            if data["reference"]:
                try:
                    pending = selectors.donation_get_by_reference(
                        kelurahan=kelurahan, reference=data["reference"]
                    )
                except NotFound as exc:
                    raise ValidationFailed(exc.message, {"field": "reference"}) from exc
            donation = services.donation_record(
                actor=request.user,
                kelurahan=kelurahan,
                receipt=data["receipt"],
                donation=pending,
                channel=data["channel"],
                amount=data["amount"] or (None if pending else ""),
                target=data["target"],
                campaign=data["campaign"],
                pledge=data["pledge"],
                public_name=data["public_name"],
                is_anonymous=data["is_anonymous"],
                donor_organisation=data["donor_organisation"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(ref)s recorded; another officer confirms it in the queue.")
                % {"ref": donation.payment_reference},
            )
            return redirect("funds:queue", slug=kelurahan.slug)
    return render(request, "funds/record.html", {"form": form})


@_officer_page("funds.treasury")
def donation_queue(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Recorded donations to confirm (or pending ones to record or cancel), paged."""
    status = request.GET.get("status", "")
    if status not in (DonationStatus.RECORDED, DonationStatus.PENDING):
        status = DonationStatus.RECORDED
    rows = selectors.donation_queue(kelurahan=kelurahan, status=status)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/queue.html",
        {
            "page": page,
            "status": status,
            "query": urlencode({"status": status}) + "&",
            "recorded_count": selectors.donation_queue(kelurahan=kelurahan).count(),
            "pending_count": selectors.donation_queue(
                kelurahan=kelurahan, status="pending"
            ).count(),
        },
    )


def _back_to_queue(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    status = request.POST.get("status", "")
    query = {"status": status} if status in DonationStatus.values else {}
    page = request.POST.get("page", "")
    if page.isdigit():
        query["page"] = page
    url = reverse("funds:queue", kwargs={"slug": kelurahan.slug})
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@require_POST
@_officer_page("funds.treasury")
def donation_confirm(request: HttpRequest, kelurahan: Kelurahan, donation_id: int) -> HttpResponse:
    """Confirm a recorded donation: it is posted to the ledger and matched."""
    try:
        donation = selectors.donation_get(kelurahan=kelurahan, pk=donation_id)
        donation = services.donation_confirm(actor=request.user, donation=donation)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Donation %(ref)s confirmed.") % {"ref": donation.payment_reference}
        )
    return _back_to_queue(request, kelurahan)


@require_POST
@_officer_page("funds.treasury")
def donation_cancel(request: HttpRequest, kelurahan: Kelurahan, donation_id: int) -> HttpResponse:
    """Cancel a donation that was never paid."""
    try:
        donation = selectors.donation_get(kelurahan=kelurahan, pk=donation_id)
        donation = services.donation_cancel(actor=request.user, donation=donation)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Donation %(ref)s cancelled.") % {"ref": donation.payment_reference}
        )
    return _back_to_queue(request, kelurahan)


@_officer_page("funds.treasury")
def statements(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Upload a bank statement CSV; past imports below."""
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = services.statement_import(
                actor=request.user,
                kelurahan=kelurahan,
                file_name=upload.name or "",
                content=upload.read(services.STATEMENT_MAX_BYTES + 1),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(matched)s of %(total)s lines matched a pending donation or a payment due.")
                % {"matched": statement.lines_matched, "total": statement.lines_total},
            )
            return redirect("funds:statement", slug=kelurahan.slug, statement_id=statement.pk)
    page = Paginator(selectors.statement_list(kelurahan=kelurahan), STATEMENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "funds/statements.html", {"form": form, "page": page, "query": ""})


@_officer_page("funds.treasury")
def statement_detail(request: HttpRequest, kelurahan: Kelurahan, statement_id: int) -> HttpResponse:
    """One import: the lines matched to donations and the ones it could not match."""
    try:
        statement = selectors.statement_get(kelurahan=kelurahan, pk=statement_id)
    except NotFound as exc:
        return _refused(request, exc)
    lines = list(statement.lines.all())
    other = selectors.statement_other_matches(statement=statement)
    return render(
        request,
        "funds/statement.html",
        {
            "statement": statement,
            "matched": [line for line in lines if line.donation_id],
            # Lines another app's matcher recorded (e.g. a market order's QRIS payment).
            "matched_other": [(line, other[line.pk]) for line in lines if line.pk in other],
            "unmatched": [line for line in lines if not line.donation_id and line.pk not in other],
        },
    )


# --- the ledger


@_officer_page("funds.view_ledger")
def ledger_accounts(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Every ledger account with its balance, and whether the books reconcile."""
    return render(
        request,
        "funds/ledger_accounts.html",
        {
            "accounts": selectors.account_list(kelurahan=kelurahan),
            "reconciliation": selectors.ledger_reconcile(kelurahan=kelurahan),
        },
    )


@_officer_page("funds.view_ledger")
def ledger_transfers(request: HttpRequest, kelurahan: Kelurahan) -> HttpResponse:
    """Transfers, newest first, 50 a page; ?akun=<id> and ?jenis=<kind> filter."""
    account = None
    account_id = request.GET.get("akun", "")
    if account_id.isdigit():
        try:
            account = selectors.account_get(kelurahan=kelurahan, pk=int(account_id))
        except NotFound as exc:
            return _refused(request, exc)
    kind = request.GET.get("jenis", "")
    if kind not in TransferKind.values:
        kind = ""
    transfers = selectors.transfer_list(kelurahan=kelurahan, account=account, kind=kind)
    page = Paginator(transfers, TRANSFER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        {k: v for k, v in (("akun", account.pk if account else ""), ("jenis", kind)) if v}
    )
    return render(
        request,
        "funds/ledger_transfers.html",
        {
            "page": page,
            "account": account,
            "kind": kind,
            "kinds": TransferKind.choices,
            "query": f"{query}&" if query else "",
        },
    )


def _transfer_page(
    request: HttpRequest, kelurahan: Kelurahan, transfer_id: int, form: ReverseForm
) -> HttpResponse:
    try:
        detail = selectors.transfer_detail(kelurahan=kelurahan, pk=transfer_id)
    except NotFound as exc:
        return _refused(request, exc)
    return render(
        request,
        "funds/ledger_transfer.html",
        {
            "detail": detail,
            "form": form,
            "can_reverse": detail.reversible and _holds(request.user, "funds.treasury", kelurahan),
        },
    )


@_officer_page("funds.view_ledger")
def ledger_transfer(request: HttpRequest, kelurahan: Kelurahan, transfer_id: int) -> HttpResponse:
    """A transfer with its postings; the treasurer can reverse it with a reason."""
    return _transfer_page(request, kelurahan, transfer_id, ReverseForm())


@require_POST
@_officer_page("funds.treasury")
def transfer_reverse(request: HttpRequest, kelurahan: Kelurahan, transfer_id: int) -> HttpResponse:
    """Correct a transfer by its mirror image; a reason is required."""
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            transfer = selectors.transfer_get(kelurahan=kelurahan, pk=transfer_id)
            mirror = services.transfer_reverse(
                actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("T-%(id)s reversed by T-%(mirror)s.") % {"id": transfer.pk, "mirror": mirror.pk},
            )
            return redirect("funds:ledger_transfer", slug=kelurahan.slug, transfer_id=mirror.pk)
    return _transfer_page(request, kelurahan, transfer_id, form)

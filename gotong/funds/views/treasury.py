"""The treasurer's and operators' pages under /k/<slug>/bendahara/: the hub, campaigns and
matching pledges, recording and confirming money in, bank statements, the ledger with
reversals. Each page is gated on the role (403 page for a wrong role, login for
anonymous); the services check the territory again and do every write.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gotong.accounts.permissions import permission_holds
from gotong.core.exceptions import ApplicationError, NotFound, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.forms import CampaignForm, PledgeForm, RecordForm, ReverseForm, StatementForm
from gotong.funds.models import (
    DonationStatus,
    EarmarkKind,
    TransferKind,
)
from gotong.territory.models import Kelurahan
from gotong.ui.pages import form_error, refused

from ._common import (
    FIELD_ALIASES,
    QUEUE_PAGE_SIZE,
    STATEMENT_PAGE_SIZE,
    TRANSFER_PAGE_SIZE,
    _can,
    _officer_page,
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
            form_error(form, exc, aliases=FIELD_ALIASES)
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
            form_error(form, exc, aliases=FIELD_ALIASES)
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
                amount=data["amount"] if data["amount"] is not None else (None if pending else ""),
                target=data["target"],
                campaign=data["campaign"],
                pledge=data["pledge"],
                public_name=data["public_name"],
                is_anonymous=data["is_anonymous"],
                donor_organisation=data["donor_organisation"],
            )
        except ApplicationError as exc:
            form_error(form, exc, aliases=FIELD_ALIASES)
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
            form_error(form, exc, aliases=FIELD_ALIASES)
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
        return refused(request, exc)
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
            return refused(request, exc)
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
        return refused(request, exc)
    return render(
        request,
        "funds/ledger_transfer.html",
        {
            "detail": detail,
            "form": form,
            "can_reverse": detail.reversible
            and permission_holds(request.user, "funds.treasury", kelurahan),
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
            form_error(form, exc, aliases=FIELD_ALIASES)
        else:
            messages.success(
                request,
                _("T-%(id)s reversed by T-%(mirror)s.") % {"id": transfer.pk, "mirror": mirror.pk},
            )
            return redirect("funds:ledger_transfer", slug=kelurahan.slug, transfer_id=mirror.pk)
    return _transfer_page(request, kelurahan, transfer_id, form)

"""Aid-out pages for operators, treasurers and approving officers, under
``/k/<slug>/bendahara/``: vouchers (issue, list, printable RT sheet, UMKM enrolment and
settlement), the goods store (stock in, out to an activity, counts, movements,
discrepancies), beneficiaries' payout accounts (masked; a second officer approves),
disbursements (request, two approvals, reject, pay with proof) and the monthly call-back
list. Plus the public voucher card a household opens from its message.

Thin: each page checks the route permission, then calls services and selectors, which
hold every rule (separation of duties, earmarks, balances); refusals are shown in the
visitor's language with their HTTP status and nothing changed.
"""

import datetime as dt
import uuid
from typing import Any, cast
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError, NotFound
from gotong.core.money import rupiah_format
from gotong.registry import selectors as registry_selectors
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.territory.models import Kelurahan

from . import qris, selectors, services
from .models import (
    AID_SOURCES,
    CallbackStatus,
    Category,
    DisbursementKind,
    DisbursementStatus,
    DonationKind,
    DonationTarget,
    GoodsMovementKind,
    PayoutAccountStatus,
    VoucherStatus,
)

PAGE_SIZE = 50


# --------------------------------------------------------------------------- helpers


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/refused.html", {"message": exc.message}, status=exc.status_code)


def _allowed(request: HttpRequest, perm: str) -> bool:
    try:
        permission_gate(request.user, perm, request_kelurahan(request))
    except ApplicationError:
        return False
    return True


def _gate(request: HttpRequest, perm: str) -> HttpResponse | None:
    """None when the user holds ``perm`` in this kelurahan, else the refusal page (403)."""
    try:
        permission_gate(request.user, perm, request_kelurahan(request))
    except ApplicationError as exc:
        return _refused(request, exc)
    return None


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _key() -> str:
    return uuid.uuid4().hex


def _redeem_url(request: HttpRequest, kelurahan: Kelurahan, code: str) -> str:
    """What a voucher's QR opens on the UMKM's phone: the redemption page, code signed."""
    path = reverse("funds:redeem", kwargs={"slug": kelurahan.slug})
    payload = quote(services.voucher_qr_payload(code), safe="")
    return request.build_absolute_uri(f"{path}?kode={payload}")


def _qr(url: str) -> str:
    return mark_safe(qris.qris_svg(url))  # noqa: S308 - segno SVG of our own URL


def _choice(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _aid_sources(kelurahan: Kelurahan) -> list[tuple[str, str]]:
    services.accounts_ensure(kelurahan=kelurahan)
    accounts = selectors.account_list(kelurahan=kelurahan).filter(kind__in=list(AID_SOURCES))
    return [(str(a.pk), f"{a.name} · {rupiah_format(a.balance)}") for a in accounts]


def _activities(kelurahan: Kelurahan) -> list[tuple[str, str]]:
    from gotong.activities import selectors as activity_selectors

    rows = activity_selectors.activity_list(kelurahan=kelurahan, open_only=True)[:200]
    return [("", "—")] + [(str(a.pk), f"#{a.pk} · {a.title} · {a.rt}") for a in rows]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class NoEchoInput(forms.TextInput):
    """A text input that never writes the typed value back into the page (bank numbers)."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


# --------------------------------------------------------------------------- vouchers


class VoucherIssueForm(forms.Form):
    RECIPIENTS = [
        ("rt", gettext_lazy("Anonymously through the RT (printed sheet for the RT head)")),
        ("household", gettext_lazy("To a household (sent by message)")),
    ]
    source = forms.ChoiceField(label=gettext_lazy("Paid from"))
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    value = forms.IntegerField(label=gettext_lazy("Value of each voucher (Rp)"), min_value=1)
    count = forms.IntegerField(
        label=gettext_lazy("Number of vouchers"), min_value=1, max_value=500, initial=1
    )
    recipient = forms.ChoiceField(
        label=gettext_lazy("For"), choices=RECIPIENTS, widget=forms.RadioSelect, initial="rt"
    )
    rt = forms.ChoiceField(label=gettext_lazy("RT"), required=False)
    household = forms.IntegerField(
        label=gettext_lazy("Household number (KK #)"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("As shown on the resident's page."),
    )
    valid_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=366, initial=30
    )
    allow_partial = forms.BooleanField(label=gettext_lazy("May be used in parts"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "source").choices = _aid_sources(kelurahan)
        _choices(self, "rt").choices = [("", "—")] + [
            (str(rt.pk), str(rt)) for rt in territory_selectors.rt_list(kelurahan=kelurahan)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recipient") == "household" and not data.get("household"):
            self.add_error("household", _("Give the household number."))
        if data.get("recipient") == "rt" and not data.get("rt"):
            self.add_error("rt", _("Choose the RT."))
        return data


@login_required
def vouchers(request: HttpRequest, slug: str) -> HttpResponse:
    """Vouchers issued (codes are never stored: only the last characters), with counts."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
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
            "may_issue": _allowed(request, "funds.operate"),
        },
    )


@login_required
def voucher_issue(request: HttpRequest, slug: str) -> HttpResponse:
    """Issue vouchers: a household's codes go out by message; anonymous ones are shown
    once, on a sheet to print for the RT head."""
    if refused := _gate(request, "funds.operate"):
        return refused
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
        return _refused(request, NotFound(_("This voucher link is not valid.")))
    except ApplicationError as exc:
        return _refused(request, exc)
    response = render(
        request,
        "funds/aid/voucher_card.html",
        {"voucher": voucher, "code": code, "qr": _qr(_redeem_url(request, kelurahan, code))},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --------------------------------------------------------------------------- UMKM


class MerchantEnrolForm(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("UMKM (approved)"))
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Accepts vouchers for"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gotong.registry.models import OrganisationKind

        _choices(self, "organisation").choices = [
            (str(o.pk), f"{o.name}{f' · {o.rt}' if o.rt else ''}")
            for o in registry_selectors.organisation_list(
                kelurahan=kelurahan, kind=OrganisationKind.UMKM
            )
        ]


@login_required
def merchants(request: HttpRequest, slug: str) -> HttpResponse:
    """UMKM accepting vouchers: what each is owed, settlements under way, enrolment."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
    kelurahan = request_kelurahan(request)
    may_operate = _allowed(request, "funds.operate")
    form = MerchantEnrolForm(request.POST or None, kelurahan=kelurahan)
    status = 200
    if request.method == "POST":
        if not may_operate:
            return _gate(request, "funds.operate") or redirect("funds:aid_merchants", slug=slug)
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


class SettlementForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Amount (Rp)"), min_value=1)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    pay_by_cash = forms.BooleanField(label=gettext_lazy("Pay from the cash box"), required=False)


@login_required
def settlement_request(request: HttpRequest, slug: str, merchant_id: int) -> HttpResponse:
    """Ask to pay a UMKM what its redeemed vouchers earned (two approvals, then paid)."""
    if refused := _gate(request, "funds.operate"):
        return refused
    kelurahan = request_kelurahan(request)
    try:
        merchant = selectors.merchant_get(kelurahan=kelurahan, pk=merchant_id)
    except ApplicationError as exc:
        return _refused(request, exc)
    initial = {
        "amount": merchant.account.balance or None,
        "purpose": _("Settlement of redeemed vouchers: %(name)s")
        % {"name": merchant.organisation.name},
        "category": (merchant.categories or [Category.SEMBAKO])[0],
    }
    form = SettlementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.disbursement_request(
                actor=request.user,
                kelurahan=kelurahan,
                kind=DisbursementKind.UMKM_SETTLEMENT,
                amount=data["amount"],
                purpose=data["purpose"],
                category=data["category"],
                merchant=merchant,
                pay_by_cash=data["pay_by_cash"],
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            messages.success(request, _("Payment P-%(id)s requested.") % {"id": row.pk})
            return redirect("funds:aid_disbursement", slug=slug, disbursement_id=row.pk)
    return render(
        request,
        "funds/aid/settlement.html",
        {"form": form, "merchant": merchant},
        status=status,
    )


# --------------------------------------------------------------------------- goods


class GoodsInForm(forms.Form):
    goods_name = forms.CharField(label=gettext_lazy("Goods"), max_length=100)
    goods_unit = forms.CharField(
        label=gettext_lazy("Unit"), max_length=20, help_text=gettext_lazy("e.g. kg, pack, box")
    )
    goods_quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1)
    goods_category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    amount = forms.IntegerField(label=gettext_lazy("Declared value of all of it (Rp)"), min_value=1)
    goods_expires_on = forms.DateField(
        label=gettext_lazy("Best before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Required for food."),
    )
    target = forms.ChoiceField(label=gettext_lazy("For"))
    public_name = forms.CharField(
        label=gettext_lazy("Donor name shown publicly"), max_length=100, required=False
    )
    is_anonymous = forms.BooleanField(label=gettext_lazy("Anonymous donor"), required=False)
    receipt = forms.ImageField(label=gettext_lazy("Photo of the goods or the handover receipt"))

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "target").choices = [("aid_fund", _("The kelurahan aid fund"))] + [
            (str(c.pk), c.title)
            for c in selectors.campaign_list(kelurahan=kelurahan, active_only=True)
        ]


@login_required
def goods(request: HttpRequest, slug: str) -> HttpResponse:
    """The goods store: lots with stock, and goods received waiting for confirmation."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
    kelurahan = request_kelurahan(request)
    waiting = selectors.donation_queue(kelurahan=kelurahan).filter(kind=DonationKind.IN_KIND)
    return render(
        request,
        "funds/aid/goods.html",
        {
            "page": _page(request, selectors.goods_list(kelurahan=kelurahan)),
            "waiting": waiting[:50],
            "today": timezone.localdate(),
            "may_operate": _allowed(request, "funds.operate"),
            "may_receive": _allowed(request, "funds.treasury"),
        },
    )


@login_required
def goods_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Record goods handed in (an in-kind donation) with a photo; stock grows once another
    officer confirms it on the treasurer's page."""
    if refused := _gate(request, "funds.treasury"):
        return refused
    kelurahan = request_kelurahan(request)
    form = GoodsInForm(request.POST or None, request.FILES or None, kelurahan=kelurahan)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = None
            if data["target"] != "aid_fund":
                campaign = selectors.campaign_get(kelurahan=kelurahan, pk=int(data["target"]))
            donation = services.donation_record(
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
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            messages.success(
                request,
                _(
                    "Goods recorded as %(ref)s. Another officer confirms them on the "
                    "treasurer's page; then they are in stock."
                )
                % {"ref": donation.payment_reference},
            )
            return redirect("funds:aid_goods", slug=slug)
    return render(request, "funds/aid/goods_in.html", {"form": form}, status=status)


class GoodsIssueForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1)
    activity = forms.ChoiceField(label=gettext_lazy("Activity"))
    receipt_code = forms.CharField(
        label=gettext_lazy("Evidence receipt code (empty: the activity's first photo)"),
        max_length=16,
        required=False,
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "activity").choices = _activities(kelurahan)

    def clean_activity(self) -> int:
        value = _choice(self.cleaned_data.get("activity"))
        if value is None:
            raise forms.ValidationError(_("Choose the activity."))
        return value


class StockCountForm(forms.Form):
    counted = forms.IntegerField(label=gettext_lazy("Counted"), min_value=0)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _goods_action(request: HttpRequest, slug: str, item_id: int, action: str) -> HttpResponse:
    if refused := _gate(request, "funds.operate"):
        return refused
    kelurahan = request_kelurahan(request)
    try:
        item = selectors.goods_get(kelurahan=kelurahan, pk=item_id)
    except ApplicationError as exc:
        return _refused(request, exc)
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
    if refused := _gate(request, "funds.view_ledger"):
        return refused
    kelurahan = request_kelurahan(request)
    return render(
        request,
        "funds/aid/goods_movements.html",
        {
            "page": _page(request, selectors.goods_movements(kelurahan=kelurahan)),
            "title": _("Stock movements"),
            "kinds": dict(GoodsMovementKind.choices),
        },
    )


@login_required
def goods_discrepancies(request: HttpRequest, slug: str) -> HttpResponse:
    """Stock counts that found a difference."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
    kelurahan = request_kelurahan(request)
    return render(
        request,
        "funds/aid/goods_movements.html",
        {
            "page": _page(request, selectors.goods_discrepancies(kelurahan=kelurahan)),
            "title": _("Stock count differences"),
            "kinds": dict(GoodsMovementKind.choices),
        },
    )


# --------------------------------------------------------------------------- payout accounts


class PayoutProposeForm(forms.Form):
    person = forms.IntegerField(
        label=gettext_lazy("Resident number"),
        min_value=1,
        help_text=gettext_lazy("As in the address of the resident's page (/warga/<number>/)."),
    )
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=60)
    account_number = forms.CharField(
        label=gettext_lazy("Account number"),
        max_length=30,
        widget=NoEchoInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("Stored encrypted; pages show only the last 4 digits."),
    )


@login_required
def payouts(request: HttpRequest, slug: str) -> HttpResponse:
    """Beneficiaries' bank accounts, masked; pending changes wait for a second officer."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
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
            "may_propose": _allowed(request, "funds.operate"),
            "may_approve": _allowed(request, "funds.approve"),
            "error": error,
        },
        status=status,
    )


@login_required
def payout_propose(request: HttpRequest, slug: str) -> HttpResponse:
    """Propose a beneficiary's bank account (never by whoever registered them)."""
    if refused := _gate(request, "funds.operate"):
        return refused
    kelurahan = request_kelurahan(request)
    form = PayoutProposeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = registry_selectors.person_get(kelurahan=kelurahan, pk=data["person"])
            payout = services.payout_account_propose(
                actor=request.user,
                person=person,
                bank_name=data["bank_name"],
                account_number=data["account_number"],
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            messages.success(
                request,
                _("Bank account …%(last4)s proposed; a second officer must approve it.")
                % {"last4": payout.account_last4},
            )
            return redirect("funds:aid_payouts", slug=slug)
    return render(request, "funds/aid/payout_propose.html", {"form": form}, status=status)


@login_required
def payout_decide(request: HttpRequest, slug: str, payout_id: int) -> HttpResponse:
    """A second officer approves or rejects a proposed bank account (POST)."""
    if refused := _gate(request, "funds.approve"):
        return refused
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


# --------------------------------------------------------------------------- disbursements


class DisbursementForm(forms.Form):
    KINDS = [
        (DisbursementKind.CASH_AID, DisbursementKind.CASH_AID.label),
        (DisbursementKind.SUPPLIER, DisbursementKind.SUPPLIER.label),
    ]
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=KINDS, widget=forms.RadioSelect)
    source = forms.ChoiceField(label=gettext_lazy("Paid from"))
    amount = forms.IntegerField(label=gettext_lazy("Amount (Rp)"), min_value=1)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    payout = forms.ChoiceField(label=gettext_lazy("Beneficiary's bank account"), required=False)
    supplier = forms.ChoiceField(label=gettext_lazy("Supplier"), required=False)
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), required=False)
    pay_by_cash = forms.BooleanField(label=gettext_lazy("Pay from the cash box"), required=False)

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "source").choices = _aid_sources(kelurahan)
        _choices(self, "payout").choices = [("", "—")] + [
            (
                str(p.pk),
                _("Resident #%(id)s · %(bank)s …%(last4)s")
                % {"id": p.person_id, "bank": p.bank_name, "last4": p.account_last4},
            )
            for p in selectors.payout_account_list(
                kelurahan=kelurahan, status=PayoutAccountStatus.ACTIVE
            )
        ]
        _choices(self, "supplier").choices = [("", "—")] + [
            (str(o.pk), o.name) for o in registry_selectors.organisation_list(kelurahan=kelurahan)
        ]
        _choices(self, "activity").choices = _activities(kelurahan)


@login_required
def disbursements(request: HttpRequest, slug: str) -> HttpResponse:
    """Payments out by status: waiting for approvals, approved (to pay), paid, rejected."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
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
            "may_request": _allowed(request, "funds.operate"),
        },
    )


@login_required
def disbursement_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Request cash aid to a beneficiary's approved account or a supplier payment."""
    if refused := _gate(request, "funds.operate"):
        return refused
    kelurahan = request_kelurahan(request)
    form = DisbursementForm(request.POST or None, kelurahan=kelurahan)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payout = supplier = None
            if data["payout"] and data["kind"] == DisbursementKind.CASH_AID:
                payout = selectors.payout_account_get(kelurahan=kelurahan, pk=int(data["payout"]))
            if data["supplier"] and data["kind"] == DisbursementKind.SUPPLIER:
                supplier = registry_selectors.organisation_get(
                    kelurahan=kelurahan, pk=int(data["supplier"])
                )
            row = services.disbursement_request(
                actor=request.user,
                kelurahan=kelurahan,
                kind=data["kind"],
                amount=data["amount"],
                purpose=data["purpose"],
                category=data["category"],
                source=selectors.account_get(kelurahan=kelurahan, pk=int(data["source"])),
                activity_id=_choice(data["activity"]),
                payout=payout,
                supplier=supplier,
                pay_by_cash=data["pay_by_cash"],
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            messages.success(request, _("Payment P-%(id)s requested.") % {"id": row.pk})
            return redirect("funds:aid_disbursement", slug=slug, disbursement_id=row.pk)
    return render(request, "funds/aid/disbursement_new.html", {"form": form}, status=status)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class PayForm(forms.Form):
    proof = forms.ImageField(label=gettext_lazy("Photo of the proof of payment"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


@login_required
def disbursement_detail(request: HttpRequest, slug: str, disbursement_id: int) -> HttpResponse:
    """One payment: its approvals and, by role, approve / reject / pay with proof."""
    if refused := _gate(request, "funds.view_ledger"):
        return refused
    kelurahan = request_kelurahan(request)
    try:
        row = selectors.disbursement_get(kelurahan=kelurahan, pk=disbursement_id)
    except ApplicationError as exc:
        return _refused(request, exc)
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
        if refused := _gate(request, perm[action]):
            return refused
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
            "may_approve": _allowed(request, "funds.approve"),
            "may_pay": _allowed(request, "funds.treasury"),
            "reject_form": reject_form,
            "pay_form": pay_form,
            "error": error,
        },
        status=status,
    )


class _FormInvalid(Exception):
    """A bound form has errors; they are shown next to its fields."""


# --------------------------------------------------------------------------- call-backs


class CallbackForm(forms.Form):
    OUTCOMES = [(s, label) for s, label in CallbackStatus.choices if s != CallbackStatus.OPEN]
    status = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=OUTCOMES)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


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
    if refused := _gate(request, "funds.operate"):
        return refused
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
    from gotong.registry.models import AccessPurpose
    from gotong.registry.services import person_list_view

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

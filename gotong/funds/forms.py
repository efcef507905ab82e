"""The funds forms: giving, redemption, the treasurer's (campaigns, pledges, money in,
statements, reversals) and the aid-out ones (vouchers, UMKM, goods, payout accounts,
disbursements, call-backs). Forms check input only; every rule is in the services.
"""

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gotong.activities import selectors as activity_selectors
from gotong.core.forms import RupiahField
from gotong.core.money import rupiah_format
from gotong.funds import selectors, services
from gotong.funds.models import (
    AID_SOURCES,
    CallbackStatus,
    Campaign,
    Category,
    Channel,
    DisbursementKind,
    DonationTarget,
    EarmarkKind,
    MatchPledge,
    OwnerKind,
    PayoutAccountStatus,
)
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import Organisation, OrganisationKind
from gotong.territory import selectors as territory_selectors
from gotong.territory.models import RW, Kelurahan

# Where the form accepts any whole amount (zero and above) and leaves the range to the
# service, a typed amount it cannot read is refused in the service's words.
SERVICE_WORDING = {"invalid": gettext_lazy("The amount must be a whole number of rupiah.")}


def optional_pk(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _aid_sources(kelurahan: Kelurahan) -> list[tuple[str, str]]:
    services.accounts_ensure(kelurahan=kelurahan)
    accounts = selectors.account_list(kelurahan=kelurahan).filter(kind__in=list(AID_SOURCES))
    return [(str(a.pk), f"{a.name} · {rupiah_format(a.balance)}") for a in accounts]


def _activities(kelurahan: Kelurahan) -> list[tuple[str, str]]:
    rows = activity_selectors.activity_list(kelurahan=kelurahan, open_only=True)[:200]
    return [("", "—")] + [(str(a.pk), f"#{a.pk} · {a.title} · {a.rt}") for a in rows]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class DonateForm(forms.Form):
    amount = RupiahField(label=gettext_lazy("Amount (Rp)"), min_value=1)
    public_name = forms.CharField(
        label=gettext_lazy("Name shown publicly"), max_length=100, required=False
    )
    is_anonymous = forms.BooleanField(label=gettext_lazy("Stay anonymous"), required=False)


class RedeemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Voucher code"), max_length=200)
    amount = RupiahField(
        label=gettext_lazy("Amount (empty: the whole voucher)"), min_value=1, required=False
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _photo_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class CampaignForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_amount = RupiahField(
        label=gettext_lazy("Target (Rp)"),
        error_messages=SERVICE_WORDING,
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
    cap = RupiahField(label=gettext_lazy("Cap: at most (Rp)"), error_messages=SERVICE_WORDING)
    max_donation = RupiahField(
        label=gettext_lazy("Only donations up to (Rp, empty: any size)"),
        error_messages=SERVICE_WORDING,
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
        help_text=gettext_lazy(
            "For example GR-7K3Q9M: records that pending donation instead of a new one."
        ),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Received by"),
        choices=[
            (Channel.BANK_TRANSFER, Channel.BANK_TRANSFER.label),
            (Channel.CASH, Channel.CASH.label),
        ],
    )
    amount = RupiahField(
        label=gettext_lazy("Amount received (Rp)"), required=False, error_messages=SERVICE_WORDING
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


class NoEchoInput(forms.TextInput):
    """A text input that never writes the typed value back into the page (bank numbers)."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


class VoucherIssueForm(forms.Form):
    RECIPIENTS = [
        ("rt", gettext_lazy("Anonymously through the RT (printed sheet for the RT head)")),
        ("household", gettext_lazy("To a household (sent by message)")),
    ]
    source = forms.ChoiceField(label=gettext_lazy("Paid from"))
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    value = RupiahField(label=gettext_lazy("Value of each voucher (Rp)"), min_value=1)
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


class MerchantEnrolForm(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("UMKM (approved)"))
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Accepts vouchers for"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "organisation").choices = [
            (str(o.pk), f"{o.name}{f' · {o.rt}' if o.rt else ''}")
            for o in registry_selectors.organisation_list(
                kelurahan=kelurahan, kind=OrganisationKind.UMKM
            )
        ]


class SettlementForm(forms.Form):
    amount = RupiahField(label=gettext_lazy("Amount (Rp)"), min_value=1)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    pay_by_cash = forms.BooleanField(label=gettext_lazy("Pay from the cash box"), required=False)


class GoodsInForm(forms.Form):
    goods_name = forms.CharField(label=gettext_lazy("Goods"), max_length=100)
    goods_unit = forms.CharField(
        label=gettext_lazy("Unit"), max_length=20, help_text=gettext_lazy("e.g. kg, pack, box")
    )
    goods_quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1)
    goods_category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    amount = RupiahField(label=gettext_lazy("Declared value of all of it (Rp)"), min_value=1)
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
        value = optional_pk(self.cleaned_data.get("activity"))
        if value is None:
            raise forms.ValidationError(_("Choose the activity."))
        return value


class StockCountForm(forms.Form):
    counted = forms.IntegerField(label=gettext_lazy("Counted"), min_value=0)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


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


class DisbursementForm(forms.Form):
    KINDS = [
        (DisbursementKind.CASH_AID, DisbursementKind.CASH_AID.label),
        (DisbursementKind.SUPPLIER, DisbursementKind.SUPPLIER.label),
    ]
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=KINDS, widget=forms.RadioSelect)
    source = forms.ChoiceField(label=gettext_lazy("Paid from"))
    amount = RupiahField(label=gettext_lazy("Amount (Rp)"), min_value=1)
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


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class PayForm(forms.Form):
    proof = forms.ImageField(label=gettext_lazy("Photo of the proof of payment"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class CallbackForm(forms.Form):
    OUTCOMES = [(s, label) for s, label in CallbackStatus.choices if s != CallbackStatus.OPEN]
    status = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=OUTCOMES)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

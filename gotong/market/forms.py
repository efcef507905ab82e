"""Market forms for sellers, operators and couriers: fields and widgets only; every rule
(prices above zero, approved UMKM, shares adding up to the price, capacities) is checked
by the services, whose refusals are shown on the field they name."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gotong.core.forms import RupiahField
from gotong.registry.models import Organisation, OrganisationStatus

from .models import Product, ProductCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NUMBER = {"inputmode": "numeric"}
# The service checks that a price is above zero; a price the form cannot read (e.g. "-500"
# or "2500,5") is refused in the same words.
PRICE_WORDING = {"invalid": _("The price must be a whole number of rupiah above zero.")}


class UmkmChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.status == OrganisationStatus.APPROVED:
            return str(obj.name)
        return f"{obj.name} ({obj.get_status_display()})"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.unit}) · {obj.organisation.name}"


class ProductForm(forms.Form):
    """A product of a UMKM; the UMKM and the name are chosen when it is listed."""

    organisation = UmkmChoiceField(queryset=Organisation.objects.none(), label=_("UMKM"))
    name = forms.CharField(label=_("Product name"), max_length=80)
    category = forms.ChoiceField(label=_("Category"), choices=ProductCategory.choices)
    unit = forms.CharField(
        label=_("Unit"), max_length=20, help_text=_("e.g. ikat, kg, butir, bungkus")
    )
    price = RupiahField(label=_("Price per unit (Rp)"), error_messages=PRICE_WORDING)
    stock = forms.IntegerField(
        label=_("Stock"),
        required=False,
        help_text=_("Units ready to sell. Leave empty when made to order."),
        widget=forms.NumberInput(attrs=NUMBER),
    )
    daily_capacity = forms.IntegerField(
        label=_("Daily capacity"),
        required=False,
        help_text=_("Units you can make a day. Give this, the stock, or both."),
        widget=forms.NumberInput(attrs=NUMBER),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    halal_certificate = forms.CharField(
        label=_("Halal certificate no."), max_length=40, required=False
    )
    pirt_number = forms.CharField(
        label=_("P-IRT no."),
        max_length=20,
        required=False,
        help_text=_("Home-industry food licence, for prepared food."),
    )
    is_active = forms.BooleanField(
        label=_("Active (shown in the catalogue)"), required=False, initial=True
    )

    def __init__(self, *args: Any, organisations: Any = None, editing: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        if editing:
            del self.fields["organisation"]
            del self.fields["name"]
        else:
            del self.fields["is_active"]  # a new product is listed active
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP up to 5 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class ComponentForm(forms.Form):
    """One product in a bundle and the part of the price its UMKM receives."""

    product = ProductChoiceField(
        queryset=Product.objects.none(), label=_("Product"), required=False
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), required=False, widget=forms.NumberInput(attrs=NUMBER)
    )
    share = RupiahField(label=_("UMKM's share (Rp)"), required=False)

    def __init__(self, *args: Any, products: Any = None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("product") is not None and (
            data.get("quantity") is None or data.get("share") is None
        ):
            raise forms.ValidationError(_("Give the quantity and the UMKM's share."))
        return data


ComponentFormSet = forms.formset_factory(ComponentForm, extra=6, max_num=12)


class BundleForm(forms.Form):
    name = forms.CharField(label=_("Bundle name"), max_length=80)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=ProductCategory.choices,
        initial=ProductCategory.SEMBAKO,
        help_text=_("Staple food and household needs can also serve aid requests."),
    )
    price = RupiahField(label=_("Price (Rp)"), error_messages=PRICE_WORDING)
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CycleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    opens_at = forms.DateTimeField(
        label=_("Orders open (WIB)"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    closes_at = forms.DateTimeField(
        label=_("Orders close (WIB)"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    delivery_date = forms.DateField(label=_("Pickup / delivery date"), widget=DATE)
    hub_lat = forms.FloatField(
        label=_("Hub latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Where couriers start; empty: the kelurahan's centre."),
    )
    hub_lon = forms.FloatField(
        label=_("Hub longitude"), required=False, min_value=-180, max_value=180
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("hub_lat") is None) != (data.get("hub_lon") is None):
            self.add_error("hub_lon", _("Give both coordinates of the hub, or neither."))
        return data


class CourierForm(forms.Form):
    label = forms.CharField(label=_("Name on the route sheet"), max_length=60)
    capacity = forms.IntegerField(
        label=_("Packages per trip"), widget=forms.NumberInput(attrs=NUMBER)
    )
    phone = forms.CharField(
        label=_("Courier's mobile number"),
        max_length=32,
        required=False,
        help_text=_("So they see their route sheet and record drop-offs. Optional."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    is_paid = forms.BooleanField(label=_("Paid courier"), required=False)


class CourierUpdateForm(forms.Form):
    """One courier's row on the couriers page: packages per trip and the active flag."""

    capacity = forms.IntegerField(
        label=_("Packages per trip"),
        widget=forms.NumberInput(attrs=NUMBER),
        error_messages={
            "required": _("Give the number of packages per trip."),
            "invalid": _("Give the number of packages per trip as a whole number."),
        },
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)


class SettingsForm(forms.Form):
    operations_fee_pct = forms.DecimalField(
        label=_("Operations fee (% of the goods total)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Between 0 and 30. Kept for running the platform."),
    )
    delivery_fee = RupiahField(label=_("Delivery fee per delivered order (Rp)"))
    courier_share_pct = forms.DecimalField(
        label=_("Courier's share of the delivery fee (%)"), max_digits=5, decimal_places=2
    )
    baseline_cycles = forms.IntegerField(
        label=_("Cycles in the UMKM baseline period"),
        help_text=_("Growth of UMKM sales is measured against these first cycles."),
    )

    @staticmethod
    def basis_points(value: Decimal) -> int:
        return int((value * 100).to_integral_value())


class SellerForm(forms.Form):
    organisation = UmkmChoiceField(queryset=Organisation.objects.none(), label=_("UMKM"))
    phone = forms.CharField(
        label=_("Seller's mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, organisations: Any = None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class DropoffForm(forms.Form):
    code = forms.CharField(
        label=_("Buyer's 6-digit code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    photo = forms.FileField(
        label=_("Or a photo of the hand-over"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    cash_collected = RupiahField(label=_("Cash received (Rp)"), required=False)

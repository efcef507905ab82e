"""Forms of the needs pages; rules live in services, forms only shape the input."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Category, Urgency


class NeedForm(forms.Form):
    category = forms.ChoiceField(label=_("What is needed?"), choices=Category.choices)
    urgency = forms.ChoiceField(
        label=_("How urgent?"), choices=Urgency.choices, initial=Urgency.SEDANG
    )
    description = forms.CharField(
        label=_("Describe the need"),
        max_length=1000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No NIK or medical details here: the RT head will ask if needed."),
    )
    quantity = forms.IntegerField(label=_("How many?"), min_value=1, max_value=100_000, initial=1)
    unit = forms.CharField(label=_("Unit"), max_length=30, initial="paket")
    people_affected = forms.IntegerField(
        label=_("People affected"), min_value=1, max_value=500, initial=1
    )
    needed_by = forms.DateField(
        label=_("Needed by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    recurrence_days = forms.IntegerField(
        label=_("Repeat every ... days (optional)"), min_value=1, max_value=90, required=False
    )
    anonymous = forms.BooleanField(
        label=_("Keep my identity known only to my RT head"), required=False
    )

    def clean_needed_by(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["needed_by"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        # End of that day, local time.
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class ProxyForm(NeedForm):
    """The RT head (proxy) or an operator (kiosk) raises a need for a resident."""

    beneficiary = forms.TypedChoiceField(label=_("For whom?"), coerce=int, choices=[])
    duplicate_override_reason = forms.CharField(
        label=_("Reason to submit despite an open need (RT head only)"),
        max_length=300,
        required=False,
    )

    consent_evidence = forms.FileField(
        label=_("Photo of the signed consent form (kiosk)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: object, people: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["beneficiary"].choices = people  # type: ignore[attr-defined]
        del self.fields["anonymous"]


class StepForm(forms.Form):
    to = forms.CharField(max_length=12)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

"""Forms of the activity pages; rules live in services, forms only shape the input."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind, ResourceKind

DATETIME = {"type": "datetime-local"}
FORMAT = "%Y-%m-%dT%H:%M"
SLOT_ROWS = 3


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("Public: no names, phone numbers or addresses."),
    )
    rt = forms.TypedChoiceField(label=_("Where (RT)"), coerce=int, choices=[])
    place_note = forms.CharField(label=_("Meeting point"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[FORMAT],
        widget=forms.DateTimeInput(attrs=DATETIME, format=FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        input_formats=[FORMAT],
        widget=forms.DateTimeInput(attrs=DATETIME, format=FORMAT),
    )
    needs = forms.TypedMultipleChoiceField(
        label=_("Approved needs it serves"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(
        label=_("Community purpose (when it serves no individual need)"),
        max_length=300,
        required=False,
    )
    coordinator = forms.TypedChoiceField(label=_("Coordinator"), coerce=int, choices=[])
    resource_kind = forms.ChoiceField(
        label=_("Resource used (optional)"),
        choices=[("", "—"), *ResourceKind.choices],
        required=False,
    )
    resource_ref = forms.CharField(
        label=_("Resource reference (e.g. package code)"), max_length=64, required=False
    )
    resource_quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1, required=False
    )
    resource_organisation = forms.TypedChoiceField(
        label=_("Provided by (UMKM, donor)"), coerce=int, choices=[], required=False
    )

    def __init__(
        self,
        *args: Any,
        rts: list[tuple[int, str]],
        needs: list[tuple[int, str]],
        coordinators: list[tuple[int, str]],
        skills: list[tuple[int, str]],
        organisations: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rt"].choices = rts  # type: ignore[attr-defined]
        self.fields["needs"].choices = needs  # type: ignore[attr-defined]
        self.fields["coordinator"].choices = coordinators  # type: ignore[attr-defined]
        self.fields["resource_organisation"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *organisations,
        ]
        for row in range(1, SLOT_ROWS + 1):
            self.fields[f"slot_skill_{row}"] = forms.TypedChoiceField(
                label=_("Volunteer slot %(n)s: skill") % {"n": row},
                coerce=int,
                choices=[("", "—"), *skills],
                required=False,
            )
            self.fields[f"slot_count_{row}"] = forms.IntegerField(
                label=_("How many"), min_value=1, max_value=50, required=False
            )

    def slot_rows(self) -> list[tuple[int, int]]:
        """(skill id, count) of the filled slot rows."""
        rows = []
        for row in range(1, SLOT_ROWS + 1):
            skill = self.cleaned_data.get(f"slot_skill_{row}")
            if skill:
                rows.append((int(skill), self.cleaned_data.get(f"slot_count_{row}") or 1))
        return rows


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        help_text=_("Take it on the spot with the phone camera. JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = forms.CharField(
        label=_("What was done (public)"),
        required=False,
        max_length=280,
        help_text=_("Shown on the public receipt: no names, phone numbers or addresses."),
    )


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How was the help?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

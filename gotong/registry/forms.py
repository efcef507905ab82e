"""Registry forms: fields and widgets only; every rule is checked by the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gotong.territory.models import RT, Kelurahan

from .models import (
    AccessPurpose,
    ConsentPurpose,
    DuplicateCaseStatus,
    OrganisationKind,
    Relationship,
    Sex,
    WelfareListing,
)
from .services import PersonData

DATE = forms.DateInput(attrs={"type": "date"})


class RTChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class PersonDetailsForm(forms.Form):
    """The details a self-registered resident adds later on their data page (and that the
    full person form asks too): sex, birth date and the household's situation."""

    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DATE)
    is_elderly = forms.BooleanField(label=_("Elderly"), required=False)
    has_disability = forms.BooleanField(label=_("Disability"), required=False)
    has_chronic_illness = forms.BooleanField(label=_("Chronic illness"), required=False)
    is_pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    is_child_under_five = forms.BooleanField(label=_("Child under five"), required=False)
    lost_job = forms.BooleanField(label=_("Lost their job"), required=False)
    dtks_listed = forms.ChoiceField(
        label=_("Listed in DTKS"), choices=WelfareListing.choices, initial=WelfareListing.UNKNOWN
    )


class PersonForm(PersonDetailsForm):
    """One person's data; Tier-2 fields are optional and need the sensitive-data consent."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Mobile number"), max_length=32, required=False)
    nik = forms.CharField(
        label="NIK",
        max_length=32,
        required=False,
        help_text=_("Optional. Stored encrypted; needs consent for sensitive data."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    field_order = ["full_name", "sex", "birth_date", "phone", "nik"]

    def person_data(self, rt: RT | None) -> PersonData:
        fields = PersonData.__dataclass_fields__
        data = {k: v for k, v in self.cleaned_data.items() if k in fields}
        if rt is not None or "rt" not in data:
            data["rt"] = rt
        return PersonData(**data)


class RegistrationChoicesForm(forms.Form):
    """The RT, anonymous mode and consent per purpose, shared by self-registration and kiosk."""

    rt = RTChoiceField(label=_("RT"), queryset=RT.objects.none())
    anonymous_mode = forms.BooleanField(
        label=_("Anonymous mode: only my RT head sees who I am when I ask for help"),
        required=False,
    )
    consents = forms.MultipleChoiceField(
        label=_("I agree that my data is used for"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[ConsentPurpose.AID],
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, consent_help: str = "", **kw: Any):
        super().__init__(*args, **kw)
        self.fields["rt"].queryset = RT.objects.filter(kelurahan=kelurahan).select_related("rw")  # type: ignore[attr-defined]
        self.fields["consents"].help_text = consent_help


class RegisterForm(RegistrationChoicesForm):
    """Self-registration in under two minutes: name, RT and consent; the rest later."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    field_order = ["full_name", "rt", "consents", "anonymous_mode"]

    def person_data(self) -> PersonData:
        return PersonData(
            full_name=self.cleaned_data["full_name"],
            sex="",
            birth_date=None,
            rt=self.cleaned_data["rt"],
            anonymous_mode=self.cleaned_data["anonymous_mode"],
        )


class KioskForm(PersonForm, RegistrationChoicesForm):
    """An operator registers a resident in full, with the photo of the signed paper form."""

    evidence = forms.ImageField(
        label=_("Photo of the signed consent form"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    field_order = ["rt", "anonymous_mode", "consents", *PersonForm.field_order]


class HouseholdForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=200)
    kk_number = forms.CharField(
        label=_("KK number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    consents = forms.MultipleChoiceField(
        label=_("The head of the household agrees, for the family, that the data is used for"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[ConsentPurpose.AID],
    )


class MemberForm(PersonForm):
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Relationship.choices)


MemberFormSet = forms.formset_factory(MemberForm, extra=4, max_num=12, min_num=1)


class RevealForm(forms.Form):
    tier2 = forms.MultipleChoiceField(
        label=_("Sensitive data to show"),
        choices=[
            ("nik", "NIK"),
            ("kk_number", _("KK number")),
            ("health_notes", _("Health notes")),
            ("bank_account", _("Bank account")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.ChoiceField(
        label=_("Why do you need it?"), choices=[("", "---"), *AccessPurpose.choices]
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Request"),
        choices=[("correction", _("Correct my data")), ("erasure", _("Erase my data"))],
    )
    details = forms.CharField(
        label=_("What should change?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ResolveForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("1", _("Done / approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
    )
    response = forms.CharField(label=_("Note to the resident"), max_length=500, required=False)


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (DuplicateCaseStatus.UNIQUE, DuplicateCaseStatus.UNIQUE.label),
            (DuplicateCaseStatus.DUPLICATE, DuplicateCaseStatus.DUPLICATE.label),
            (DuplicateCaseStatus.SAME_HOUSEHOLD, DuplicateCaseStatus.SAME_HOUSEHOLD.label),
        ],
    )


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("What it offers"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact number"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    rt = RTChoiceField(
        label=_("RT (empty when outside the kelurahan)"), queryset=RT.objects.none(), required=False
    )
    address_outside = forms.CharField(
        label=_("Address outside the kelurahan"), max_length=200, required=False
    )

    def __init__(self, *args: Any, kelurahan: Kelurahan, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["rt"].queryset = RT.objects.filter(kelurahan=kelurahan).select_related("rw")  # type: ignore[attr-defined]


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class VolunteerForm(forms.Form):
    skills = forms.MultipleChoiceField(
        label=_("Skills"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Days I can help"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    max_tasks_per_week = forms.IntegerField(
        label=_("At most tasks per week"), min_value=1, max_value=21, initial=2
    )

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["skills"].choices = skills  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

"""Login and role forms. Validation of the phone number lives in ``phone.py``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Role
from .phone import phone_normalize


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "tel", "placeholder": "0812 3456 7890"}
        )

    def clean(self, value: str) -> str:
        value = super().clean(value)
        return phone_normalize(value)


class PhoneForm(forms.Form):
    phone = PhoneField()


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}
        ),
    )


class OfficerLoginForm(forms.Form):
    phone = PhoneField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.RegexField(
        label=_("Authenticator code"),
        regex=r"^\d{6,8}$",
        max_length=8,
        error_messages={"invalid": _("The authenticator code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class GrantForm(forms.Form):
    """An RT head adds a resident or volunteer to their RT."""

    phone = PhoneField()
    display_name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.WARGA, Role.WARGA.label), (Role.RELAWAN, Role.RELAWAN.label)],
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if len(name) < 2:
            raise ValidationError(_("Enter the person's name."))
        return name

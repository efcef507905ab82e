"""Login and role forms. Validation of the phone number lives in ``phone.py``."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .lockout import login_failure_signal
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


class AdminLoginForm(OTPAdminAuthenticationForm):
    """The admin site's login: the number in any spelling, password and TOTP.

    Shares the officer login's lockout (``lockout.py``). A right password with a missing
    or wrong code answers exactly like a wrong password and counts as a failure, so the
    admin door is no oracle for either factor.
    """

    def clean_username(self) -> str:
        raw = self.cleaned_data.get("username") or ""
        try:
            return phone_normalize(raw)
        except ValidationError:
            return raw

    def _chosen_device(self, user: Any) -> Device | None:
        # Officers have one authenticator; asking them to pick it first would need a
        # password-only step that tells a guesser the password was right.
        chosen: Device | None = super()._chosen_device(user)
        return chosen or TOTPDevice.objects.filter(user=user, confirmed=True).first()

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            user: Any = getattr(self, "user_cache", None)
            if user is not None:
                login_failure_signal(request=self.request, phone=user.phone)
                self.user_cache = None
            self.fields["otp_device"].widget.choices = []
            raise self.get_invalid_login_error() from None

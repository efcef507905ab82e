"""Indonesian mobile numbers: the login of every user, stored in E.164 (+628...)."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def phone_normalize(value: str) -> str:
    """Parse 08xx, +62 8xx or 62 8xx forms of an Indonesian mobile number into E.164.

    Raises ValidationError with a message saying what is wrong.
    """
    raw = "".join(ch for ch in (value or "") if ch.isdigit() or ch == "+")
    if not raw:
        raise ValidationError(_("Enter a mobile phone number."), code="phone_empty")
    if raw.startswith("62"):
        raw = "+" + raw
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("That is not a phone number. Use a form like 0812 3456 7890."), code="phone_parse"
        ) from exc
    if number.country_code != 62:
        raise ValidationError(_("Only Indonesian numbers (+62) can be used."), code="phone_country")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This Indonesian number is not valid. Check the number of digits."),
            code="phone_invalid",
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("Use a mobile number (08xx); landline numbers cannot receive login codes."),
            code="phone_not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_mask(e164: str) -> str:
    """Show a number without revealing it whole: +62812****7890."""
    return e164[:6] + "****" + e164[-4:] if len(e164) > 10 else "****"


def phone_display(e164: str) -> str:
    """The national form people recognise: 0812-3456-7890."""
    number = phonenumbers.parse(e164, "ID")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

"""Form fields every app shares."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import rupiah_format, rupiah_parse


class RupiahInput(forms.TextInput):
    """A text box with the phone's number pad; shows the amount as "50.000"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return rupiah_format(value).removeprefix("Rp ")
        return super().format_value(value)


class RupiahField(forms.IntegerField):
    """Whole rupiah typed as "50.000", "50000" or "Rp 50.000"; "50,5" or "50.5" is refused."""

    widget = RupiahInput
    default_error_messages = {
        "invalid": _("Type the amount in whole rupiah, for example 50.000 or 50000."),
    }

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        amount = rupiah_parse(str(value))
        if amount is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No min/max/step attributes: the box is text, and the browser must not
        # second-guess "50.000" as fifty with three decimals.
        return {}

"""Template filters for the registry: data fields named in words a resident reads."""

from collections.abc import Iterable

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from gotong.registry.models import Household, Person

register = template.Library()

# Names in the access log that are not one model field (or whose field label reads badly).
_LABELS = {
    "rt": _("RT"),
    "vulnerability": _("Vulnerability (elderly, disability, illness, pregnancy, small child)"),
    "welfare": _("Welfare data (DTKS listing, decile)"),
    "nik": _("NIK"),
    "kk": _("KK number"),
    "kk_number": _("KK number"),
    "health_notes": _("Health notes"),
    "bank_account": _("Bank account"),
}


def field_label(name: str) -> str:
    """'birth_date' -> 'Tanggal lahir' (the field's own verbose name, translated)."""
    if name in _LABELS:
        return str(_LABELS[name])
    for model in (Person, Household):
        try:
            return str(capfirst(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            continue
    return name.replace("_", " ")


@register.filter
def field_labels(names: Iterable[str] | None) -> str:
    """A list of field names as a comma-separated list of their labels."""
    return ", ".join(field_label(n) for n in names or [])

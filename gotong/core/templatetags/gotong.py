"""Template filters for money and time."""

import datetime as dt

from django import template

from gotong.core.money import rupiah_format
from gotong.core.timeutils import to_wib

register = template.Library()


@register.filter
def rupiah(amount: int | None) -> str:
    """``{{ amount|rupiah }}`` -> ``Rp 1.500.000``."""
    return "" if amount is None else rupiah_format(amount)


@register.filter
def wib(moment: dt.datetime | None) -> dt.datetime | None:
    """Show a stored UTC time in WIB."""
    return None if moment is None else to_wib(moment)

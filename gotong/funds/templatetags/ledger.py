"""Template filters for postings: a posting's amount shown as a debit or a credit."""

from django import template

from gotong.core.money import rupiah_format

register = template.Library()


@register.filter
def debit(amount: int | None) -> str:
    """``{{ posting.amount|debit }}``: the amount of a debit (positive posting), else ""."""
    return rupiah_format(amount) if amount and amount > 0 else ""


@register.filter
def credit(amount: int | None) -> str:
    """``{{ posting.amount|credit }}``: the size of a credit (negative posting), else ""."""
    return rupiah_format(-amount) if amount and amount < 0 else ""

"""Template filters for accounts: a role shown by its name, never by its code."""

from django import template
from django.utils.translation import pgettext

from gotong.accounts.models import Role

register = template.Library()


@register.filter
def role_label(code: str | None) -> str:
    """'ketua_rt' -> 'Ketua RT'; the platform acting by itself and plain users too."""
    if not code:
        return ""
    if code in Role.values:
        return str(Role(code).label)
    if code == "system":
        return pgettext("actor", "the platform")
    if code == "user":
        return pgettext("actor", "the person themselves")
    return pgettext("actor", "another role")

"""Template tags other apps' pages use to link to activities."""

from typing import Any

from django import template

from gotong.activities import selectors

register = template.Library()


@register.simple_tag
def activity_serving(need: Any) -> Any:
    """The latest activity serving a need, or None (``{% activity_serving need as a %}``)."""
    return selectors.activity_for_need(need=need)

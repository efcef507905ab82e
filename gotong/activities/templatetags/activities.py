"""Template tags other apps' pages use to link to activities."""

from typing import Any

from django import template

from gotong.activities import selectors

register = template.Library()


@register.simple_tag
def activity_serving(need: Any) -> Any:
    """The latest activity serving a need, or None (``{% activity_serving need as a %}``)."""
    return selectors.activity_for_need(need=need)


@register.simple_tag
def rating_due(need: Any, user: Any) -> Any:
    """The closed activity this user may still rate for a need, or None
    (``{% rating_due need request.user as to_rate %}``)."""
    return selectors.rating_due_for(need=need, user=user)

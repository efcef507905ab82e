"""Template helpers of the dashboard."""

from typing import Any

from django import template

from gotong.dashboard.selectors import value_display

register = template.Library()


@register.filter
def figure(value: Any, unit: str = "count") -> str:
    """A figure as shown: suppressed as "<5"/"x", none as "-", units formatted."""
    return value_display(value, unit)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None

from typing import Any

from django import template

from gotong.matching import selectors

register = template.Library()


@register.simple_tag
def need_why_not(need: Any) -> Any:
    """Why an approved need is not matched yet, in plain words (or None)."""
    return selectors.need_why_not_matched(kelurahan=need.kelurahan, need=need)

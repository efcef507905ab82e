"""Template helpers of the market app: which market pages the visitor's roles open."""

from typing import Any

from django import template

from gotong.accounts.permissions import permission_holds

register = template.Library()

_LINKS = {"manage": "market.manage", "sell": "market.sell", "deliver": "market.deliver"}


@register.simple_tag(takes_context=True)
def market_links(context: Any) -> dict[str, bool]:
    """``{% market_links as links %}``: ``links.manage`` (operators), ``links.sell`` (UMKM
    sellers and operators), ``links.deliver`` (couriers), from the permission table; no
    query for an anonymous visitor, one for a logged-in one (memberships are cached)."""
    request, kelurahan = context.get("request"), context.get("kelurahan")
    if request is None or kelurahan is None or not request.user.is_authenticated:
        return {}
    return {key: permission_holds(request.user, perm, kelurahan) for key, perm in _LINKS.items()}


@register.filter
def lookup(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``{{ ratings|lookup:organisation.pk }}``: the value under ``key``, or None."""
    return (mapping or {}).get(key)

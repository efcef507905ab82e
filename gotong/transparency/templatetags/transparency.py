"""Template helpers of the transparency app."""

from typing import Any

from django import template

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError
from gotong.transparency.services import EVIDENCE_UPLOAD

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_upload_allowed(context: Any) -> bool:
    """May the visitor upload evidence in this page's kelurahan? (no query for anonymous)"""
    request, kelurahan = context.get("request"), context.get("kelurahan")
    if request is None or kelurahan is None or not request.user.is_authenticated:
        return False
    try:
        permission_gate(request.user, EVIDENCE_UPLOAD, kelurahan)
    except ApplicationError:
        return False
    return True


@register.filter
def hash_grouped(hex_digest: str) -> str:
    """Show a hex digest in groups of 8 (``e3b0c442 98fc1c14 ...``) so people can compare it."""
    return " ".join(hex_digest[i : i + 8] for i in range(0, len(hex_digest), 8))

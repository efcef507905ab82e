"""Template helpers of the transparency app."""

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError
from gotong.transparency.evidence_subjects import evidence_subject_allowed
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


@register.simple_tag(takes_context=True)
def evidence_upload_url(context: Any, kind: str, subject_id: int) -> str:
    """The upload page with the subject ``<kind>:<subject_id>`` chosen, when the visitor
    may give evidence about it; "" otherwise (the link only for those it would serve)."""
    if not evidence_upload_allowed(context):
        return ""
    request, kelurahan = context["request"], context["kelurahan"]
    subject = f"{kind}:{subject_id}"
    if not evidence_subject_allowed(user=request.user, kelurahan=kelurahan, subject=subject):
        return ""
    url = reverse("transparency:evidence_upload", kwargs={"slug": kelurahan.slug})
    return f"{url}?{urlencode({'subject': subject})}"


@register.filter
def hash_grouped(hex_digest: str) -> str:
    """Show a hex digest in groups of 8 (``e3b0c442 98fc1c14 ...``) so people can compare it."""
    return " ".join(hex_digest[i : i + 8] for i in range(0, len(hex_digest), 8))

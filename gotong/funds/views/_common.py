"""Helpers the funds pages share: the officers' page gate, the form step, the payment
request, pagination, idempotency keys, QR codes.
"""

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds
from gotong.core.exceptions import ApplicationError
from gotong.funds import qris, services
from gotong.funds.models import Disbursement
from gotong.territory.middleware import request_kelurahan
from gotong.territory.models import Kelurahan
from gotong.ui.pages import refusal_for

#
# The treasurer's and operators' pages under /k/<slug>/bendahara/. Each page is gated on
# the role (``permission_gate``: 403 page for a wrong role, login for anonymous); the
# services check the territory again and do every write.

QUEUE_PAGE_SIZE = 30
TRANSFER_PAGE_SIZE = 50
STATEMENT_PAGE_SIZE = 20

# Service error fields that a form names differently (``form_error(..., aliases=...)``).
FIELD_ALIASES = {"earmark_activity_id": "earmark_activity"}

OfficerView = Callable[..., HttpResponse]
T = TypeVar("T")


def _officer_page(*perms: str) -> Callable[[OfficerView], OfficerView]:
    """Login required, then one of ``perms`` held in the kelurahan; the view gets the
    kelurahan instead of the slug."""

    def decorate(view: OfficerView) -> OfficerView:
        @login_required
        @functools.wraps(view)
        def page(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            kelurahan = request_kelurahan(request)
            if not any(permission_holds(request.user, perm, kelurahan) for perm in perms):
                refusal = refusal_for(request, perms[0])
                if refusal is not None:
                    return refusal
            return view(request, kelurahan, **kwargs)

        return page

    return decorate


def _can(user: Any, kelurahan: Kelurahan) -> dict[str, bool]:
    """Which parts of the treasurer's hub the user may open."""
    return {
        "treasury": permission_holds(user, "funds.treasury", kelurahan),
        "operate": permission_holds(user, "funds.operate", kelurahan),
        "campaigns": permission_holds(user, "funds.manage_campaigns", kelurahan),
        "approve": permission_holds(user, "funds.approve", kelurahan),
        "ledger": permission_holds(user, "funds.view_ledger", kelurahan),
    }


PAGE_SIZE = 50


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _key() -> str:
    return uuid.uuid4().hex


def _redeem_url(request: HttpRequest, kelurahan: Kelurahan, code: str) -> str:
    """What a voucher's QR opens on the UMKM's phone: the redemption page, code signed."""
    path = reverse("funds:redeem", kwargs={"slug": kelurahan.slug})
    payload = quote(services.voucher_qr_payload(code), safe="")
    return request.build_absolute_uri(f"{path}?kode={payload}")


def _qr(url: str) -> str:
    return mark_safe(qris.qris_svg(url))  # noqa: S308 - segno SVG of our own URL


def _form_step(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    step: Callable[[dict[str, Any]], T],
    done: Callable[[T], HttpResponse],
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form page's one step: on a valid POST, ``step`` runs on the cleaned data and its
    result goes to ``done`` (a message and a redirect, or a page); a service refusal is shown
    above the form with the refusal's status. Otherwise the form page."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = step(form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status_code
        else:
            return done(result)
    return render(request, template, {"form": form, **(context or {})}, status=status)


def _success(request: HttpRequest, message: str, to: str, **kwargs: Any) -> HttpResponse:
    """The message of a step done, then the page ``to`` (a URL name with its kwargs)."""
    messages.success(request, message)
    return redirect(to, **kwargs)


def _disbursement_step(
    request: HttpRequest,
    slug: str,
    form: forms.BaseForm,
    *,
    ask: Callable[[dict[str, Any]], Disbursement],
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A payment request page: ``ask`` requests the payment from the cleaned data; then the
    new payment's page, where the approvals are collected."""

    def done(row: Disbursement) -> HttpResponse:
        message = _("Payment P-%(id)s requested.") % {"id": row.pk}
        return _success(
            request, message, "funds:aid_disbursement", slug=slug, disbursement_id=row.pk
        )

    return _form_step(request, form, step=ask, done=done, template=template, context=context)

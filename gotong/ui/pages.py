"""Helpers every app's pages share: the permission gate, the refusal page, form errors.

Views stay thin: they gate on the permission table, call a service, and show a service's
refusal either as the refusal page (403/404/409) or on the form field it names.
"""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError
from gotong.territory.middleware import request_kelurahan

PageView = Callable[..., HttpResponse]


def refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """The refusal page with the service's message and its status (403, 404, 409, ...)."""
    return render(request, "web/refused.html", {"message": exc.message}, status=exc.status_code)


def refusal_for(request: HttpRequest, perm: str) -> HttpResponse | None:
    """None when the user holds ``perm`` in this kelurahan, else the refusal page."""
    try:
        permission_gate(request.user, perm, request_kelurahan(request))
    except ApplicationError as exc:
        return refused(request, exc)
    return None


def gate(perm: str) -> Callable[[PageView], PageView]:
    """Login, then the permission table (role in this kelurahan, TOTP for officers)."""

    def wrap(view: PageView) -> PageView:
        @login_required
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = refusal_for(request, perm)
            if refusal is not None:
                return refusal
            try:
                return view(request, *args, **kwargs)
            except ApplicationError as exc:
                return refused(request, exc)

        return gated

    return wrap


def form_error(
    form: forms.BaseForm, exc: ApplicationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service refusal on the field it names (``aliases`` maps service names to form
    field names), else above the form."""
    field = str(exc.extra.get("field") or "")
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, str(exc.message))

"""Login pages (residents by code, officers by password + TOTP), the account page, RT members."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gotong.core.exceptions import ApplicationError
from gotong.territory import selectors as territory_selectors

from . import selectors, services
from .forms import CodeForm, GrantForm, OfficerLoginForm, PhoneForm
from .permissions import permission_require
from .phone import phone_display, phone_mask

_SESSION_PHONE = "login_phone"
_SESSION_NEXT = "login_next"


def _safe_next(request: HttpRequest, target: str | None) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _after_login(request: HttpRequest, user: Any) -> HttpResponse:
    target = _safe_next(request, request.session.pop(_SESSION_NEXT, None))
    if target:
        return redirect(target)
    first = selectors.user_memberships(user=user).first()
    if first is not None:
        return redirect("web:home", slug=first.kelurahan.slug)
    return redirect("accounts:account")


def login_phone(request: HttpRequest) -> HttpResponse:
    """Step 1 for residents: the phone number that receives the code."""
    if (target := _safe_next(request, request.GET.get("next"))) is not None:
        request.session[_SESSION_NEXT] = target
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_code_request(
                phone=form.cleaned_data["phone"], ip=request.META.get("REMOTE_ADDR")
            )
        except ApplicationError as exc:
            form.add_error("phone", str(exc.message))
        else:
            request.session[_SESSION_PHONE] = form.cleaned_data["phone"]
            return redirect("accounts:login_code")
    return render(request, "accounts/login_phone.html", {"form": form})


def login_code(request: HttpRequest) -> HttpResponse:
    """Step 2 for residents: the 6-digit code."""
    phone = request.session.get(_SESSION_PHONE)
    if not phone:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_code_verify(phone=phone, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", str(exc.message))
        else:
            request.session.pop(_SESSION_PHONE, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _after_login(request, user)
    return render(
        request, "accounts/login_code.html", {"form": form, "phone_masked": phone_mask(phone)}
    )


def login_officer(request: HttpRequest) -> HttpResponse:
    """Officers (operator, lurah, auditor, ethics committee, admin): password + TOTP."""
    if (target := _safe_next(request, request.GET.get("next"))) is not None:
        request.session[_SESSION_NEXT] = target
    form = OfficerLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, device = services.officer_authenticate(
                request=request,
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                token=form.cleaned_data["token"],
            )
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), str(exc.message))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return _after_login(request, user)
    return render(request, "accounts/login_officer.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("web:landing")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: number, roles, and whether an officer login is needed."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "phone": phone_display(user.phone),  # type: ignore[union-attr]
            "memberships": selectors.user_memberships(user=user),  # type: ignore[arg-type]
            "needs_totp": services.user_needs_totp(user=user),  # type: ignore[arg-type]
            "verified": user.is_verified(),  # type: ignore[union-attr]
            "kelurahan_list": territory_selectors.kelurahan_list(),
        },
    )


@login_required
def rt_members(request: HttpRequest, slug: str, rt_id: int) -> HttpResponse:
    """An RT's residents and volunteers, for its RT head (and RW head, operator, lurah)."""
    kelurahan = request.kelurahan  # type: ignore[attr-defined]
    try:
        rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id)
        permission_require(request.user, "accounts.view_members", rt)
    except ApplicationError as exc:
        return render(request, "web/refused.html", {"message": exc.message}, status=exc.status_code)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_grant(
                actor=request.user,
                kelurahan=kelurahan,
                rt=rt,
                phone=form.cleaned_data["phone"],
                role=form.cleaned_data["role"],
                display_name=form.cleaned_data["display_name"],
            )
        except ApplicationError as exc:
            form.add_error(
                exc.extra.get("field") if exc.extra.get("field") in form.fields else None,
                str(exc.message),
            )
        else:
            messages.success(request, _("Role given."))
            return redirect(reverse("accounts:rt_members", kwargs={"slug": slug, "rt_id": rt.pk}))
    members = [
        {
            "name": m.user.display_name or _("(no name)"),
            "phone": phone_mask(m.user.phone),
            "role": m.get_role_display(),
            "since": m.valid_from,
        }
        for m in selectors.membership_list_for_rt(kelurahan=kelurahan, rt=rt)
    ]
    can_grant = request.user.has_perm("accounts.grant_membership", rt)
    return render(
        request,
        "accounts/rt_members.html",
        {"rt": rt, "members": members, "form": form if can_grant else None},
    )

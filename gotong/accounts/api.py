"""Accounts API: resident login by one-time code, the caller's profile, roles in units."""

import datetime as dt
from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gotong.core.schemas import StrictInt
from gotong.territory import selectors as territory_selectors

from . import selectors, services
from .models import Membership, Role
from .permissions import api_route, permission_require
from .phone import phone_mask

router = Router(tags=["accounts"])


class PhoneIn(Schema):
    phone: str = Field(..., max_length=32, examples=["0812 3456 7890"])


class CodeIn(PhoneIn):
    code: str = Field(..., max_length=12, examples=["123456"])


class MessageOut(Schema):
    message: str


class MembershipOut(Schema):
    id: int
    role: str
    role_label: str
    kelurahan_slug: str
    rw_number: int | None
    rt_number: int | None
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def from_membership(m: Membership) -> dict[str, Any]:
        return {
            "id": m.pk,
            "role": m.role,
            "role_label": str(m.get_role_display()),
            "kelurahan_slug": m.kelurahan.slug,
            "rw_number": m.rw.number if m.rw else None,
            "rt_number": m.rt.number if m.rt else None,
            "valid_from": m.valid_from,
            "valid_to": m.valid_to,
        }


class MeOut(Schema):
    phone: str
    display_name: str
    memberships: list[MembershipOut]


class MemberOut(Schema):
    id: int
    display_name: str
    phone_masked: str
    role: str
    role_label: str


class GrantIn(Schema):
    phone: str = Field(..., max_length=32)
    role: Role
    display_name: str = Field("", max_length=100)
    rw_number: StrictInt | None = Field(None, ge=1, le=999)
    rt_number: StrictInt | None = Field(None, ge=1, le=999)
    valid_to: dt.date | None = None


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@api_route(router.post, "/auth/code", perm="accounts.login", response={202: MessageOut})
def login_code_request(request: HttpRequest, payload: PhoneIn) -> Any:
    services.login_code_request(phone=payload.phone, ip=_client_ip(request))
    return Status(202, {"message": _("A 6-digit code has been sent. It is valid for 5 minutes.")})


@api_route(router.post, "/auth/login", perm="accounts.login", response=MeOut)
def login_code_verify(request: HttpRequest, payload: CodeIn) -> Any:
    user = services.login_code_verify(phone=payload.phone, code=payload.code)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _me(user)


@api_route(router.post, "/auth/logout", perm="accounts.view_self", response=MessageOut)
def logout_view(request: HttpRequest) -> Any:
    logout(request)
    return {"message": _("You have logged out.")}


@api_route(router.get, "/me", perm="accounts.view_self", response=MeOut)
def me(request: HttpRequest) -> Any:
    return _me(request.user)


def _me(user: Any) -> dict[str, Any]:
    return {
        "phone": user.phone,
        "display_name": user.display_name,
        "memberships": [
            MembershipOut.from_membership(m) for m in selectors.user_memberships(user=user)
        ],
    }


@api_route(
    router.get,
    "/k/{slug}/rt/{rt_id}/members",
    perm="accounts.view_members",
    response=list[MemberOut],
)
def rt_members(request: HttpRequest, slug: str, rt_id: int) -> Any:
    kelurahan = request.kelurahan  # type: ignore[attr-defined]
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id)
    permission_require(request.user, "accounts.view_members", rt)
    return [
        {
            "id": m.pk,
            "display_name": m.user.display_name,
            "phone_masked": phone_mask(m.user.phone),
            "role": m.role,
            "role_label": str(m.get_role_display()),
        }
        for m in selectors.membership_list_for_rt(kelurahan=kelurahan, rt=rt)
    ]


@api_route(
    router.post,
    "/k/{slug}/memberships",
    perm="accounts.grant_membership",
    response={201: MembershipOut},
)
def membership_grant(request: HttpRequest, slug: str, payload: GrantIn) -> Any:
    kelurahan = request.kelurahan  # type: ignore[attr-defined]
    rw = rt = None
    if payload.rw_number is not None and payload.rt_number is not None:
        rt = territory_selectors.rt_get_by_number(
            kelurahan=kelurahan, rw_number=payload.rw_number, rt_number=payload.rt_number
        )
    elif payload.rw_number is not None:
        rw = territory_selectors.rw_get(kelurahan=kelurahan, number=payload.rw_number)
    membership = services.membership_grant(
        actor=request.user,
        kelurahan=kelurahan,
        phone=payload.phone,
        role=payload.role,
        rw=rw,
        rt=rt,
        display_name=payload.display_name,
        valid_to=payload.valid_to,
    )
    return Status(201, MembershipOut.from_membership(membership))


@api_route(
    router.post,
    "/k/{slug}/memberships/{membership_id}/end",
    perm="accounts.grant_membership",
    response=MembershipOut,
)
def membership_end(request: HttpRequest, slug: str, membership_id: int) -> Any:
    membership = selectors.membership_get(kelurahan=request.kelurahan, pk=membership_id)  # type: ignore[attr-defined]
    membership = services.membership_end(actor=request.user, membership=membership)
    return MembershipOut.from_membership(membership)

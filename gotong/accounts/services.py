"""Accounts use-cases.

- ``login_code_request`` / ``login_code_verify``: residents log in with a 6-digit code
  sent to their phone (5-minute expiry, 5 tries, rate-limited per number and per IP).
- ``officer_authenticate``: officers log in with password + TOTP (django-axes counts failures).
- ``user_get_or_create``: the account behind a phone number.
- ``membership_grant`` / ``membership_end``: give or end a role in a territory unit.
- ``membership_create_by_system``: roles set up from the command line (bootstrap, demo).
- ``officer_totp_device_create``: the authenticator secret of an officer.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from gotong.channels.services import notification_send
from gotong.core.exceptions import (
    NotAuthenticated,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from gotong.territory.models import RT, RW, Kelurahan
from gotong.transparency.services import actor_pseudonym, entry_record

from .lockout import login_failure_signal
from .models import KELURAHAN_ROLES, OFFICER_ROLES, LoginCode, Membership, Role, User
from .permissions import memberships_effective, permission_require, territory_key
from .phone import phone_normalize

# Who may grant which roles: RT/RW heads bring residents and volunteers in; operators run
# the kelurahan's roles; only an administrator makes another administrator.
_GRANTABLE_BY: dict[Role, frozenset[Role]] = {
    Role.KETUA_RT: frozenset({Role.WARGA, Role.RELAWAN}),
    Role.KETUA_RW: frozenset({Role.WARGA, Role.RELAWAN, Role.KETUA_RT}),
    Role.OPERATOR: frozenset(Role) - {Role.ADMIN},
    Role.ADMIN: frozenset(Role),
}


def phone_clean(phone: str) -> str:
    """Normalise a phone number or raise ValidationFailed naming the field."""
    try:
        return phone_normalize(phone)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], {"field": "phone"}) from exc


def _code_hash(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def login_code_request(*, phone: str, ip: str | None) -> LoginCode:
    """Send a fresh 6-digit login code to the phone; earlier unused codes stop working."""
    e164 = phone_clean(phone)
    now = timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    if LoginCode.objects.filter(phone=e164, created_at__gte=hour_ago).count() >= (
        settings.GOTONG_LOGIN_CODE_PER_PHONE_PER_HOUR
    ):
        raise RateLimited(
            _("Too many codes were requested for this number. Try again in an hour."),
            {"field": "phone"},
        )
    if ip and LoginCode.objects.filter(requested_ip=ip, created_at__gte=hour_ago).count() >= (
        settings.GOTONG_LOGIN_CODE_PER_IP_PER_HOUR
    ):
        raise RateLimited(_("Too many codes were requested from this device. Try again later."))
    LoginCode.objects.filter(phone=e164, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    login_code = LoginCode.objects.create(
        phone=e164,
        code_hash=_code_hash(e164, code),
        expires_at=now + dt.timedelta(seconds=settings.GOTONG_LOGIN_CODE_TTL_SECONDS),
        requested_ip=ip,
    )
    notification_send(
        recipient=e164,
        template="login_code",
        context={"code": code, "minutes": settings.GOTONG_LOGIN_CODE_TTL_SECONDS // 60},
    )
    return login_code


def login_code_verify(*, phone: str, code: str) -> User:
    """Check a login code; on success return the phone's account (created on first login).

    A wrong code uses up one of the tries even though the login itself is refused, so the
    count is committed on its own before the refusal is raised.
    """
    e164 = phone_clean(phone)
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        login_code = (
            LoginCode.objects.select_for_update()
            .filter(phone=e164, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if login_code is None:
            raise ValidationFailed(
                _("No active code for this number. Ask for a new code."), {"field": "code"}
            )
        if login_code.expires_at <= now:
            raise ValidationFailed(
                _("The code has expired. Ask for a new code."), {"field": "code"}
            )
        # Conditional update: the try is counted even if two requests race (SQLite
        # ignores select_for_update).
        counted = LoginCode.objects.filter(
            pk=login_code.pk,
            used_at__isnull=True,
            tries__lt=settings.GOTONG_LOGIN_CODE_MAX_TRIES,
        ).update(tries=F("tries") + 1)
        if not counted:
            raise ValidationFailed(
                _("Too many wrong codes. Ask for a new code."), {"field": "code"}
            )
        matches = len(code) == 6 and hmac.compare_digest(
            login_code.code_hash, _code_hash(e164, code)
        )
    if not matches:
        raise ValidationFailed(
            _("The code is wrong. Check the message and try again."), {"field": "code"}
        )
    with transaction.atomic():
        used = LoginCode.objects.filter(pk=login_code.pk, used_at__isnull=True).update(used_at=now)
        if not used:
            raise ValidationFailed(
                _("This code was already used. Ask for a new code."), {"field": "code"}
            )
        return user_get_or_create(phone=e164)


@transaction.atomic
def user_get_or_create(*, phone: str, display_name: str = "", is_demo: bool = False) -> User:
    """The account for a phone number, created without a password when new."""
    e164 = phone_clean(phone)
    user = User.objects.filter(phone=e164).first()
    if user is None:
        user = User.objects.create_user(e164, display_name=display_name, is_demo=is_demo)
    if not user.is_active:
        raise PermissionDenied(
            _("This account has been deactivated. Contact the kelurahan office.")
        )
    return user


_OFFICER_LOGIN_REFUSED = _("Wrong phone number, password or authenticator code.")


def officer_authenticate(
    *, request: HttpRequest, phone: str, password: str, token: str
) -> tuple[User, Device]:
    """Password + TOTP login for officers; returns the user and the matched device.

    Failed passwords and wrong authenticator codes are counted by django-axes (the
    lockout applies to the phone + IP) and get one answer, so neither factor can be
    guessed on its own.
    """
    e164 = phone_clean(phone)
    user = authenticate(request, phone=e164, password=password)
    device = match_token(user, (token or "").strip()) if user is not None else None
    if user is None or device is None:
        if user is not None:
            # A right password with a wrong code must not tell a guesser the password
            # was right, and counts against the same lockout.
            login_failure_signal(request=request, phone=e164)
        raise NotAuthenticated(_OFFICER_LOGIN_REFUSED)
    return user, device


def user_needs_totp(*, user: User) -> bool:
    """True when the user holds an officer role anywhere (password + TOTP login required)."""
    return Membership.objects.active().filter(user=user, role__in=list(OFFICER_ROLES)).exists()


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    phone: str,
    role: Role | str,
    rw: RW | None = None,
    rt: RT | None = None,
    display_name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Membership:
    """Give a person (by phone number) a role in a unit of this kelurahan."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationFailed(_("Unknown role."), {"field": "role"}) from exc
    if rt is not None:
        rw = rt.rw
    for part in (rw, rt):
        if part is not None and part.kelurahan_id != kelurahan.pk:
            raise ValidationFailed(_("That RT/RW is not in this kelurahan."), {"field": "unit"})
    if role in KELURAHAN_ROLES and rw is not None:
        raise ValidationFailed(
            _("This role is held for the whole kelurahan, not an RT/RW."), {"field": "unit"}
        )
    if role == Role.KETUA_RT and rt is None:
        raise ValidationFailed(_("An RT head needs an RT."), {"field": "rt"})
    if role == Role.KETUA_RW and (rw is None or rt is not None):
        raise ValidationFailed(_("An RW head needs an RW and no RT."), {"field": "rw"})
    if valid_to is not None and valid_to < (valid_from or timezone.localdate()):
        raise ValidationFailed(_("The end date is before the start date."), {"field": "valid_to"})
    unit: Kelurahan | RW | RT = rt or rw or kelurahan
    permission_require(actor, "accounts.grant_membership", unit)
    _check_may_grant(actor, role, unit)
    user = user_get_or_create(phone=phone, display_name=display_name)
    if (
        Membership.objects.active()
        .filter(user=user, role=role, kelurahan=kelurahan, rw=rw, rt=rt)
        .exists()
    ):
        raise ValidationFailed(_("This person already holds this role here."), {"field": "role"})
    membership = Membership(
        user=user,
        role=role,
        kelurahan=kelurahan,
        rw=rw,
        rt=rt,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
        granted_by=actor,
    )
    membership.full_clean()
    membership.save()
    _membership_log(membership, "membership.granted", actor)
    return membership


@transaction.atomic
def membership_create_by_system(
    *,
    kelurahan: Kelurahan,
    user: User,
    role: Role,
    rw: RW | None = None,
    rt: RT | None = None,
) -> Membership:
    """Give a role without an acting user (``manage.py`` bootstrap and demo); idempotent."""
    if rt is not None:
        rw = rt.rw
    existing = (
        Membership.objects.active()
        .filter(user=user, role=role, kelurahan=kelurahan, rw=rw, rt=rt)
        .first()
    )
    if existing is not None:
        return existing
    membership = Membership(user=user, role=role, kelurahan=kelurahan, rw=rw, rt=rt)
    membership.full_clean()
    membership.save()
    _membership_log(membership, "membership.granted", None)
    return membership


@transaction.atomic
def officer_totp_device_create(*, user: User, key_hex: str | None = None) -> TOTPDevice:
    """Replace an officer's authenticator secret with a new confirmed TOTP device."""
    TOTPDevice.objects.filter(user=user).delete()
    fields: dict[str, Any] = {"user": user, "name": "authenticator", "confirmed": True}
    if key_hex:
        fields["key"] = key_hex
    return TOTPDevice.objects.create(**fields)


def _check_may_grant(actor: Any, role: Role, unit: Any) -> None:
    key = territory_key(unit)
    for held in memberships_effective(actor, key[0]):
        if held.covers(*key) and role in _GRANTABLE_BY.get(Role(held.role), frozenset()):
            return
    raise PermissionDenied(
        _("You may not give the role %(role)s.") % {"role": role.label}, {"field": "role"}
    )


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, on: dt.date | None = None) -> Membership:
    """End a role from a day on (today by default); history is kept."""
    unit = membership.rt or membership.rw or membership.kelurahan
    permission_require(actor, "accounts.grant_membership", unit)
    _check_may_grant(actor, Role(membership.role), unit)
    day = on or timezone.localdate()
    if day < membership.valid_from:
        raise ValidationFailed(_("The end date is before the start date."), {"field": "valid_to"})
    membership.valid_to = day
    membership.save(update_fields=["valid_to", "updated_at"])
    _membership_log(membership, "membership.ended", actor)
    return membership


def _membership_log(membership: Membership, type: str, actor: Any) -> None:
    unit = (
        f"rt:{membership.rt_id}"
        if membership.rt_id
        else f"rw:{membership.rw_id}"
        if membership.rw_id
        else f"kelurahan:{membership.kelurahan_id}"
    )
    entry_record(
        kelurahan=membership.kelurahan,
        type=type,
        actor=actor,
        subject=f"membership:{membership.pk}",
        data={
            "member": actor_pseudonym(membership.user_id),
            "role": membership.role,
            "unit": unit,
            "valid_from": membership.valid_from.isoformat(),
            "valid_to": membership.valid_to.isoformat() if membership.valid_to else None,
        },
    )

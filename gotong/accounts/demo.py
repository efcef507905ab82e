"""Demo accounts: officers (password + TOTP), RW and RT heads, residents and volunteers."""

import hashlib
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from gotong.core.seeding import DEMO_PASSWORD, DemoContext
from gotong.territory.models import RT, Kelurahan

from .models import Membership, Role, User
from .services import membership_create_by_system, officer_totp_device_create, user_get_or_create

OFFICERS = [
    ("+6281100000001", Role.ADMIN),
    ("+6281100000002", Role.OPERATOR),
    ("+6281100000003", Role.LURAH),
    ("+6281100000004", Role.AUDITOR),
    ("+6281100000005", Role.KOMITE_ETIKA),
]
RESIDENTS_PER_RT = 3


def _user(demo: DemoContext, phone: str) -> User:
    name = demo.person_name()  # drawn every run so the sequence stays deterministic
    user = User.objects.filter(phone=phone).first()
    return user or user_get_or_create(phone=phone, display_name=name, is_demo=True)


def demo_acting(user: Any) -> Any:
    """``user`` acting as after a TOTP login, so seeding may call officers' services
    (demo seeding only: a request's session is never marked this way)."""
    user.is_verified = lambda: True
    return user


def demo_role_holder(kelurahan: Kelurahan, role: str, **unit: Any) -> Any:
    """The first active holder of ``role`` (in ``unit``: rw=..., rt=...), acting as after a
    TOTP login, or None when the demo has nobody in that role."""
    membership = (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=role, **unit)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return demo_acting(membership.user) if membership else None


def demo_officer(demo: DemoContext, kelurahan: Kelurahan, user: User, role: Role) -> User:
    """Give ``user`` the officer ``role`` with the demo password and a TOTP device whose
    key is derived from the seed (``manage.py demo_totp`` prints its codes)."""
    phone = user.phone
    if not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save()
    membership_create_by_system(kelurahan=kelurahan, user=user, role=role)
    key = hashlib.sha1(f"demo-totp-{demo.seed}-{phone}".encode()).hexdigest()  # noqa: S324
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None or device.key != key:
        officer_totp_device_create(user=user, key_hex=key)
    demo.logins.append(
        (
            str(role.label),
            phone,
            f"password {DEMO_PASSWORD} + code from: manage.py demo_totp {phone}",
        )
    )
    return user


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    for phone, role in OFFICERS:
        demo_officer(demo, kelurahan, _user(demo, phone), role)
    rts: list[RT] = demo.objects["rts"]
    seen_rw: set[int] = set()
    for rt in rts:
        if rt.rw_id not in seen_rw:
            seen_rw.add(rt.rw_id)
            phone = f"+62812000{rt.rw.number:02d}000"
            head = _user(demo, phone)
            membership_create_by_system(
                kelurahan=kelurahan, user=head, role=Role.KETUA_RW, rw=rt.rw
            )
            demo.logins.append((f"Ketua {rt.rw}", phone, "login code (var/outbox/)"))
        phone = f"+62812000{rt.rw.number:02d}{rt.number:02d}0"
        head = _user(demo, phone)
        membership_create_by_system(kelurahan=kelurahan, user=head, role=Role.KETUA_RT, rt=rt)
        membership_create_by_system(kelurahan=kelurahan, user=head, role=Role.WARGA, rt=rt)
        if rt.rw.number == 1 and rt.number == 1:
            demo.logins.append((f"Ketua {rt}", phone, "login code (var/outbox/)"))
        for index in range(1, RESIDENTS_PER_RT + 1):
            phone = f"+62813{rt.rw.number:02d}{rt.number:02d}{index:03d}"
            resident = _user(demo, phone)
            membership_create_by_system(kelurahan=kelurahan, user=resident, role=Role.WARGA, rt=rt)
            if demo.rng.random() < 0.34:
                membership_create_by_system(
                    kelurahan=kelurahan, user=resident, role=Role.RELAWAN, rt=rt
                )
            if rt.rw.number == 1 and rt.number == 1 and index == 1:
                demo.logins.append(("Warga (resident)", phone, "login code (var/outbox/)"))

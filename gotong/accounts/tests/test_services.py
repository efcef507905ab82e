"""Giving and ending roles: who may give what, where; bad input changes nothing."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Membership, Role, User
from gotong.accounts.services import membership_end, membership_grant
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.territory.models import RT, Kelurahan

pytestmark = pytest.mark.django_db
NEW = "+6285700001111"


def verified(user: Any) -> Any:
    user.is_verified = lambda: True
    return user


def test_an_rt_head_adds_a_resident_to_their_rt(rt: RT, make_member: Callable[..., Any]) -> None:
    head = make_member(Role.KETUA_RT, rt)
    membership = membership_grant(
        actor=head,
        kelurahan=rt.kelurahan,
        rt=rt,
        phone="0857-0000-1111",
        role=Role.WARGA,
        display_name="Warga Baru (demo)",
    )
    assert membership.user.phone == NEW and membership.rw == rt.rw
    assert membership.granted_by == head


def test_an_rt_head_cannot_add_people_to_another_rt(
    rt: RT, rt_same_rw: RT, make_member: Callable[..., Any]
) -> None:
    head = make_member(Role.KETUA_RT, rt)
    with pytest.raises(PermissionDenied):
        membership_grant(
            actor=head, kelurahan=rt.kelurahan, rt=rt_same_rw, phone=NEW, role=Role.WARGA
        )
    assert not User.objects.filter(phone=NEW).exists()


def test_an_rt_head_cannot_make_another_rt_head(rt: RT, make_member: Callable[..., Any]) -> None:
    head = make_member(Role.KETUA_RT, rt)
    with pytest.raises(PermissionDenied) as exc:
        membership_grant(actor=head, kelurahan=rt.kelurahan, rt=rt, phone=NEW, role=Role.KETUA_RT)
    assert exc.value.extra == {"field": "role"}
    assert not Membership.objects.filter(user__phone=NEW).exists()


def test_only_an_admin_makes_an_admin(
    kelurahan: Kelurahan, make_member: Callable[..., Any]
) -> None:
    operator = verified(make_member(Role.OPERATOR, kelurahan))
    admin = verified(make_member(Role.ADMIN, kelurahan))
    with pytest.raises(PermissionDenied):
        membership_grant(actor=operator, kelurahan=kelurahan, phone=NEW, role=Role.ADMIN)
    assert membership_grant(actor=admin, kelurahan=kelurahan, phone=NEW, role=Role.ADMIN)


@pytest.mark.parametrize(
    ("role", "where", "field"),
    [
        (Role.KETUA_RT, "kelurahan", "rt"),
        (Role.KETUA_RW, "rt", "rw"),
        (Role.LURAH, "rt", "unit"),
        ("bupati", "kelurahan", "role"),
    ],
)
def test_roles_must_sit_at_their_level(
    rt: RT, make_member: Callable[..., Any], role: Any, where: str, field: str
) -> None:
    admin = verified(make_member(Role.ADMIN, rt.kelurahan))
    unit = {"rt": rt} if where == "rt" else {}
    with pytest.raises(ValidationFailed) as exc:
        membership_grant(actor=admin, kelurahan=rt.kelurahan, phone=NEW, role=role, **unit)
    assert exc.value.extra["field"] == field
    assert not User.objects.filter(phone=NEW).exists()


def test_units_of_another_kelurahan_are_refused(
    rt: RT, other_kelurahan: Kelurahan, make_member: Callable[..., Any]
) -> None:
    admin = verified(make_member(Role.ADMIN, other_kelurahan))
    with pytest.raises(ValidationFailed):
        membership_grant(actor=admin, kelurahan=other_kelurahan, rt=rt, phone=NEW, role=Role.WARGA)


def test_a_role_is_not_given_twice_and_ends_keeping_history(
    rt: RT, make_member: Callable[..., Any]
) -> None:
    head = make_member(Role.KETUA_RT, rt)
    membership = membership_grant(
        actor=head, kelurahan=rt.kelurahan, rt=rt, phone=NEW, role=Role.WARGA
    )
    with pytest.raises(ValidationFailed):
        membership_grant(actor=head, kelurahan=rt.kelurahan, rt=rt, phone=NEW, role=Role.WARGA)

    ended = membership_end(
        actor=head, membership=membership, on=timezone.localdate() - dt.timedelta(days=0)
    )
    assert ended.valid_to == timezone.localdate()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_api_grant_by_rt_numbers_and_refusal_outside_territory(
    rt: RT, rt_other_rw: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.KETUA_RW, rt.rw))
    ok = client.post(
        "/api/v1/k/taman/memberships",
        {"phone": NEW, "role": "warga", "rw_number": 1, "rt_number": 1},
        content_type="application/json",
    )
    outside = client.post(
        "/api/v1/k/taman/memberships",
        {"phone": "+6285700002222", "role": "warga", "rw_number": 2, "rt_number": 1},
        content_type="application/json",
    )
    missing = client.post(
        "/api/v1/k/taman/memberships",
        {"phone": "+6285700002222", "role": "warga", "rw_number": 1, "rt_number": 9},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["rt_number"] == 1
    assert outside.status_code == 403 and outside.json()["extra"]["check"] == "territory"
    assert missing.status_code == 404
    assert not User.objects.filter(phone="+6285700002222").exists()


def test_rt_member_list_api_is_scoped_and_masks_numbers(
    rt: RT,
    rt_same_rw: RT,
    make_member: Callable[..., Any],
    login: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    head = make_member(Role.KETUA_RT, rt)
    for _ in range(5):
        make_member(Role.WARGA, rt)
    client = login(head)
    with django_assert_max_num_queries(12):
        members = client.get(f"/api/v1/k/taman/rt/{rt.pk}/members").json()
    assert len(members) == 6
    assert all("****" in m["phone_masked"] for m in members)
    other = client.get(f"/api/v1/k/taman/rt/{rt_same_rw.pk}/members")
    assert other.status_code == 403

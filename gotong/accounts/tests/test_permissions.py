"""Roles act only in their territory, only while valid, officers only when TOTP-verified."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gotong.accounts.models import Membership, Role
from gotong.accounts.tests.factories import MembershipFactory, UserFactory
from gotong.territory.models import RT, Kelurahan

pytestmark = pytest.mark.django_db


def test_an_rt_head_acts_only_in_their_rt(
    rt: RT, rt_same_rw: RT, rt_other_rw: RT, make_member: Callable[..., Any]
) -> None:
    head = make_member(Role.KETUA_RT, rt)
    assert head.has_perm("accounts.view_members", rt)
    assert not head.has_perm("accounts.view_members", rt_same_rw)
    assert not head.has_perm("accounts.view_members", rt_other_rw)
    assert not head.has_perm("accounts.view_members", rt.rw)
    assert not head.has_perm("accounts.view_members", rt.kelurahan)


def test_an_rw_head_acts_in_every_rt_of_their_rw(
    rt: RT, rt_same_rw: RT, rt_other_rw: RT, make_member: Callable[..., Any]
) -> None:
    head = make_member(Role.KETUA_RW, rt.rw)
    assert head.has_perm("accounts.view_members", rt)
    assert head.has_perm("accounts.view_members", rt_same_rw)
    assert not head.has_perm("accounts.view_members", rt_other_rw)


def test_roles_do_not_cross_kelurahan(
    rt: RT, other_kelurahan: Kelurahan, make_member: Callable[..., Any]
) -> None:
    operator = make_member(Role.OPERATOR, other_kelurahan)
    operator.is_verified = lambda: True  # as in a TOTP-verified session
    assert operator.has_perm("territory.manage", other_kelurahan)
    assert not operator.has_perm("territory.manage", rt.kelurahan)
    assert not operator.has_perm("accounts.view_members", rt)


def test_officer_roles_need_a_verified_session(
    kelurahan: Kelurahan, make_member: Callable[..., Any]
) -> None:
    operator = make_member(Role.OPERATOR, kelurahan)
    operator.is_verified = lambda: False
    assert not operator.has_perm("territory.manage", kelurahan)
    fresh = type(operator).objects.get(pk=operator.pk)
    fresh.is_verified = lambda: True
    assert fresh.has_perm("territory.manage", kelurahan)


def test_expired_and_future_memberships_do_not_count(rt: RT) -> None:
    today = timezone.localdate()
    past = MembershipFactory(
        user=UserFactory(),
        role=Role.KETUA_RT,
        kelurahan=rt.kelurahan,
        rw=rt.rw,
        rt=rt,
        valid_from=today - dt.timedelta(days=400),
        valid_to=today - dt.timedelta(days=1),
    )
    future = MembershipFactory(
        user=UserFactory(),
        role=Role.KETUA_RT,
        kelurahan=rt.kelurahan,
        rw=rt.rw,
        rt=rt,
        valid_from=today + dt.timedelta(days=1),
    )
    assert not past.user.has_perm("accounts.view_members", rt)
    assert not future.user.has_perm("accounts.view_members", rt)
    assert Membership.objects.active().count() == 0


def test_public_and_any_user_rules(rt: RT) -> None:
    resident = MembershipFactory(kelurahan=rt.kelurahan, rw=rt.rw, rt=rt).user
    assert AnonymousUser().has_perm("territory.view", rt.kelurahan)
    assert not AnonymousUser().has_perm("accounts.view_self")
    assert resident.has_perm("accounts.view_self")
    assert not resident.has_perm("accounts.view_members", rt)

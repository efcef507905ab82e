"""Account selectors never return another kelurahan's rows."""

from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts import selectors
from gotong.accounts.models import Role
from gotong.core.exceptions import NotFound
from gotong.territory.models import RT, Kelurahan
from gotong.territory.tests.factories import RTFactory, RWFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_rt(other_kelurahan: Kelurahan) -> RT:
    return RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)


def test_rt_members_of_another_kelurahan_are_not_listed(
    rt: RT, foreign_rt: RT, make_member: Callable[..., Any]
) -> None:
    make_member(Role.WARGA, rt)
    make_member(Role.WARGA, foreign_rt)
    assert len(selectors.membership_list_for_rt(kelurahan=rt.kelurahan, rt=rt)) == 1
    assert list(selectors.membership_list_for_rt(kelurahan=rt.kelurahan, rt=foreign_rt)) == []


def test_kelurahan_member_list_is_tenant_scoped(
    rt: RT, foreign_rt: RT, make_member: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        make_member(Role.WARGA, rt)
    make_member(Role.WARGA, foreign_rt)
    with django_assert_max_num_queries(1):
        members = [
            (m.user.phone, str(m))
            for m in selectors.membership_list_for_kelurahan(kelurahan=rt.kelurahan)
        ]
    assert len(members) == 3


def test_a_membership_of_another_kelurahan_is_not_found(
    rt: RT, foreign_rt: RT, make_member: Callable[..., Any]
) -> None:
    foreign = make_member(Role.WARGA, foreign_rt).memberships.get()
    with pytest.raises(NotFound):
        selectors.membership_get(kelurahan=rt.kelurahan, pk=foreign.pk)
    assert selectors.membership_get(kelurahan=foreign_rt.kelurahan, pk=foreign.pk) == foreign


def test_primary_role_is_per_kelurahan(
    rt: RT, foreign_rt: RT, make_member: Callable[..., Any]
) -> None:
    user = make_member(Role.KETUA_RT, rt)
    assert selectors.user_role_primary(user=user, kelurahan=rt.kelurahan) == "ketua_rt"
    assert selectors.user_role_primary(user=user, kelurahan=foreign_rt.kelurahan) is None

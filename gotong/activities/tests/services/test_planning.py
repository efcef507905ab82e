"""Planning an activity: the needs it serves become matched, the log holds ids only, and a
need of another kelurahan, a wrong role or a need served twice is refused."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.activities.tests.factories import World, approved_need, elderly, log_size, plan
from gotong.core.exceptions import Conflict, NotFound, PermissionDenied
from gotong.needs.models import Status as NeedStatus
from gotong.territory.tests.factories import RTFactory, RWFactory
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def test_planning_matches_the_need_and_logs_ids_only(world: World) -> None:
    world.refresh()
    assert world.need.status == NeedStatus.MATCHED
    body = LogEntry.objects.get(type="activity.created").body
    assert f"need:{world.need.pk}" in body
    assert "Antar sembako" not in body and world.grandma.full_name not in body


def test_a_need_of_another_kelurahan_is_refused_and_nothing_is_created(
    world: World, other_kelurahan: Any, make_member: Any
) -> None:
    far_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    far_need = approved_need(
        make_member(Role.KETUA_RT, far_rt), make_member(Role.KETUA_RW, far_rt.rw), elderly(far_rt)
    )
    before = (log_size(), world.activity.__class__.objects.count())
    with pytest.raises(NotFound, match="not found in this kelurahan"):
        plan(world.rt, world.rw_head, world.driver, [far_need])
    assert (log_size(), world.activity.__class__.objects.count()) == before
    far_need.refresh_from_db()
    assert far_need.status == NeedStatus.APPROVED


def test_wrong_role_or_territory_cannot_plan(
    world: World, rt_other_rw: Any, make_member: Any
) -> None:
    other_rt_head = make_member(Role.KETUA_RT, rt_other_rw)
    before = log_size()
    with pytest.raises(PermissionDenied):
        plan(world.rt, other_rt_head, world.driver, [], purpose="Kerja bakti selokan")
    with pytest.raises(PermissionDenied):
        plan(world.rt, world.driver.person.user, world.driver, [], purpose="Kerja bakti")
    assert log_size() == before


def test_a_need_served_twice_is_refused(world: World) -> None:
    with pytest.raises(Conflict, match="already served"):
        plan(world.rt, world.rw_head, world.driver, [world.need])

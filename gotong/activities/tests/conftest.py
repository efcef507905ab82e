"""Fixtures of the activities tests: a delivery activity in RT 1/1 serving one approved
need, built through the services (see ``factories.World``)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from gotong.accounts.models import Role
from gotong.activities.tests.factories import (
    World,
    approved_need,
    elderly,
    plan,
    run_to_reported,
    verified,
    volunteer,
)
from gotong.territory.models import RT

# ``plan`` and ``run_to_reported`` are re-exported for tests of other apps that still
# import them from here; new code imports them from ``factories``.
__all__ = ["World", "plan", "run_to_reported"]


@pytest.fixture
def world(rt: RT, rt_same_rw: RT, rt_other_rw: RT, make_member: Callable[..., Any]) -> World:
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = verified(make_member(Role.OPERATOR, rt.kelurahan))
    driver = volunteer(rt)
    grandma = elderly(rt)
    need = approved_need(rt_head, rw_head, grandma)
    activity = plan(rt, rw_head, driver, [need])
    verifiers = [
        volunteer(rt_other_rw).person.user,
        make_member(Role.KETUA_RT, rt_same_rw),
        verified(make_member(Role.AUDITOR, rt.kelurahan)),
    ]
    return World(rt, rt_head, rw_head, operator, driver, grandma, need, activity, verifiers)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Service messages are matched in English (the source language)."""
    with translation.override("en"):
        yield

"""The cart offers the buyer's own RT for delivery, not the first RT of the kelurahan."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.registry.tests.factories import PersonFactory
from gotong.territory.tests.factories import RTFactory

from ..factories import Market

pytestmark = pytest.mark.django_db


def test_the_delivery_rt_defaults_to_the_buyers_rt(
    world: Market, kelurahan: Any, rt: Any, make_member: Any, login: Any
) -> None:
    own_rt = RTFactory(rw=rt.rw, number=7)
    buyer = make_member(Role.WARGA, own_rt)
    PersonFactory(rt=own_rt, user=buyer)
    page = login(buyer).get(f"/k/{kelurahan.slug}/pasar/siklus/{world.cycle.pk}/pesan/")
    body = page.content.decode()
    assert f'<option value="{own_rt.pk}" selected>' in body
    assert f'<option value="{rt.pk}">' in body

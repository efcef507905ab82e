"""Every selector is tenant-scoped: another kelurahan's market rows never appear."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.core.exceptions import NotFound
from gotong.territory.tests.factories import RTFactory, RWFactory

from .. import selectors, services
from .factories import market

pytestmark = pytest.mark.django_db


def test_no_other_kelurahan_rows_leak(
    kelurahan: Any, other_kelurahan: Any, rt: Any, make_member: Any
) -> None:
    here = market(kelurahan, rt, make_member)
    other_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    there = market(other_kelurahan, other_rt, make_member)
    buyer = make_member(Role.WARGA, other_rt)
    order = services.order_place(
        actor=buyer,
        cycle=there.cycle,
        rt=other_rt,
        fulfilment="pickup",
        lines=[services.LineSpec(offer=there.bundle_offer, quantity=1)],
    )
    services.courier_create(
        actor=there.operator, kelurahan=other_kelurahan, label="Kurir", capacity=5
    )

    assert set(selectors.product_catalogue(kelurahan=kelurahan)) == {
        here.bayam,
        here.beras,
        here.telur_kg,
        here.kerupuk_pack,
    }
    assert list(selectors.bundle_list(kelurahan=kelurahan)) == [here.bundle]
    assert list(selectors.cycle_list(kelurahan=kelurahan)) == [here.cycle]
    assert selectors.cycle_current(kelurahan=kelurahan) == here.cycle
    assert list(selectors.umkm_list(kelurahan=kelurahan)) == sorted(
        [here.sayur, here.telur, here.kerupuk], key=lambda o: o.name
    )
    assert not selectors.order_list_for_user(kelurahan=kelurahan, user=buyer).exists()
    assert not selectors.courier_list(kelurahan=kelurahan).exists()
    assert not selectors.product_list_for_seller(kelurahan=kelurahan, user=there.operator).exists()
    services.cycle_close(actor=there.operator, cycle=there.cycle)
    assert selectors.umkm_sales(kelurahan=kelurahan) == []
    for get, pk in [
        (selectors.product_get, there.bayam.pk),
        (selectors.cycle_get, there.cycle.pk),
        (selectors.order_get, order.pk),
    ]:
        with pytest.raises(NotFound):
            get(kelurahan=kelurahan, pk=pk)

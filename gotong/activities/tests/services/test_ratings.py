"""Ratings of a closed activity by the beneficiary or the RT head, feeding the volunteer and
organisation averages."""

from typing import Any

import pytest

from gotong.activities import selectors, services
from gotong.activities.models import Rating, ResourceLink
from gotong.activities.tests.factories import World, run_to_reported
from gotong.core.exceptions import Conflict, PermissionDenied
from gotong.registry.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _closed(world: World) -> None:
    run_to_reported(world)
    services.activity_signoff(actor=world.rt_head, activity=world.activity, layer="rt")
    services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    for verifier in world.verifiers:
        services.activity_signoff(actor=verifier, activity=world.activity, layer="independent")
    services.activity_close(actor=world.operator, activity=world.activity)
    world.refresh()


def test_ratings_feed_volunteer_and_organisation_averages(world: World) -> None:
    warung: Any = OrganisationFactory(kelurahan=world.rt.kelurahan)
    ResourceLink.objects.create(
        activity=world.activity, kind="umkm_product", external_id="paket-1", organisation=warung
    )
    with pytest.raises(Conflict, match="closed"):
        services.rating_submit(
            actor=world.rt_head, activity=world.activity, need=world.need, stars=4
        )
    _closed(world)
    with pytest.raises(PermissionDenied):
        services.rating_submit(
            actor=world.driver.person.user, activity=world.activity, need=world.need, stars=5
        )
    services.rating_submit(
        actor=world.rt_head, activity=world.activity, need=world.need, stars=4, comment="Cepat"
    )
    with pytest.raises(Conflict):
        services.rating_submit(
            actor=world.rt_head, activity=world.activity, need=world.need, stars=1
        )
    assert Rating.objects.get().on_behalf
    kelurahan = world.rt.kelurahan
    assert selectors.rating_average_per_volunteer(kelurahan=kelurahan) == {
        world.driver.pk: (4.0, 1)
    }
    assert selectors.rating_average_per_organisation(kelurahan=kelurahan) == {warung.pk: (4.0, 1)}

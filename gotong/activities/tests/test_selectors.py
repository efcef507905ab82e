"""Activities selectors: the verifier queue lists only what the user may sign, and every
selector is tenant-scoped."""

from typing import Any

import pytest

from gotong.activities import selectors
from gotong.activities.tests.factories import World, run_to_reported
from gotong.core.exceptions import NotFound

pytestmark = pytest.mark.django_db


def test_the_queue_lists_only_what_the_user_may_sign(world: World) -> None:
    run_to_reported(world)
    queue = selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.verifiers[0])
    assert [(r.activity.pk, r.layer) for r in queue] == [(world.activity.pk, "independent")]
    assert [
        r.layer for r in selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.rt_head)
    ] == ["rt"]
    assert selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.rw_head) == []
    assert (
        selectors.verifier_queue(kelurahan=world.rt.kelurahan, user=world.driver.person.user) == []
    )


def test_selectors_are_tenant_scoped(world: World, other_kelurahan: Any) -> None:
    with pytest.raises(NotFound):
        selectors.activity_get(kelurahan=other_kelurahan, pk=world.activity.pk)
    assert not selectors.activity_list(kelurahan=other_kelurahan).exists()
    assert selectors.verifier_queue(kelurahan=other_kelurahan, user=world.verifiers[0]) == []

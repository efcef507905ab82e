"""A closed help tells the beneficiary where to rate it: the message carries the rating
page's link and the request page shows the rating link while the help may still be rated."""

import pytest
from django.urls import reverse

from gotong.accounts.tests.clients import client_for
from gotong.activities import selectors, services
from gotong.activities.tests.factories import World, run_to_reported
from gotong.channels.models import OutboundMessage

pytestmark = pytest.mark.django_db


def _closed(world: World) -> None:
    run_to_reported(world)
    services.activity_signoff(actor=world.rt_head, activity=world.activity, layer="rt")
    services.activity_signoff(actor=world.rw_head, activity=world.activity, layer="rw")
    for verifier in world.verifiers:
        services.activity_signoff(actor=verifier, activity=world.activity, layer="independent")
    services.activity_close(actor=world.operator, activity=world.activity)
    world.refresh()


def _rating_path(world: World) -> str:
    return reverse(
        "activities:rate",
        kwargs={
            "slug": world.rt.kelurahan.slug,
            "activity_id": world.activity.pk,
            "need_id": world.need.pk,
        },
    )


def test_the_rating_message_links_to_the_rating_page(world: World) -> None:
    _closed(world)
    message = OutboundMessage.objects.get(recipient=world.grandma.phone, template="activity_rate")
    assert _rating_path(world) in message.body


def test_the_request_page_shows_the_rating_link_until_the_help_is_rated(world: World) -> None:
    need_page = reverse(
        "needs:detail", kwargs={"slug": world.rt.kelurahan.slug, "need_id": world.need.pk}
    )
    client = client_for(world.rt_head)
    assert _rating_path(world) not in client.get(need_page).content.decode()
    _closed(world)
    assert selectors.rating_due_for(need=world.need, user=world.rt_head) == world.activity
    assert selectors.rating_due_for(need=world.need, user=world.driver.person.user) is None
    assert _rating_path(world) in client.get(need_page).content.decode()
    services.rating_submit(actor=world.rt_head, activity=world.activity, need=world.need, stars=5)
    assert _rating_path(world) not in client.get(need_page).content.decode()


def test_a_status_message_links_to_the_request_page(world: World) -> None:
    message = OutboundMessage.objects.filter(template="need_status").latest("pk")
    assert f"/bantuan/{world.need.pk}/" in message.body

"""The sign-off state reads as what is still awaited, not as an error, and the activity can
be closed only once every sign-off is in."""

from typing import Any

import pytest
from django.urls import reverse

from gotong.activities.tests.conftest import World, run_to_reported

pytestmark = pytest.mark.django_db


def test_a_reported_activity_says_who_is_awaited_and_offers_no_close(
    world: World, login: Any
) -> None:
    run_to_reported(world)
    url = reverse(
        "activities:detail",
        kwargs={"slug": world.rt.kelurahan.slug, "activity_id": world.activity.pk},
    )
    page = login(world.operator).get(url)
    html = page.content.decode()
    assert page.status_code == 200 and not page.context["may_close"]
    assert 'value="close"' not in html
    waiting = html.split('class="notice"', 1)[1].split("</div>", 1)[0]
    assert "Masih menunggu" in waiting
    assert "3 pemeriksa independen lagi (0 dari 3 sudah menandatangani)" in waiting
    assert 'class="errors"' not in html.split("<main", 1)[1].split("<h2", 1)[0]

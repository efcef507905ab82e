"""Activity pages render for their roles, carry out actions, and stay within a bounded
number of queries (the RT triage queue with 5,000 open needs, the verifier queue)."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities.models import Activity, ActivityStatus, Assignment
from gotong.activities.tests.factories import World, elderly, photo, plan, run_to_reported
from gotong.needs.models import Need, RaisedVia
from gotong.needs.tests.factories import resident
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db


def _detail(world: World) -> str:
    return reverse(
        "activities:detail",
        kwargs={"slug": world.rt.kelurahan.slug, "activity_id": world.activity.pk},
    )


def test_the_coordinator_and_volunteer_use_the_activity_page(world: World, login: Any) -> None:
    url = _detail(world)
    as_rw, as_driver, as_rt = (
        login(world.rw_head),
        login(world.driver.person.user),
        login(world.rt_head),
    )
    page = as_rw.get(url)
    assert page.status_code == 200
    assert "Antar sembako" in page.content.decode()
    slot = world.activity.slots.get()
    as_rw.post(url, {"action": "invite", "slot": slot.pk, "volunteer": world.driver.pk})
    assignment = Assignment.objects.get()
    as_driver.post(url, {"action": "accept", "assignment": assignment.pk})
    as_rt.post(url, {"action": "start"})
    as_driver.post(url, {"action": "check_in"})
    evidence_url = reverse(
        "activities:evidence",
        kwargs={"slug": world.rt.kelurahan.slug, "activity_id": world.activity.pk},
    )
    response = as_driver.post(evidence_url, {"file": photo(), "note": "Serah terima"})
    assert response.status_code == 302, response.content
    as_rt.post(url, {"action": "deliver", "need": world.need.pk})
    world.refresh()
    assert world.need.status == "delivered"
    page = as_driver.get(url).content.decode()
    assert 'name="code"' in page and 'capture="environment"' in page
    as_rt.post(url, {"action": "confirm_rt", "need": world.need.pk, "reason": "Lansia"})
    as_driver.post(url, {"action": "signoff", "layer": "executor"})
    world.refresh()
    assert world.activity.status == ActivityStatus.REPORTED
    assert Assignment.objects.get().checked_in_at is not None


def test_a_verifier_sees_why_they_are_not_eligible(world: World, login: Any) -> None:
    run_to_reported(world)
    page = login(world.rt_head).get(_detail(world))
    assert page.context["options"]["rt"] and 'value="rt"' in page.content.decode()
    # The RW head is not independent here and may not sign the RW layer yet.
    response = login(world.rw_head).get(_detail(world))
    assert response.status_code == 200
    assert response.context["options"]["independent_reasons"]
    assert not response.context["options"]["rw"]


def test_a_failed_action_changes_nothing_and_says_why(world: World, login: Any) -> None:
    run_to_reported(world)
    response = login(world.verifiers[0]).post(_detail(world), {"action": "close"}, follow=True)
    assert response.status_code == 200
    world.refresh()
    assert world.activity.status == ActivityStatus.REPORTED
    assert list(response.context["messages"])


def test_a_stranger_cannot_open_the_activity(world: World, login: Any, rt: RT) -> None:
    response = login(resident(rt).user).get(_detail(world))
    assert response.status_code == 404


def test_the_rw_head_plans_an_activity_on_the_page(world: World, login: Any) -> None:
    need = Need.objects.create(
        kelurahan=world.rt.kelurahan,
        rt=world.rt,
        category="pangan",
        description="Sembako untuk keluarga",
        urgency="sedang",
        needed_by=timezone.now() + dt.timedelta(days=2),
        beneficiary_person=elderly(world.rt, phone="+6281399990009"),
        raised_via=RaisedVia.RT_PROXY,
        status="approved",
    )
    url = reverse("activities:create", kwargs={"slug": world.rt.kelurahan.slug})
    client = login(world.rw_head)
    page = client.get(url)
    assert page.status_code == 200 and f"#{need.pk}" in page.content.decode()
    start = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "kind": "delivery",
            "title": "Antar sembako sore",
            "rt": world.rt.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "needs": [need.pk],
            "coordinator": world.driver.pk,
            "slot_skill_1": world.activity.slots.get().skill_id,
            "slot_count_1": 2,
            "resource_kind": "umkm_product",
            "resource_ref": "paket-B",
            "resource_quantity": 1,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    created = Activity.objects.latest("pk")
    assert created.coordinator == world.driver.person.user
    need.refresh_from_db()
    assert need.status == "matched"
    # The need's page links to the activity serving it.
    need_page = client.get(
        reverse("needs:detail", kwargs={"slug": world.rt.kelurahan.slug, "need_id": need.pk})
    )
    assert f"#{created.pk}" in need_page.content.decode()


def test_a_resident_cannot_plan(world: World, login: Any) -> None:
    url = reverse("activities:create", kwargs={"slug": world.rt.kelurahan.slug})
    assert login(world.grandma.user).get(url).status_code in (302, 403)


def test_the_verifier_queue_uses_a_bounded_number_of_queries(
    world: World, login: Any, django_assert_max_num_queries: Any
) -> None:
    run_to_reported(world)
    for number in range(12):
        activity = plan(world.rt, world.rw_head, world.driver, [], purpose=f"Kerja bakti {number}")
        Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.REPORTED)
    client = login(world.verifiers[0])
    url = reverse("activities:queue", kwargs={"slug": world.rt.kelurahan.slug})
    client.get(url)
    with django_assert_max_num_queries(25) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 13
    print(f"verifier queue, 13 activities: {len(captured)} queries")


def test_the_rt_triage_page_with_5000_open_needs_uses_a_bounded_number_of_queries(
    rt: RT, make_member: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    rt_head = make_member(Role.KETUA_RT, rt)
    people = [elderly(rt, phone=f"+62813999{n:05d}") for n in range(20)]
    now = timezone.now()
    Need.objects.bulk_create(
        [
            Need(
                kelurahan=rt.kelurahan,
                rt=rt,
                category=["pangan", "kesehatan", "barang"][n % 3],
                description="Kebutuhan warga (uji beban)",
                urgency=["darurat", "tinggi", "sedang", "rendah"][n % 4],
                needed_by=now + dt.timedelta(days=3),
                beneficiary_person=people[n % 20],
                beneficiary_household=people[n % 20].household,
                raised_via=RaisedVia.RT_PROXY,
                raised_by=rt_head,
            )
            for n in range(5000)
        ],
        batch_size=1000,
    )
    client = login(rt_head)
    url = reverse("needs:rt_queue", kwargs={"slug": rt.kelurahan.slug, "rt_id": rt.pk})
    client.get(url)
    with django_assert_max_num_queries(20) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5000
    with django_assert_max_num_queries(20):
        assert client.get(url + "?page=100").status_code == 200
    print(f"RT triage queue, 5000 open needs: {len(captured)} queries")

"""Evidence only from those who may give it: a need's team and the heads over its RT, an
activity's team and the heads over its place (issue 13, item 4). The needs and activities
apps register these checks with transparency; here they are tried through the upload page
and the API, as a volunteer would."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gotong.accounts.models import Role
from gotong.activities import services
from gotong.activities.evidence_rules import activity_evidence_subjects
from gotong.activities.models import Activity
from gotong.activities.tests.conftest import plan
from gotong.activities.tests.factories import approved_need, elderly, photo, volunteer
from gotong.needs.models import Need
from gotong.registry.models import Volunteer
from gotong.territory.models import RT
from gotong.territory.tests.factories import RTFactory
from gotong.transparency.models import Evidence, LogEntry

pytestmark = pytest.mark.django_db

REFUSAL = "Anda tidak boleh memberi bukti tentang"


@dataclass
class Rt3Delivery:
    """A need of RT 03 served by an activity there; a volunteer of RT 01 outside its team."""

    need: Need
    activity: Activity
    driver: Volunteer
    outsider: Volunteer
    rt_head: Any
    rw_head: Any


@pytest.fixture
def rt3(rt: RT, make_member: Callable[..., Any]) -> Rt3Delivery:
    rt3 = RTFactory(rw=rt.rw, number=3)
    rt_head = make_member(Role.KETUA_RT, rt3)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    need = approved_need(rt_head, rw_head, elderly(rt3))
    driver = volunteer(rt3)
    activity = plan(rt3, rw_head, driver, [need])
    return Rt3Delivery(need, activity, driver, volunteer(rt), rt_head, rw_head)


def page_upload(client: Client, subject: str) -> Any:
    return client.post(
        "/k/taman/bukti/unggah/",
        {"file": photo(), "subject": subject, "note": "Paket diserahkan"},
        HTTP_ACCEPT_LANGUAGE="id",
    )


def api_upload(client: Client, subject: str) -> Any:
    return client.post(
        "/api/v1/k/taman/transparency/evidence",
        {"file": photo(), "subject": subject},
        HTTP_ACCEPT_LANGUAGE="id",
    )


def test_a_volunteer_of_rt_01_cannot_give_evidence_for_a_need_of_rt_03(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    client = login(rt3.outsider.person.user)
    subject = f"need:{rt3.need.pk}"
    page = page_upload(client, subject)
    # The outsider has nothing to choose: the page shows its empty state, saves nothing.
    assert page.status_code == 200
    assert "Belum ada kegiatan atau permintaan" in page.content.decode()
    answer = api_upload(client, subject)
    assert answer.status_code == 403
    assert answer.json()["message"].startswith(REFUSAL)
    assert answer.json()["extra"] == {"field": "subject"}
    assert not Evidence.objects.filter(subject=subject).exists()
    assert not LogEntry.objects.filter(type="evidence.recorded", subject=subject).exists()


def test_nor_for_the_activity_serving_it(rt3: Rt3Delivery, login: Callable[..., Client]) -> None:
    answer = api_upload(login(rt3.outsider.person.user), rt3.activity.subject)
    assert answer.status_code == 403
    assert not Evidence.objects.filter(subject=rt3.activity.subject).exists()


def test_once_on_the_team_the_same_volunteer_may(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    slot = rt3.activity.slots.get()
    slot.count = 2
    slot.save(update_fields=["count"])
    invitation = services.assignment_invite(
        actor=rt3.rw_head, activity=rt3.activity, slot=slot, volunteer=rt3.outsider
    )
    client = login(rt3.outsider.person.user)
    # Invited is not yet on the team.
    assert api_upload(client, f"need:{rt3.need.pk}").status_code == 403
    services.assignment_respond(actor=rt3.outsider.person.user, assignment=invitation, accept=True)
    assert api_upload(client, f"need:{rt3.need.pk}").status_code == 201
    assert api_upload(client, rt3.activity.subject).status_code == 201


def test_the_coordinator_and_the_heads_over_the_rt_may(
    rt3: Rt3Delivery, login: Callable[..., Client], make_member: Callable[..., Any]
) -> None:
    need = f"need:{rt3.need.pk}"
    assert api_upload(login(rt3.driver.person.user), need).status_code == 201
    assert api_upload(login(rt3.rt_head), need).status_code == 201
    assert api_upload(login(rt3.rw_head), rt3.activity.subject).status_code == 201
    operator = make_member(Role.OPERATOR, rt3.need.kelurahan)
    assert page_upload(login(operator), need).status_code == 302  # to the receipt


def test_the_rt_head_of_another_rt_may_not(
    rt3: Rt3Delivery, rt: RT, login: Callable[..., Client], make_member: Callable[..., Any]
) -> None:
    other_head = make_member(Role.KETUA_RT, rt)
    assert api_upload(login(other_head), f"need:{rt3.need.pk}").status_code == 403
    assert api_upload(login(other_head), rt3.activity.subject).status_code == 403


def test_a_subject_nobody_registered_or_that_does_not_exist_is_refused(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    client = login(rt3.driver.person.user)
    unknown = api_upload(client, "donation:1")
    assert unknown.status_code == 422 and unknown.json()["extra"] == {"field": "subject"}
    assert api_upload(client, "need:99999").status_code == 404
    assert Evidence.objects.count() == 0


UPLOAD = "/k/taman/bukti/unggah/"


def subject_choices(client: Client, query: str = "") -> dict[str, str]:
    form = client.get(UPLOAD + query, HTTP_ACCEPT_LANGUAGE="id").context["form"]
    return {value: str(label) for value, label in form.fields["subject"].choices if value}


def test_the_team_chooses_the_activity_and_the_need_it_serves(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    choices = subject_choices(login(rt3.driver.person.user))
    need = f"need:{rt3.need.pk}"
    assert set(choices) == {rt3.activity.subject, need}
    assert choices[rt3.activity.subject].startswith(f"Kegiatan: {rt3.activity.title} · ")
    assert choices[need] == f"Permintaan: Pangan / sembako · RT 03 / RW 01 · #{rt3.need.pk}"
    # Never the resident's name.
    assert rt3.need.beneficiary_person.full_name not in " ".join(choices.values())


def test_the_heads_over_the_rt_choose_its_needs_and_activities_others_do_not(
    rt3: Rt3Delivery, rt: RT, login: Callable[..., Client], make_member: Callable[..., Any]
) -> None:
    need = f"need:{rt3.need.pk}"
    assert set(subject_choices(login(rt3.rt_head))) == {need, rt3.activity.subject}
    assert set(subject_choices(login(rt3.rw_head))) == {need, rt3.activity.subject}
    other_head = make_member(Role.KETUA_RT, rt)
    page = login(other_head).get(UPLOAD, HTTP_ACCEPT_LANGUAGE="id")
    assert page.context["form"] is None


def test_nothing_to_choose_shows_an_empty_state_instead_of_the_form(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    page = login(rt3.outsider.person.user).get(UPLOAD, HTTP_ACCEPT_LANGUAGE="id")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Belum ada kegiatan atau permintaan yang bisa Anda beri bukti" in html
    assert 'name="subject"' not in html and 'name="file"' not in html


def test_the_query_preselects_and_a_chosen_subject_is_recorded(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    client = login(rt3.driver.person.user)
    html = client.get(f"{UPLOAD}?subject={rt3.activity.subject}").content.decode()
    assert f'<option value="{rt3.activity.subject}" selected>' in html
    assert page_upload(client, rt3.activity.subject).status_code == 302
    assert Evidence.objects.filter(subject=rt3.activity.subject).count() == 1


def test_a_posted_subject_outside_the_list_is_a_field_error_and_saves_nothing(
    rt3: Rt3Delivery, login: Callable[..., Client], make_member: Callable[..., Any], rt: RT
) -> None:
    other_head = make_member(Role.KETUA_RT, rt)
    other_need = approved_need(other_head, rt3.rw_head, elderly(rt, phone="+6281399990002"))
    page = page_upload(login(rt3.driver.person.user), f"need:{other_need.pk}")
    assert page.status_code == 200
    assert "Pilih kegiatan atau permintaan dari daftar" in page.content.decode()
    assert page.context["form"].errors["subject"]
    assert not Evidence.objects.exists()
    assert not LogEntry.objects.filter(type="evidence.recorded").exists()


def test_activity_and_need_pages_link_to_the_upload_page_with_their_subject(
    rt3: Rt3Delivery, login: Callable[..., Client]
) -> None:
    activity_page = f"/k/taman/kegiatan/{rt3.activity.pk}/"
    need_page = f"/k/taman/bantuan/{rt3.need.pk}/"
    activity_link = f'href="{UPLOAD}?subject=activity%3A{rt3.activity.pk}"'
    need_link = f'href="{UPLOAD}?subject=need%3A{rt3.need.pk}"'
    driver = login(rt3.driver.person.user)
    assert activity_link in driver.get(activity_page).content.decode()
    head = login(rt3.rt_head)
    assert need_link in head.get(need_page).content.decode()
    assert activity_link in head.get(activity_page).content.decode()
    # The outsider may see the activity page but is not offered the upload.
    outsider_page = login(rt3.outsider.person.user).get(activity_page)
    assert "bukti/unggah" not in outsider_page.content.decode()


def test_the_activity_choices_cost_the_same_queries_for_one_activity_or_five(
    rt3: Rt3Delivery,
) -> None:
    """The team check is one query over the listed activities, not one per activity."""
    user = rt3.outsider.person.user
    kelurahan = rt3.activity.kelurahan
    rt3.outsider.max_tasks_per_week = 10
    rt3.outsider.save(update_fields=["max_tasks_per_week"])

    def join(activity: Activity) -> None:
        """The outsider accepts a slot (an accepted volunteer, not the coordinator)."""
        assignment = services.assignment_invite(
            actor=rt3.rw_head, activity=activity, slot=activity.slots.get(), volunteer=rt3.outsider
        )
        services.assignment_respond(actor=user, assignment=assignment, accept=True)

    join(rt3.activity)
    activity_evidence_subjects(user=user, kelurahan=kelurahan)  # the user's roles, cached
    with CaptureQueriesContext(connection) as one:
        assert len(activity_evidence_subjects(user=user, kelurahan=kelurahan)) == 1
    for i in range(4):
        other = approved_need(
            rt3.rt_head, rt3.rw_head, elderly(rt3.activity.rt, f"+628139999010{i}")
        )
        join(plan(rt3.activity.rt, rt3.rw_head, rt3.driver, [other]))
    with CaptureQueriesContext(connection) as five:
        assert len(activity_evidence_subjects(user=user, kelurahan=kelurahan)) == 5
    assert len(five.captured_queries) == len(one.captured_queries)

"""Scenario A (urgent food aid for a sick elderly resident) and Scenario C (mobile
posyandu with volunteers by skill), end to end through the JSON API."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities.models import Activity, ActivityStatus, Rating
from gotong.activities.tests.factories import elderly, last_code, photo, volunteer
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.tests.factories import OrganisationFactory
from gotong.territory.models import RT
from gotong.transparency.models import LogEntry
from gotong.transparency.selectors import log_verify

pytestmark = pytest.mark.django_db


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _post(client: Any, url: str, data: Any = None, status: int = 200) -> Any:
    return _ok(client.post(url, data=data or {}, content_type="application/json"), status)


def test_scenario_a_food_aid_for_a_sick_elderly_resident(
    rt: RT,
    rt_same_rw: RT,
    rt_other_rw: RT,
    make_member: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    kelurahan = rt.kelurahan
    base = f"/api/v1/k/{kelurahan.slug}"
    grandma = elderly(rt)
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = make_member(Role.OPERATOR, kelurahan)
    driver = volunteer(rt, skills=("driver",))
    warung = OrganisationFactory(kelurahan=kelurahan, status="approved")
    # Three independent verifiers: a volunteer of another RW, the head of another RT and
    # a member of the ethics committee.
    verifiers = [
        volunteer(rt_other_rw).person.user,
        make_member(Role.KETUA_RT, rt_same_rw),
        make_member(Role.KOMITE_ETIKA, kelurahan),
    ]
    as_rt, as_rw, as_driver = login(rt_head), login(rw_head), login(driver.person.user)

    # 1. The RT head raises the need as proxy; RT verifies; RW approves.
    need = _post(
        as_rt,
        f"{base}/needs",
        {
            "rt_id": rt.pk,
            "category": "pangan",
            "description": "Nenek sakit, tinggal sendiri, butuh sembako minggu ini",
            "urgency": "darurat",
            "needed_by": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "raised_via": "rt_proxy",
            "beneficiary_person_id": grandma.pk,
        },
        201,
    )
    need_id = need["id"]
    _post(as_rt, f"{base}/needs/{need_id}/transition", {"to": "verified"})
    assert _post(as_rw, f"{base}/needs/{need_id}/transition", {"to": "approved"})["status"] == (
        "approved"
    )

    # 2. The RW head plans the delivery: a UMKM sembako package and a volunteer driver.
    activity = _post(
        as_rw,
        f"{base}/activities",
        {
            "rt_id": rt.pk,
            "kind": "delivery",
            "title": "Antar sembako untuk nenek",
            "starts_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
            "ends_at": (timezone.now() + dt.timedelta(hours=3)).isoformat(),
            "need_ids": [need_id],
            "coordinator_volunteer_id": driver.pk,
            "slots": [{"skill": "driver", "count": 1}],
            "resources": [
                {
                    "kind": "umkm_product",
                    "external_id": "paket-sembako-A",
                    "quantity": 1,
                    "organisation_id": warung.pk,
                }
            ],
        },
        201,
    )
    activity_id = activity["id"]
    url = f"{base}/activities/{activity_id}"
    assert Need.objects.get(pk=need_id).status == NeedStatus.MATCHED
    assert activity["resources"][0]["external_id"] == "paket-sembako-A"

    invitation = _post(
        as_rw,
        f"{url}/invitations",
        {"slot_id": activity["slots"][0]["id"], "volunteer_id": driver.pk},
        201,
    )
    _post(as_driver, f"{url}/invitations/{invitation['id']}/answer", {"accept": True})

    # 3. The RT head starts it; the driver checks in, photographs the hand-over.
    assert _post(as_rt, f"{url}/start")["status"] == "in_progress"
    assert Need.objects.get(pk=need_id).status == NeedStatus.IN_PROGRESS
    _post(as_driver, f"{url}/check-in")
    evidence = as_driver.post(
        f"{url}/evidence", {"file": photo("serah-terima.png"), "note": "Paket diterima"}
    )
    receipt_code = _ok(evidence, 201)["receipt_code"]

    # 4. Delivery recorded; the recipient reads out the code sent to her phone.
    _post(as_rt, f"{url}/needs/{need_id}/deliver")
    assert Need.objects.get(pk=need_id).status == NeedStatus.DELIVERED
    code = last_code(grandma.phone)
    _post(as_driver, f"{url}/needs/{need_id}/confirm", {"code": code})
    assert Need.objects.get(pk=need_id).status == NeedStatus.CONFIRMED
    _post(as_driver, f"{url}/check-out")

    # 5. Executor -> RT -> RW, then three independent verifiers.
    state = _post(as_driver, f"{url}/signoffs", {"layer": "executor"}, 201)
    assert state["status"] == "reported" and not state["complete"]
    _post(as_rt, f"{url}/signoffs", {"layer": "rt"}, 201)
    _post(as_rw, f"{url}/signoffs", {"layer": "rw"}, 201)
    for verifier in verifiers:
        options = _ok(login(verifier).get(f"{url}/signoffs/options"))
        assert options["independent"], options
        state = _post(login(verifier), f"{url}/signoffs", {"layer": "independent"}, 201)
    assert state["status"] == "signed_off" and state["complete"]
    assert Need.objects.get(pk=need_id).status == NeedStatus.SIGNED_OFF

    # 6. The operator closes; the receipt is the photo's transparency receipt.
    closed = _post(login(operator), f"{url}/close")
    assert closed["status"] == "closed"
    assert closed["receipt_code"] == receipt_code
    assert closed["receipt_url"].endswith(f"/k/{kelurahan.slug}/bukti/{receipt_code}/")
    assert Need.objects.get(pk=need_id).status == NeedStatus.CLOSED

    # 7. The RT head rates the help for the resident.
    rating = _post(as_rt, f"{url}/ratings", {"need_id": need_id, "stars": 5}, 201)
    assert rating["on_behalf"] is True
    assert Rating.objects.get().stars == 5

    # The public log holds every step in order and verifies.
    def types(subject: str) -> list[str]:
        return [e.type for e in LogEntry.objects.filter(subject=subject).order_by("index")]

    assert types(f"need:{need_id}") == [
        "need.submitted",
        "need.verified",
        "need.approved",
        "need.matched",
        "need.in_progress",
        "need.delivered",
        "need.confirmed",
        "need.signed_off",
        "need.closed",
    ]
    assert types(f"activity:{activity_id}") == [
        "activity.created",
        "activity.volunteer_invited",
        "activity.invitation_accepted",
        "activity.in_progress",
        "activity.checked_in",
        "evidence.recorded",
        "activity.need_delivered",
        "activity.receipt_code_sent",
        "activity.receipt_confirmed",
        "activity.checked_out",
        "activity.reported",
        "activity.signoff",
        "activity.signoff",
        "activity.signoff",
        "activity.signoff",
        "activity.signoff",
        "activity.signoff",
        "activity.signed_off",
        "activity.closed",
        "activity.rated",
    ]
    layers = [
        json.loads(e.body)["data"]["layer"]
        for e in LogEntry.objects.filter(type="activity.signoff").order_by("index")
    ]
    assert layers == ["executor", "rt", "rw", "independent", "independent", "independent"]
    bodies = " ".join(e.body for e in LogEntry.objects.all())
    assert grandma.full_name not in bodies and grandma.phone not in bodies
    check = log_verify(kelurahan=kelurahan)
    assert check.ok, check
    assert Activity.objects.get(pk=activity_id).status == ActivityStatus.CLOSED


def test_scenario_c_mobile_posyandu_with_two_slots_by_skill(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    kelurahan = rt.kelurahan
    base = f"/api/v1/k/{kelurahan.slug}"
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    nurse = volunteer(rt, skills=("nurse",))
    clerk = volunteer(rt, skills=("admin",))
    another_nurse = volunteer(rt, skills=("nurse",))
    as_rw = login(rw_head)

    activity = _post(
        as_rw,
        f"{base}/activities",
        {
            "rt_id": rt.pk,
            "kind": "posyandu",
            "title": "Posyandu keliling RT 01",
            "purpose": "Timbang balita dan cek tensi lansia",
            "starts_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "ends_at": (timezone.now() + dt.timedelta(days=1, hours=3)).isoformat(),
            "slots": [{"skill": "nurse", "count": 1}, {"skill": "admin", "count": 1}],
        },
        201,
    )
    url = f"{base}/activities/{activity['id']}"
    slots = {s["skill"]: s["id"] for s in activity["slots"]}
    assert set(slots) == {"nurse", "admin"}

    # A volunteer without the skill cannot take the slot.
    wrong = as_rw.post(
        f"{url}/invitations",
        {"slot_id": slots["nurse"], "volunteer_id": clerk.pk},
        content_type="application/json",
    )
    assert wrong.status_code == 422, wrong.content

    for person, skill in ((nurse, "nurse"), (clerk, "admin")):
        invitation = _post(
            as_rw, f"{url}/invitations", {"slot_id": slots[skill], "volunteer_id": person.pk}, 201
        )
        _post(
            login(person.person.user),
            f"{url}/invitations/{invitation['id']}/answer",
            {"accept": True},
        )
    # The nurse slot is full now.
    full = as_rw.post(
        f"{url}/invitations",
        {"slot_id": slots["nurse"], "volunteer_id": another_nurse.pk},
        content_type="application/json",
    )
    assert full.status_code == 409

    detail = _ok(as_rw.get(url))
    assert {s["skill"]: s["accepted"] for s in detail["slots"]} == {"nurse": 1, "admin": 1}

    assert _post(as_rw, f"{url}/start")["status"] == "in_progress"
    for person in (nurse, clerk):
        checked = _post(login(person.person.user), f"{url}/check-in")
        assert checked["checked_in_at"]
    _ok(login(nurse.person.user).post(f"{url}/evidence", {"file": photo()}), 201)
    for person in (nurse, clerk):
        assert _post(login(person.person.user), f"{url}/check-out")["checked_out_at"]
    # The RW head coordinates (created it without naming a volunteer) and signs as executor.
    state = _post(as_rw, f"{url}/signoffs", {"layer": "executor"}, 201)
    assert state["status"] == "reported"
    assert len(state["missing"]) == 3  # RT, RW and the independent verifiers

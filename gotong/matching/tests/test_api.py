"""The matching API and pages, and Scenario C (mobile posyandu) with the volunteers
chosen by the engine by skill, distance and availability."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import services as activity_services
from gotong.activities.models import Assignment, AssignmentStatus
from gotong.matching import services
from gotong.matching.models import Proposal, ProposalStatus
from gotong.registry.models import AvailabilityWindow, Skill
from gotong.territory.models import RT

from .factories import approved_need, elderly, helper_at, place, verified


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def test_scenario_c_posyandu_volunteers_are_chosen_by_the_engine(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    place(rt)
    kelurahan = rt.kelurahan
    base = f"/api/v1/k/{kelurahan.slug}/matching"
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = make_member(Role.OPERATOR, kelurahan)
    near_nurse = helper_at(rt, ("nurse",), north_km=0.4)
    far_nurse = helper_at(rt, ("nurse",), north_km=6.0)
    busy_nurse = helper_at(rt, ("nurse",), north_km=0.1)
    clerk = helper_at(rt, ("admin",), north_km=0.8)
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    AvailabilityWindow.objects.filter(volunteer=busy_nurse).delete()
    AvailabilityWindow.objects.create(
        volunteer=busy_nurse,
        weekday=(starts.weekday() + 3) % 7,
        start=dt.time(8),
        end=dt.time(12),
    )
    skills = {s.code: s for s in Skill.objects.filter(kelurahan=kelurahan)}
    activity = activity_services.activity_create(
        actor=rw_head,
        kelurahan=kelurahan,
        rt=rt,
        kind="posyandu",
        title="Posyandu keliling RT 01",
        purpose="Timbang balita dan cek tensi lansia",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        coordinator=rw_head,
        slots=[
            activity_services.SlotIn(skill=skills["nurse"], count=1),
            activity_services.SlotIn(skill=skills["admin"], count=1),
        ],
    )
    as_operator = login(operator)
    round_out = _json(as_operator.post(base + "/rounds", content_type="application/json"), 201)
    assert round_out["proposed"] == 2
    detail = _json(as_operator.get(f"{base}/rounds/{round_out['id']}"))
    chosen = {p["skill"]: p["volunteer_id"] for p in detail["proposals"]}
    assert chosen == {"nurse": near_nurse.pk, "admin": clerk.pk}
    assert far_nurse.pk not in chosen.values() and busy_nurse.pk not in chosen.values()
    for p in detail["proposals"]:
        assert p["why"] and abs(sum(p["parts"].values()) - p["score"]) < 1e-3
        confirmed = _json(
            as_operator.post(
                f"{base}/proposals/{p['id']}/confirm", {}, content_type="application/json"
            )
        )
        assert confirmed["status"] == "confirmed" and confirmed["activity_id"] == activity.pk
    invited = set(
        Assignment.objects.filter(activity=activity, status=AssignmentStatus.INVITED).values_list(
            "volunteer_id", flat=True
        )
    )
    assert invited == {near_nurse.pk, clerk.pk}


def test_api_refuses_bad_weights_and_rejects_need_a_reason(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    place(rt)
    kelurahan = rt.kelurahan
    base = f"/api/v1/k/{kelurahan.slug}/matching"
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = make_member(Role.OPERATOR, kelurahan)
    as_operator = login(operator)
    bad = as_operator.put(
        base + "/policy",
        {"weights": {"urgency": -2}, "radius_km": 2},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "negatif" in bad.json()["message"] or "negative" in bad.json()["message"]
    zero = as_operator.put(
        base + "/policy",
        {
            "weights": {
                k: 0
                for k in (
                    "urgency",
                    "vulnerability",
                    "waiting",
                    "distance",
                    "skill_fit",
                    "reputation",
                    "fairness",
                )
            },
            "radius_km": 2,
        },
        content_type="application/json",
    )
    assert zero.status_code == 422
    ok = _json(
        as_operator.put(
            base + "/policy",
            {"weights": {"urgency": 5}, "radius_km": 1.5},
            content_type="application/json",
        )
    )
    assert ok["weights"]["urgency"] == 5 and ok["radius_km"] == 1.5
    helper_at(rt, ("driver",), north_km=0.2)
    need = approved_need(rt_head, rw_head, elderly(rt))
    round_out = _json(as_operator.post(base + "/rounds", content_type="application/json"), 201)
    proposal = Proposal.objects.get(round_id=round_out["id"])
    empty = as_operator.post(
        f"{base}/proposals/{proposal.pk}/reject", {"reason": ""}, content_type="application/json"
    )
    assert empty.status_code == 422
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    # The resident sees that a volunteer is proposed, in plain words.
    why = _json(login(rt_head).get(f"{base}/needs/{need.pk}/why"))
    assert why["state"] == "proposed" and why["message"]
    listed = _json(as_operator.get(base + "/proposals?status=proposed"))
    assert [p["id"] for p in listed] == [proposal.pk]


def test_board_round_and_policy_pages(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    place(rt)
    kelurahan = rt.kelurahan
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = make_member(Role.OPERATOR, kelurahan)
    helper_at(rt, ("driver",), north_km=0.2)
    need = approved_need(rt_head, rw_head, elderly(rt))
    as_operator = login(operator)
    board = f"/k/{kelurahan.slug}/pencocokan/"
    assert as_operator.post(board, {"action": "run"}).status_code == 302
    page = as_operator.get(board)
    assert page.status_code == 200
    proposal = Proposal.objects.get()
    assert f"#{need.pk}" in page.content.decode()
    decided = as_operator.post(
        f"{board}usulan/{proposal.pk}/", {"action": "confirm", "volunteer": proposal.volunteer_id}
    )
    assert decided.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED
    report = as_operator.get(f"{board}putaran/{proposal.round_id}/")
    assert report.status_code == 200
    policy = as_operator.post(
        f"{board}aturan/",
        {
            "radius_km": 2,
            "fairness_days": 30,
            "invitation_timeout_hours": 24,
            "round_interval_hours": 12,
            **{
                f"weight_{p}": 0
                for p in (
                    "urgency",
                    "vulnerability",
                    "waiting",
                    "distance",
                    "skill_fit",
                    "reputation",
                    "fairness",
                )
            },
        },
    )
    assert policy.status_code == 200
    assert any(word in policy.content.decode() for word in ("nol", "zero"))
    # A resident is refused the board; the need page shows the matching line.
    resident_page = login(rt_head).get(board)
    assert resident_page.status_code == 403
    other = approved_need(rt_head, rw_head, elderly(rt, phone="+6281399990003"), category="dana")
    services.round_run(actor=verified(operator), kelurahan=kelurahan)
    need_page = login(rt_head).get(f"/k/{kelurahan.slug}/bantuan/{other.pk}/")
    assert need_page.status_code == 200
    assert "Pencocokan" in need_page.content.decode() or "Matching" in need_page.content.decode()

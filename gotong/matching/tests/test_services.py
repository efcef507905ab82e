"""Matching workflow: rounds, proposals a person confirms, edits or rejects, re-matching
after a decline or timeout, the resident's plain-words reason, tenant isolation."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.activities import services as activity_services
from gotong.activities.models import Activity, Assignment, AssignmentStatus, ConflictDeclaration
from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.matching import engine, selectors, services
from gotong.matching.models import Proposal, ProposalStatus, Round
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Volunteer
from gotong.territory.models import RT
from gotong.transparency.models import LogEntry

from .factories import approved_need, elderly, helper_at, place, verified


@dataclass
class World:
    rt: RT
    rt_head: Any
    rw_head: Any
    operator: Any
    nurse: Volunteer
    driver: Volunteer
    sick: Need
    hungry: Need


@pytest.fixture
def world(rt: RT, make_member: Callable[..., Any]) -> World:
    place(rt)
    rt_head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)
    operator = verified(make_member(Role.OPERATOR, rt.kelurahan))
    nurse = helper_at(rt, ("nurse",), north_km=0.3)
    driver = helper_at(rt, ("driver",), north_km=0.5)
    sick = approved_need(rt_head, rw_head, elderly(rt), category="kesehatan", urgency="darurat")
    hungry = approved_need(
        rt_head, rw_head, elderly(rt, phone="+6281399990002"), category="pangan", urgency="sedang"
    )
    return World(rt, rt_head, rw_head, operator, nurse, driver, sick, hungry)


def _proposals(match_round: Round) -> dict[int | None, Proposal]:
    return {p.need_id: p for p in match_round.proposals.all()}


def _outbox(phone: str) -> list[dict[str, Any]]:
    path = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{phone.lstrip('+')}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_round_proposes_by_skill_and_logs_the_score_parts(world: World) -> None:
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    proposals = _proposals(match_round)
    assert proposals[world.sick.pk].volunteer_id == world.nurse.pk
    assert proposals[world.hungry.pk].volunteer_id == world.driver.pk
    assert match_round.unmatched == 0 and match_round.total_score >= match_round.greedy_score
    for p in proposals.values():
        assert sum(p.parts.values()) == pytest.approx(p.score, abs=1e-3)
        assert p.status == ProposalStatus.PROPOSED
    entry = LogEntry.objects.get(type="matching.round")
    data = json.loads(entry.body)["data"]
    assert {d["demand"] for d in data["proposals"]} == {
        f"need:{world.sick.pk}",
        f"need:{world.hungry.pk}",
    }
    assert set(data["proposals"][0]["parts"]) == set(engine.PARTS)
    # Nothing is assigned until a person confirms.
    assert not Activity.objects.exists()
    world.sick.refresh_from_db()
    assert world.sick.status == NeedStatus.APPROVED


def test_confirming_creates_the_activity_invites_and_notifies_the_volunteer(world: World) -> None:
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    proposal = _proposals(match_round)[world.sick.pk]
    confirmed = services.proposal_confirm(actor=world.rw_head, proposal=proposal)
    assert confirmed.status == ProposalStatus.CONFIRMED and confirmed.activity_id
    activity = Activity.objects.get(pk=confirmed.activity_id)
    assert list(activity.needs.all()) == [world.sick]
    assignment = Assignment.objects.get(activity=activity)
    assert assignment.volunteer_id == world.nurse.pk
    assert assignment.status == AssignmentStatus.INVITED
    world.sick.refresh_from_db()
    assert world.sick.status == NeedStatus.MATCHED
    assert _outbox(world.nurse.person.user.phone)
    entry = json.loads(LogEntry.objects.get(type="matching.confirmed").body)
    assert entry["subject"] == f"need:{world.sick.pk}"
    assert entry["data"]["parts"] == confirmed.parts
    bodies = " ".join(e.body for e in LogEntry.objects.filter(type__startswith="matching."))
    assert world.nurse.person.full_name not in bodies
    assert world.nurse.person.user.phone not in bodies
    # Twice is refused.
    with pytest.raises(Conflict):
        services.proposal_confirm(actor=world.rw_head, proposal=confirmed)


def test_an_edit_must_pass_the_hard_rules(world: World) -> None:
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    proposal = _proposals(match_round)[world.sick.pk]
    with pytest.raises(ValidationFailed) as refused:
        services.proposal_confirm(actor=world.rw_head, proposal=proposal, volunteer=world.driver)
    assert refused.value.extra["reason"] == engine.REASON_NO_SKILL
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and not Activity.objects.exists()
    other_nurse = helper_at(world.rt, ("nurse", "caregiver"), north_km=1.0)
    edited = services.proposal_confirm(
        actor=world.rw_head, proposal=proposal, volunteer=other_nurse
    )
    assert edited.edited and edited.volunteer_id == other_nurse.pk
    assert sum(edited.parts.values()) == pytest.approx(edited.score, abs=1e-3)


def test_only_the_right_roles_confirm(world: World, make_member: Callable[..., Any]) -> None:
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    proposal = _proposals(match_round)[world.sick.pk]
    with pytest.raises(PermissionDenied):
        services.proposal_confirm(actor=world.rt_head, proposal=proposal)
    with pytest.raises(PermissionDenied):
        services.round_run(actor=world.rw_head, kelurahan=world.rt.kelurahan)


def test_rejecting_rematches_that_need_with_someone_else(world: World) -> None:
    second_nurse = helper_at(world.rt, ("nurse",), north_km=1.2)
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    first = _proposals(match_round)[world.sick.pk]
    other = _proposals(match_round)[world.hungry.pk]
    with pytest.raises(ValidationFailed):
        services.proposal_reject(actor=world.rw_head, proposal=first, reason="")
    services.proposal_reject(actor=world.rw_head, proposal=first, reason="Sedang sakit")
    again = Proposal.objects.get(need=world.sick, status=ProposalStatus.PROPOSED)
    assert again.volunteer_id == second_nurse.pk and again.round_id == match_round.pk
    other.refresh_from_db()
    assert other.status == ProposalStatus.PROPOSED and other.volunteer_id == world.driver.pk


def test_a_decline_rematches_only_that_place_and_keeps_confirmed_ones(world: World) -> None:
    second_nurse = helper_at(world.rt, ("nurse",), north_km=1.2)
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    sick = services.proposal_confirm(
        actor=world.rw_head, proposal=_proposals(match_round)[world.sick.pk]
    )
    hungry = services.proposal_confirm(
        actor=world.rw_head, proposal=_proposals(match_round)[world.hungry.pk]
    )
    activity_services.assignment_respond(
        actor=world.driver.person.user, assignment=hungry.assignment, accept=True
    )
    activity_services.assignment_respond(
        actor=world.nurse.person.user, assignment=sick.assignment, accept=False
    )
    closed = services.proposals_sweep(kelurahan=world.rt.kelurahan)
    assert [p.pk for p in closed] == [sick.pk]
    sick.refresh_from_db()
    hungry.refresh_from_db()
    assert sick.status == ProposalStatus.DECLINED
    assert hungry.status == ProposalStatus.CONFIRMED
    assert hungry.assignment.status == AssignmentStatus.ACCEPTED
    replacement = Proposal.objects.get(status=ProposalStatus.PROPOSED)
    assert replacement.slot_id == sick.assignment.slot_id
    assert replacement.volunteer_id == second_nurse.pk
    confirmed = services.proposal_confirm(actor=world.rw_head, proposal=replacement)
    assert confirmed.activity_id == sick.activity_id
    assert services.proposals_sweep(kelurahan=world.rt.kelurahan) == []


def test_an_unanswered_invitation_expires_and_is_rematched(world: World) -> None:
    helper_at(world.rt, ("nurse",), north_km=1.2)
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    sick = services.proposal_confirm(
        actor=world.rw_head, proposal=_proposals(match_round)[world.sick.pk]
    )
    assert services.proposals_sweep(kelurahan=world.rt.kelurahan) == []
    Proposal.objects.filter(pk=sick.pk).update(decided_at=timezone.now() - dt.timedelta(hours=25))
    closed = services.proposals_sweep(kelurahan=world.rt.kelurahan)
    assert [p.status for p in closed] == [ProposalStatus.EXPIRED]
    assert Assignment.objects.get(pk=sick.assignment_id or 0).status == AssignmentStatus.DECLINED
    assert LogEntry.objects.filter(type="activity.invitation_expired").exists()
    assert Proposal.objects.filter(status=ProposalStatus.PROPOSED, slot__isnull=False).exists()


def test_a_declared_conflict_and_own_household_are_never_proposed(world: World) -> None:
    ConflictDeclaration.objects.create(
        kelurahan=world.rt.kelurahan,
        user=world.nurse.person.user,  # type: ignore[misc]
        household=world.sick.beneficiary_person.household,
    )
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    assert world.sick.pk not in _proposals(match_round)
    why = selectors.need_why_not_matched(kelurahan=world.rt.kelurahan, need=world.sick)
    assert why is not None and why.state == "unmatched"
    assert "keluarga" in why.message or "family" in why.message


def test_the_resident_reads_why_in_plain_words(world: World) -> None:
    kelurahan = world.rt.kelurahan
    assert selectors.need_why_not_matched(kelurahan=kelurahan, need=world.sick).state == "waiting"
    Volunteer.objects.filter(pk=world.nurse.pk).update(lat=world.nurse.lat + 1, lon=world.nurse.lon)  # type: ignore[operator]
    services.round_run(actor=world.operator, kelurahan=kelurahan)
    why = selectors.need_why_not_matched(kelurahan=kelurahan, need=world.sick)
    assert why is not None and why.state == "unmatched"
    assert "2 km" in why.message and "perawat" in why.message.lower()
    assert world.nurse.person.full_name not in why.message
    hungry = selectors.need_why_not_matched(kelurahan=kelurahan, need=world.hungry)
    assert hungry is not None and hungry.state == "proposed"


def test_the_fairness_report_counts_by_rw_urgency_and_group(world: World) -> None:
    Volunteer.objects.filter(pk=world.driver.pk).update(is_active=False)
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    report = match_round.report
    assert report["by_rw"] == [{"rw": 1, "needs": 2, "matched": 1, "share_pct": 50.0}]
    urgency = {row["urgency"]: row["matched"] for row in report["by_urgency"]}
    assert urgency == {"darurat": 1, "sedang": 0}
    groups = {row["group"]: row["needs"] for row in report["by_group"]}
    assert groups["is_elderly"] == 2
    assert report["unmatched"] == [
        {
            "need": world.hungry.pk,
            "rw": 1,
            "rt": 1,
            "urgency": "sedang",
            "category": "pangan",
            "reason": engine.REASON_NO_SKILL,
        }
    ]


def test_an_empty_round_is_stored_with_reasons(rt: RT, make_member: Callable[..., Any]) -> None:
    operator = verified(make_member(Role.OPERATOR, rt.kelurahan))
    match_round = services.round_run(actor=operator, kelurahan=rt.kelurahan)
    assert match_round.proposed == 0
    assert match_round.reasons == ["no_demands", engine.REASON_NO_RESOURCES]
    assert LogEntry.objects.filter(type="matching.round").count() == 1


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"urgency": -1}, "urgency"),
        ({p: 0 for p in engine.PARTS}, "weights"),
        ({"distance": "banyak"}, "distance"),
        ({"luck": 1}, "weights"),
    ],
)
def test_invalid_weights_are_refused_and_change_nothing(
    world: World, weights: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.matching_policy_set(
            actor=world.operator, kelurahan=world.rt.kelurahan, weights=weights, radius_km=2
        )
    assert refused.value.extra["field"] == field
    assert str(refused.value.message)
    assert services.matching_policy(kelurahan=world.rt.kelurahan).pk is None


def test_weights_change_the_ranking(world: World) -> None:
    services.matching_policy_set(
        actor=world.operator,
        kelurahan=world.rt.kelurahan,
        weights={"urgency": 0, "distance": 10},
        radius_km=3,
    )
    match_round = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    assert match_round.weights["distance"] == 10 and match_round.radius_km == 3
    assert all(p.parts["urgency"] == 0 for p in match_round.proposals.all())


def test_a_tenant_never_sees_another_tenants_volunteers_or_rounds(
    world: World, other_kelurahan: Any, make_member: Callable[..., Any]
) -> None:
    from gotong.territory.tests.factories import RTFactory, RWFactory

    far_rt = place(RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1))
    stranger = helper_at(far_rt, ("nurse", "driver"), north_km=0.0)
    other_operator = verified(make_member(Role.OPERATOR, other_kelurahan))
    Volunteer.objects.filter(pk__in=[world.nurse.pk, world.driver.pk]).update(is_active=False)
    mine = services.round_run(actor=world.operator, kelurahan=world.rt.kelurahan)
    assert mine.resources == 0 and mine.proposed == 0
    assert not Proposal.objects.filter(volunteer=stranger).exists()
    theirs = services.round_run(actor=other_operator, kelurahan=other_kelurahan)
    assert theirs.demands == 0
    kelurahan = world.rt.kelurahan
    assert list(selectors.round_list(kelurahan=kelurahan)) == [mine]
    assert list(selectors.round_list(kelurahan=other_kelurahan)) == [theirs]
    with pytest.raises(NotFound):
        selectors.round_get(kelurahan=kelurahan, pk=theirs.pk)
    assert not selectors.proposal_list(kelurahan=other_kelurahan).exists()
    assert not selectors.unmatched_list(kelurahan=other_kelurahan, match_round=mine).exists()
    assert selectors.volunteer_options(kelurahan=kelurahan, ids=[stranger.pk]) == {}
    assert selectors.need_why_not_matched(kelurahan=other_kelurahan, need=world.sick) is None
    assert selectors.round_latest(kelurahan=other_kelurahan) == theirs

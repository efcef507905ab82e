"""Matching use-cases.

- ``matching_policy_set``: an operator sets the kelurahan's weights (validated: none
  negative, not all zero), radius, fairness window, answer timeout, round interval and
  the skills that serve each category of need.
- ``round_run``: an operator (or the scheduled task) runs a round: approved needs and
  open activity slots against volunteers, hard rules + weighted scores, optimal solver
  (the greedy baseline is scored alongside); proposals and unmatched reasons are stored,
  earlier unanswered proposals are replaced, a fairness report is kept, the round is
  logged with every proposal's score parts (ids only).
- ``proposal_confirm``: a person confirms a proposal, or edits it by choosing another
  volunteer (the hard rules are checked again): the activity is created (or the open one
  updated) through the activities services and the volunteer is invited and notified.
- ``proposal_reject``: a person rejects a proposal; that one need is re-matched.
- ``proposals_sweep``: invitations the volunteer declined or left unanswered past the
  timeout are closed and their place re-matched, without touching confirmed ones.
"""

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role, permission_require
from gotong.activities import services as activity_services
from gotong.activities.models import (
    Activity,
    ActivityStatus,
    Assignment,
    AssignmentStatus,
    Kind,
    Slot,
)
from gotong.core.exceptions import Conflict, NotFound, ValidationFailed
from gotong.needs.models import Category, Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Skill, Volunteer
from gotong.territory.models import Kelurahan
from gotong.transparency.services import entry_record

from . import engine, loading
from .models import (
    MatchingPolicy,
    Proposal,
    ProposalStatus,
    Round,
    Trigger,
    UnmatchedDemand,
)

ALTERNATIVES = 3
LOGGED_PROPOSALS = 200
ACTIVITY_LENGTH = dt.timedelta(hours=2)


def matching_policy(*, kelurahan: Kelurahan) -> MatchingPolicy:
    """The kelurahan's matching policy (the defaults when none is set)."""
    return MatchingPolicy.objects.filter(kelurahan=kelurahan).first() or MatchingPolicy(
        kelurahan=kelurahan
    )


def _role(actor: Any, perm: str, unit: Any) -> str | None:
    return acting_role(actor, perm, unit) if actor is not None else None


def _rounded(parts: Mapping[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in parts.items()}


# --- policy ---------------------------------------------------------------------------


def weights_clean(weights: Mapping[str, Any]) -> engine.Weights:
    """Weights from a form or the API, refused with a clear message when invalid."""
    unknown = set(weights) - set(engine.PARTS)
    if unknown:
        raise ValidationFailed(
            _("Unknown weight: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            {"field": "weights"},
        )
    values: dict[str, float] = {}
    for name in engine.PARTS:
        raw = weights.get(name, getattr(engine.Weights(), name))
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise ValidationFailed(
                _("The weight '%(name)s' must be a number.") % {"name": name}, {"field": name}
            )
        if value < 0:
            raise ValidationFailed(
                _("The weight '%(name)s' cannot be negative.") % {"name": name}, {"field": name}
            )
        if value > 100:
            raise ValidationFailed(
                _("The weight '%(name)s' can be at most 100.") % {"name": name}, {"field": name}
            )
        values[name] = value
    if sum(values.values()) <= 0:
        raise ValidationFailed(
            _("At least one weight must be above zero: with all weights at zero nothing counts."),
            {"field": "weights"},
        )
    result = engine.Weights(**values)
    result.validate()
    return result


@transaction.atomic
def matching_policy_set(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    weights: Mapping[str, Any],
    radius_km: float,
    fairness_days: int = 30,
    invitation_timeout_hours: int = 24,
    round_interval_hours: int = 12,
    category_skills: Mapping[str, Sequence[str]] | None = None,
) -> MatchingPolicy:
    """Set the kelurahan's weights, radius and matching rules."""
    permission_require(actor, "matching.policy", kelurahan)
    clean = weights_clean(weights)
    if not (isinstance(radius_km, int | float) and math.isfinite(radius_km)) or not (
        0.1 <= radius_km <= 50
    ):
        raise ValidationFailed(
            _("The radius must be between 0.1 and 50 km."), {"field": "radius_km"}
        )
    if not 1 <= fairness_days <= 365:
        raise ValidationFailed(
            _("The fairness window must be between 1 and 365 days."), {"field": "fairness_days"}
        )
    if not 1 <= invitation_timeout_hours <= 336:
        raise ValidationFailed(
            _("The answer time must be between 1 and 336 hours."),
            {"field": "invitation_timeout_hours"},
        )
    if not 0 <= round_interval_hours <= 720:
        raise ValidationFailed(
            _("The round interval must be between 0 and 720 hours."),
            {"field": "round_interval_hours"},
        )
    policy = matching_policy(kelurahan=kelurahan)
    if category_skills is not None:
        known = set(Skill.objects.filter(kelurahan=kelurahan).values_list("code", flat=True))
        cleaned: dict[str, list[str]] = {}
        for category, codes in category_skills.items():
            if category not in Category.values:
                raise ValidationFailed(
                    _("Unknown category '%(c)s'.") % {"c": category}, {"field": "category_skills"}
                )
            wrong = [c for c in codes if c not in known]
            if wrong:
                raise ValidationFailed(
                    _("Unknown skill '%(s)s'.") % {"s": wrong[0]}, {"field": "category_skills"}
                )
            cleaned[category] = list(dict.fromkeys(codes))
        policy.category_skills = {**policy.category_skills, **cleaned}
    for name, value in clean.as_dict().items():
        setattr(policy, f"weight_{name}", value)
    policy.radius_km = float(radius_km)
    policy.fairness_days = fairness_days
    policy.invitation_timeout_hours = invitation_timeout_hours
    policy.round_interval_hours = round_interval_hours
    policy.save()
    entry_record(
        kelurahan=kelurahan,
        type="matching.policy_set",
        actor=actor,
        role=_role(actor, "matching.policy", kelurahan),
        subject=f"kelurahan:{kelurahan.pk}",
        data={
            "weights": _rounded(clean.as_dict()),
            "radius_km": policy.radius_km,
            "fairness_days": fairness_days,
            "invitation_timeout_hours": invitation_timeout_hours,
            "round_interval_hours": round_interval_hours,
            # Category -> skill codes; the entry type's schema declares the keys as need
            # categories (so "kesehatan" is a category here, not a health field).
            "category_skills": {k: list(v) for k, v in sorted(policy.category_skills.items())},
        },
    )
    return policy


# --- rounds ---------------------------------------------------------------------------


def _share(total: int, matched: int) -> dict[str, Any]:
    return {
        "needs": total,
        "matched": matched,
        "share_pct": round(100 * matched / total, 1) if total else None,
    }


def fairness_report(
    facts: Mapping[int, loading.NeedFacts],
    result: engine.MatchResult,
    slot_units: int,
) -> dict[str, Any]:
    """Matched share of needs by RW, urgency and vulnerability group; the unmatched with
    their reason; filled places of activity slots."""
    matched = {int(a.demand.split(":")[1]) for a in result.assignments if a.demand[:5] == "need:"}
    by_rw: dict[int, list[int]] = {}
    by_urgency: dict[str, list[int]] = {}
    by_group: dict[str, list[int]] = {}
    for need_id, fact in sorted(facts.items()):
        hit = int(need_id in matched)
        for table, key in (
            (by_rw, fact.need.rt.rw.number),
            (by_urgency, fact.need.urgency),
        ):
            cell = table.setdefault(key, [0, 0])  # type: ignore[arg-type]
            cell[0] += 1
            cell[1] += hit
        for group in fact.groups:
            cell = by_group.setdefault(group, [0, 0])
            cell[0] += 1
            cell[1] += hit
    unmatched = []
    for u in result.unmatched:
        if not u.demand.startswith("need:"):
            continue
        need = facts[int(u.demand.split(":")[1])].need
        unmatched.append(
            {
                "need": need.pk,
                "rw": need.rt.rw.number,
                "rt": need.rt.number,
                "urgency": need.urgency,
                "category": need.category,
                "reason": u.reason,
            }
        )
    filled = sum(a.units for a in result.assignments if a.demand.startswith("slot:"))
    urgency_order = ["darurat", "tinggi", "sedang", "rendah"]
    return {
        "by_rw": [{"rw": k, **_share(*v)} for k, v in sorted(by_rw.items())],
        "by_urgency": [
            {"urgency": k, **_share(*by_urgency[k])} for k in urgency_order if k in by_urgency
        ],
        "by_group": [{"group": k, **_share(*v)} for k, v in sorted(by_group.items())],
        "unmatched": unmatched,
        "unmatched_by_reason": dict(sorted(Counter(str(u["reason"]) for u in unmatched).items())),
        "slots": {"places": slot_units, "filled": filled},
    }


def _proposal_rows(
    kelurahan: Kelurahan,
    match_round: Round,
    result: engine.MatchResult,
    demand_list: Sequence[engine.Demand],
    resource_list: Sequence[engine.Resource],
    horizon: loading.Horizon,
) -> list[Proposal]:
    """The proposals of a match result, one a unit assigned."""
    demands = {d.id: d for d in demand_list}
    resources = {r.id: r for r in resource_list}
    rows = []
    for a in result.assignments:
        demand, resource = demands[a.demand], resources[a.resource]
        kind, pk = a.demand.split(":")
        skill = next((s for s in demand.skills if s in resource.skills), "")
        for _unit in range(a.units):
            rows.append(
                Proposal(
                    round=match_round,
                    kelurahan=kelurahan,
                    need_id=int(pk) if kind == "need" else None,
                    slot_id=int(pk) if kind == "slot" else None,
                    resource_kind=resource.kind,
                    volunteer_id=int(a.resource.split(":")[1]),
                    skill=skill,
                    score=round(sum(_rounded(a.parts).values()), 4),
                    parts=_rounded(a.parts),
                    distance_km=None if a.distance_km is None else round(a.distance_km, 3),
                    suggested_start=horizon.proposed_start(a.first_block)
                    if a.first_block >= 0
                    else None,
                    alternatives=[
                        {"volunteer": int(rid.split(":")[1]), "score": round(score, 4)}
                        for rid, score in result.alternatives.get(a.demand, [])
                    ],
                )
            )
    return rows


def _unmatched_rows(match_round: Round, result: engine.MatchResult) -> list[UnmatchedDemand]:
    rows = []
    for u in result.unmatched:
        kind, pk = u.demand.split(":")
        rows.append(
            UnmatchedDemand(
                round=match_round,
                need_id=int(pk) if kind == "need" else None,
                slot_id=int(pk) if kind == "slot" else None,
                reason=u.reason,
                skills=list(u.skills),
                units_missing=u.units_missing,
            )
        )
    return rows


def _proposal_log(p: Proposal) -> dict[str, Any]:
    return {
        "demand": p.demand,
        "resource": f"{p.resource_kind}:{p.volunteer_id}",
        "score": p.score,
        "parts": p.parts,
    }


@transaction.atomic
def round_run(*, actor: Any, kelurahan: Kelurahan, trigger: str = Trigger.OPERATOR) -> Round:
    """Run a matching round for the kelurahan and store its proposals for people to confirm."""
    if actor is not None:
        permission_require(actor, "matching.run", kelurahan)
    started = time.perf_counter()
    policy = matching_policy(kelurahan=kelurahan)
    weights = loading.weights_of(policy)
    horizon = loading.Horizon.from_now()
    Proposal.objects.filter(kelurahan=kelurahan, status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.SUPERSEDED, updated_at=timezone.now()
    )
    needs = loading.needs_open(kelurahan)
    need_demands, facts = loading.need_demands(kelurahan, policy, horizon, needs)
    slots = loading.slots_open(kelurahan)
    demands = need_demands + loading.slot_demands(kelurahan, horizon, slots)
    resources = loading.volunteer_resources(
        kelurahan, horizon, loading.volunteers_active(kelurahan)
    )
    result = engine.match(
        demands, resources, weights=weights, radius_km=policy.radius_km, alternatives=ALTERNATIVES
    )
    greedy = engine.match(
        demands, resources, weights=weights, radius_km=policy.radius_km, solver="greedy"
    )
    match_round = Round.objects.create(
        kelurahan=kelurahan,
        trigger=trigger,
        started_by=actor,
        demands=len(demands),
        resources=len(resources),
        total_score=round_score(result.total_score),
        greedy_score=round_score(greedy.total_score),
        weights=_rounded(weights.as_dict()),
        radius_km=policy.radius_km,
        reasons=result.reasons,
        report=fairness_report(facts, result, sum(units for _s, units in slots)),
    )
    proposals = Proposal.objects.bulk_create(
        _proposal_rows(kelurahan, match_round, result, demands, resources, horizon)
    )
    unmatched = UnmatchedDemand.objects.bulk_create(_unmatched_rows(match_round, result))
    match_round.proposed = len(proposals)
    match_round.unmatched = len(unmatched)
    match_round.duration_ms = int((time.perf_counter() - started) * 1000)
    entry = entry_record(
        kelurahan=kelurahan,
        type="matching.round",
        actor=actor,
        role=_role(actor, "matching.run", kelurahan),
        subject=f"matching-round:{match_round.pk}",
        data={
            "trigger": trigger,
            "demands": match_round.demands,
            "resources": match_round.resources,
            "proposed": match_round.proposed,
            "unmatched": match_round.unmatched,
            "total_score": match_round.total_score,
            "greedy_score": match_round.greedy_score,
            "weights": match_round.weights,
            "radius_km": match_round.radius_km,
            "reasons": result.reasons,
            "unmatched_by_reason": dict(sorted(Counter(u.reason for u in unmatched).items())),
            "proposals": [_proposal_log(p) for p in proposals[:LOGGED_PROPOSALS]],
        },
    )
    match_round.log_index = entry.index
    match_round.save(
        update_fields=["proposed", "unmatched", "duration_ms", "log_index", "updated_at"]
    )
    return match_round


def round_score(value: float) -> float:
    return round(float(value), 4)


def _rematch(
    *, kelurahan: Kelurahan, match_round: Round, need: Need | None, slot: Slot | None
) -> Any:
    """Match one need (or slot) again against the volunteers' capacity left, leaving every
    other proposal and confirmation as it is; returns the new proposal or unmatched row."""
    policy = matching_policy(kelurahan=kelurahan)
    horizon = loading.Horizon.from_now()
    if need is not None:
        demands, _facts = loading.need_demands(
            kelurahan, policy, horizon, loading.needs_open(kelurahan, only=[need.pk])
        )
    elif slot is not None:
        demands = loading.slot_demands(
            kelurahan, horizon, loading.slots_open(kelurahan, only=[slot.pk])
        )
    else:
        return None
    if not demands:
        return None
    resources = loading.volunteer_resources(
        kelurahan, horizon, loading.volunteers_active(kelurahan)
    )
    result = engine.match(
        demands,
        resources,
        weights=loading.weights_of(policy),
        radius_km=policy.radius_km,
        alternatives=ALTERNATIVES,
    )
    rows = _proposal_rows(kelurahan, match_round, result, demands, resources, horizon)
    for p in rows:
        p.save()
    for u in _unmatched_rows(match_round, result):
        u.save()
    entry_record(
        kelurahan=kelurahan,
        type="matching.rematched",
        actor=None,
        subject=demands[0].id,
        data={
            "round": match_round.pk,
            "proposals": [{"id": p.pk, **_proposal_log(p)} for p in rows],
            "unmatched": [u.reason for u in result.unmatched],
        },
    )
    return rows[0] if rows else None


# --- decisions ------------------------------------------------------------------------


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("need__rt__rw", "slot__activity__rt__rw", "slot__skill", "round")
        .get(pk=proposal.pk)
    )


def _unit_of(proposal: Proposal) -> Any:
    return proposal.need.rt if proposal.need_id else proposal.slot.activity.rt  # type: ignore[union-attr]


REASON_WORDS = {
    engine.REASON_NO_RESOURCES: _("no volunteer is available"),
    engine.REASON_NO_SKILL: _("the volunteer does not have a skill this need asks for"),
    engine.REASON_NO_TIME: _("the volunteer is not available at the time needed"),
    engine.REASON_NO_ONE_NEAR: _("the volunteer lives outside the matching radius"),
    engine.REASON_CONFLICT: _("the volunteer has a conflict of interest with this household"),
    engine.REASON_NO_CAPACITY: _("the volunteer has no tasks left this week"),
    engine.REASON_TAKEN: _("the volunteer is already proposed elsewhere"),
}


def _pair_check(proposal: Proposal, volunteer: Volunteer) -> engine.Assignment:
    """The hard rules for an operator's own choice; the score parts of that pair."""
    kelurahan = proposal.kelurahan
    policy = matching_policy(kelurahan=kelurahan)
    horizon = loading.Horizon.from_now()
    if proposal.need_id:
        demands, _facts = loading.need_demands(kelurahan, policy, horizon, [proposal.need])  # type: ignore[list-item]
    else:
        demands = loading.slot_demands(
            kelurahan,
            horizon,
            [(proposal.slot, 1)],  # type: ignore[list-item]
        )
    resource = loading.volunteer_resources(kelurahan, horizon, [volunteer])[0]
    pair, reason = engine.pair_evaluate(
        demands[0], resource, weights=loading.weights_of(policy), radius_km=policy.radius_km
    )
    if pair is None:
        raise ValidationFailed(
            _("This volunteer cannot be chosen: %(why)s.") % {"why": REASON_WORDS[reason]},
            {"field": "volunteer", "reason": reason},
        )
    return pair


def _start_time(proposal: Proposal) -> dt.datetime:
    earliest = timezone.now() + dt.timedelta(hours=1)
    start = proposal.suggested_start
    return start if start is not None and start > earliest else earliest


def _serve_need(actor: Any, proposal: Proposal, volunteer: Volunteer, skill: Skill) -> Assignment:
    need = proposal.need
    if need is None:
        raise Conflict(_("This proposal is not for a need."))
    if need.status != NeedStatus.APPROVED:
        raise Conflict(
            _("Need #%(id)s is '%(status)s' now, no longer waiting for help.")
            % {"id": need.pk, "status": need.get_status_display()}
        )
    activity = Activity.objects.filter(
        links__need=need, status=ActivityStatus.PLANNED, kelurahan=proposal.kelurahan
    ).first()
    if activity is None:
        starts_at = _start_time(proposal)
        activity = activity_services.activity_create(
            actor=actor,
            kelurahan=proposal.kelurahan,
            rt=need.rt,
            kind=Kind.DELIVERY,
            title=str(_("Help for need #%(id)s (matched)") % {"id": need.pk}),
            starts_at=starts_at,
            ends_at=starts_at + ACTIVITY_LENGTH,
            coordinator=actor,
            needs=[need],
            slots=[activity_services.SlotIn(skill=skill, count=1)],
        )
    slot = activity.slots.filter(skill=skill).first()
    if slot is None:
        raise Conflict(_("The activity serving this need has no place for that skill."))
    return activity_services.assignment_invite(
        actor=actor, activity=activity, slot=slot, volunteer=volunteer
    )


@transaction.atomic
def proposal_confirm(
    *, actor: Any, proposal: Proposal, volunteer: Volunteer | None = None
) -> Proposal:
    """Confirm a proposal (or choose another volunteer): the activity is created or updated
    and the volunteer invited and notified. The engine never assigns on its own."""
    proposal, unit = _decidable(actor, proposal)
    chosen = proposal.volunteer
    edited = volunteer is not None and volunteer.pk != proposal.volunteer_id
    if volunteer is not None and edited:
        if volunteer.kelurahan_id != proposal.kelurahan_id:
            raise NotFound(_("That volunteer is not registered in this kelurahan."))
        pair = _pair_check(proposal, volunteer)
        chosen = volunteer
        proposal.parts = _rounded(pair.parts)
        proposal.score = round(sum(proposal.parts.values()), 4)
        proposal.distance_km = None if pair.distance_km is None else round(pair.distance_km, 3)
        codes = set(chosen.skills.values_list("code", flat=True))
        if proposal.need is not None:
            policy = matching_policy(kelurahan=proposal.kelurahan)
            wanted = list(policy.category_skills.get(proposal.need.category, []))
        else:
            wanted = [proposal.slot.skill.code]  # type: ignore[union-attr]
        proposal.skill = next((c for c in wanted if c in codes), "")
    if chosen is None:
        raise ValidationFailed(_("Choose a volunteer."), {"field": "volunteer"})
    skill = Skill.objects.get(kelurahan=proposal.kelurahan, code=proposal.skill)
    if proposal.need_id:
        assignment = _serve_need(actor, proposal, chosen, skill)
    else:
        slot = proposal.slot
        if slot is None:
            raise Conflict(_("This proposal is not for an activity place."))
        assignment = activity_services.assignment_invite(
            actor=actor, activity=slot.activity, slot=slot, volunteer=chosen
        )
    proposal.volunteer = chosen
    proposal.edited = edited
    proposal.activity = assignment.activity
    proposal.assignment = assignment
    _decided(
        actor,
        proposal,
        unit,
        ProposalStatus.CONFIRMED,
        "matching.confirmed",
        {
            "resource": f"volunteer:{chosen.pk}",
            "edited": edited,
            "score": proposal.score,
            "parts": proposal.parts,
            "activity": f"activity:{assignment.activity_id}",
        },
    )
    return proposal


def _decidable(actor: Any, proposal: Proposal) -> tuple[Proposal, Any]:
    """The proposal locked, and its unit, once the actor may decide it there and it is
    still only proposed."""
    proposal = _locked(proposal)
    unit = _unit_of(proposal)
    permission_require(actor, "matching.confirm", unit)
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict(
            _("This proposal is '%(status)s' already.") % {"status": proposal.get_status_display()}
        )
    return proposal, unit


def _decided(
    actor: Any, proposal: Proposal, unit: Any, status: str, type: str, data: dict[str, Any]
) -> None:
    """Store a decision (confirmed or rejected) with its public log entry; ``data`` adds
    to the entry after the proposal and its round."""
    proposal.status = status
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    entry = entry_record(
        kelurahan=proposal.kelurahan,
        type=type,
        actor=actor,
        role=_role(actor, "matching.confirm", unit),
        subject=proposal.demand,
        data={"proposal": proposal.pk, "round": proposal.round_id, **data},
    )
    proposal.log_index = entry.index
    proposal.save()


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """Reject a proposal with a reason; that one need (or slot) is matched again."""
    proposal, unit = _decidable(actor, proposal)
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise ValidationFailed(_("Say briefly why you reject it."), {"field": "reason"})
    proposal.reason = reason[:300]
    _decided(
        actor,
        proposal,
        unit,
        ProposalStatus.REJECTED,
        "matching.rejected",
        {"resource": f"volunteer:{proposal.volunteer_id}", "score": proposal.score},
    )
    _rematch(
        kelurahan=proposal.kelurahan,
        match_round=proposal.round,
        need=proposal.need,
        slot=proposal.slot,
    )
    return proposal


@transaction.atomic
def proposals_sweep(*, kelurahan: Kelurahan) -> list[Proposal]:
    """Close confirmed proposals whose volunteer declined or did not answer in time, and
    re-match each place (the activity's slot) on its own; other confirmations stay."""
    policy = matching_policy(kelurahan=kelurahan)
    cutoff = timezone.now() - dt.timedelta(hours=policy.invitation_timeout_hours)
    closed = []
    confirmed = (
        Proposal.objects.select_for_update(of=("self",))
        .filter(kelurahan=kelurahan, status=ProposalStatus.CONFIRMED, assignment__isnull=False)
        .select_related("assignment__slot", "round")
        .order_by("pk")
    )
    for proposal in confirmed:
        assignment = proposal.assignment
        if assignment is None:
            continue
        if assignment.status == AssignmentStatus.DECLINED:
            proposal.status = ProposalStatus.DECLINED
        elif (
            assignment.status == AssignmentStatus.INVITED
            and proposal.decided_at is not None
            and proposal.decided_at < cutoff
        ):
            activity_services.assignment_expire(assignment=assignment)
            proposal.status = ProposalStatus.EXPIRED
        else:
            continue
        proposal.save(update_fields=["status", "updated_at"])
        entry_record(
            kelurahan=kelurahan,
            type=f"matching.{proposal.status}",
            actor=None,
            subject=proposal.demand,
            data={
                "proposal": proposal.pk,
                "resource": f"volunteer:{proposal.volunteer_id}",
                "activity": f"activity:{proposal.activity_id}",
            },
        )
        closed.append(proposal)
        _rematch(kelurahan=kelurahan, match_round=proposal.round, need=None, slot=assignment.slot)
    return closed

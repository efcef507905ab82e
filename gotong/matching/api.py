"""Matching API: rounds, proposals (confirm, edit, reject), re-matching, the policy, and
a resident's "why is my request not matched yet"."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from gotong.accounts.permissions import api_route, permission_require
from gotong.core.exceptions import NotFound, PermissionDenied
from gotong.core.schemas import StrictId, StrictInt64
from gotong.needs import selectors as need_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .models import MatchingPolicy, Proposal, ProposalStatus, Round

router = Router(tags=["matching"])


class PartsOut(Schema):
    urgency: float = 0
    vulnerability: float = 0
    waiting: float = 0
    distance: float = 0
    skill_fit: float = 0
    reputation: float = 0
    fairness: float = 0


class ProposalOut(Schema):
    id: int
    round_id: int
    demand: str
    need_id: int | None
    slot_id: int | None
    activity_id: int | None
    volunteer_id: int | None
    skill: str
    score: float
    parts: PartsOut
    why: list[str]
    distance_km: float | None
    suggested_start: dt.datetime | None
    alternatives: list[dict[str, Any]]
    status: str
    edited: bool
    log_index: int | None


class RoundOut(Schema):
    id: int
    trigger: str
    created_at: dt.datetime
    demands: int
    resources: int
    proposed: int
    unmatched: int
    total_score: float
    greedy_score: float
    gain_vs_greedy_pct: float | None
    duration_ms: int
    weights: dict[str, float]
    radius_km: float
    reasons: list[str]
    log_index: int | None


class UnmatchedOut(Schema):
    need_id: int | None
    slot_id: int | None
    reason: str
    skills: list[str]
    units_missing: int


class RoundDetailOut(RoundOut):
    report: dict[str, Any]
    proposals: list[ProposalOut]
    unmatched_demands: list[UnmatchedOut]


class ConfirmIn(Schema):
    volunteer_id: StrictId | None = Field(
        None, description="another volunteer than proposed (an edit); the hard rules apply"
    )


class RejectIn(Schema):
    reason: str = Field(..., max_length=300)


class PolicyIn(Schema):
    weights: dict[str, float]
    radius_km: float
    fairness_days: StrictInt64 = 30
    invitation_timeout_hours: StrictInt64 = 24
    round_interval_hours: StrictInt64 = 12
    category_skills: dict[str, list[str]] | None = None


class PolicyOut(Schema):
    weights: dict[str, float]
    radius_km: float
    fairness_days: int
    invitation_timeout_hours: int
    round_interval_hours: int
    category_skills: dict[str, list[str]]


class WhyOut(Schema):
    need_id: int
    state: str | None
    message: str | None


class SweepOut(Schema):
    closed: list[int]


def _proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "round_id": p.round_id,
        "demand": p.demand,
        "need_id": p.need_id,
        "slot_id": p.slot_id,
        "activity_id": p.activity_id,
        "volunteer_id": p.volunteer_id,
        "skill": p.skill,
        "score": p.score,
        "parts": p.parts,
        "why": [f"{r.label} (+{r.points:.2f})" for r in selectors.proposal_reasons(p)],
        "distance_km": p.distance_km,
        "suggested_start": p.suggested_start,
        "alternatives": p.alternatives,
        "status": p.status,
        "edited": p.edited,
        "log_index": p.log_index,
    }


def _round_out(r: Round) -> dict[str, Any]:
    return {
        "id": r.pk,
        "trigger": r.trigger,
        "created_at": r.created_at,
        "demands": r.demands,
        "resources": r.resources,
        "proposed": r.proposed,
        "unmatched": r.unmatched,
        "total_score": r.total_score,
        "greedy_score": r.greedy_score,
        "gain_vs_greedy_pct": r.gain_pct,
        "duration_ms": r.duration_ms,
        "weights": r.weights,
        "radius_km": r.radius_km,
        "reasons": r.reasons,
        "log_index": r.log_index,
    }


def _policy_out(p: MatchingPolicy) -> dict[str, Any]:
    return {
        "weights": {k: getattr(p, f"weight_{k}") for k in services.engine.PARTS},
        "radius_km": p.radius_km,
        "fairness_days": p.fairness_days,
        "invitation_timeout_hours": p.invitation_timeout_hours,
        "round_interval_hours": p.round_interval_hours,
        "category_skills": p.category_skills,
    }


@api_route(router.post, "/k/{slug}/matching/rounds", perm="matching.run", response={201: RoundOut})
def round_run(request: HttpRequest, slug: str) -> Any:
    match_round = services.round_run(actor=request.user, kelurahan=request_kelurahan(request))
    return Status(201, _round_out(match_round))


@api_route(router.get, "/k/{slug}/matching/rounds", perm="matching.view", response=list[RoundOut])
def round_list(request: HttpRequest, slug: str) -> Any:
    return [_round_out(r) for r in selectors.round_list(kelurahan=request_kelurahan(request))]


@api_route(
    router.get,
    "/k/{slug}/matching/rounds/{round_id}",
    perm="matching.view",
    response=RoundDetailOut,
)
def round_detail(request: HttpRequest, slug: str, round_id: int) -> Any:
    kelurahan = request_kelurahan(request)
    match_round = selectors.round_get(kelurahan=kelurahan, pk=round_id)
    return {
        **_round_out(match_round),
        "report": match_round.report,
        "proposals": [
            _proposal_out(p)
            for p in selectors.proposal_list(kelurahan=kelurahan, match_round=match_round)
        ],
        "unmatched_demands": [
            {
                "need_id": u.need_id,
                "slot_id": u.slot_id,
                "reason": u.reason,
                "skills": u.skills,
                "units_missing": u.units_missing,
            }
            for u in selectors.unmatched_list(kelurahan=kelurahan, match_round=match_round)
        ],
    }


@api_route(
    router.get, "/k/{slug}/matching/proposals", perm="matching.view", response=list[ProposalOut]
)
def proposal_list(request: HttpRequest, slug: str, status: ProposalStatus | None = None) -> Any:
    proposals = selectors.proposal_list(kelurahan=request_kelurahan(request), status=status)
    return [_proposal_out(p) for p in proposals[:500]]


@api_route(
    router.post,
    "/k/{slug}/matching/proposals/{proposal_id}/confirm",
    perm="matching.confirm",
    response=ProposalOut,
)
def proposal_confirm(request: HttpRequest, slug: str, proposal_id: int, payload: ConfirmIn) -> Any:
    kelurahan = request_kelurahan(request)
    proposal = selectors.proposal_get(kelurahan=kelurahan, pk=proposal_id)
    volunteer = None
    if payload.volunteer_id is not None:
        volunteer = selectors.volunteer_options(
            kelurahan=kelurahan, ids=[payload.volunteer_id]
        ).get(payload.volunteer_id)
        if volunteer is None:
            raise NotFound(
                _("That volunteer is not registered in this kelurahan."),
                {"field": "volunteer_id"},
            )
    confirmed = services.proposal_confirm(
        actor=request.user, proposal=proposal, volunteer=volunteer
    )
    return _proposal_out(selectors.proposal_get(kelurahan=kelurahan, pk=confirmed.pk))


@api_route(
    router.post,
    "/k/{slug}/matching/proposals/{proposal_id}/reject",
    perm="matching.confirm",
    response=ProposalOut,
)
def proposal_reject(request: HttpRequest, slug: str, proposal_id: int, payload: RejectIn) -> Any:
    kelurahan = request_kelurahan(request)
    proposal = selectors.proposal_get(kelurahan=kelurahan, pk=proposal_id)
    rejected = services.proposal_reject(
        actor=request.user, proposal=proposal, reason=payload.reason
    )
    return _proposal_out(selectors.proposal_get(kelurahan=kelurahan, pk=rejected.pk))


@api_route(router.post, "/k/{slug}/matching/sweep", perm="matching.run", response=SweepOut)
def proposals_sweep(request: HttpRequest, slug: str) -> Any:
    kelurahan = request_kelurahan(request)
    permission_require(request.user, "matching.run", kelurahan)
    closed = services.proposals_sweep(kelurahan=kelurahan)
    return {"closed": [p.pk for p in closed]}


@api_route(router.get, "/k/{slug}/matching/policy", perm="matching.view", response=PolicyOut)
def policy_get(request: HttpRequest, slug: str) -> Any:
    return _policy_out(services.matching_policy(kelurahan=request_kelurahan(request)))


@api_route(router.put, "/k/{slug}/matching/policy", perm="matching.policy", response=PolicyOut)
def policy_set(request: HttpRequest, slug: str, payload: PolicyIn) -> Any:
    policy = services.matching_policy_set(
        actor=request.user,
        kelurahan=request_kelurahan(request),
        weights=payload.weights,
        radius_km=payload.radius_km,
        fairness_days=payload.fairness_days,
        invitation_timeout_hours=payload.invitation_timeout_hours,
        round_interval_hours=payload.round_interval_hours,
        category_skills=payload.category_skills,
    )
    return _policy_out(policy)


@api_route(
    router.get, "/k/{slug}/matching/needs/{need_id}/why", perm="matching.why", response=WhyOut
)
def need_why(request: HttpRequest, slug: str, need_id: int) -> Any:
    kelurahan = request_kelurahan(request)
    need = need_selectors.need_get(kelurahan=kelurahan, pk=need_id)
    if not need_selectors.need_visible_to(request.user, need):
        raise PermissionDenied(_("You cannot see this request."))
    why = selectors.need_why_not_matched(kelurahan=kelurahan, need=need)
    return {
        "need_id": need.pk,
        "state": why.state if why else None,
        "message": why.message if why else None,
    }

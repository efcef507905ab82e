"""Matching reads: rounds, proposals, why a proposal was made, why a need waits.
Every selector takes the kelurahan and never returns another tenant's rows."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gotong.core.exceptions import NotFound
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Skill, Volunteer
from gotong.territory.models import Kelurahan

from . import engine
from .models import Proposal, ProposalStatus, Round, UnmatchedDemand
from .services import matching_policy


def round_list(*, kelurahan: Kelurahan, limit: int = 50) -> QuerySet[Round]:
    """The kelurahan's latest rounds, newest first."""
    return Round.objects.filter(kelurahan=kelurahan).select_related("started_by")[:limit]


def round_get(*, kelurahan: Kelurahan, pk: int) -> Round:
    """One round of this kelurahan, or NotFound."""
    found = Round.objects.filter(kelurahan=kelurahan, pk=pk).first()
    if found is None:
        raise NotFound(_("Matching round #%(id)s was not found in this kelurahan.") % {"id": pk})
    return found


def round_latest(*, kelurahan: Kelurahan) -> Round | None:
    """The kelurahan's most recent round."""
    return Round.objects.filter(kelurahan=kelurahan).order_by("-created_at", "-pk").first()


def proposal_list(
    *, kelurahan: Kelurahan, status: str | None = None, match_round: Round | None = None
) -> QuerySet[Proposal]:
    """Proposals of the kelurahan (optionally of one status or round), best first."""
    qs = Proposal.objects.filter(kelurahan=kelurahan).select_related(
        "need__rt__rw",
        "slot__activity__rt__rw",
        "slot__skill",
        "volunteer__rt__rw",
        "activity",
    )
    if status:
        qs = qs.filter(status=status)
    if match_round is not None:
        qs = qs.filter(round=match_round)
    return qs.order_by("-score", "pk")


def proposal_get(*, kelurahan: Kelurahan, pk: int) -> Proposal:
    """One proposal of this kelurahan, or NotFound."""
    found = proposal_list(kelurahan=kelurahan).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Proposal #%(id)s was not found in this kelurahan.") % {"id": pk})
    return found


def unmatched_list(*, kelurahan: Kelurahan, match_round: Round) -> QuerySet[UnmatchedDemand]:
    """The needs and slots a round left unmatched, with the reason."""
    return (
        UnmatchedDemand.objects.filter(round=match_round, round__kelurahan=kelurahan)
        .select_related("need__rt__rw", "slot__activity", "slot__skill")
        .order_by("pk")
    )


def volunteer_options(*, kelurahan: Kelurahan, ids: list[int]) -> dict[int, Volunteer]:
    """Volunteers by id (for a proposal's alternatives), within the kelurahan."""
    return {
        v.pk: v
        for v in Volunteer.objects.filter(kelurahan=kelurahan, pk__in=ids)
        .select_related("rt__rw")
        .prefetch_related("skills")
    }


# --- plain words ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    label: str
    points: float


def _part_label(part: str, proposal: Proposal) -> str:
    need = proposal.need
    if part == "urgency":
        if need is not None:
            return _("urgency: %(u)s") % {"u": need.get_urgency_display()}
        return _("activity place to fill")
    if part == "vulnerability":
        return _("a vulnerable household (registry data)")
    if part == "waiting":
        return _("time waited so far")
    if part == "distance":
        if proposal.distance_km is None:
            return _("same RT (no exact location)")
        return _("%(km)s km away") % {"km": f"{proposal.distance_km:.1f}".replace(".", ",")}
    if part == "skill_fit":
        return _("skill: %(s)s") % {"s": proposal.skill}
    if part == "reputation":
        return _("ratings of earlier help")
    return _("not helped recently (fair turns)")


def proposal_reasons(proposal: Proposal) -> list[Reason]:
    """Why the engine proposed this: each part of the score in plain words, largest first;
    the points add up to the proposal's score."""
    parts = sorted(proposal.parts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Reason(_part_label(k, proposal), v) for k, v in parts if k in engine.PARTS]


def _skill_words(kelurahan: Kelurahan, codes: list[str]) -> str:
    names = dict(Skill.objects.filter(kelurahan=kelurahan).values_list("code", "name"))
    words = [names.get(c, c).lower() for c in codes]
    return _(" or ").join(words)


def reason_message(*, kelurahan: Kelurahan, reason: str, skills: list[str]) -> str:
    """A reason code in plain words for the resident (nothing about other people)."""
    radius = matching_policy(kelurahan=kelurahan).radius_km
    km = f"{radius:g}".replace(".", ",")
    skill = _skill_words(kelurahan, skills)
    if not skills:
        return _(
            "Volunteers do not handle this kind of request; the kelurahan arranges it another way."
        )
    messages = {
        engine.REASON_NO_RESOURCES: _("No volunteers are registered yet."),
        engine.REASON_NO_SKILL: _("No volunteer with the skill %(skill)s has signed up yet."),
        engine.REASON_NO_TIME: _(
            "No volunteer with the skill %(skill)s is free in the time your request needs yet."
        ),
        engine.REASON_NO_ONE_NEAR: _(
            "There is no volunteer with the skill %(skill)s within %(km)s km at this time yet."
        ),
        engine.REASON_CONFLICT: _(
            "No independent volunteer is free yet (helpers never serve their own family)."
        ),
        engine.REASON_NO_CAPACITY: _(
            "The volunteers with the skill %(skill)s nearby have no time left this week."
        ),
        engine.REASON_TAKEN: _(
            "The volunteers with the skill %(skill)s nearby are helping more urgent requests "
            "first; your request stays in the queue."
        ),
    }
    return messages.get(reason, messages[engine.REASON_TAKEN]) % {"skill": skill, "km": km}


@dataclass(frozen=True)
class WhyNot:
    state: str  # proposed, unmatched, waiting
    message: str


def need_why_not_matched(*, kelurahan: Kelurahan, need: Need) -> WhyNot | None:
    """For an approved need no one serves yet: a proposal waits for a person, or the
    last round's reason in plain words, or the next round is awaited. None otherwise."""
    if need.kelurahan_id != kelurahan.pk or need.status != NeedStatus.APPROVED:
        return None
    if Proposal.objects.filter(
        kelurahan=kelurahan, need=need, status=ProposalStatus.PROPOSED
    ).exists():
        return WhyNot(
            "proposed",
            _("A volunteer has been proposed for your request; an officer will confirm soon."),
        )
    row = (
        UnmatchedDemand.objects.filter(need=need, round__kelurahan=kelurahan)
        .order_by("-at", "-pk")
        .first()
    )
    if row is None:
        return WhyNot(
            "waiting", _("Your request is waiting for the next matching round of the kelurahan.")
        )
    return WhyNot(
        "unmatched", reason_message(kelurahan=kelurahan, reason=row.reason, skills=row.skills)
    )


def report_rows(match_round: Round) -> dict[str, Any]:
    """The round's fairness report with labels for the page."""
    report = dict(match_round.report)
    reasons = report.get("unmatched_by_reason", {})
    report["reason_rows"] = [
        {"reason": k, "label": REASON_LABELS.get(k, k), "count": v} for k, v in reasons.items()
    ]
    return report


REASON_LABELS = {
    engine.REASON_NO_RESOURCES: gettext_lazy("no volunteers"),
    engine.REASON_NO_SKILL: gettext_lazy("no one with the skill"),
    engine.REASON_NO_TIME: gettext_lazy("no one free at that time"),
    engine.REASON_NO_ONE_NEAR: gettext_lazy("no one near"),
    engine.REASON_CONFLICT: gettext_lazy("conflict of interest"),
    engine.REASON_NO_CAPACITY: gettext_lazy("no capacity left"),
    engine.REASON_TAKEN: gettext_lazy("taken by better matches"),
}

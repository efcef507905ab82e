"""Matching pages: the operator board (run a round, read why each proposal was made,
confirm / edit / reject), a round's fairness report, the policy. Thin: the rules are in
services and selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gotong.accounts.permissions import permission_gate
from gotong.core.exceptions import ApplicationError
from gotong.registry.models import Volunteer
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refused

from . import engine, selectors, services
from .forms import ConfirmForm, PolicyForm, RejectForm
from .models import ProposalStatus


def volunteer_label(volunteer: Volunteer | None) -> str:
    """A volunteer as operators see them on the board: id, RT and skills, no name."""
    if volunteer is None:
        return "-"
    skills = ", ".join(s.name for s in volunteer.skills.all())
    return f"{_('Volunteer')} #{volunteer.pk} · {volunteer.rt} · {skills}"


def _cards(kelurahan: Any, proposals: list[Any]) -> list[dict[str, Any]]:
    ids = {p.volunteer_id for p in proposals} | {
        a["volunteer"] for p in proposals for a in p.alternatives
    }
    volunteers = selectors.volunteer_options(kelurahan=kelurahan, ids=sorted(ids))
    cards = []
    for p in proposals:
        choices = [(p.volunteer_id, f"{volunteer_label(volunteers.get(p.volunteer_id))} ★")]
        choices += [
            (
                a["volunteer"],
                f"{volunteer_label(volunteers.get(a['volunteer']))} ({a['score']:.2f})",
            )
            for a in p.alternatives
        ]
        cards.append(
            {
                "proposal": p,
                "volunteer": volunteer_label(volunteers.get(p.volunteer_id)),
                "reasons": selectors.proposal_reasons(p),
                "confirm": ConfirmForm(
                    initial={"volunteer": p.volunteer_id},
                    choices=choices,
                    auto_id=f"c{p.pk}_%s",
                ),
                "reject": RejectForm(auto_id=f"r{p.pk}_%s"),
            }
        )
    return cards


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """The operator board: the latest round, its proposals and why, and the decisions."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "matching.view", kelurahan)
    except ApplicationError as exc:
        return refused(request, exc)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sweep":
                closed = services.proposals_sweep(kelurahan=kelurahan)
                messages.success(
                    request,
                    _("%(n)s declined or expired invitations re-matched.") % {"n": len(closed)},
                )
            else:
                match_round = services.round_run(actor=request.user, kelurahan=kelurahan)
                messages.success(
                    request,
                    _("Round #%(id)s: %(p)s proposals, %(u)s not matched.")
                    % {"id": match_round.pk, "p": match_round.proposed, "u": match_round.unmatched},
                )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("matching:board", slug=slug)
    latest = selectors.round_latest(kelurahan=kelurahan)
    pending = list(selectors.proposal_list(kelurahan=kelurahan, status=ProposalStatus.PROPOSED))
    decided = list(
        selectors.proposal_list(kelurahan=kelurahan)
        .exclude(status__in=[ProposalStatus.PROPOSED, ProposalStatus.SUPERSEDED])
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(
        request,
        "matching/board.html",
        {
            "latest": latest,
            "cards": _cards(kelurahan, pending),
            "decided": decided,
            "rounds": list(selectors.round_list(kelurahan=kelurahan, limit=10)),
            "may_run": request.user.has_perm("matching.run", kelurahan),
        },
    )


@login_required
@require_POST
def proposal_decide(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    """Confirm (possibly with another volunteer) or reject one proposal."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "matching.confirm", kelurahan)
        proposal = selectors.proposal_get(kelurahan=kelurahan, pk=proposal_id)
        if request.POST.get("action") == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say briefly why you reject it."))
                return redirect("matching:board", slug=slug)
            services.proposal_reject(
                actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Proposal rejected; the need is matched again."))
        else:
            chosen = int(request.POST.get("volunteer") or proposal.volunteer_id or 0)
            volunteer = selectors.volunteer_options(kelurahan=kelurahan, ids=[chosen]).get(chosen)
            confirmed = services.proposal_confirm(
                actor=request.user, proposal=proposal, volunteer=volunteer
            )
            messages.success(
                request,
                _("Confirmed: volunteer #%(v)s is invited to activity #%(a)s and notified.")
                % {"v": confirmed.volunteer_id, "a": confirmed.activity_id},
            )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("matching:board", slug=slug)


@login_required
def round_detail(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    """A round's fairness report: matched share by RW, urgency and vulnerability group,
    the unmatched needs with the reason, optimal against greedy."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "matching.view", kelurahan)
        match_round = selectors.round_get(kelurahan=kelurahan, pk=round_id)
    except ApplicationError as exc:
        return refused(request, exc)
    return render(
        request,
        "matching/round.html",
        {
            "round": match_round,
            "report": selectors.report_rows(match_round),
            "unmatched": list(
                selectors.unmatched_list(kelurahan=kelurahan, match_round=match_round)
            ),
            "reason_labels": selectors.REASON_LABELS,
        },
    )


@login_required
def policy(request: HttpRequest, slug: str) -> HttpResponse:
    """Weights, radius, fairness window, answer time and round interval of the kelurahan."""
    kelurahan = request_kelurahan(request)
    try:
        permission_gate(request.user, "matching.policy", kelurahan)
    except ApplicationError as exc:
        return refused(request, exc)
    current = services.matching_policy(kelurahan=kelurahan)
    initial = {
        "radius_km": current.radius_km,
        "fairness_days": current.fairness_days,
        "invitation_timeout_hours": current.invitation_timeout_hours,
        "round_interval_hours": current.round_interval_hours,
        **{f"weight_{p}": getattr(current, f"weight_{p}") for p in engine.PARTS},
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.matching_policy_set(
                actor=request.user,
                kelurahan=kelurahan,
                weights=form.weights(),
                radius_km=data["radius_km"],
                fairness_days=data["fairness_days"],
                invitation_timeout_hours=data["invitation_timeout_hours"],
                round_interval_hours=data["round_interval_hours"],
            )
        except ApplicationError as exc:
            field = exc.extra.get("field")
            name = f"weight_{field}" if f"weight_{field}" in form.fields else field
            form.add_error(name if name in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The matching rules are saved."))
            return redirect("matching:board", slug=slug)
    return render(request, "matching/policy.html", {"form": form})

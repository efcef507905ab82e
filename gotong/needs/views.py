"""Needs pages: 'Ajukan bantuan', 'Permohonan saya', a need's story, RT/RW queues, board."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import ApplicationError
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import AccessPurpose, Person
from gotong.registry.services import person_list_view, person_pseudonym
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.ui.pages import refused

from . import selectors, services
from .forms import NeedForm, ProxyForm, StepForm
from .models import Category, RaisedVia, Status, Urgency
from .transitions import action_label, is_refusal, transition_get


def _add_error(form: Any, exc: ApplicationError) -> None:
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


@login_required
def need_submit_self(request: HttpRequest, slug: str) -> HttpResponse:
    """A resident raises a need for themselves or their household."""
    kelurahan = request_kelurahan(request)
    person = registry_selectors.person_for_user(kelurahan=kelurahan, user=request.user)
    if person is None or person.rt is None:
        return render(request, "needs/not_registered.html", status=200)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_submit(
                actor=request.user,
                kelurahan=kelurahan,
                rt=person.rt,
                category=data["category"],
                description=data["description"],
                urgency=data["urgency"],
                needed_by=data["needed_by"],
                raised_via=RaisedVia.ANONYMOUS if data["anonymous"] else RaisedVia.SELF,
                beneficiary_person=person,
                quantity=data["quantity"],
                unit=data["unit"],
                people_affected=data["people_affected"],
                recurrence_days=data["recurrence_days"],
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Your need was sent to your RT head."))
            return redirect("needs:detail", slug=slug, need_id=need.pk)
    return render(request, "needs/submit.html", {"form": form, "mode": "self", "person": person})


@login_required
def need_submit_for(request: HttpRequest, slug: str, rt_id: int) -> HttpResponse:
    """The RT head (proxy) or an operator at a kiosk raises a need for a resident of an RT."""
    kelurahan = request_kelurahan(request)
    try:
        rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id)
        kiosk = not request.user.has_perm("needs.triage", rt)
        permission_require(request.user, "needs.kiosk" if kiosk else "needs.triage", rt)
        residents = list(registry_selectors.person_list(kelurahan=kelurahan, rt=rt)[:500])
        rows = person_list_view(
            actor=request.user,
            kelurahan=kelurahan,
            persons=residents,
            rt=rt,
            purpose=AccessPurpose.AID_VERIFICATION,
        )
    except ApplicationError as exc:
        return refused(request, exc)
    people = [(row["id"], row["full_name"] or row["pseudonym"]) for row in rows]
    form = ProxyForm(request.POST or None, request.FILES or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {p.pk: p for p in residents}
        try:
            need = services.need_submit(
                actor=request.user,
                kelurahan=kelurahan,
                rt=rt,
                category=data["category"],
                description=data["description"],
                urgency=data["urgency"],
                needed_by=data["needed_by"],
                raised_via=RaisedVia.KIOSK if kiosk else RaisedVia.RT_PROXY,
                beneficiary_person=by_id.get(data["beneficiary"]),
                quantity=data["quantity"],
                unit=data["unit"],
                people_affected=data["people_affected"],
                recurrence_days=data["recurrence_days"],
                consent_evidence=data.get("consent_evidence"),
                duplicate_override_reason=data["duplicate_override_reason"],
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The need was recorded."))
            return redirect("needs:detail", slug=slug, need_id=need.pk)
    mode = "kiosk" if kiosk else "proxy"
    return render(request, "needs/submit.html", {"form": form, "mode": mode, "rt": rt})


@login_required
def needs_mine(request: HttpRequest, slug: str) -> HttpResponse:
    """'Permohonan saya': the needs the user raised or that are for them."""
    needs = selectors.need_list_for_user(kelurahan=request_kelurahan(request), user=request.user)
    page = Paginator(needs, 20).get_page(request.GET.get("page"))
    return render(request, "needs/mine.html", {"page": page})


def _beneficiary_label(request: HttpRequest, need: Any) -> str:
    """Name for the RT head of that RT (logged read), a pseudonym for everyone else."""
    person: Person | None = need.beneficiary_person
    if person is not None and person.user_id is not None and person.user_id == request.user.pk:
        return _("You")
    if person is None:
        return _("Household #%(id)s") % {"id": need.beneficiary_household_id}
    if not need.is_anonymous and request.user.has_perm("needs.triage", need.rt):
        row = person_list_view(
            actor=request.user,
            kelurahan=need.kelurahan,
            persons=[person],
            rt=need.rt,
            purpose=AccessPurpose.AID_VERIFICATION,
        )
        if row and row[0]["full_name"]:
            return str(row[0]["full_name"])
    return person_pseudonym(person)


@login_required
def need_detail(request: HttpRequest, slug: str, need_id: int) -> HttpResponse:
    """Where a need stands, why, what is next and when; the steps the viewer may take."""
    try:
        need = selectors.need_get(kelurahan=request_kelurahan(request), pk=need_id)
    except ApplicationError as exc:
        return refused(request, exc)
    if not selectors.need_visible_to(request.user, need):
        return render(
            request, "web/refused.html", {"message": _("You cannot see this need.")}, status=403
        )
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        to, reason = form.cleaned_data["to"], form.cleaned_data["reason"]
        try:
            if to == Status.CONFIRMED:
                services.need_confirm(actor=request.user, need=need, reason=reason)
            elif to == Status.DELIVERED:
                services.need_deliver(actor=request.user, need=need)
            else:
                services.need_transition(actor=request.user, need=need, to=to, reason=reason)
        except (ApplicationError, ValueError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else str(exc)
            messages.error(request, str(message))
        else:
            messages.success(request, _("Saved."))
        return redirect("needs:detail", slug=slug, need_id=need.pk)
    steps = _steps_for(request.user, need)
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "story": selectors.need_story(need=need),
            "steps": steps,
            "steps_need_reason": any(step["reason"] for step in steps),
            "beneficiary": _beneficiary_label(request, need),
        },
    )


def _steps_for(user: Any, need: Any) -> list[dict[str, Any]]:
    """Buttons for the steps this user may take now."""
    steps = []
    for target in Status:
        rule = transition_get(need.status, target)
        if rule is None or rule.perm is None:
            continue
        own_cancel = target == Status.CANCELLED and need.raised_by_id == user.pk
        own_confirm = (
            target == Status.CONFIRMED
            and need.beneficiary_person is not None
            and need.beneficiary_person.user_id == user.pk
        )
        if own_cancel or own_confirm or user.has_perm(rule.perm, need.rt):
            steps.append(
                {
                    "to": target.value,
                    "label": action_label(need.status, target),
                    "reason": rule.reason_required and not own_confirm,
                    "secondary": is_refusal(target),
                }
            )
    return steps


@login_required
def rt_queue(request: HttpRequest, slug: str, rt_id: int) -> HttpResponse:
    """The RT head's triage queue: their RT only, most urgent and oldest first."""
    kelurahan = request_kelurahan(request)
    try:
        rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=rt_id)
        permission_require(request.user, "needs.triage", rt)
    except ApplicationError as exc:
        return refused(request, exc)
    page = Paginator(selectors.need_queue_for_rt(kelurahan=kelurahan, rt=rt), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "needs/queue.html", {"page": page, "rt": rt, "unit": rt})


@login_required
def rw_queue(request: HttpRequest, slug: str, rw_number: int) -> HttpResponse:
    """The RW head's approval queue of what their RTs verified."""
    kelurahan = request_kelurahan(request)
    try:
        rw = territory_selectors.rw_get(kelurahan=kelurahan, number=rw_number)
        permission_require(request.user, "needs.approve", rw)
    except ApplicationError as exc:
        return refused(request, exc)
    page = Paginator(selectors.need_queue_for_rw(kelurahan=kelurahan, rw=rw), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "needs/queue.html", {"page": page, "rw": rw, "unit": rw})


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """The operator's board for the whole kelurahan, with filters."""
    kelurahan = request_kelurahan(request)
    try:
        permission_require(request.user, "needs.view_board", kelurahan)
    except ApplicationError as exc:
        return refused(request, exc)
    filters = {
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Status.values
        else "",
        "category": request.GET.get("category", "")
        if request.GET.get("category") in Category.values
        else "",
        "urgency": request.GET.get("urgency", "")
        if request.GET.get("urgency") in Urgency.values
        else "",
    }
    rw = request.GET.get("rw", "")
    needs = selectors.need_board(
        kelurahan=kelurahan,
        rw_number=int(rw) if rw.isdigit() else None,
        status=filters["status"],
        category=filters["category"],
        urgency=filters["urgency"],
    )
    page = Paginator(needs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "needs/board.html",
        {
            "page": page,
            "filters": filters,
            "rw": rw,
            "statuses": Status.choices,
            "categories": Category.choices,
            "urgencies": Urgency.choices,
            "counts": _status_counts(selectors.need_counts_by_status(kelurahan=kelurahan)),
            "rws": territory_selectors.rw_list(kelurahan=kelurahan),
        },
    )


def _status_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(label), counts[value]) for value, label in Status.choices if value in counts]

"""Activity pages: list, plan, the activity page (volunteers, proof, sign-off), verifier
queue, rating. Thin: every rule is in services and selectors; ``gate`` logs in, checks the
permission table and shows a service refusal as the refusal page."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds, permission_holds_over
from gotong.core.exceptions import ApplicationError, NotFound
from gotong.needs import selectors as need_selectors
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import Volunteer
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan
from gotong.transparency.selectors import evidence_photos_visible
from gotong.ui.pages import form_error, gate

from . import selectors, services
from .forms import ActivityForm, EvidenceForm, RatingForm
from .models import ActivityStatus, AssignmentStatus, Layer


def _volunteer_label(volunteer: Volunteer) -> str:
    skills = ", ".join(s.name for s in volunteer.skills.all())
    return f"{_('Volunteer')} #{volunteer.pk} · {volunteer.rt} · {skills}"


@gate("activities.participate")
def activity_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Activities the user coordinates, helps in or oversees."""
    kelurahan = request_kelurahan(request)
    activities = list(
        selectors.activity_list_for_user(kelurahan=kelurahan, user=request.user)[:100]
    )
    may_create = permission_holds(request.user, "activities.manage", kelurahan)
    return render(
        request,
        "activities/list.html",
        {"activities": activities, "may_create": may_create},
    )


@gate("activities.manage")
def activity_create(request: HttpRequest, slug: str) -> HttpResponse:
    """RT/RW heads and operators plan an activity, choosing the approved needs it serves."""
    kelurahan = request_kelurahan(request)
    rts = [
        rt
        for rt in territory_selectors.rt_list(kelurahan=kelurahan)
        if permission_holds_over(request.user, "activities.manage", rt)
    ]
    needs = selectors.needs_assignable(kelurahan=kelurahan, user=request.user)
    volunteers = list(
        registry_selectors.volunteer_list(kelurahan=kelurahan)
        .filter(person__user__isnull=False)
        .select_related("person__user")
        .order_by("pk")[:300]
    )
    skills = list(registry_selectors.skill_list(kelurahan=kelurahan))
    organisations = list(registry_selectors.organisation_list(kelurahan=kelurahan))
    form = ActivityForm(
        request.POST or None,
        initial={"needs": [int(n) for n in request.GET.getlist("need") if n.isdigit()]},
        rts=[(rt.pk, str(rt)) for rt in rts],
        needs=[
            (
                n.pk,
                f"#{n.pk} {n.get_category_display()} · {n.rt} · {n.get_urgency_display()}",
            )
            for n in needs
        ],
        coordinators=[(0, _("Me")), *((v.pk, _volunteer_label(v)) for v in volunteers)],
        skills=[(s.pk, s.name) for s in skills],
        organisations=[(o.pk, o.name) for o in organisations],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_rt = {rt.pk: rt for rt in rts}
        by_need = {n.pk: n for n in needs}
        by_volunteer = {v.pk: v for v in volunteers}
        by_skill = {s.pk: s for s in skills}
        by_org = {o.pk: o for o in organisations}
        coordinator = (
            by_volunteer[data["coordinator"]].person.user if data["coordinator"] else request.user
        )
        resources = []
        if data["resource_kind"] and data["resource_ref"]:
            resources.append(
                services.ResourceIn(
                    kind=data["resource_kind"],
                    external_id=data["resource_ref"],
                    quantity=data["resource_quantity"] or 1,
                    organisation=by_org.get(data["resource_organisation"] or 0),
                )
            )
        try:
            activity = services.activity_create(
                actor=request.user,
                kelurahan=kelurahan,
                rt=by_rt[data["rt"]],
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                coordinator=coordinator,
                needs=[by_need[pk] for pk in data["needs"]],
                purpose=data["purpose"],
                place_note=data["place_note"],
                slots=[
                    services.SlotIn(skill=by_skill[skill], count=count)
                    for skill, count in form.slot_rows()
                ],
                resources=resources,
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The activity is planned."))
            return redirect("activities:detail", slug=slug, activity_id=activity.pk)
    return render(request, "activities/create.html", {"form": form})


def _load(request: HttpRequest, activity_id: int) -> Any:
    activity = selectors.activity_get(kelurahan=request_kelurahan(request), pk=activity_id)
    if not selectors.activity_visible_to(request.user, activity):
        raise NotFound(_("Activity #%(id)s was not found in this kelurahan.") % {"id": activity_id})
    return activity


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _act(request: HttpRequest, activity: Any) -> str:
    """Carry out one action posted from the activity page; returns the success message."""
    post, user = request.POST, request.user
    action = post.get("action", "")
    needs = {link.need_id: link.need for link in activity.links.all()}
    found = needs.get(_int(post.get("need")))
    if action in ("deliver", "send_code", "confirm_code", "confirm_rt") and found is None:
        raise NotFound(_("Choose a need served by this activity."))
    need: Any = found
    if action == "start":
        services.activity_start(actor=user, activity=activity)
        return _("The activity has started.")
    if action == "cancel":
        services.activity_cancel(actor=user, activity=activity, reason=post.get("reason", ""))
        return _("The activity was cancelled.")
    if action == "invite":
        slot = next((s for s in activity.slots.all() if s.pk == _int(post.get("slot"))), None)
        volunteer = (
            Volunteer.objects.select_related("person__user")
            .filter(kelurahan=activity.kelurahan, pk=_int(post.get("volunteer")))
            .first()
        )
        if slot is None or volunteer is None:
            raise NotFound(_("Choose a slot and a volunteer."))
        services.assignment_invite(actor=user, activity=activity, slot=slot, volunteer=volunteer)
        return _("The volunteer was invited.")
    if action in ("accept", "decline"):
        assignment = next(
            (a for a in activity.assignments.all() if a.pk == _int(post.get("assignment"))), None
        )
        if assignment is None:
            raise NotFound(_("Invitation not found."))
        services.assignment_respond(actor=user, assignment=assignment, accept=action == "accept")
        return _("Thank you for your answer.")
    if action == "check_in":
        services.assignment_check_in(actor=user, activity=activity)
        return _("You are checked in.")
    if action == "check_out":
        services.assignment_check_out(actor=user, activity=activity)
        return _("You are checked out. Thank you!")
    if action == "deliver":
        services.activity_need_deliver(actor=user, activity=activity, need=need)
        return _("Delivery recorded. The recipient got a code to confirm.")
    if action == "send_code":
        services.receipt_code_send(actor=user, activity=activity, need=need)
        return _("A new code was sent to the recipient.")
    if action == "confirm_code":
        services.receipt_code_verify(
            actor=user, activity=activity, need=need, code=post.get("code", "")
        )
        return _("Receipt confirmed by the recipient.")
    if action == "confirm_rt":
        services.activity_confirm_on_behalf(
            actor=user, activity=activity, need=need, reason=post.get("reason", "")
        )
        return _("Receipt confirmed on the recipient's behalf.")
    if action == "signoff":
        services.activity_signoff(
            actor=user, activity=activity, layer=post.get("layer", ""), note=post.get("note", "")
        )
        return _("Signed. Thank you.")
    if action == "close":
        services.activity_close(actor=user, activity=activity)
        return _("The activity is closed; its receipt is public.")
    if action == "conflict":
        services.conflict_declare_for_activity(
            actor=user,
            activity=activity,
            target=post.get("target", ""),
            reason=post.get("reason", ""),
        )
        return _("Your conflict of interest is recorded; you will not verify this activity.")
    raise NotFound(_("Unknown action."))


@gate("activities.participate")
def activity_detail(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    """The activity page for the coordinator, volunteers, area heads and verifiers."""
    activity = _load(request, activity_id)
    if request.method == "POST":
        try:
            messages.success(request, _act(request, activity))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("activities:detail", slug=slug, activity_id=activity.pk)
    return render(request, "activities/detail.html", _detail_context(request, activity))


def _detail_context(request: HttpRequest, activity: Any) -> dict[str, Any]:
    user = request.user
    is_coordinator = activity.coordinator_id == user.pk
    may_manage = permission_holds_over(user, "activities.manage", activity.rt)
    running = activity.status in (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS)
    assignments = list(activity.assignments.all())
    mine = next((a for a in assignments if a.volunteer.person.user_id == user.pk), None)
    accepted: dict[int, int] = {}
    for a in assignments:
        if a.status == AssignmentStatus.ACCEPTED:
            accepted[a.slot_id] = accepted.get(a.slot_id, 0) + 1
    slots = [(s, accepted.get(s.pk, 0)) for s in activity.slots.all()]
    team = is_coordinator or may_manage or (mine is not None and mine.status == "accepted")
    candidates: list[tuple[int, str]] = []
    if running and (is_coordinator or may_manage) and slots:
        invited = {a.volunteer_id for a in assignments}
        volunteers = (
            Volunteer.objects.filter(
                kelurahan=activity.kelurahan,
                is_active=True,
                person__user__isnull=False,
                skills__in=[s.skill_id for s, _n in slots],
            )
            .exclude(pk__in=invited)
            .select_related("rt__rw")
            .prefetch_related("skills")
            .distinct()
            .order_by("pk")[:200]
        )
        candidates = [(v.pk, _volunteer_label(v)) for v in volunteers]
    served = []
    for link in activity.links.all():
        need = link.need
        own = need.beneficiary_person is not None and need.beneficiary_person.user_id == user.pk
        rateable = activity.status == ActivityStatus.CLOSED and (
            own or permission_holds_over(user, "activities.rate_on_behalf", need.rt)
        )
        served.append(
            {
                "need": need,
                "may_deliver": activity.status == ActivityStatus.IN_PROGRESS
                and need.status == "in_progress"
                and permission_holds_over(user, "needs.fulfil", need.rt),
                "awaits_confirmation": need.status == "delivered",
                "may_confirm_rt": need.status == "delivered"
                and permission_holds_over(user, "needs.confirm_on_behalf", need.rt),
                "rateable": rateable,
            }
        )
    options = selectors.signoff_options(activity=activity, user=user)
    evidence = list(selectors.activity_evidence(activity=activity))
    return {
        "activity": activity,
        "options": options,
        "state": options["state"],
        "evidence": evidence,
        "photos_visible": evidence_photos_visible(user=user, evidences=evidence),
        "evidence_form": EvidenceForm(),
        "slots": slots,
        "assignments": assignments,
        "mine": mine,
        "is_coordinator": is_coordinator,
        "may_manage": may_manage,
        "team": team,
        "candidates": candidates,
        "served": served,
        "may_start": activity.status == ActivityStatus.PLANNED and (is_coordinator or may_manage),
        "may_cancel": running and may_manage,
        # Closing is offered only once every sign-off is in (a reported activity cannot close).
        "may_close": activity.status == ActivityStatus.SIGNED_OFF
        and permission_holds_over(user, "activities.close", activity.rt),
        "may_upload": team
        and activity.status in (ActivityStatus.IN_PROGRESS, ActivityStatus.REPORTED),
        "may_declare": activity.status == ActivityStatus.REPORTED and not options["signed"],
        "layers": Layer,
    }


@gate("activities.participate")
def activity_evidence(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    """Upload a photo (phone camera) as evidence about the activity."""
    activity = _load(request, activity_id)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.activity_evidence_add(
                actor=request.user,
                activity=activity,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("The photo is recorded (receipt %(code)s).") % {"code": evidence.code}
            )
            return redirect("activities:detail", slug=slug, activity_id=activity.pk)
    return render(request, "activities/evidence.html", {"activity": activity, "form": form})


@gate("activities.participate")
def verifier_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Activities waiting for a sign-off this user may give (RT, RW or independent)."""
    kelurahan = request_kelurahan(request)
    rows = selectors.verifier_queue(kelurahan=kelurahan, user=request.user)
    return render(request, "activities/queue.html", {"rows": rows})


@gate("activities.participate")
def rating(request: HttpRequest, slug: str, activity_id: int, need_id: int) -> HttpResponse:
    """The beneficiary (or the RT head for them) rates the help 1-5."""
    kelurahan = request_kelurahan(request)
    activity = selectors.activity_get(kelurahan=kelurahan, pk=activity_id)
    need = need_selectors.need_get(kelurahan=kelurahan, pk=need_id)
    existing = selectors.rating_for(activity=activity, need=need)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and existing is None:
        try:
            services.rating_submit(
                actor=request.user,
                activity=activity,
                need=need,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("needs:detail", slug=slug, need_id=need.pk)
    return render(
        request,
        "activities/rate.html",
        {"activity": activity, "need": need, "form": form, "existing": existing},
    )

"""Activities API: the same use-cases as the pages (plan, volunteers, proof, sign-off, rating)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from gotong.accounts.permissions import api_route, permission_require
from gotong.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from gotong.core.schemas import StrictId, StrictInt
from gotong.needs import selectors as need_selectors
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import Skill, Volunteer
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .models import Activity, Assignment, Kind, Layer, ResourceKind

router = Router(tags=["activities"])


class SlotIn(Schema):
    skill: str = Field(..., max_length=30, description="skill code, e.g. nurse")
    count: StrictInt = Field(..., ge=1, le=50)


class ResourceIn(Schema):
    kind: ResourceKind
    external_id: str = Field(..., min_length=1, max_length=64)
    quantity: StrictInt = Field(1, ge=1, le=1_000_000)
    unit: str = Field("paket", max_length=30)
    organisation_id: StrictId | None = None


class ActivityIn(Schema):
    rt_id: StrictId
    kind: Kind
    title: str = Field(..., max_length=120)
    starts_at: dt.datetime
    ends_at: dt.datetime
    need_ids: list[StrictId] = Field(default_factory=list, max_length=100)
    purpose: str = Field("", max_length=300)
    place_note: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    coordinator_volunteer_id: StrictId | None = Field(
        None, description="a volunteer who coordinates; empty: the caller coordinates"
    )
    slots: list[SlotIn] = Field(default_factory=list, max_length=20)
    resources: list[ResourceIn] = Field(default_factory=list, max_length=50)


class SlotOut(Schema):
    id: int
    skill: str
    skill_name: str
    count: int
    accepted: int


class AssignmentOut(Schema):
    id: int
    slot_id: int
    volunteer_id: int
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None


class ResourceOut(Schema):
    kind: str
    external_id: str
    quantity: int
    unit: str
    organisation_id: int | None


class SignOffOut(Schema):
    layer: str
    role: str
    at: dt.datetime
    log_index: int | None


class ServedNeedOut(Schema):
    id: int
    status: str
    category: str


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    status_label: str
    rw: int
    rt: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str
    needs: list[ServedNeedOut]
    slots: list[SlotOut]
    assignments: list[AssignmentOut]
    resources: list[ResourceOut]
    signoffs: list[SignOffOut]
    missing: list[str]
    complete: bool
    receipt_code: str
    receipt_url: str | None


class InviteIn(Schema):
    slot_id: StrictId
    volunteer_id: StrictId


class AnswerIn(Schema):
    accept: bool


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class ConfirmIn(Schema):
    code: str = Field("", max_length=12, description="the recipient's 6-digit code")
    reason: str = Field(
        "", max_length=500, description="without a code: the RT head confirms for them"
    )


class SignOffIn(Schema):
    layer: Layer
    note: str = Field("", max_length=300)


class EligibilityOut(Schema):
    executor: bool
    rt: bool
    rw: bool
    independent: bool
    reasons: list[str]


class RatingIn(Schema):
    need_id: StrictId
    stars: StrictInt = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    activity_id: int
    need_id: int
    stars: int
    on_behalf: bool


class ConflictIn(Schema):
    person_id: StrictId | None = None
    household_id: StrictId | None = None
    reason: str = Field("", max_length=300)


class QueueOut(Schema):
    activity_id: int
    title: str
    kind: str
    layer: str
    missing: list[str]


class EvidenceOut(Schema):
    receipt_code: str
    receipt_url: str
    log_index: int


class PolicyIn(Schema):
    verifiers_required: StrictInt = Field(3, ge=1, le=10)
    rotation_max: StrictInt = Field(3, ge=1, le=50)
    rotation_days: StrictInt = Field(30, ge=1, le=365)


class AverageOut(Schema):
    id: int
    average: float
    ratings: int


def _assignment_out(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "slot_id": a.slot_id,
        "volunteer_id": a.volunteer_id,
        "status": a.status,
        "checked_in_at": a.checked_in_at,
        "checked_out_at": a.checked_out_at,
    }


def _out(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    activity = selectors.activity_get(kelurahan=activity.kelurahan, pk=activity.pk)
    state = selectors.signoff_options(activity=activity, user=request.user)["state"]
    accepted: dict[int, int] = {}
    for a in activity.assignments.all():
        if a.status == "accepted":
            accepted[a.slot_id] = accepted.get(a.slot_id, 0) + 1
    receipt_url = (
        request.build_absolute_uri(
            reverse(
                "transparency:receipt",
                kwargs={"slug": activity.kelurahan.slug, "code": activity.receipt_code},
            )
        )
        if activity.receipt_code
        else None
    )
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "title": activity.title,
        "status": activity.status,
        "status_label": str(activity.get_status_display()),
        "rw": activity.rt.rw.number,
        "rt": activity.rt.number,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "purpose": activity.purpose,
        "needs": [
            {"id": link.need.pk, "status": link.need.status, "category": link.need.category}
            for link in activity.links.all()
        ],
        "slots": [
            {
                "id": s.pk,
                "skill": s.skill.code,
                "skill_name": s.skill.name,
                "count": s.count,
                "accepted": accepted.get(s.pk, 0),
            }
            for s in activity.slots.all()
        ],
        "assignments": [_assignment_out(a) for a in activity.assignments.all()],
        "resources": [
            {
                "kind": r.kind,
                "external_id": r.external_id,
                "quantity": r.quantity,
                "unit": r.unit,
                "organisation_id": r.organisation_id,
            }
            for r in activity.resources.all()
        ],
        "signoffs": [
            {"layer": s.layer, "role": s.role, "at": s.at, "log_index": s.log_index}
            for s in activity.signoffs.all()
        ],
        "missing": state.missing,
        "complete": state.complete,
        "receipt_code": activity.receipt_code,
        "receipt_url": receipt_url,
    }


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    activity = selectors.activity_get(kelurahan=request_kelurahan(request), pk=activity_id)
    if not selectors.activity_visible_to(request.user, activity):
        raise PermissionDenied(_("You cannot see this activity."))
    return activity


def _need(request: HttpRequest, need_id: int) -> Any:
    return need_selectors.need_get(kelurahan=request_kelurahan(request), pk=need_id)


def _named(view: Callable[..., Any], name: str) -> Callable[..., Any]:
    # The operation id, summary and URL name of a route come from its function's name.
    view.__name__ = view.__qualname__ = name
    return view


def _activity_step(
    name: str,
    path: str,
    *,
    step: Callable[..., Any],
    perm: str = "activities.participate",
    answer: type[Schema] = ActivityOut,
) -> None:
    """``POST .../activities/{activity_id}/<path>``: the service ``step`` run by the caller
    on a visible activity; the answer is the activity, or the assignment ``step`` returns."""

    def view(request: HttpRequest, slug: str, activity_id: int) -> Any:
        activity = _activity(request, activity_id)
        result = step(actor=request.user, activity=activity)
        return _assignment_out(result) if answer is AssignmentOut else _out(request, activity)

    path = f"/k/{{slug}}/activities/{{activity_id}}/{path}"
    api_route(router.post, path, perm=perm, response=answer)(_named(view, name))


def _need_step(
    name: str, path: str, *, step: Callable[..., Any], perm: str = "activities.participate"
) -> None:
    """``POST .../activities/{activity_id}/needs/{need_id}<path>``: the service ``step`` run
    by the caller on a visible activity and one need of the tenant; answered as the activity."""

    def view(request: HttpRequest, slug: str, activity_id: int, need_id: int) -> Any:
        activity = _activity(request, activity_id)
        step(actor=request.user, activity=activity, need=_need(request, need_id))
        return _out(request, activity)

    path = f"/k/{{slug}}/activities/{{activity_id}}/needs/{{need_id}}{path}"
    api_route(router.post, path, perm=perm, response=ActivityOut)(_named(view, name))


@api_route(
    router.post, "/k/{slug}/activities", perm="activities.manage", response={201: ActivityOut}
)
def activity_create(request: HttpRequest, slug: str, payload: ActivityIn) -> Any:
    kelurahan = request_kelurahan(request)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=payload.rt_id)
    needs = [need_selectors.need_get(kelurahan=kelurahan, pk=pk) for pk in payload.need_ids]
    coordinator = request.user
    if payload.coordinator_volunteer_id is not None:
        volunteer = (
            Volunteer.objects.select_related("person__user")
            .filter(kelurahan=kelurahan, pk=payload.coordinator_volunteer_id, is_active=True)
            .first()
        )
        if volunteer is None or volunteer.person.user is None:
            raise NotFound(
                _("That volunteer is not active in this kelurahan or has no login."),
                {"field": "coordinator_volunteer_id"},
            )
        coordinator = volunteer.person.user
    skills = {s.code: s for s in Skill.objects.filter(kelurahan=kelurahan, is_active=True)}
    slots = []
    for slot in payload.slots:
        if slot.skill not in skills:
            raise ValidationFailed(
                _("Unknown skill '%(code)s'.") % {"code": slot.skill}, {"field": "slots"}
            )
        slots.append(services.SlotIn(skill=skills[slot.skill], count=slot.count))
    resources = [
        services.ResourceIn(
            kind=r.kind,
            external_id=r.external_id,
            quantity=r.quantity,
            unit=r.unit,
            organisation=registry_selectors.organisation_get(
                kelurahan=kelurahan, pk=r.organisation_id
            )
            if r.organisation_id
            else None,
        )
        for r in payload.resources
    ]
    activity = services.activity_create(
        actor=request.user,
        kelurahan=kelurahan,
        rt=rt,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        coordinator=coordinator,
        needs=needs,
        purpose=payload.purpose,
        place_note=payload.place_note,
        latitude=payload.latitude,
        longitude=payload.longitude,
        slots=slots,
        resources=resources,
    )
    return Status(201, _out(request, activity))


@api_route(
    router.get,
    "/k/{slug}/activities/mine",
    perm="activities.participate",
    response=list[ActivityOut],
)
def activities_mine(request: HttpRequest, slug: str) -> Any:
    activities = selectors.activity_list_for_user(
        kelurahan=request_kelurahan(request), user=request.user
    )
    return [_out(request, a) for a in activities[:50]]


@api_route(
    router.get, "/k/{slug}/activities/queue", perm="activities.verify", response=list[QueueOut]
)
def verifier_queue(request: HttpRequest, slug: str) -> Any:
    rows = selectors.verifier_queue(kelurahan=request_kelurahan(request), user=request.user)
    return [
        {
            "activity_id": r.activity.pk,
            "title": r.activity.title,
            "kind": r.activity.kind,
            "layer": r.layer,
            "missing": r.missing,
        }
        for r in rows
    ]


@api_route(
    router.get,
    "/k/{slug}/activities/reputation/volunteers",
    perm="activities.view_reputation",
    response=list[AverageOut],
)
def reputation_volunteers(request: HttpRequest, slug: str) -> Any:
    averages = selectors.rating_average_per_volunteer(kelurahan=request_kelurahan(request))
    return [{"id": k, "average": v[0], "ratings": v[1]} for k, v in sorted(averages.items())]


@api_route(
    router.get,
    "/k/{slug}/activities/reputation/organisations",
    perm="activities.view_reputation",
    response=list[AverageOut],
)
def reputation_organisations(request: HttpRequest, slug: str) -> Any:
    averages = selectors.rating_average_per_organisation(kelurahan=request_kelurahan(request))
    return [{"id": k, "average": v[0], "ratings": v[1]} for k, v in sorted(averages.items())]


@api_route(router.post, "/k/{slug}/conflicts", perm="activities.participate", response={201: dict})
def conflict_declare(request: HttpRequest, slug: str, payload: ConflictIn) -> Any:
    kelurahan = request_kelurahan(request)
    declaration = services.conflict_declare(
        actor=request.user,
        kelurahan=kelurahan,
        person=registry_selectors.person_get(kelurahan=kelurahan, pk=payload.person_id)
        if payload.person_id
        else None,
        household=registry_selectors.household_get(kelurahan=kelurahan, pk=payload.household_id)
        if payload.household_id
        else None,
        reason=payload.reason,
    )
    return Status(201, {"id": declaration.pk})


@api_route(
    router.get,
    "/k/{slug}/activities/{activity_id}",
    perm="activities.participate",
    response=ActivityOut,
)
def activity_detail(request: HttpRequest, slug: str, activity_id: int) -> Any:
    return _out(request, _activity(request, activity_id))


_need_step("activity_need_add", "", step=services.activity_need_add, perm="activities.manage")


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/invitations",
    perm="activities.participate",
    response={201: AssignmentOut},
)
def assignment_invite(request: HttpRequest, slug: str, activity_id: int, payload: InviteIn) -> Any:
    activity = _activity(request, activity_id)
    slot = next((s for s in activity.slots.all() if s.pk == payload.slot_id), None)
    if slot is None:
        raise NotFound(_("That slot is not part of this activity."), {"field": "slot_id"})
    volunteer = (
        Volunteer.objects.select_related("person__user")
        .filter(kelurahan=activity.kelurahan, pk=payload.volunteer_id)
        .first()
    )
    if volunteer is None:
        raise NotFound(
            _("That volunteer is not active in this kelurahan."), {"field": "volunteer_id"}
        )
    assignment = services.assignment_invite(
        actor=request.user, activity=activity, slot=slot, volunteer=volunteer
    )
    return Status(201, _assignment_out(assignment))


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/invitations/{assignment_id}/answer",
    perm="activities.participate",
    response=AssignmentOut,
)
def assignment_respond(
    request: HttpRequest, slug: str, activity_id: int, assignment_id: int, payload: AnswerIn
) -> Any:
    activity = _activity(request, activity_id)
    assignment = next((a for a in activity.assignments.all() if a.pk == assignment_id), None)
    if assignment is None:
        raise NotFound(_("Invitation not found."), {"field": "assignment_id"})
    assignment = services.assignment_respond(
        actor=request.user, assignment=assignment, accept=payload.accept
    )
    return _assignment_out(assignment)


_activity_step("check_in", "check-in", step=services.assignment_check_in, answer=AssignmentOut)
_activity_step("check_out", "check-out", step=services.assignment_check_out, answer=AssignmentOut)
_activity_step("activity_start", "start", step=services.activity_start)


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/cancel",
    perm="activities.manage",
    response=ActivityOut,
)
def activity_cancel(request: HttpRequest, slug: str, activity_id: int, payload: ReasonIn) -> Any:
    activity = services.activity_cancel(
        actor=request.user, activity=_activity(request, activity_id), reason=payload.reason
    )
    return _out(request, activity)


_activity_step("activity_close", "close", step=services.activity_close, perm="activities.close")


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/evidence",
    perm="activities.participate",
    response={201: EvidenceOut},
)
def activity_evidence(
    request: HttpRequest,
    slug: str,
    activity_id: int,
    file: File[UploadedFile],
    note: Form[str] = "",
) -> Any:
    """A photo of the work (JPEG, PNG or WebP); the note is public, so no personal data."""
    evidence = services.activity_evidence_add(
        actor=request.user, activity=_activity(request, activity_id), upload=file, note=note
    )
    path = reverse("transparency:receipt", kwargs={"slug": slug, "code": evidence.code})
    return Status(
        201,
        {
            "receipt_code": evidence.code,
            "receipt_url": request.build_absolute_uri(path),
            "log_index": evidence.log_index,
        },
    )


_need_step("need_deliver", "/deliver", step=services.activity_need_deliver)


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/needs/{need_id}/code",
    perm="activities.participate",
    response={202: dict},
)
def receipt_code_send(request: HttpRequest, slug: str, activity_id: int, need_id: int) -> Any:
    activity = _activity(request, activity_id)
    code = services.receipt_code_send(
        actor=request.user, activity=activity, need=_need(request, need_id)
    )
    return Status(202, {"expires_at": code.expires_at.isoformat()})


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/needs/{need_id}/confirm",
    perm="activities.participate",
    response=ActivityOut,
)
def need_confirm(
    request: HttpRequest, slug: str, activity_id: int, need_id: int, payload: ConfirmIn
) -> Any:
    activity = _activity(request, activity_id)
    need = _need(request, need_id)
    if payload.code:
        services.receipt_code_verify(
            actor=request.user, activity=activity, need=need, code=payload.code
        )
    else:
        services.activity_confirm_on_behalf(
            actor=request.user, activity=activity, need=need, reason=payload.reason
        )
    return _out(request, activity)


@api_route(
    router.get,
    "/k/{slug}/activities/{activity_id}/signoffs/options",
    perm="activities.participate",
    response=EligibilityOut,
)
def signoff_options(request: HttpRequest, slug: str, activity_id: int) -> Any:
    options = selectors.signoff_options(activity=_activity(request, activity_id), user=request.user)
    return {
        "executor": options["executor"],
        "rt": options["rt"],
        "rw": options["rw"],
        "independent": options["independent"],
        "reasons": options["independent_reasons"],
    }


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/signoffs",
    perm="activities.participate",
    response={201: ActivityOut},
)
def activity_signoff(request: HttpRequest, slug: str, activity_id: int, payload: SignOffIn) -> Any:
    activity = _activity(request, activity_id)
    services.activity_signoff(
        actor=request.user, activity=activity, layer=payload.layer, note=payload.note
    )
    return Status(201, _out(request, activity))


@api_route(
    router.post,
    "/k/{slug}/activities/{activity_id}/ratings",
    perm="activities.participate",
    response={201: RatingOut},
)
def rating_submit(request: HttpRequest, slug: str, activity_id: int, payload: RatingIn) -> Any:
    activity = selectors.activity_get(kelurahan=request_kelurahan(request), pk=activity_id)
    rating = services.rating_submit(
        actor=request.user,
        activity=activity,
        need=_need(request, payload.need_id),
        stars=payload.stars,
        comment=payload.comment,
    )
    return Status(
        201,
        {
            "activity_id": activity.pk,
            "need_id": rating.need_id,
            "stars": rating.stars,
            "on_behalf": rating.on_behalf,
        },
    )


@api_route(
    router.post,
    "/k/{slug}/activity-policy",
    perm="activities.policy",
    response=dict,
)
def policy_set(request: HttpRequest, slug: str, payload: PolicyIn) -> Any:
    kelurahan = request_kelurahan(request)
    permission_require(request.user, "activities.policy", kelurahan)
    policy = services.activity_policy_set(
        actor=request.user,
        kelurahan=kelurahan,
        verifiers_required=payload.verifiers_required,
        rotation_max=payload.rotation_max,
        rotation_days=payload.rotation_days,
    )
    return {
        "verifiers_required": policy.verifiers_required,
        "rotation_max": policy.rotation_max,
        "rotation_days": policy.rotation_days,
    }

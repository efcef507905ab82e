"""Activities reads: one activity with everything its page shows, lists, the verifier
queue, and average ratings per volunteer and per organisation (for reputation)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Membership, Role
from gotong.accounts.permissions import (
    memberships_effective,
    permission_holds_over,
    roles_holding,
    territory_key,
)
from gotong.core.exceptions import NotFound
from gotong.needs.models import OPEN_STATUSES as NEED_OPEN_STATUSES
from gotong.needs.models import Need
from gotong.registry.models import Person
from gotong.territory.models import Kelurahan
from gotong.transparency.models import Evidence

from . import checks
from .models import (
    Activity,
    ActivityNeed,
    ActivityPolicy,
    ActivityStatus,
    Assignment,
    AssignmentStatus,
    Layer,
    Rating,
    ResourceLink,
    SignOff,
    Slot,
)
from .rules import VERIFIER_ROLES
from .transitions import OPEN_STATUSES


def activity_policy(*, kelurahan: Kelurahan) -> ActivityPolicy:
    """The kelurahan's sign-off policy (defaults K=3, N=3 in 30 days when none is set)."""
    return ActivityPolicy.objects.filter(kelurahan=kelurahan).first() or ActivityPolicy(
        kelurahan=kelurahan
    )


def activity_queryset() -> QuerySet[Activity]:
    """Activities with what their pages and the rules read, in a fixed number of queries."""
    return Activity.objects.select_related("rt__rw", "kelurahan", "coordinator").prefetch_related(
        Prefetch(
            "links",
            queryset=ActivityNeed.objects.select_related(
                "need__rt__rw", "need__kelurahan", "need__beneficiary_person"
            ).order_by("need_id"),
        ),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("volunteer__person", "slot__skill"),
        ),
        Prefetch("slots", queryset=Slot.objects.select_related("skill")),
        Prefetch("resources", queryset=ResourceLink.objects.select_related("organisation")),
        Prefetch("signoffs", queryset=SignOff.objects.order_by("at", "pk")),
    )


def activity_get(*, kelurahan: Kelurahan, pk: int) -> Activity:
    """One activity of this kelurahan, or NotFound."""
    activity = activity_queryset().filter(kelurahan=kelurahan, pk=pk).first()
    if activity is None:
        raise NotFound(_("Activity #%(id)s was not found in this kelurahan.") % {"id": pk})
    return activity


def activity_list(
    *, kelurahan: Kelurahan, status: str = "", open_only: bool = False
) -> QuerySet[Activity]:
    """All activities of the kelurahan, newest first (the operator's overview)."""
    qs = activity_queryset().filter(kelurahan=kelurahan)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("-starts_at", "-pk")


def activity_list_for_user(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Activity]:
    """Activities the user coordinates, is invited to, or (as a head/officer) oversees."""
    if not getattr(user, "is_authenticated", False):
        return Activity.objects.none()
    condition = Q(coordinator=user) | Q(assignments__volunteer__person__user=user)
    for membership in memberships_effective(user, kelurahan.pk):
        if membership.role == Role.KETUA_RT:
            condition |= Q(rt_id=membership.rt_id)
        elif membership.role == Role.KETUA_RW:
            condition |= Q(rt__rw_id=membership.rw_id)
        elif membership.role in (Role.OPERATOR, Role.ADMIN, Role.LURAH):
            condition |= Q(kelurahan=kelurahan)
    ids = Activity.objects.filter(kelurahan=kelurahan).filter(condition).values("pk")
    return activity_queryset().filter(pk__in=ids).order_by("-starts_at", "-pk")


def activity_for_need(*, need: Need) -> Activity | None:
    """The latest activity that serves a need (for the need's page)."""
    return (
        Activity.objects.filter(kelurahan_id=need.kelurahan_id, links__need=need)
        .order_by("-created_at", "-pk")
        .first()
    )


def activity_evidence(*, activity: Activity) -> list[Evidence]:
    """Photos about the activity or the needs it serves, oldest first."""
    return list(
        Evidence.objects.filter(
            kelurahan_id=activity.kelurahan_id, subject__in=checks.evidence_subjects(activity)
        ).order_by("log_index")
    )


def evidence_for_delivery(
    *, kelurahan: Kelurahan, activity: Activity, need: Need
) -> list[Evidence]:
    """Photos about the activity or the need that count for the need's delivery, oldest first.

    Only photos from the activity's own team (its coordinator, volunteers who accepted a
    slot) or from a role that may record the delivery over the need's RT or that runs the
    activity's RT (RT head, the RW head over it, operator, admin) count; a photo anyone
    else attached to ``need:N`` or ``activity:N`` does not.
    """
    photos = list(
        Evidence.objects.filter(
            kelurahan=kelurahan,
            subject__in=[activity.subject, f"need:{need.pk}"],
            uploader__isnull=False,
        ).order_by("log_index")
    )
    if not photos:
        return []
    team = {
        activity.coordinator_id,
        *Assignment.objects.filter(activity=activity, status=AssignmentStatus.ACCEPTED).values_list(
            "volunteer__person__user_id", flat=True
        ),
    }
    # The uploader's memberships are read as stored, not through memberships_effective:
    # an officer's upload already passed the TOTP gate, and the uploader is not the user
    # of this request.
    units = [territory_key(need.rt), territory_key(activity.rt)]
    overseers = {
        m.user_id
        for m in Membership.objects.active().filter(
            kelurahan=kelurahan,
            user_id__in={e.uploader_id for e in photos} - team,
            role__in=[*roles_holding("needs.fulfil")],
        )
        if any(m.covers(*unit) for unit in units)
    }
    return [e for e in photos if e.uploader_id in team or e.uploader_id in overseers]


def activity_visible_to(user: Any, activity: Activity) -> bool:
    """Coordinator, volunteers, beneficiaries, area heads, officers and verifiers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if activity.coordinator_id == user.pk:
        return True
    if any(a.volunteer.person.user_id == user.pk for a in activity.assignments.all()):
        return True
    if any(
        link.need.beneficiary_person is not None and link.need.beneficiary_person.user_id == user.pk
        for link in activity.links.all()
    ):
        return True
    if any(m.role in VERIFIER_ROLES for m in memberships_effective(user, activity.kelurahan_id)):
        return True
    return bool(
        user.has_perm("activities.manage", activity.rt)
        or user.has_perm("needs.view_board", activity.kelurahan)
    )


@dataclass
class QueueRow:
    """An activity waiting for the user's sign-off, in the layer they may sign."""

    activity: Activity
    layer: str
    layer_label: str
    missing: list[str]


def verifier_queue(*, kelurahan: Kelurahan, user: Any, limit: int = 100) -> list[QueueRow]:
    """Activities waiting for sign-off that this user may sign now: as RT or RW head of
    the area, or as an eligible independent verifier (independence and rotation rules)."""
    policy = activity_policy(kelurahan=kelurahan)
    waiting = list(
        activity_queryset()
        .filter(kelurahan=kelurahan, status=ActivityStatus.REPORTED)
        .order_by("status_changed_at", "pk")[:limit]
    )
    if not waiting:
        return []
    facts = checks.verifier_facts(user=user, kelurahan=kelurahan, policy=policy)
    parties = checks.activity_parties(waiting)
    with_evidence = checks.subjects_with_evidence(waiting)
    rows = []
    for activity in waiting:
        signoffs = list(activity.signoffs.all())
        signers = {s.signer_id for s in signoffs}
        layers = {s.layer for s in signoffs}
        state = checks.completeness(activity, policy, with_evidence)
        layer = ""
        if user.pk in signers:
            continue
        if (
            Layer.RT not in layers
            and not state.unconfirmed_need_ids
            and user.has_perm("activities.signoff_rt", activity.rt)
        ):
            layer = Layer.RT
        elif (
            Layer.RT in layers
            and Layer.RW not in layers
            and user.has_perm("activities.signoff_rw", activity.rt)
        ):
            layer = Layer.RW
        elif not checks.independence_reasons(
            facts=facts,
            activity=activity,
            parties=parties[activity.pk],
            policy=policy,
            signer_ids=signers,
        ):
            layer = Layer.INDEPENDENT
        if layer:
            rows.append(QueueRow(activity, layer, str(Layer(layer).label), state.missing))
    return rows


def signoff_options(*, activity: Activity, user: Any) -> dict[str, Any]:
    """For the activity page: the layers the user may sign now, or why not."""
    policy = activity_policy(kelurahan=activity.kelurahan)
    state = checks.completeness(activity, policy)
    signers = {s.signer_id for s in activity.signoffs.all()}
    facts = checks.verifier_facts(user=user, kelurahan=activity.kelurahan, policy=policy)
    reasons = checks.independence_reasons(
        facts=facts,
        activity=activity,
        parties=checks.activity_parties([activity])[activity.pk],
        policy=policy,
        signer_ids=signers,
    )
    is_coordinator = getattr(user, "pk", None) == activity.coordinator_id
    waiting = activity.status == ActivityStatus.REPORTED
    return {
        "state": state,
        "policy": policy,
        "executor": is_coordinator
        and activity.status == ActivityStatus.IN_PROGRESS
        and Layer.EXECUTOR not in state.layers,
        "rt": waiting
        and Layer.RT not in state.layers
        and not state.unconfirmed_need_ids
        and user.has_perm("activities.signoff_rt", activity.rt),
        "rw": waiting
        and Layer.RT in state.layers
        and Layer.RW not in state.layers
        and user.has_perm("activities.signoff_rw", activity.rt),
        "independent": waiting and not reasons,
        "independent_reasons": [r.message for r in reasons],
        "signed": getattr(user, "pk", None) in signers,
    }


def rating_average_per_volunteer(*, kelurahan: Kelurahan) -> dict[int, tuple[float, int]]:
    """Average stars and number of ratings of the activities each volunteer took part in
    (accepted and checked in), keyed by volunteer id."""
    rows = (
        Assignment.objects.filter(
            activity__kelurahan=kelurahan,
            status=AssignmentStatus.ACCEPTED,
            checked_in_at__isnull=False,
            activity__ratings__isnull=False,
        )
        .values("volunteer_id")
        .annotate(avg=Avg("activity__ratings__stars"), n=Count("activity__ratings", distinct=True))
    )
    return {r["volunteer_id"]: (round(float(r["avg"]), 2), r["n"]) for r in rows}


def rating_average_per_organisation(*, kelurahan: Kelurahan) -> dict[int, tuple[float, int]]:
    """Average stars and number of ratings of the activities whose resources an
    organisation (UMKM, donor) provided, keyed by organisation id."""
    rows = (
        ResourceLink.objects.filter(
            activity__kelurahan=kelurahan,
            organisation__isnull=False,
            activity__ratings__isnull=False,
        )
        .values("organisation_id")
        .annotate(avg=Avg("activity__ratings__stars"), n=Count("activity__ratings", distinct=True))
    )
    return {r["organisation_id"]: (round(float(r["avg"]), 2), r["n"]) for r in rows}


def rating_for(*, activity: Activity, need: Need) -> Rating | None:
    """The rating given for a need served by an activity, if any."""
    return Rating.objects.filter(activity=activity, need=need).first()


def rating_due_for(*, need: Need, user: Any) -> Activity | None:
    """The closed, not yet rated activity serving a need that this user may rate, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    activity = (
        Activity.objects.filter(
            kelurahan_id=need.kelurahan_id, links__need=need, status=ActivityStatus.CLOSED
        )
        .exclude(ratings__need=need)
        .order_by("-created_at", "-pk")
        .first()
    )
    if activity is None:
        return None
    person = need.beneficiary_person
    if person is not None and person.user_id == user.pk:
        return activity
    if need.beneficiary_household_id and (
        Person.objects.filter(household_id=need.beneficiary_household_id, user_id=user.pk).exists()
    ):
        return activity
    if permission_holds_over(user, "activities.rate_on_behalf", need.rt):
        return activity
    return None


def needs_assignable(*, kelurahan: Kelurahan, user: Any, limit: int = 200) -> list[Need]:
    """Approved needs the user may assign to an activity (needs.assign over their RT)."""
    candidates = (
        Need.objects.filter(kelurahan=kelurahan, status="approved")
        .exclude(activity_links__activity__status__in=OPEN_STATUSES)
        .select_related("rt__rw")
        .order_by("created_at", "pk")[:limit]
    )
    return [n for n in candidates if user.has_perm("needs.assign", n.rt)]


def activity_team_includes(*, activity: Activity, user: Any) -> bool:
    """The user is the activity's coordinator or one of its accepted volunteers."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    return activity.coordinator_id == user_id or (
        activity.assignments.filter(
            status=AssignmentStatus.ACCEPTED, volunteer__person__user_id=user_id
        ).exists()
    )


def activity_ids_on_team_of(*, activities: Iterable[Activity], user: Any) -> set[int]:
    """Of ``activities``, the ids the user coordinates or volunteers in (accepted), in one query."""
    user_id = getattr(user, "pk", None)
    ids = [activity.pk for activity in activities]
    if user_id is None or not ids:
        return set()
    team = Q(coordinator_id=user_id) | Q(
        assignments__status=AssignmentStatus.ACCEPTED,
        assignments__volunteer__person__user_id=user_id,
    )
    return set(Activity.objects.filter(team, pk__in=ids).values_list("pk", flat=True).distinct())


def needs_served_by_activities(
    *, kelurahan: Kelurahan, activity_ids: set[int]
) -> list[tuple[int, int]]:
    """(activity id, need id) for every need the given activities serve, in one query."""
    return list(
        ActivityNeed.objects.filter(
            activity__kelurahan=kelurahan, activity_id__in=activity_ids
        ).values_list("activity_id", "need_id")
    )


def needs_served_by_team_of(*, kelurahan: Kelurahan, user: Any, limit: int = 200) -> list[Need]:
    """Open needs served by an open activity the user coordinates or volunteers in (accepted)."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return []
    team = Q(activity_links__activity__coordinator_id=user_id) | Q(
        activity_links__activity__assignments__status=AssignmentStatus.ACCEPTED,
        activity_links__activity__assignments__volunteer__person__user_id=user_id,
    )
    ids = Need.objects.filter(
        team,
        kelurahan=kelurahan,
        activity_links__activity__status__in=OPEN_STATUSES,
    ).values("pk")
    return list(
        Need.objects.filter(pk__in=ids, status__in=NEED_OPEN_STATUSES)
        .select_related("rt__rw")
        .order_by("-created_at", "-pk")[:limit]
    )


def need_served_by_team_of(*, kelurahan: Kelurahan, need_id: int, user: Any) -> bool:
    """The user coordinates, or is an accepted volunteer of, an activity serving the need."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    serving = Activity.objects.filter(kelurahan=kelurahan, links__need_id=need_id)
    return (
        serving.filter(coordinator_id=user_id).exists()
        or serving.filter(
            assignments__status=AssignmentStatus.ACCEPTED,
            assignments__volunteer__person__user_id=user_id,
        ).exists()
    )

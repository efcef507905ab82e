"""Who counts as an independent verifier of an activity, and what an activity still lacks.

Both the sign-off service (one activity) and the verifier queue (many) use these; the
facts are loaded in a fixed number of queries and the rules are evaluated in memory.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gotong.accounts.models import Membership, Role
from gotong.accounts.permissions import memberships_effective
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Person
from gotong.transparency.models import Evidence

from .models import Activity, ActivityPolicy, ActivityStatus, AssignmentStatus, Layer, SignOff
from .models import ConflictDeclaration as Conflict

REASONS: dict[str, Promise] = {
    "login": _("Log in to verify activities."),
    "role": _(
        "Only volunteers, RT/RW heads of other areas, the ethics committee and auditors "
        "verify activities."
    ),
    "own_area": _(
        "You head this activity's RT or RW: you sign in your own layer, not as an "
        "independent verifier."
    ),
    "executor": _("You coordinate or worked in this activity."),
    "household": _("You belong to the household of the executor or of a beneficiary."),
    "conflict": _("You declared a conflict of interest with someone in this activity."),
    "rotation": _(
        "You already verified %(n)s activities of this coordinator in the last %(days)s days; "
        "another verifier takes this one."
    ),
    "already_signed": _("You have already signed this activity."),
    "status": _("This activity is not waiting for sign-off."),
}
# The sign-off layers only the recipients' confirmations can complete (beyond the executor).
CONFIRMED_OR_LATER = {NeedStatus.CONFIRMED, NeedStatus.SIGNED_OFF, NeedStatus.CLOSED}
DELIVERED_OR_LATER = {NeedStatus.DELIVERED, *CONFIRMED_OR_LATER}
SKIPPED_NEEDS = {NeedStatus.CANCELLED, NeedStatus.REJECTED}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


def reason(code: str, **values: Any) -> Reason:
    text = REASONS[code]
    return Reason(code, str(text) % values if values else str(text))


@dataclass
class Parties:
    """The people an independent verifier must not be, or be related to."""

    executor_user_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    household_ids: set[int] = field(default_factory=set)


def activity_parties(activities: Iterable[Activity]) -> dict[int, Parties]:
    """Executors (coordinator, checked-in volunteers) and beneficiaries of each activity,
    with their households. Expects ``links__need`` and ``assignments__volunteer__person``
    prefetched (see ``selectors.activity_queryset``); one extra query for coordinators."""
    activities = list(activities)
    coordinator_ids = {a.coordinator_id for a in activities}
    coordinators: dict[tuple[int, int], tuple[int, int | None]] = {
        (p["kelurahan_id"], p["user_id"]): (p["pk"], p["household_id"])
        for p in Person.objects.filter(user_id__in=coordinator_ids).values(
            "pk", "user_id", "kelurahan_id", "household_id"
        )
    }
    found: dict[int, Parties] = {}
    for activity in activities:
        parties = Parties(executor_user_ids={activity.coordinator_id})
        own = coordinators.get((activity.kelurahan_id, activity.coordinator_id))
        if own is not None:
            parties.person_ids.add(own[0])
            if own[1]:
                parties.household_ids.add(own[1])
        for assignment in activity.assignments.all():
            if assignment.checked_in_at is None:
                continue
            person = assignment.volunteer.person
            parties.person_ids.add(person.pk)
            if person.user_id:
                parties.executor_user_ids.add(person.user_id)
            if person.household_id:
                parties.household_ids.add(person.household_id)
        for link in activity.links.all():
            need = link.need
            if need.beneficiary_person_id:
                parties.person_ids.add(need.beneficiary_person_id)
            if need.beneficiary_household_id:
                parties.household_ids.add(need.beneficiary_household_id)
        found[activity.pk] = parties
    return found


@dataclass
class VerifierFacts:
    """What the independence rules need to know about one would-be verifier."""

    user: Any
    memberships: list[Membership]
    person_id: int | None
    household_id: int | None
    conflict_person_ids: set[int]
    conflict_household_ids: set[int]
    signed_by_executor: Counter[int]


def verifier_facts(*, user: Any, kelurahan: Any, policy: ActivityPolicy) -> VerifierFacts:
    """Load the user's roles, household, declared conflicts and recent sign-offs."""
    if not getattr(user, "is_authenticated", False):
        return VerifierFacts(user, [], None, None, set(), set(), Counter())
    person = (
        Person.objects.filter(kelurahan=kelurahan, user=user).values("pk", "household_id").first()
    )
    conflicts = list(
        Conflict.objects.filter(kelurahan=kelurahan, user=user).values_list(
            "person_id", "household_id"
        )
    )
    since = timezone.now() - dt.timedelta(days=policy.rotation_days)
    signed = Counter(
        SignOff.objects.filter(signer=user, layer=Layer.INDEPENDENT, at__gte=since).values_list(
            "executor_id", flat=True
        )
    )
    return VerifierFacts(
        user=user,
        memberships=memberships_effective(user, kelurahan.pk),
        person_id=person["pk"] if person else None,
        household_id=person["household_id"] if person else None,
        conflict_person_ids={p for p, _h in conflicts if p},
        conflict_household_ids={h for _p, h in conflicts if h},
        signed_by_executor=signed,
    )


def verifier_role(facts: VerifierFacts, activity: Activity) -> str | None:
    """The role under which the user may verify this activity independently, if any."""
    for membership in facts.memberships:
        if membership.role in (Role.RELAWAN, Role.KOMITE_ETIKA, Role.AUDITOR):
            return str(membership.role)
        if membership.role == Role.KETUA_RT and membership.rt_id != activity.rt_id:
            return str(membership.role)
        if membership.role == Role.KETUA_RW and membership.rw_id != activity.rt.rw_id:
            return str(membership.role)
    return None


def independence_reasons(
    *,
    facts: VerifierFacts,
    activity: Activity,
    parties: Parties,
    policy: ActivityPolicy,
    signer_ids: set[int],
) -> list[Reason]:
    """Why the user may not sign as an independent verifier (empty: they may).

    ``signer_ids``: who already signed the activity (any layer). The rotation rule counts
    the user's independent sign-offs of the same coordinator in the policy's window,
    other than this activity's: at ``rotation_max`` they must let someone else verify.
    """
    if not getattr(facts.user, "is_authenticated", False):
        return [reason("login")]
    found = []
    if verifier_role(facts, activity) is None:
        held = {m.role for m in facts.memberships}
        area_head = held & {Role.KETUA_RT, Role.KETUA_RW}
        found.append(reason("own_area" if area_head else "role"))
    if facts.user.pk in parties.executor_user_ids:
        found.append(reason("executor"))
    if facts.person_id is not None and (
        facts.person_id in parties.person_ids
        or (facts.household_id is not None and facts.household_id in parties.household_ids)
    ):
        found.append(reason("household"))
    if (facts.conflict_person_ids & parties.person_ids) or (
        facts.conflict_household_ids & parties.household_ids
    ):
        found.append(reason("conflict"))
    if facts.user.pk in signer_ids:
        found.append(reason("already_signed"))
    elif facts.signed_by_executor[activity.coordinator_id] >= policy.rotation_max:
        found.append(
            reason(
                "rotation",
                n=facts.signed_by_executor[activity.coordinator_id],
                days=policy.rotation_days,
            )
        )
    return found


@dataclass
class Completeness:
    """What an activity has and lacks before it can be signed off ("belum lengkap")."""

    has_evidence: bool
    layers: set[str]
    independent: int
    required: int
    unconfirmed_need_ids: list[int]
    undelivered_need_ids: list[int]

    @property
    def missing(self) -> list[str]:
        items = []
        if not self.has_evidence:
            items.append(str(_("a photo as evidence")))
        for need_id in self.undelivered_need_ids:
            items.append(str(_("delivery of need #%(id)s") % {"id": need_id}))
        for need_id in self.unconfirmed_need_ids:
            if need_id not in self.undelivered_need_ids:
                items.append(
                    str(_("the recipient's confirmation for need #%(id)s") % {"id": need_id})
                )
        labels = {
            Layer.EXECUTOR: _("the executor's sign-off"),
            Layer.RT: _("the RT head's sign-off"),
            Layer.RW: _("the RW head's sign-off"),
        }
        for layer, label in labels.items():
            if layer not in self.layers:
                items.append(str(label))
        if self.independent < self.required:
            items.append(
                str(
                    ngettext(
                        "%(left)s more independent verifier (%(have)s of %(need)s have signed)",
                        "%(left)s more independent verifiers (%(have)s of %(need)s have signed)",
                        self.required - self.independent,
                    )
                    % {
                        "left": self.required - self.independent,
                        "have": self.independent,
                        "need": self.required,
                    }
                )
            )
        return items

    @property
    def complete(self) -> bool:
        return not self.missing


def evidence_subjects(activity: Activity) -> list[str]:
    """The transparency subjects whose photos count as the activity's evidence."""
    return [activity.subject, *(f"need:{link.need_id}" for link in activity.links.all())]


def subjects_with_evidence(activities: Iterable[Activity]) -> set[str]:
    """Which of the activities' evidence subjects have a photo (one query)."""
    activities = list(activities)
    if not activities:
        return set()
    subjects = {s for a in activities for s in evidence_subjects(a)}
    return set(
        Evidence.objects.filter(
            kelurahan_id=activities[0].kelurahan_id, subject__in=sorted(subjects)
        ).values_list("subject", flat=True)
    )


def completeness(
    activity: Activity, policy: ActivityPolicy, with_evidence: set[str] | None = None
) -> Completeness:
    """Evidence, deliveries, confirmations and sign-offs of one activity (prefetched links
    and signoffs). ``with_evidence``: from ``subjects_with_evidence`` for many activities;
    without it, one query."""
    needs = [link.need for link in activity.links.all() if link.need.status not in SKIPPED_NEEDS]
    signoffs = list(activity.signoffs.all())
    if with_evidence is None:
        with_evidence = subjects_with_evidence([activity])
    return Completeness(
        has_evidence=any(s in with_evidence for s in evidence_subjects(activity)),
        layers={s.layer for s in signoffs},
        independent=sum(1 for s in signoffs if s.layer == Layer.INDEPENDENT),
        required=policy.verifiers_required,
        unconfirmed_need_ids=[n.pk for n in needs if n.status not in CONFIRMED_OR_LATER],
        undelivered_need_ids=[n.pk for n in needs if n.status not in DELIVERED_OR_LATER],
    )


def accepted_volunteer_user_ids(activity: Activity) -> set[int]:
    """Users of the volunteers who accepted a slot (prefetched assignments)."""
    return {
        a.volunteer.person.user_id
        for a in activity.assignments.all()
        if a.status == AssignmentStatus.ACCEPTED and a.volunteer.person.user_id
    }


WAITING = ActivityStatus.REPORTED

"""Ratings: the beneficiary (or the RT head for them) rates the help of a closed activity."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.needs.models import Need
from gotong.registry.models import Person

from ..models import Activity, ActivityStatus, Rating
from ._common import _linked_need, _log, _notify


@transaction.atomic
def rating_submit(
    *, actor: Any, activity: Activity, need: Need, stars: int, comment: str = ""
) -> Rating:
    """The beneficiary (or the RT head for them) rates the help of a closed activity 1-5."""
    activity = Activity.objects.select_related("rt__rw", "kelurahan").get(pk=activity.pk)
    _linked_need(activity, need)
    if activity.status != ActivityStatus.CLOSED:
        raise Conflict(_("Help can be rated once the activity is closed."))
    person = need.beneficiary_person
    own = person is not None and person.user_id is not None and person.user_id == actor.pk
    if not own and need.beneficiary_household_id and getattr(actor, "pk", None):
        own = Person.objects.filter(
            household_id=need.beneficiary_household_id, user_id=actor.pk
        ).exists()
    if not own:
        permission_require(actor, "activities.rate_on_behalf", need.rt)
    if not 1 <= int(stars) <= 5:
        raise ValidationFailed(_("Give 1 to 5 stars."), {"field": "stars"})
    if Rating.objects.filter(activity=activity, need=need).exists():
        raise Conflict(_("This help has already been rated."), {"field": "stars"})
    rating = Rating.objects.create(
        kelurahan=activity.kelurahan,
        activity=activity,
        need=need,
        stars=int(stars),
        comment=(comment or "").strip()[:500],
        rated_by=actor,
        on_behalf=not own,
    )
    _log(
        activity,
        "activity.rated",
        actor,
        "warga" if own else str(Role.KETUA_RT),
        {"need": f"need:{need.pk}", "stars": rating.stars, "on_behalf": not own},
    )
    _notify([activity.coordinator.phone], "activity_rated", activity, stars=rating.stars)
    return rating

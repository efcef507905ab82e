"""Account reads, always within one kelurahan."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.territory.models import RT, Kelurahan

from .models import Membership, User


def membership_list_for_rt(*, kelurahan: Kelurahan, rt: RT) -> QuerySet[Membership]:
    """Roles held in force in one RT of this kelurahan (residents, volunteers, its head)."""
    return (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, rt=rt)
        .select_related("user", "rt", "rw")
        .order_by("role", "user__display_name", "pk")
    )


def membership_list_for_kelurahan(*, kelurahan: Kelurahan) -> QuerySet[Membership]:
    """Every role in force in this kelurahan (for operators and the admin)."""
    return (
        Membership.objects.active()
        .filter(kelurahan=kelurahan)
        .select_related("user", "rt", "rw", "rt__rw")
        .order_by("role", "rw__number", "rt__number", "pk")
    )


def membership_get(*, kelurahan: Kelurahan, pk: int) -> Membership:
    """One membership of this kelurahan (another kelurahan's is not found)."""
    try:
        return Membership.objects.select_related("rt", "rw", "kelurahan").get(
            kelurahan=kelurahan, pk=pk
        )
    except Membership.DoesNotExist as exc:
        raise NotFound(_("Role not found in this kelurahan."), {"id": pk}) from exc


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """A user's own roles in force, in every kelurahan."""
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("kelurahan", "rw", "rt", "rt__rw")
        .order_by("kelurahan__name", "role")
    )


# Which role names an actor in the public log when they hold several.
_ROLE_PRIORITY = [
    "admin",
    "operator",
    "lurah",
    "auditor",
    "komite_etika",
    "ketua_rw",
    "ketua_rt",
    "umkm",
    "donatur",
    "relawan",
    "warga",
]


def user_role_primary(*, user: User, kelurahan: Kelurahan) -> str | None:
    """The user's most senior role in force in this kelurahan, or None."""
    held = set(
        Membership.objects.active()
        .filter(user=user, kelurahan=kelurahan)
        .values_list("role", flat=True)
    )
    return next((role for role in _ROLE_PRIORITY if role in held), None)

"""Who may hand in evidence about a need (registered with transparency from ``ready``).

The RT head of the need's RT, the RW head over it and the kelurahan officers who record
fulfilment (``needs.fulfil``). The team of an activity serving the need is allowed by the
activities app's own check for ``need``.
"""

from typing import Any

from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds_over
from gotong.territory.models import Kelurahan
from gotong.transparency.evidence_subjects import (
    evidence_photo_rule_register,
    evidence_subject_register,
)

from .models import Need
from .selectors import need_get, need_list_for_user, need_open_in_areas_of, needs_photos_public


def need_evidence_allowed(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """A role over the need's RT (NotFound when the need is not in this kelurahan)."""
    need = need_get(kelurahan=kelurahan, pk=subject_id)
    return permission_holds_over(user, "needs.fulfil", need.rt)


def need_label(need: Need) -> str:
    """How a need is named in the evidence select: category, RT and number, never a name."""
    return _("Need: %(category)s · %(rt)s · #%(id)s") % {
        "category": need.get_category_display(),
        "rt": need.rt,
        "id": need.pk,
    }


def need_evidence_subjects(*, user: Any, kelurahan: Kelurahan) -> list[tuple[str, str]]:
    """Open needs over whose RT the user holds ``needs.fulfil``, newest first."""
    return [
        (f"need:{need.pk}", need_label(need))
        for need in need_open_in_areas_of(kelurahan=kelurahan, user=user)
        if permission_holds_over(user, "needs.fulfil", need.rt)
    ]


def need_photos_public(*, kelurahan: Kelurahan, subject_ids: set[int]) -> set[int]:
    """The photo rule for ``need:N`` subjects."""
    return needs_photos_public(kelurahan=kelurahan, need_ids=subject_ids)


evidence_subject_register("need", need_evidence_allowed, need_evidence_subjects)


def need_photo_viewer(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """The resident a need is for (or their household) and whoever raised it see its
    photos even when they are not public."""
    return need_list_for_user(kelurahan=kelurahan, user=user).filter(pk=subject_id).exists()


evidence_photo_rule_register("need", need_photos_public, need_photo_viewer)

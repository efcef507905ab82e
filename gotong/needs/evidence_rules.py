"""Who may hand in evidence about a need (registered with transparency from ``ready``).

The RT head of the need's RT, the RW head over it and the kelurahan officers who record
fulfilment (``needs.fulfil``). The team of an activity serving the need is allowed by the
activities app's own check for ``need``.
"""

from typing import Any

from gotong.accounts.permissions import permission_holds_over
from gotong.territory.models import Kelurahan
from gotong.transparency.evidence_subjects import evidence_subject_register

from .selectors import need_get


def need_evidence_allowed(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """A role over the need's RT (NotFound when the need is not in this kelurahan)."""
    need = need_get(kelurahan=kelurahan, pk=subject_id)
    return permission_holds_over(user, "needs.fulfil", need.rt)


evidence_subject_register("need", need_evidence_allowed)

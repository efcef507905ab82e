"""Insights use-cases.

- ``score_review_record``: an RT head or operator confirms or dismisses the use of a
  household's vulnerability score in a decision (early-warning visit, priority); the
  review keeps the score as shown and is logged. Scores never act on their own.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role, permission_require
from gotong.core.exceptions import ValidationFailed
from gotong.registry.models import Household
from gotong.transparency.services import entry_record

from .models import ReviewDecision, ReviewPurpose, ScoreReview
from .score import MODEL_VERSION
from .selectors import household_insight


@transaction.atomic
def score_review_record(
    *, actor: Any, household: Household, purpose: str, decision: str, note: str = ""
) -> ScoreReview:
    """A person decides whether to act on a household's score; the decision is logged."""
    permission_require(actor, "insights.review", household.rt)
    if purpose not in ReviewPurpose.values:
        raise ValidationFailed(_("Choose what the score is used for."), {"field": "purpose"})
    if decision not in ReviewDecision.values:
        raise ValidationFailed(_("Confirm or dismiss."), {"field": "decision"})
    note = (note or "").strip()
    if decision == ReviewDecision.DISMISSED and not note:
        raise ValidationFailed(_("Say why the score does not fit."), {"field": "note"})
    insight = household_insight(kelurahan=household.kelurahan, household=household)
    role = acting_role(actor, "insights.review", household.rt)
    review = ScoreReview.objects.create(
        kelurahan=household.kelurahan,
        household=household,
        purpose=purpose,
        decision=decision,
        note=note[:300],
        score_total=insight.score.total,
        score_parts=[{"code": p.code, "points": p.points} for p in insight.score.parts],
        model_version=MODEL_VERSION,
        reviewed_by=actor,
        role=role,
    )
    # Public entry: the total and the decision only. The factors can be health details
    # (chronic illness, pregnancy) and stay on the private review row.
    entry = entry_record(
        kelurahan=household.kelurahan,
        type="insights.score_reviewed",
        actor=actor,
        role=role,
        subject=f"household:{household.pk}",
        data={
            "purpose": purpose,
            "decision": decision,
            "score": insight.score.total,
            "model": MODEL_VERSION,
            "rw": household.rt.rw.number,
        },
    )
    review.log_index = entry.index
    review.save(update_fields=["log_index"])
    return review

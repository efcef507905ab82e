"""Entry types of the matching app (imported from ``MatchingConfig.ready``).

Rounds and proposals are logged as ids, scores and reason codes; never names.
"""

from gotong.needs.models import Category
from gotong.transparency.log_schema import (
    BOOL,
    COUNT,
    ID,
    NUMBER,
    REF,
    SLUG,
    entry_types_declare,
    enum,
    list_of,
    mapping,
)

from .models import ProposalStatus

_PARTS = mapping(SLUG, NUMBER)
_PROPOSAL = {"id": ID, "demand": REF, "resource": REF, "score": NUMBER, "parts": _PARTS}
_CLOSED = {"proposal": ID, "resource": REF, "activity": REF}

entry_types_declare(
    {
        "matching.policy_set": {
            "weights": _PARTS,
            "radius_km": NUMBER,
            "fairness_days": COUNT,
            "invitation_timeout_hours": COUNT,
            "round_interval_hours": COUNT,
            "category_skills": mapping(enum(Category), list_of(SLUG)),
        },
        "matching.round": {
            "trigger": SLUG,
            "demands": COUNT,
            "resources": COUNT,
            "proposed": COUNT,
            "unmatched": COUNT,
            "total_score": NUMBER,
            "greedy_score": NUMBER,
            "weights": _PARTS,
            "radius_km": NUMBER,
            "reasons": list_of(SLUG),
            "unmatched_by_reason": mapping(SLUG, COUNT),
            "proposals": list_of(_PROPOSAL),
        },
        "matching.rematched": {
            "round": ID,
            "proposals": list_of(_PROPOSAL),
            "unmatched": list_of(SLUG),
        },
        "matching.confirmed": {
            "proposal": ID,
            "round": ID,
            "resource": REF,
            "edited": BOOL,
            "score": NUMBER,
            "parts": _PARTS,
            "activity": REF,
        },
        "matching.rejected": {"proposal": ID, "round": ID, "resource": REF, "score": NUMBER},
        # A confirmed proposal the volunteer declined or left unanswered.
        **{f"matching.{s}": _CLOSED for s in (ProposalStatus.DECLINED, ProposalStatus.EXPIRED)},
    }
)

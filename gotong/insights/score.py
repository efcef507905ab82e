"""The household vulnerability score: a sum of named, weighted factors (no Django imports).

Explainable by construction: the score is exactly the sum of the parts it shows, each with
the facts behind it. It ranks households for a person's review; it decides nothing.
"""

from dataclasses import dataclass, field
from typing import Any

MODEL_VERSION = "v1"
# (code, points per household, label). Weights follow the documents' priority groups
# (lansia, disabilitas, sakit kronis, ibu hamil, balita, PHK) and the welfare decile.
FACTORS: dict[str, int] = {
    "elderly": 15,
    "disability": 20,
    "chronic_illness": 15,
    "pregnant": 10,
    "child_under_five": 10,
    "lost_job": 20,
    "decile_1_2": 15,
    "decile_3_4": 10,
    "large_household": 5,
    "no_aid_for_long": 10,
}
FLAG_FACTORS = {
    "is_elderly": "elderly",
    "has_disability": "disability",
    "has_chronic_illness": "chronic_illness",
    "is_pregnant": "pregnant",
    "is_child_under_five": "child_under_five",
    "lost_job": "lost_job",
}
MAX_SCORE = 100
NO_AID_DAYS = 90


@dataclass
class Part:
    code: str
    points: int
    facts: dict[str, Any]


@dataclass
class Score:
    total: int
    parts: list[Part] = field(default_factory=list)
    capped: bool = False


def household_score(
    *,
    members: list[dict[str, Any]],
    size: int,
    days_since_aid: int | None,
    waiting_needs: int,
) -> Score:
    """Score one household from its members' flags and its aid history.

    ``members``: dicts with the registry flags and ``welfare_decile``; ``days_since_aid``:
    days since help was last delivered (None: never); ``waiting_needs``: open needs.
    """
    parts: list[Part] = []
    for flag, code in FLAG_FACTORS.items():
        count = sum(1 for m in members if m.get(flag))
        if count:
            parts.append(Part(code, FACTORS[code], {"members": count}))
    deciles = [m["welfare_decile"] for m in members if m.get("welfare_decile")]
    if deciles:
        lowest = min(deciles)
        if lowest <= 2:
            parts.append(Part("decile_1_2", FACTORS["decile_1_2"], {"decile": lowest}))
        elif lowest <= 4:
            parts.append(Part("decile_3_4", FACTORS["decile_3_4"], {"decile": lowest}))
    if size >= 6:
        parts.append(Part("large_household", FACTORS["large_household"], {"size": size}))
    if waiting_needs and (days_since_aid is None or days_since_aid >= NO_AID_DAYS):
        parts.append(
            Part(
                "no_aid_for_long",
                FACTORS["no_aid_for_long"],
                {"days_since_aid": days_since_aid, "waiting_needs": waiting_needs},
            )
        )
    raw = sum(p.points for p in parts)
    return Score(total=min(raw, MAX_SCORE), parts=parts, capped=raw > MAX_SCORE)

"""Entry types of the insights app (imported from ``InsightsConfig.ready``).

A score review logs purpose, decision, total and model version; the factors and any
typed reason stay on the private review row.
"""

from gotong.transparency.log_schema import COUNT, NUMBER, SLUG, entry_types_declare

entry_types_declare(
    {
        "insights.score_reviewed": {
            "purpose": SLUG,
            "decision": SLUG,
            "score": NUMBER,
            "model": SLUG,
            "rw": COUNT,
        }
    }
)

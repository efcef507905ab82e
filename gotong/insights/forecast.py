"""Weekly demand forecast per RW and category, validated against a naive baseline (no
Django imports).

Model: the mean of the last ``WINDOW`` weeks. Baseline: last week's count. Validation:
rolling origin over the last ``HOLDOUT`` weeks: each held-out week is forecast from the
weeks before it only, and the mean absolute error of both is reported with a verdict.
"""

from dataclasses import dataclass

WINDOW = 4
HOLDOUT = 4


def moving_average(history: list[int], window: int = WINDOW) -> float:
    recent = history[-window:]
    return sum(recent) / len(recent) if recent else 0.0


def naive(history: list[int]) -> float:
    return float(history[-1]) if history else 0.0


@dataclass
class Validation:
    weeks: int
    series: int
    mae_model: float
    mae_naive: float

    @property
    def verdict(self) -> str:
        """ "beats", "ties" or "worse" (the model against the naive baseline)."""
        if abs(self.mae_model - self.mae_naive) < 1e-9:
            return "ties"
        return "beats" if self.mae_model < self.mae_naive else "worse"


def validate(series: dict[tuple[str, str], list[int]], holdout: int = HOLDOUT) -> Validation:
    """MAE of the model and of the naive baseline on the last ``holdout`` weeks."""
    model_errors: list[float] = []
    naive_errors: list[float] = []
    for counts in series.values():
        for t in range(max(len(counts) - holdout, 1), len(counts)):
            history = counts[:t]
            model_errors.append(abs(moving_average(history) - counts[t]))
            naive_errors.append(abs(naive(history) - counts[t]))
    n = len(model_errors) or 1
    return Validation(
        weeks=holdout,
        series=len(series),
        mae_model=round(sum(model_errors) / n, 3),
        mae_naive=round(sum(naive_errors) / n, 3),
    )


def forecast_next(series: dict[tuple[str, str], list[int]]) -> dict[tuple[str, str], float]:
    """Next week's expected count per (RW, category)."""
    return {key: round(moving_average(counts), 2) for key, counts in series.items()}

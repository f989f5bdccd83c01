"""Weights by raking (iterative proportional fitting) with a cap, as anesrake does.

Targets. For each variable in ``weighting.by`` the population counts are scaled
to the sample size: ``target[c] = N[c] / ΣN · n``. So every margin sums to n and
the mean weight is 1.

Raking loop (one iteration):

1. for each variable in turn, multiply every respondent's weight by
   ``target[c] / Σ weights in c`` for their category c;
2. cap: weights above ``cap × mean weight`` are set to ``cap`` and the other
   weights are scaled up so the mean stays 1. The capped set is the smallest
   set for which no other weight then exceeds the cap (computed exactly);
3. stop when the largest relative change of any weight during the iteration
   is below 1e-6; after 1000 iterations without that, it is an error.

Capping inside the loop (like anesrake) means the raking of the next iteration
spreads what the capped respondents lose over the others in their categories.
When the cap binds hard, the margins can be met only approximately;
``margin_gap`` reports the largest remaining difference (percentage points).

Summary figures: Kish design effect ``deff = n·Σw² / (Σw)²`` and effective
sample size ``n_eff = (Σw)² / Σw²`` (equal to n when all weights are equal).
Without ``weighting`` every weight is 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from panelsite.errors import DataError
from panelsite.surveys.figures import WeightingSummary  # re-exported: defined where pages read it, free of pandas
from panelsite.surveys.margins import check_margins

TOLERANCE = 1e-6
MAX_ITERATIONS = 1000


class NotConverged(Exception):
    def __init__(self, change: float):
        super().__init__(change)
        self.change = change


def cap_weights(weights: np.ndarray, cap: float) -> np.ndarray:
    """Scale to mean 1, set weights above ``cap`` to ``cap`` and scale the rest up
    so the mean stays 1 (exact: the smallest capped set that leaves no weight above cap)."""
    n = len(weights)
    w = weights * (n / weights.sum())
    if w.max() <= cap:
        return w
    order = np.argsort(-w)
    ranked = w[order]
    k = np.arange(n)  # number of capped respondents
    rest = ranked.sum() - np.concatenate(([0.0], np.cumsum(ranked)[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = (n - k * cap) / rest
    fits = (scale * ranked <= cap * (1 + 1e-12)) & (scale > 0)
    capped = int(np.argmax(fits)) if fits.any() else n
    out = ranked * (scale[capped] if capped < n else 0.0)
    out[:capped] = cap
    result = np.empty(n)
    result[order] = out
    return result


def rake(categories: list[np.ndarray], targets: list[np.ndarray], cap: float | None = None,
         tolerance: float = TOLERANCE, max_iterations: int = MAX_ITERATIONS) -> tuple[np.ndarray, int]:
    """Raking weights for respondents with category indexes ``categories[v]`` (0-based)
    to the margins ``targets[v]`` (each summing to n). Returns (weights, iterations).
    Raises NotConverged after ``max_iterations``."""
    n = len(categories[0])
    w = np.ones(n)
    change = np.inf
    difference = np.empty(n)
    for iteration in range(1, max_iterations + 1):
        previous = w
        for idx, target in zip(categories, targets):
            sums = np.bincount(idx, weights=w, minlength=len(target))
            factor = np.divide(target, sums, out=np.zeros(len(target)), where=sums > 0)
            w = w * factor.take(idx)
        if cap is not None:
            w = cap_weights(w, cap)
        np.subtract(w, previous, out=difference)
        np.abs(difference, out=difference)
        difference /= np.maximum(previous, 1e-300)
        change = float(difference.max())
        if change < tolerance:
            return w, iteration
    raise NotConverged(change)


def category_codes(column: pd.Series) -> np.ndarray:
    """``column.cat.codes`` as a numpy array, without the Series pandas builds around it."""
    return column.array.codes


def category_counts(responses: pd.DataFrame, variables) -> dict[str, dict]:
    """Respondents per category of each of ``variables`` (for margins.check_margins)."""
    return {v: {k: int(n) for k, n in dict(_category_counts(responses[v])).items()} for v in variables}


def _category_counts(column: pd.Series):
    """Respondents per category, like ``column.value_counts()``, from a Categorical's codes."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.value_counts()
    categories = column.array.categories.tolist()
    counts = np.bincount(column.array.codes.astype(np.intp) + 1, minlength=len(categories) + 1)  # bin 0: no category
    return dict(zip(categories, counts[1:].tolist()))


def weigh(survey, municipality) -> tuple[np.ndarray, WeightingSummary]:
    """Weights for every respondent of ``survey`` and their summary."""
    n = len(survey.responses) if survey.has_responses else 0
    if not survey.weighting or n == 0:
        return np.ones(n), summarise(np.ones(n), survey, [], None, 0, 0.0)
    problems = check_margins(survey, municipality, category_counts(survey.responses, survey.weighting.by))
    if problems:
        raise DataError(problems)
    by, cap = list(survey.weighting.by), survey.weighting.cap
    categories, targets = [], []
    for var in by:
        population = np.array(list(municipality.population.variables[var].values()), dtype=float)
        categories.append(category_codes(survey.responses[var]).astype(np.intp))
        targets.append(population / population.sum() * n)
    try:
        weights, iterations = rake(categories, targets, cap, max_iterations=MAX_ITERATIONS)
    except NotConverged as exc:
        raise DataError(survey.problem(
            "weighting",
            f"weighting did not converge after {MAX_ITERATIONS} iterations (largest relative change in the last one: "
            f"{exc.change:.2g}; "
            "expected the weights to settle: check categories with very few respondents, or weight by fewer variables)",
        )) from None
    gap = 0.0
    for idx, target in zip(categories, targets):
        achieved = np.bincount(idx, weights=weights, minlength=len(target))
        gap = max(gap, float(np.max(np.abs(achieved - target)) / n * 100))
    capped = int(np.sum(weights >= cap * weights.mean() * (1 - 1e-9))) if cap else 0
    return weights, summarise(weights, survey, by, cap, iterations, gap, capped)


def summarise(weights: np.ndarray, survey, by, cap, iterations: int, gap: float, capped: int = 0) -> WeightingSummary:
    n = len(weights)
    total, squares = float(weights.sum()), float(np.sum(weights**2))
    return WeightingSummary(
        weighted=bool(by),
        by=list(by),
        cap=cap,
        n=n,
        invited=survey.invited,
        response_rate=n / survey.invited * 100 if survey.invited else None,
        deff=n * squares / total**2 if n else None,
        n_eff=total**2 / squares if n else None,
        min_weight=float(weights.min()) if n else None,
        max_weight=float(weights.max()) if n else None,
        iterations=iterations,
        capped=capped,
        margin_gap=gap,
    )

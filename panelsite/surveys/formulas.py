"""The statistical formulas of the estimates (see :mod:`panelsite.surveys.estimates`).

Wilson score intervals for shares, one at a time and for arrays of shares
(bit for bit the same floats), the weighted median, and the weighted mean with
its interval from a design-based standard error.
"""

from __future__ import annotations

import math

import numpy as np

from panelsite.surveys.figures import LINEARISATION, Estimate

Z = 1.959963984540054


def wilson(p: float, n: float, z: float = Z) -> tuple[float, float]:
    """95% Wilson score interval for share p (0–1) on (effective) sample size n."""
    if not n or n <= 0:
        return (math.nan, math.nan)
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n))
    # Mathematically low <= p <= high; clamp so rounding noise (p = 0 giving
    # 4e-17) never puts the estimate outside its own interval.
    return (min(max(0.0, centre - half), p), max(min(1.0, centre + half), p))


def wilson_arrays(p: np.ndarray, n: np.ndarray, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """``wilson`` for many shares at once (p and n broadcast together).

    The same operations in the same order, and ``np.where`` picks as Python's
    min and max do (also for NaN), so every bound is the very float ``wilson`` gives.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        spread = p * (1 - p)
        half = z / denominator * np.sqrt(np.where(0.0 > spread, 0.0, spread) / n + z2 / (4 * n * n))
        low, high = centre - half, centre + half
    low = np.where(low > 0.0, low, 0.0)
    low = np.where(p < low, p, low)
    high = np.where(high < 1.0, high, 1.0)
    high = np.where(p > high, p, high)
    undefined = n <= 0
    return np.where(undefined, math.nan, low), np.where(undefined, math.nan, high)


def weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x, kind="stable")
    return sorted_median(x[order], w[order])


def sorted_median(x: np.ndarray, w: np.ndarray) -> float:
    """``weighted_median`` of values already sorted (stably), with their weights."""
    cum = np.cumsum(w)
    half = cum[-1] / 2
    i = int(np.searchsorted(cum, half * (1 - 1e-12)))
    if abs(cum[i] - half) <= 1e-9 * cum[-1] and i + 1 < len(x):
        return float((x[i] + x[i + 1]) / 2)
    return float(x[i])


def weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.dot(w, x) / w.sum())


def mean_interval(m: float, se: float) -> Estimate:
    """A mean with its 95% interval ``m ± z·SE`` (SE design-based, see :mod:`panelsite.surveys.design`)."""
    return Estimate(m, m - Z * se, m + Z * se, se, LINEARISATION)

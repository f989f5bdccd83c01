"""Significance tests: differences (z test) and the Rao–Scott test of an answer distribution.

All tests are two-sided at 5% (``ALPHA``), as research agencies report them.

* A difference ``d`` with standard error ``se`` (a group against the rest of the
  municipality, or a change between two rounds): ``z = d / se``,
  ``p = 2·(1 − Φ(|z|))``; significant when ``p < 0.05``.
* The answer distribution of a group against the rest: Pearson's X² of the
  weighted 2 × K table (group/rest × answers), with the Rao–Scott second-order
  correction, as R's ``svychisq(~group + answer, design)`` with its default
  ``statistic = "F"``: with π the cell shares of the base, V their design-based
  covariance (:mod:`design`), D = diag(π) and C a basis of the interaction
  contrasts of the table,
  ``Δ = (C'D⁻¹C)⁻¹ (C'D⁻¹VD⁻¹C)`` (times the base size, which cancels),
  ``F = X² / tr Δ`` on ``d₀ = (tr Δ)² / tr Δ²`` and ``d₀·ν`` degrees of freedom,
  with ``ν`` the respondents of the base minus one (R's ``degf`` of the base).
"""

from __future__ import annotations

import math

import numpy as np

# SciPy (a third of a second to import) is imported in the functions that test: a build that
# renders a content page again, and computes no figure, never loads it.
from panelsite.surveys.design import Design
from panelsite.surveys.figures import Comparison, DistributionTest

ALPHA = 0.05


def compare(diff: float, se: float) -> Comparison | None:
    """The z test of a difference; None when it has no standard error (then nothing can be said)."""
    from scipy import special

    if not (math.isfinite(diff) and math.isfinite(se)) or se <= 0:
        return None
    p = float(special.erfc(abs(diff) / se / math.sqrt(2)))
    return Comparison(diff, se, p, p < ALPHA)


def compare_arrays(diff: np.ndarray, se: np.ndarray) -> list[Comparison | None]:
    """``compare`` for many differences at once."""
    from scipy import special

    with np.errstate(divide="ignore", invalid="ignore"):
        p = special.erfc(np.abs(diff) / se / math.sqrt(2))
    ok = np.isfinite(diff) & np.isfinite(se) & (se > 0)
    return [Comparison(d, s, q, q < ALPHA) if good else None
            for d, s, q, good in zip(diff.tolist(), se.tolist(), p.tolist(), ok.tolist())]


def rao_scott(design: Design, m: float, df: float, counts: np.ndarray, squares: np.ndarray,
              cell_squares: np.ndarray, cell_weights: np.ndarray) -> list[DistributionTest | None]:
    """The Rao–Scott F test of each of G groups against its rest.

    Per group, for the two sides (0: the group, 1: the rest) and K answers: ``counts`` and
    ``squares`` (G, 2, C, K) per weighting category, ``cell_squares`` (Σw²) and
    ``cell_weights`` (Σw) (G, 2, K). ``m``: respondents of the design (see
    :meth:`Design.rows`); ``df``: ν. Answers nobody in the base gave are left out (as R's
    table has no such column); fewer than two answers left: no test.
    """
    from scipy import special

    g, _, size, k = counts.shape
    used = cell_weights.sum(axis=(0, 1)) > 0
    if g == 0 or used.sum() < 2:
        return [None] * g
    counts, squares = counts[..., used], squares[..., used]
    cell_squares, cell_weights = cell_squares[..., used], cell_weights[..., used]
    k = int(used.sum())
    cells = 2 * k
    total = cell_weights.sum(axis=(1, 2))  # G: W of the base
    pi = (cell_weights / total[:, None, None]).reshape(g, cells)
    per_category = counts.sum(axis=(1, 3))  # G, C: respondents of the base per weighting category
    squares_per_category = squares.sum(axis=(1, 3))
    per_cell = total[:, None, None]
    a = (counts.transpose(0, 2, 1, 3).reshape(g, size, cells) - pi[:, None, :] * per_category[:, :, None]) / per_cell
    b = (squares.transpose(0, 2, 1, 3).reshape(g, size, cells)
         - pi[:, None, :] * squares_per_category[:, :, None]) / per_cell
    q = cell_squares.reshape(g, cells)
    q0 = q.sum(axis=1)
    s = (q[:, :, None] * np.eye(cells) - pi[:, :, None] * q[:, None, :] - q[:, :, None] * pi[:, None, :]
         + q0[:, None, None] * pi[:, :, None] * pi[:, None, :]) / (total * total)[:, None, None]
    v = design.covariance(a, b, s, m)
    contrasts = _interaction_contrasts(k)  # cells × (k − 1)
    inverse = np.where(pi > 0, 1 / np.where(pi > 0, pi, 1), 0.0)  # R: 0 for an empty cell
    weighted = contrasts[None, :, :] * inverse[:, :, None]  # D⁻¹C
    denominator = contrasts.T @ weighted  # C'D⁻¹C per group
    numerator = weighted.transpose(0, 2, 1) @ v @ weighted  # C'D⁻¹VD⁻¹C
    table = pi.reshape(g, 2, k)
    expected = table.sum(axis=2)[:, :, None] * table.sum(axis=1)[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.sum((table - expected) ** 2 / expected, axis=(1, 2))
    out: list[DistributionTest | None] = []
    for i in range(g):
        try:
            delta = np.linalg.solve(denominator[i], numerator[i])
        except np.linalg.LinAlgError:
            out.append(None)
            continue
        trace, trace2 = float(np.trace(delta)), float(np.sum(delta * delta.T))  # tr Δ, tr Δ²
        if not (trace > 0 and trace2 > 0 and math.isfinite(pearson[i])):
            out.append(None)
            continue
        f = float(pearson[i]) / trace
        ndf = trace * trace / trace2
        p = float(special.fdtrc(ndf, ndf * df, f))
        out.append(DistributionTest(f, ndf, ndf * df, p, p < ALPHA))
    return out


def _interaction_contrasts(k: int) -> np.ndarray:
    """A basis of the interaction contrasts of a 2 × k table, cells in (side, answer) order:
    the interaction columns of ``~side * answer`` without what the main effects explain
    (R's ``qr.resid(qr(X1), X12[, interaction])``)."""
    side = np.repeat([0.0, 1.0], k)
    answer = np.tile(np.arange(k), 2)
    dummies = (answer[:, None] == np.arange(1, k)[None, :]).astype(float)
    main = np.column_stack([np.ones(2 * k), side, dummies])
    interaction = dummies * side[:, None]
    fit, *_ = np.linalg.lstsq(main, interaction, rcond=None)
    return interaction - main @ fit

"""Design-based variances of a raked round, by linearisation (as R's survey package computes them).

The reference is ``rake()`` then ``svymean()`` in R's survey package (4.x), for a
panel round without design weights (``svydesign(ids = ~1)``: every respondent is
a primary sampling unit, drawn with replacement, no strata, no finite population
correction).

A weighted share or mean over a base d (the valid answers of a question, in the
total or in one group) is ``θ = Σ w·d·y / W`` with ``W = Σ w·d``. Its influence
on the estimate, per respondent, is ``u = d·(y − θ) / W``. Raking adjusts for
the weighting margins: the residual of ``u`` regressed (unweighted least squares)
on the indicators of every category of every weighting variable,
``e = u − X·β`` with ``β = (X'X)⁺ X'u``. That is the limit R reaches by
projecting out one margin after another (``svyrecvar`` iterates those
projections ten times, which agrees to rounding); it is the calibration
(g-weight) residual of Deville and Särndal with equal design weights. Then, with
``z = w·e`` over all ``m`` respondents of the design::

    Var(θ) = m/(m − 1) · Σ (z − z̄)²

Everything here is computed from small tables instead of respondent arrays:
``Σ z² = Σ w²u² − 2β'(X'W²u) + β'(X'W²X)β`` and ``Σ z = −(X'w)'β``, so a
statistic needs only ``a = X'u`` and ``b = X'W²u`` (one number per weighting
category) and ``s = Σ w²u²``. Those come from counts and sums of squared
weights per base, weighting category and answer (see :mod:`tables`), so every
share of every base of a survey gets its variance in a few array operations.

A group, and the valid answers of a question, are domains of the whole round:
``m`` is every respondent of the round, whatever the base. (R keeps the other
respondents with weight 0 when it subsets a calibrated design; an uncalibrated
one it subsets by dropping them, but keeps the round's number of sampling units
for the variance, which comes to the same.) Without weighting there is no
projection and ``Var(θ) = m/(m − 1) · s``.

Covariances follow the same formula with vectors: two statistics j and l have
``m/(m − 1) · (Σ z_j z_l − Σz_j Σz_l / m)``; the Rao–Scott test of
:mod:`significance` uses that for the answer distribution of a group and the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Design:
    """What the variances need of a round's weighting: the weights and its margins' indicators."""

    weights: np.ndarray
    categories: np.ndarray  # margins × respondents: category index, offset so all margins share 0..C−1
    size: int  # C: categories over all weighting variables
    pinv: np.ndarray  # (X'X)⁺, C × C (X: respondents × C indicators)
    squares: np.ndarray  # X'W²X, C × C
    totals: np.ndarray  # X'w, C

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def raked(self) -> bool:
        return self.size > 0

    @classmethod
    def of(cls, weights: np.ndarray, margins: list[np.ndarray]) -> "Design":
        """The design of respondents with ``weights`` raked to ``margins`` (category indexes, 0-based;
        none for an unweighted round)."""
        n = len(weights)
        sizes = [int(codes.max()) + 1 if n else 0 for codes in margins]
        offsets = np.concatenate(([0], np.cumsum(sizes)))[:-1].astype(np.intp)
        size = int(sum(sizes))
        categories = np.array([codes + offset for codes, offset in zip(margins, offsets)],
                              dtype=np.intp).reshape(len(margins), n)
        x = np.zeros((n, size))
        for row in categories:
            x[np.arange(n), row] = 1.0
        return cls(
            weights=weights,
            categories=categories,
            size=size,
            pinv=np.linalg.pinv(x.T @ x, hermitian=True) if size else np.zeros((0, 0)),
            squares=x.T @ (x * (weights * weights)[:, None]),
            totals=weights @ x,
        )

    def variance(self, a: np.ndarray, b: np.ndarray, s: np.ndarray, m) -> np.ndarray:
        """Var of many statistics at once: ``a`` and ``b`` (…, C), ``s`` (…), ``m`` broadcasting with s.

        NaN where ``m`` is below 2 (no variance from one respondent).
        """
        ss = np.asarray(s, dtype=float)
        if self.raked:
            beta = a @ self.pinv
            ss = ss - 2 * (beta * b).sum(axis=-1) + (beta @ self.squares * beta).sum(axis=-1)
            sz = beta @ self.totals
        else:
            sz = 0.0
        m = np.asarray(m, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(m > 1, m / (m - 1) * (ss - sz * sz / np.where(m > 0, m, 1)), np.nan)
        return np.maximum(v, 0.0)  # rounding can leave −1e-20 where the variance is 0

    def covariance(self, a: np.ndarray, b: np.ndarray, s: np.ndarray, m: float) -> np.ndarray:
        """Covariance matrices of J statistics, for each of G sets: ``a`` and ``b`` (G, C, J),
        ``s`` (G, J, J) = Σ w²·u_j·u_l."""
        zz = np.array(s, dtype=float)
        if self.raked:
            # Products of stacked matrices (matmul): an einsum of three operands is ten times slower here.
            beta = self.pinv @ a  # G, C, J
            beta_t = beta.transpose(0, 2, 1)
            cross = beta_t @ b
            zz = zz - cross - cross.transpose(0, 2, 1) + beta_t @ self.squares @ beta
            sz = self.totals @ beta  # G, J
        else:
            sz = np.zeros(zz.shape[:2])
        return m / (m - 1) * (zz - sz[:, :, None] * sz[:, None, :] / m)


def influence_terms(counts: np.ndarray, squares: np.ndarray, row_squares: np.ndarray, levels: np.ndarray,
                    theta: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``a``, ``b`` and ``s`` of statistics ``θ = Σ w·y / W`` with y a function of a coded answer.

    ``counts`` and ``squares``: respondents and Σw² per base, weighting category and answer
    (B, C, V); ``row_squares``: Σw² per base and answer (B, V); ``levels`` (J, V): the y of
    each statistic for each answer (1/0 for a share, the grade for a mean); ``theta`` (B, J)
    and ``total`` (B,) = W. Returns a, b (B, C, J) and s (B, J).
    """
    deviation = levels[None, :, :] - theta[:, :, None]  # B, J, V: y − θ per answer
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 / total
        transposed = deviation.transpose(0, 2, 1)
        a = (counts @ transposed) * scale[:, None, None]
        b = (squares @ transposed) * scale[:, None, None]
        s = ((deviation * deviation) @ row_squares[:, :, None])[:, :, 0] * (scale * scale)[:, None]
    return a, b, s

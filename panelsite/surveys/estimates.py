"""Weighted figures per question, for the total and per breakdown group.

Bases. A question's *valid base* is everyone who meets its filter and gave a
real answer (not empty, not a missing code). For multi questions: everyone
meeting the filter with a value in at least one option column. Missing codes
("weet niet") are reported apart, as the weighted % of those who meet the
filter and answered at all (real answer or missing code).

Formulas, with weights w over the base:

* option %: ``p = Σw(chose option) / Σw``; for multi: of respondents in the
  base (options can sum past 100%);
* n_eff of the base: ``(Σw)² / Σw²``;
* 95% Wilson interval for a share p on n_eff, z = 1.959963984540054::

      centre = (p + z²/2n) / (1 + z²/n)
      half   = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)

* scale: top-2 = share choosing one of the two highest codes (Wilson CI);
* key figure: share choosing any of ``Question.key_codes`` (default: top-2
  for scale, the first option for single and multi), mean for grade/number;
* grade and number: weighted mean ``m = Σwx/Σw`` with CI ``m ± z·√(var_w/n_eff)``
  where ``var_w = Σw(x−m)²/Σw``; weighted median = the smallest value whose
  cumulative weight reaches half the total (the average of two values when
  the cumulative weight is exactly half, so equal weights give the usual median);
* grade: share 8 or higher and share below 6 ("onvoldoende"), Wilson CIs.

Disclosure control (per question). A base of fewer than ``min_n`` respondents
(unweighted) is suppressed: present, ``suppressed=True``, no figures. If exactly
one group of a breakdown is suppressed (and it has respondents), the next
smallest group (on a tie: the first in population order) is suppressed too, so the first cannot be derived from the
total. Bases under ``indicative_n`` are marked ``indicative``. Percentages are
0–100 everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..disclosure import hidden
from ..errors import ConfigError, Problem, did_you_mean
from .definition import GRADES, Question, Survey
from .weighting import WeightingSummary, weigh

Z = 1.959963984540054
STATS = ("pct", "top2", "mean", "share_8plus", "share_below6", "median")


@dataclass
class Estimate:
    """A share (percent) or mean with its 95% confidence interval."""

    value: float
    ci_low: float
    ci_high: float

    @property
    def margin(self) -> float:
        """Half the width of the interval (the "± x" figure)."""
        return (self.ci_high - self.ci_low) / 2


@dataclass
class OptionResult:
    code: int | str
    label: str
    n: int  # unweighted respondents choosing it
    pct: float  # weighted percent of the valid base
    ci_low: float
    ci_high: float


@dataclass
class MissingResult:
    code: int | str
    label: str
    n: int
    pct: float  # weighted percent of those who answered (including missing codes)


@dataclass
class Figures:
    """Every figure of one question for one base: the total or a breakdown group."""

    group: str | None  # category of the breakdown variable; None for the total
    n: int  # unweighted respondents in the valid base (for open: answers)
    suppressed: bool = False
    indicative: bool = False
    n_eff: float | None = None
    options: list[OptionResult] = field(default_factory=list)  # single, multi, scale; grade 1–10
    missing: list[MissingResult] = field(default_factory=list)
    key: Estimate | None = None  # key figure (see Question.key_codes / key_stat)
    top2: Estimate | None = None  # scale
    mean: Estimate | None = None  # grade, number
    median: float | None = None  # grade, number
    share_8plus: Estimate | None = None  # grade
    share_below6: Estimate | None = None  # grade


@dataclass
class QuestionResult:
    question: Question
    total: Figures
    breakdowns: dict[str, list[Figures]]  # variable -> groups in population order

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def text(self) -> str:
        return self.question.text

    @property
    def type(self) -> str:
        return self.question.type


class UnknownFigure(ConfigError, KeyError):
    """A factsheet asked for a question, option or statistic that does not exist."""

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class SurveyResults:
    survey: Survey
    weighting: WeightingSummary
    questions: list[QuestionResult]
    min_n: int
    indicative_n: int
    population_source: str | None
    population_date: object

    @property
    def has_responses(self) -> bool:
        return self.weighting.n > 0

    @property
    def largest_margin(self) -> float | None:
        """The largest ± (percentage points) of any published share of the totals."""
        margins = [
            (o.ci_high - o.ci_low) / 2
            for r in self.questions
            if not r.total.suppressed
            for o in r.total.options
        ]
        return max(margins) if margins else None

    def question(self, question_id: str) -> QuestionResult:
        for r in self.questions:
            if r.id == question_id:
                return r
        ids = [r.id for r in self.questions]
        raise self._unknown(f'unknown question "{question_id}" in survey {self.survey.id}{did_you_mean(question_id, ids)} (expected one of {", ".join(ids)})')

    def figure(self, question_id: str, codes=None, stat: str | None = None) -> float:
        """One number for a highlight: ``stat`` in STATS; ``pct`` sums the % of ``codes``.

        Without stat: the % of ``codes`` if given, else the key figure. Returns NaN
        when the figure is suppressed or there are no responses yet.
        """
        result = self.question(question_id)
        q, total = result.question, result.total
        if stat is None:
            stat = "pct" if codes is not None or q.key_stat == "pct" else q.key_stat
        available = available_stats(q)
        if stat not in available:
            expected = ", ".join(available) if available else "none: open answers have no figures"
            raise self._unknown(f'statistic "{stat}" is not available for {q.id}, a {q.type} question (expected {expected})')
        if stat == "pct":
            codes = q.key_codes if codes is None else (codes if isinstance(codes, (list, tuple, set)) else [codes])
            for code in codes:
                if code not in q.options and not (q.type == "grade" and code in GRADES):
                    raise self._unknown(f"unknown option {code!r} of question {q.id} (expected one of {', '.join(map(str, q.options or GRADES))})")
        if total.suppressed:
            return math.nan
        if stat == "pct":
            return float(sum(o.pct for o in total.options if o.code in codes))
        value = getattr(total, stat)
        return float(value if stat == "median" else value.value)

    def _unknown(self, message: str) -> UnknownFigure:
        return UnknownFigure(Problem(self.survey.yaml_file, message))


def available_stats(q: Question) -> list[str]:
    return {
        "single": ["pct"],
        "multi": ["pct"],
        "scale": ["pct", "top2"],
        "grade": ["pct", "mean", "share_8plus", "share_below6", "median"],
        "number": ["mean", "median"],
    }.get(q.type, [])


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


def share(weight_chosen: float, weight_total: float, n_eff: float) -> Estimate:
    """A weighted share as percent, with its Wilson interval."""
    p = weight_chosen / weight_total if weight_total else math.nan
    low, high = wilson(p, n_eff)
    return Estimate(p * 100, low * 100, high * 100)


def weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x, kind="stable")
    x, cum = x[order], np.cumsum(w[order])
    half = cum[-1] / 2
    i = int(np.searchsorted(cum, half * (1 - 1e-12)))
    if abs(cum[i] - half) <= 1e-9 * cum[-1] and i + 1 < len(x):
        return float((x[i] + x[i + 1]) / 2)
    return float(x[i])


def mean_estimate(x: np.ndarray, w: np.ndarray, n_eff: float) -> Estimate:
    total = w.sum()
    m = float(np.dot(w, x) / total)
    variance = float(np.dot(w, (x - m) ** 2) / total)
    se = math.sqrt(variance / n_eff)
    return Estimate(m, m - Z * se, m + Z * se)


@dataclass
class _Prepared:
    """A question's answers as arrays, computed once for the total and all groups."""

    scope: np.ndarray  # meets the filter and answered (incl. missing codes)
    idx: np.ndarray | None = None  # option index; K.. missing codes; K+M not answered
    values: np.ndarray | None = None  # grade/number values
    chosen: np.ndarray | None = None  # multi: n × K, 1.0 where chosen


def _prepare(q: Question, data: pd.DataFrame, filter_mask: np.ndarray) -> _Prepared:
    n = len(data)
    if q.type == "multi":
        matrix = data[q.columns].to_numpy(dtype=float) if n else np.zeros((0, len(q.options)))
        answered = ~np.isnan(matrix).all(axis=1) if len(q.options) else np.zeros(n, bool)
        return _Prepared(filter_mask & answered, chosen=(matrix == 1).astype(float))
    column = data[q.id]
    if q.type == "open":
        return _Prepared(filter_mask & column.notna().to_numpy())
    codes = list(_option_codes(q)) + list(q.missing)
    lookup = {code: i for i, code in enumerate(codes)}
    if q.type == "number":  # every real number is "option" 0
        lookup = {code: i + 1 for i, code in enumerate(q.missing)}
        idx = column.map(lookup).fillna(0).to_numpy(dtype=np.intp, copy=True)  # pandas 3 may hand out read-only views
        idx[column.isna().to_numpy()] = len(lookup) + 1
    else:
        idx = column.map(lookup).fillna(len(codes)).to_numpy(dtype=np.intp)
    values = column.to_numpy(dtype=float) if q.type in ("grade", "number") else None
    answered = idx < _n_codes(q)
    return _Prepared(filter_mask & answered, idx=idx, values=values)


def _option_codes(q: Question):
    return list(GRADES) if q.type == "grade" else list(q.options)


def _n_options(q: Question) -> int:
    return 1 if q.type == "number" else len(_option_codes(q))


def _n_codes(q: Question) -> int:
    return _n_options(q) + len(q.missing)


def _figures(q: Question, prep: _Prepared, w: np.ndarray, mask: np.ndarray, group: str | None) -> Figures:
    """All figures for respondents in ``mask`` (within the question's scope)."""
    if q.type == "open":
        return Figures(group, int(mask.sum()))
    if q.type == "multi":
        chosen, wm = prep.chosen[mask], w[mask]
        total, n = float(wm.sum()), len(wm)
        if n == 0:
            return Figures(group, 0)
        n_eff = total**2 / float(np.dot(wm, wm))
        weighted, counts = wm @ chosen, chosen.sum(axis=0)
        options = [_option(code, label, counts[k], weighted[k], total, n_eff) for k, (code, label) in enumerate(q.options.items())]
        keys = [k for k, code in enumerate(q.options) if code in q.key_codes]
        any_key = chosen[:, keys].max(axis=1) if keys else np.zeros(n)
        return Figures(group, n, n_eff=n_eff, options=options, key=share(float(wm @ any_key), total, n_eff))

    k_opt, k_all = _n_options(q), _n_codes(q)
    idx, wm = prep.idx[mask], w[mask]
    counts = np.bincount(idx, minlength=k_all + 1)
    sums = np.bincount(idx, weights=wm, minlength=k_all + 1)
    squares = np.bincount(idx, weights=wm * wm, minlength=k_all + 1)
    n, total = int(counts[:k_opt].sum()), float(sums[:k_opt].sum())
    answered_weight = float(sums[:k_all].sum())
    missing = [
        MissingResult(code, label, int(counts[k_opt + i]), float(sums[k_opt + i] / answered_weight * 100))
        for i, (code, label) in enumerate(q.missing.items())
    ] if answered_weight else []
    if n == 0:
        return Figures(group, 0, missing=missing)
    n_eff = total**2 / float(squares[:k_opt].sum())
    out = Figures(group, n, n_eff=n_eff, missing=missing)
    if q.type in ("single", "scale", "grade"):
        labels = q.options if q.type != "grade" else {g: str(g) for g in GRADES}
        out.options = [_option(code, label, counts[k], sums[k], total, n_eff) for k, (code, label) in enumerate(labels.items())]
    if q.type in ("single", "scale"):
        out.key = _codes_share(q, q.key_codes, sums, total, n_eff)
    if q.type == "scale":
        out.top2 = _codes_share(q, q.top2_codes, sums, total, n_eff)
    if q.type in ("grade", "number"):
        valid = idx < k_opt
        x, wv = prep.values[mask][valid], wm[valid]
        out.mean = out.key = mean_estimate(x, wv, n_eff)
        out.median = weighted_median(x, wv)
    if q.type == "grade":
        out.share_8plus = share(float(sums[7:10].sum()), total, n_eff)
        out.share_below6 = share(float(sums[0:5].sum()), total, n_eff)
    return out


def _option(code, label, count, weighted, total, n_eff) -> OptionResult:
    estimate = share(float(weighted), total, n_eff)
    return OptionResult(code, label, int(count), estimate.value, estimate.ci_low, estimate.ci_high)


def _codes_share(q: Question, codes, sums, total, n_eff) -> Estimate:
    positions = [k for k, code in enumerate(q.options) if code in codes]
    return share(float(sums[positions].sum()), total, n_eff)


def _suppress(figures: Figures, min_n: int, indicative_n: int) -> Figures:
    if figures.n < min_n:
        return Figures(figures.group, figures.n, suppressed=True)
    figures.indicative = figures.n < indicative_n
    return figures


def _suppress_groups(groups: list[Figures], min_n: int, indicative_n: int) -> list[Figures]:
    # The shared rule (panelsite.disclosure): small groups, plus one complementary group.
    hide = hidden([g.n for g in groups], min_n)
    return [Figures(g.group, g.n, suppressed=True) if h else _suppress(g, min_n, indicative_n)
            for g, h in zip(groups, hide)]


def analyse(survey: Survey, municipality) -> SurveyResults:
    """Weights plus every question's figures, total and per breakdown group."""
    weights, summary = weigh(survey, municipality)
    return estimate(survey, municipality, weights, summary)


def estimate(survey: Survey, municipality, weights: np.ndarray, summary: WeightingSummary) -> SurveyResults:
    """Every question's figures for given weights (one per respondent)."""
    min_n = max(5, int(municipality.results.get("min_n") or 10))
    indicative_n = int(municipality.results.get("indicative_n") or 30)
    data = survey.responses if survey.has_responses else survey.responses.iloc[0:0]
    n = len(data)
    column_cache: dict[str, np.ndarray] = {}

    def column(name: str) -> np.ndarray:
        if name not in column_cache:
            column_cache[name] = data[name].to_numpy()
        return column_cache[name]

    groups = {}
    for var in survey.breakdowns:
        codes = data[var].cat.codes.to_numpy() if n else np.zeros(0, int)
        categories = list(municipality.population.variables[var])
        groups[var] = [(str(c), codes == j) for j, c in enumerate(categories)]

    results = []
    everyone = np.ones(n, bool)
    for q in survey.questions:
        filter_mask = q.filter.evaluate(column) if (q.filter is not None and n) else everyone
        prep = _prepare(q, data, filter_mask)
        total = _suppress(_figures(q, prep, weights, prep.scope, None), min_n, indicative_n)
        breakdowns = {
            var: _suppress_groups([_figures(q, prep, weights, prep.scope & g, name) for name, g in members], min_n, indicative_n)
            for var, members in groups.items()
        }
        results.append(QuestionResult(q, total, breakdowns))
    population = municipality.population
    return SurveyResults(survey, summary, results, min_n, indicative_n, population.get("source"), population.get("date"))

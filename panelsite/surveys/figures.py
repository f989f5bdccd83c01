"""The figures of a survey as the pages, factsheets and open data read them.

``SurveyResults`` holds a ``QuestionResult`` per question: ``Figures`` for the
total and for every breakdown group, each with its shares (``OptionResult``),
missing codes and key statistics (``Estimate``: value and 95% interval).
How they are computed is in :mod:`panelsite.surveys.estimates`; ``suppress``
and ``suppress_groups`` apply the disclosure rule to computed figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from panelsite.errors import ConfigError, Problem, did_you_mean
from panelsite.surveys.definition import GRADES, Question, Survey
from panelsite.surveys.disclosure import hidden

STATS = ("pct", "top2", "mean", "share_8plus", "share_below6", "median")


LINEARISATION = "linearisation"  # value ± z·SE, SE by linearisation with the raking adjustment
WILSON = "wilson"  # Wilson score interval on the design-based effective base (small bases, shares near 0 or 100%)


@dataclass
class WeightingSummary:
    """How a survey was weighted, as its pages report it (made by surveys.weighting)."""
    weighted: bool  # False: every weight is 1
    by: list[str]  # variables weighted by
    cap: float | None  # largest weight as multiple of the mean
    n: int  # respondents
    invited: int
    response_rate: float | None  # n / invited × 100 (percent)
    deff: float | None  # Kish design effect; None without respondents
    n_eff: float | None  # effective sample size
    min_weight: float | None
    max_weight: float | None
    iterations: int  # raking iterations used (0 when not weighted)
    capped: int  # respondents whose weight is at the cap
    margin_gap: float  # largest |weighted sample % − population %| over the weighting categories


@dataclass
class Estimate:
    """A share (percent) or mean with its 95% confidence interval and design-based standard error."""

    value: float
    ci_low: float
    ci_high: float
    se: float | None = None  # standard error, in the unit of value (percentage points for a share)
    interval: str | None = None  # how the interval was computed: LINEARISATION or WILSON

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
    se: float | None = None  # standard error (percentage points)
    interval: str | None = None  # LINEARISATION or WILSON


@dataclass
class Comparison:
    """A difference between two estimates, its standard error and a two-sided test at 5% (z test)."""

    diff: float  # percentage points for shares, the question's unit for means
    se: float
    p: float
    significant: bool


@dataclass
class DistributionTest:
    """Rao–Scott second-order corrected chi-square test (F form, as R's svychisq) of a group
    against the rest: does the whole answer distribution differ?"""

    f: float
    ndf: float
    ddf: float
    p: float
    significant: bool


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
    # A group against the rest of the municipality (None for the total, and for a group
    # that is suppressed, or that or whose rest is under the indicative base: not tested)
    versus_rest: Comparison | None = None  # the key figure: group minus rest
    distribution_test: DistributionTest | None = None  # single, scale, grade: the answer distribution


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
        """The largest distance (percentage points) from a published share of the totals to its interval's end.

        Every share counts: answers, key figures, top-2 and grade shares. Wilson
        intervals are not symmetric, so the larger side is the margin.
        """
        margins = [
            max(high - value, value - low)
            for r in self.questions
            if not r.total.suppressed
            for value, low, high in _shares(r.total, r.question)
        ]
        return max(margins) if margins else None

    def question(self, question_id: str) -> QuestionResult:
        for r in self.questions:
            if r.id == question_id:
                return r
        ids = [r.id for r in self.questions]
        raise self._unknown(f'unknown question "{question_id}" in survey '
                            f'{self.survey.id}{did_you_mean(question_id, ids)} (expected one of {", ".join(ids)})')

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
            raise self._unknown(f'statistic "{stat}" is not available for {q.id}, a {q.type} question '
                                f'(expected {expected})')
        if stat == "pct":
            codes = q.key_codes if codes is None else (codes if isinstance(codes, (list, tuple, set)) else [codes])
            for code in codes:
                if code not in q.options and not (q.type == "grade" and code in GRADES):
                    raise self._unknown(f"unknown option {code!r} of question {q.id} "
                                        f"(expected one of {', '.join(map(str, q.options or GRADES))})")
            if summed_multi_answers(q, codes):
                raise self._unknown(MULTI_SUM.format(q=q.id, codes=list(codes)))
        if total.suppressed:
            return math.nan
        if stat == "pct" and q.type == "multi" and len(set(codes)) > 1:
            return float(total.key.value)  # the share choosing any of them, not a sum
        if stat == "pct":
            return float(sum(o.pct for o in total.options if o.code in codes))
        value = getattr(total, stat)
        return float(value if stat == "median" else value.value)

    def _unknown(self, message: str) -> UnknownFigure:
        return UnknownFigure(Problem(self.survey.yaml_file, message))


def _shares(f: Figures, q: Question):
    """(value, ci_low, ci_high) of every percentage of a base that has an interval."""
    for o in f.options:
        yield o.pct, o.ci_low, o.ci_high
    key = f.key if q.key_stat == "pct" else None  # else a mean, in the question's unit
    for e in (key, f.top2, f.share_8plus, f.share_below6):
        if e is not None:
            yield e.value, e.ci_low, e.ci_high


MULTI_SUM = ("{q} allows several answers, so the percentages of {codes} cannot be added up: people who chose "
             "more than one would count twice (expected one code, or these codes as the key figure: key: {codes} "
             "in survey.yaml)")


def summed_multi_answers(q: Question, codes) -> bool:
    """Whether a figure would add up answers of a multi-answer question that are not its key figure.

    The key figure of several codes is the weighted share choosing any of them
    (see tables.py); any other set has no such figure, and a sum overstates it.
    """
    return q.type == "multi" and len(set(codes)) > 1 and set(codes) != set(q.key_codes or ())


def available_stats(q: Question) -> list[str]:
    return {
        "single": ["pct"],
        "multi": ["pct"],
        "scale": ["pct", "top2"],
        "grade": ["pct", "mean", "share_8plus", "share_below6", "median"],
        "number": ["mean", "median"],
    }.get(q.type, [])


def suppress(figures: Figures, min_n: int, indicative_n: int) -> Figures:
    if figures.n < min_n:
        return Figures(figures.group, figures.n, suppressed=True)
    figures.indicative = figures.n < indicative_n
    return figures


def suppress_groups(groups: list[Figures], min_n: int, indicative_n: int) -> list[Figures]:
    # The shared rule (panelsite.surveys.disclosure): small groups, plus one complementary group.
    hide = hidden([g.n for g in groups], min_n)
    return [Figures(g.group, g.n, suppressed=True) if h else suppress(g, min_n, indicative_n)
            for g, h in zip(groups, hide)]

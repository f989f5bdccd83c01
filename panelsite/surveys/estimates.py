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

Modules: the result objects are in ``figures``, the formulas in ``formulas``,
and ``tables`` computes every base of a survey at once; ``estimate`` here runs
them for one survey.
"""

from __future__ import annotations

import numpy as np

from panelsite.surveys.definition import Survey
from panelsite.surveys.design import Design
from panelsite.surveys.figures import QuestionResult, SurveyResults
from panelsite.surveys.tables import Columns, Shares, bases_of, prepare, question_figures
from panelsite.surveys.weighting import WeightingSummary, category_codes, weigh


def analyse(survey: Survey, municipality) -> SurveyResults:
    """Weights plus every question's figures, total and per breakdown group."""
    weights, summary = weigh(survey, municipality)
    return estimate(survey, municipality, weights, summary)


def estimate(survey: Survey, municipality, weights: np.ndarray, summary: WeightingSummary) -> SurveyResults:
    # The disclosure rules as the schema declares them (min_n: default 10, never below 5).
    min_n, indicative_n = municipality.results.min_n, municipality.results.indicative_n
    data = survey.responses if survey.has_responses else survey.responses.iloc[0:0]
    n = len(data)
    columns = Columns(data)
    by = survey.weighting.by if survey.weighting and n else []
    margins = [category_codes(data[var]).astype(np.intp) for var in by]
    bases = bases_of(survey, municipality, data, weights, Design.of(weights, margins))
    shares = Shares(indicative_n)
    everyone = np.ones(n, bool)
    pending = []
    for q in survey.questions:
        filter_mask = q.filter.evaluate(columns) if (q.filter is not None and n) else everyone
        pending.append((q, question_figures(q, prepare(q, columns, filter_mask), bases, weights, min_n, indicative_n,
                                            shares)))
    shares.compute()
    results = []
    for q, figures_of in pending:
        figures = figures_of()
        groups = {var: figures[rows.start:rows.stop] for var, rows in bases.partitions[1:]}
        results.append(QuestionResult(q, figures[0], groups))
    population = municipality.population
    return SurveyResults(survey, summary, results, min_n, indicative_n, population.source, population.date)

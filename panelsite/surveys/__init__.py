"""Surveys: definitions, responses, weighting, estimates, trends and open data.

The pipeline for one municipality::

    surveys = load_surveys(root / "content" / slug / "surveys", municipality, root)
    results = [analyse(s, municipality) for s in surveys]
    trends = series_trends(results, today=build_date)

Modules: ``definition`` (survey.yaml), ``filters`` (question filters),
``responses`` (responses.csv), ``loader`` (both, for all surveys; or the
definitions alone, for the collector),
``weighting`` (raking), ``estimates`` (the figures of a survey, with
``figures``: the result objects and suppression, ``formulas`` and ``tables``:
the computation), ``design`` (design-based standard errors of a raked round),
``significance`` (tests of groups against the rest and of changes), ``series``
(trends and changes between rounds), ``opendata`` (data.json / data.csv) and
``text`` (Dutch sentences).
No HTML here: pages are rendered from these result objects elsewhere.
"""

from panelsite.surveys.definition import THEMES, Question, Survey, SurveyDefinition
from panelsite.surveys.estimates import analyse
from panelsite.surveys.figures import (
    Comparison,
    DistributionTest,
    Estimate,
    Figures,
    MissingResult,
    OptionResult,
    QuestionResult,
    SurveyResults,
    UnknownFigure,
)
from panelsite.surveys.formulas import wilson
from panelsite.surveys.loader import load_definitions, load_surveys
from panelsite.surveys.opendata import to_open_data, to_open_data_csv
from panelsite.surveys.series import Change, TrendPoint, series_changes, series_trends
from panelsite.surveys.text import method_text, summary_sentence
from panelsite.surveys.weighting import WeightingSummary

__all__ = [
    "THEMES",
    "Change",
    "Comparison",
    "DistributionTest",
    "Estimate",
    "Figures",
    "MissingResult",
    "OptionResult",
    "Question",
    "QuestionResult",
    "Survey",
    "SurveyDefinition",
    "SurveyResults",
    "TrendPoint",
    "UnknownFigure",
    "WeightingSummary",
    "analyse",
    "load_definitions",
    "load_surveys",
    "method_text",
    "series_changes",
    "series_trends",
    "summary_sentence",
    "to_open_data",
    "to_open_data_csv",
    "wilson",
]

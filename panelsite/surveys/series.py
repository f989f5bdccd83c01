"""Trends: the key figure of the same question across the rounds of a series.

Questions are matched by id across surveys with the same ``series``. The key
figure is the share (%) of ``Question.key_codes`` for single, multi and scale
(default: first option, first option, top-2; ``key: [4, 5]`` in survey.yaml
overrides) and the mean for grade and number. Open questions have none.

A round counts for a question only when its type and key codes equal those of
the latest round (otherwise the figures measure something else) and its total
is not suppressed. A question is a trend when at least two rounds count.
Pass ``today`` to leave out rounds still under embargo (publish_on > today).
"""

from __future__ import annotations

import datetime as _dt
from typing import Iterable, NamedTuple

from panelsite.surveys.figures import SurveyResults


class TrendPoint(NamedTuple):
    survey_id: str
    title: str
    fieldwork_end: _dt.date
    value: float
    ci_low: float
    ci_high: float
    n: int


def series_trends(surveys_with_results: Iterable, today: _dt.date | None = None) -> dict[str, list[dict]]:
    """{series: [{question_id, text, type, key_stat, key_codes, points: [TrendPoint, …]}]}, oldest point first.

    Accepts SurveyResults, or (survey, results) pairs.
    """
    rounds: dict[str, list[SurveyResults]] = {}
    for item in surveys_with_results:
        results = item[1] if isinstance(item, tuple) else item
        survey = results.survey
        if survey.series and (today is None or survey.publish_on <= today):
            rounds.setdefault(survey.series, []).append(results)

    trends: dict[str, list[dict]] = {}
    for name, members in sorted(rounds.items()):
        members.sort(key=lambda r: (r.survey.fieldwork_end, r.survey.id))
        latest = {}
        for results in members:  # later rounds overwrite: the latest defines the question
            for r in results.questions:
                if r.question.key_stat:
                    latest[r.id] = r.question
        lines = []
        for qid, question in latest.items():
            points = []
            for results in members:
                r = next((x for x in results.questions if x.id == qid), None)
                if r is None or r.total.suppressed or r.total.key is None:
                    continue
                if (r.question.type, r.question.key_codes) != (question.type, question.key_codes):
                    continue
                s, key = results.survey, r.total.key
                points.append(TrendPoint(s.id, s.title, s.fieldwork_end, key.value, key.ci_low, key.ci_high, r.total.n))
            if len(points) >= 2:
                lines.append({
                    "question_id": qid,
                    "text": question.text,
                    "type": question.type,
                    "key_stat": question.key_stat,
                    "key_codes": question.key_codes,
                    "points": points,
                })
        if lines:
            trends[name] = lines
    return trends

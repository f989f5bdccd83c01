"""Trends: the key figure of the same question across the rounds of a series.

Questions are matched by id across surveys with the same ``series``. The key
figure is the share (%) of ``Question.key_codes`` for single, multi and scale
(default: first option, first option, top-2; ``key: [4, 5]`` in survey.yaml
overrides) and the mean for grade and number. Open questions have none.

A round counts for a question only when its type and key codes equal those of
the latest round (otherwise the figures measure something else) and its total
is not suppressed. A question is a trend when at least two rounds count.
Pass ``today`` to leave out rounds still under embargo (publish_on > today).

Changes. Each point of a trend after the first carries the change of the key
figure since the point before it; :func:`series_changes` gives every change of a
round: each figure of each question against the question's previous round (the
latest earlier round of the series that asked it, with the same type and its
total not suppressed): per option (same code and label), the key figure (same
key codes), top-2 (same codes), mean, share 8 or higher, share below 6. A change
is ``current − previous`` with ``SE = √(se₁² + se₂²)`` (independent samples;
rounds of a panel share members, and with positively correlated answers that
is conservative) and a two-sided z test at 5% (:mod:`significance`). It is not
tested (``comparison`` None) when either round's base is under the indicative base.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Iterable, NamedTuple

from panelsite.surveys.figures import Comparison, Estimate, Figures, QuestionResult, SurveyResults
from panelsite.surveys.significance import compare


class TrendPoint(NamedTuple):
    survey_id: str
    title: str
    fieldwork_end: _dt.date
    value: float
    ci_low: float
    ci_high: float
    n: int
    se: float | None = None
    change: Comparison | None = None  # the key figure since the point before (None: the first, or not tested)
    tested: bool = False  # whether the change since the point before was tested


@dataclass
class Change:
    """One figure of a question in a round against the question's previous round."""

    question_id: str
    statistic: str  # pct (an option: code and label), key, top2, mean, share_8plus, share_below6
    code: int | str | None
    label: str | None
    previous_survey: str  # id of the previous round
    previous_title: str
    previous_end: _dt.date  # the last day of its fieldwork
    previous: float
    current: float
    comparison: Comparison | None  # None: not tested (a base under the indicative base, or no SE)


def _comparison(before: float, before_se: float | None, now: float, now_se: float | None,
                tested: bool) -> Comparison | None:
    """``now − before`` of two independent rounds, tested when ``tested`` and both have an SE."""
    if not tested or before_se is None or now_se is None:
        return None
    return compare(now - before, math.sqrt(before_se * before_se + now_se * now_se))


def question_changes(before: QuestionResult, now: QuestionResult, previous: SurveyResults,
                     indicative_n: int) -> list[Change]:
    """Every figure of ``now`` against ``before`` (the same question in round ``previous``)."""
    q, p = now.question, before.question
    a, b = before.total, now.total
    if q.type != p.type or q.type == "open" or a.suppressed or b.suppressed or not a.n or not b.n:
        return []
    tested = a.n >= indicative_n and b.n >= indicative_n
    survey = previous.survey
    out = []

    def add(statistic, code, label, old, new):
        if old is None or new is None:
            return
        value = lambda e: e.value if isinstance(e, Estimate) else e.pct  # noqa: E731
        out.append(Change(q.id, statistic, code, label, survey.id, survey.title, survey.fieldwork_end, value(old),
                          value(new), _comparison(value(old), old.se, value(new), new.se, tested)))

    earlier = {(o.code, o.label): o for o in a.options}
    for o in b.options:
        add("pct", o.code, o.label, earlier.get((o.code, o.label)), o)
    if q.key_stat == "pct" and q.key_codes == p.key_codes:
        add("key", None, None, a.key, b.key)
    if q.type == "scale" and q.top2_codes == p.top2_codes:
        add("top2", None, None, a.top2, b.top2)
    for name in ("mean", "share_8plus", "share_below6"):
        add(name, None, None, getattr(a, name), getattr(b, name))
    return out


def series_changes(surveys_with_results: Iterable, today: _dt.date | None = None) -> dict[str, list[Change]]:
    """{survey id: its changes against the previous rounds (see the module docstring)} for every round of a series."""
    out: dict[str, list[Change]] = {}
    for members in _rounds(surveys_with_results, today).values():
        for i, results in enumerate(members):
            changes = out[results.survey.id] = []
            for r in results.questions:
                for earlier in reversed(members[:i]):
                    before = next((x for x in earlier.questions if x.id == r.id), None)
                    if before is not None and before.type == r.type and _published(before.total):
                        changes += question_changes(before, r, earlier, results.indicative_n)
                        break
    return out


def _published(total: Figures) -> bool:
    return not total.suppressed and total.n > 0


def _rounds(surveys_with_results: Iterable, today) -> dict[str, list[SurveyResults]]:
    """The rounds of each series (published by ``today``), oldest first."""
    rounds: dict[str, list[SurveyResults]] = {}
    for item in surveys_with_results:
        results = item[1] if isinstance(item, tuple) else item
        survey = results.survey
        if survey.series and (today is None or survey.publish_on <= today):
            rounds.setdefault(survey.series, []).append(results)
    for members in rounds.values():
        members.sort(key=lambda r: (r.survey.fieldwork_end, r.survey.id))
    return dict(sorted(rounds.items()))


def series_trends(surveys_with_results: Iterable, today: _dt.date | None = None) -> dict[str, list[dict]]:
    """{series: [{question_id, text, type, key_stat, key_codes, points: [TrendPoint, …]}]}, oldest point first.

    Accepts SurveyResults, or (survey, results) pairs.
    """
    trends: dict[str, list[dict]] = {}
    for name, members in _rounds(surveys_with_results, today).items():
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
                point = TrendPoint(s.id, s.title, s.fieldwork_end, key.value, key.ci_low, key.ci_high, r.total.n,
                                   key.se)
                if points:
                    last = points[-1]
                    tested = last.n >= results.indicative_n and point.n >= results.indicative_n
                    point = point._replace(change=_comparison(last.value, last.se, key.value, key.se, tested),
                                           tested=tested)
                points.append(point)
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

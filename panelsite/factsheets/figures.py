"""Computed figures of one factsheet: highlight values and the Markdown body with inline figures.

Numbers come from :meth:`SurveyResults.figure` and are formatted the Dutch way
(Babel): shares as whole percentages ("62%"), means with one decimal ("6,8").
A suppressed figure (too few answers) shows as "–".

``change("q1")`` says in words how the key figure moved since the previous round
of the series (:func:`panelsite.surveys.series_changes`): "significant meer dan
vorig jaar" (a share; "hoger" for a mean), "significant minder dan …", or
"ongeveer gelijk" when the difference is not significant; "–" when it was not
tested (a round under the indicative base) or there is no published previous
round. "vorig jaar" when the previous round's fieldwork ended the calendar year
before, "in 2024" when earlier, "de vorige meting" in the same year.
"""

from __future__ import annotations

import math

import jinja2
from markupsafe import Markup

from panelsite import i18n
from panelsite.engine import content, failures, markdown_html
from panelsite.errors import ConfigError, PanelsiteError, Problem
from panelsite.factsheets.source import FUNCTIONS, SHARES, Factsheet, check_figure, reference
from panelsite.surveys.figures import SurveyResults, UnknownFigure

PERCENT_STATS = {"pct", "top2", "share_8plus", "share_below6"}
ROOT_LINK = content.ROOT_LINK


def format_figure(value: float, stat: str) -> str:
    if value is None or math.isnan(value):
        return "–"
    if stat in PERCENT_STATS:
        return i18n.percent(value, 0)
    if stat == "median":
        return i18n.median(value)
    return i18n.number(value, 1)


class Figures:
    """The numbers of one factsheet, computed from its survey's results."""

    def __init__(self, factsheet: Factsheet, results: SurveyResults, changes=()):
        self.factsheet = factsheet
        self.results = results
        self.changes = list(changes)  # this round against the previous one (surveys.series.Change)

    def change_text(self, question: str) -> str:
        """The key figure of ``question`` against the previous round, in words (see the module docstring)."""
        q = self.factsheet.survey.question(question)
        statistic = "key" if q.key_stat == "pct" else q.key_stat
        change = next((c for c in self.changes if c.question_id == q.id and c.statistic == statistic), None)
        if change is None or change.comparison is None:
            return "–"
        if not change.comparison.significant:
            return "ongeveer gelijk"
        gap = self.factsheet.survey.fieldwork_end.year - change.previous_end.year
        when = "vorig jaar" if gap == 1 else (f"in {change.previous_end.year}" if gap > 1 else "bij de vorige meting")
        up = change.comparison.diff > 0
        word = ("meer" if up else "minder") if q.key_stat == "pct" else ("hoger" if up else "lager")
        return f"significant {word} dan {when}"

    def value(self, question: str, codes, stat: str) -> float:
        try:
            return self.results.figure(question, codes, stat)
        except UnknownFigure as exc:  # checked at load time; kept as a safety net
            raise ConfigError(Problem(self.factsheet.file, "; ".join(p.message for p in exc.problems))) from None

    def text(self, question: str, codes, stat: str) -> str:
        return format_figure(self.value(question, codes, stat), stat)

    def highlights(self) -> list[dict]:
        """View of each highlight: value as text, label, a bar width (0–100) when it has a scale."""
        out = []
        for h in self.factsheet.highlights:
            f = h.figure
            question = self.factsheet.survey.question(f.question)
            value = self.value(f.question, f.codes, f.stat)
            missing = value is None or math.isnan(value)
            if f.stat in PERCENT_STATS:
                bar, scale = value, None
            elif question.type == "grade" and f.stat in ("mean", "median"):
                bar, scale = value * 10, "op een schaal van 1 tot 10"
            else:  # a number question: the label names the unit
                bar, scale = None, None
            out.append({
                "value": "–" if missing else format_figure(value, f.stat), "raw": value, "missing": missing,
                "label": h.label, "question": question.text, "stat": f.stat,
                "bar": None if missing or bar is None else round(max(0.0, min(100.0, bar)), 1),
                "scale": scale,
                "alt": f"{format_figure(value, f.stat)} {h.label}" if not missing else
                       f"{h.label}: te weinig antwoorden om een uitkomst te tonen",
            })
        return out

    # -- the Markdown body ---------------------------------------------------
    def functions(self) -> dict:
        """``pct``, ``mean``, ``share`` … for the body template, plus ``n`` and ``response_rate``."""
        survey = self.factsheet.survey

        def make(name):
            def call(*args):
                ref, message = reference(name, list(args))
                if ref is not None and ref[2] == "change":  # checked against the earlier rounds at load time
                    return self.change_text(ref[0])
                if ref is not None:
                    figure, message = check_figure(survey, *ref)
                if message:
                    raise ConfigError(Problem(self.factsheet.file, f"{name}(): {message}",
                                              line=self.factsheet.body_line))
                return self.text(figure.question, figure.codes, figure.stat)
            return call

        w = self.results.weighting
        return {
            **{name: make(name) for name in FUNCTIONS},
            "n": i18n.number(w.n),
            "response_rate": i18n.percent(w.response_rate, 0) if w.response_rate is not None else "–",
            "survey": survey,
        }

    def body_markdown(self, municipality) -> str:
        """The body with every figure filled in (still Markdown)."""
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
        try:
            return env.from_string(self.factsheet.body).render(site=municipality, **self.functions())
        except jinja2.UndefinedError as exc:
            raise ConfigError(Problem(self.factsheet.file, f"template error: {exc}",
                                      line=self.factsheet.body_line)) from None
        except PanelsiteError:
            raise
        except Exception as exc:  # noqa: BLE001 - an expression that fails as it runs (engine/failures.py)
            raise ConfigError(failures.text_template_problem(exc, self.factsheet.file, self.factsheet.body,
                                                             self.factsheet.body_line)) from None

    def body_html(self, municipality, url) -> Markup:
        """The body as HTML; site-root links ("/resultaten/x/") go through ``url`` (relative or absolute)."""
        html = markdown_html.convert(self.body_markdown(municipality)).html
        # Headings of the body sit under the factsheet's own h2 sections.
        return Markup(ROOT_LINK.sub(lambda m: f'{m.group(1)}="{url(m.group(2))}{m.group(3)}"', html))


__all__ = ["Figures", "format_figure", "PERCENT_STATS", "SHARES"]

"""Open data: aggregated results as JSON-ready dict and as long-format CSV.

Only aggregates are published, never respondent-level data or open answers.
Percentages are floats 0–100, unrounded. Suppressed bases appear with
``suppressed: true`` and no figures.

The CSV is meant for machines: `,` delimiter, `.` decimal point, UTF-8 without
BOM, long format: one row per figure per base (the total has an empty
breakdown_variable and group). ``statistic`` says what a row holds:

* ``base``: every base has one; ``n`` is its unweighted number of
  respondents and ``indicative`` says whether that is under the indicative
  base. A suppressed base has this row only, with ``suppressed`` true and no
  ``n``: its size, with the total and the shown groups, would give it away;
* ``pct``: an option (``code``, ``label``), ``value`` is the weighted
  percentage with its 95% interval; ``n`` respondents chose it (for the total
  only: a group's counts per answer would publish cells of fewer than
  ``min_n`` people, as the results pages do not either);
* ``missing_pct``: a missing code ("weet niet"), as a percentage of everyone
  who answered, without interval (``n`` as for ``pct``);
* ``key``, ``top2``, ``share_8plus``, ``share_below6``: percentages with
  interval (see :mod:`panelsite.surveys.estimates`);
* ``mean`` (with interval) and ``median``: in the question's unit.

Every figure with an interval also has its design-based standard error ``se``
(percentage points, or the question's unit) and ``interval``: how the interval
was computed (``linearisation``: value ± 1.96·se; ``wilson``: the Wilson score
interval, for small bases and shares near 0 or 100%; see :mod:`tables`).

Tests are rows too, with ``test`` set (empty on the figure rows):

* ``versus_rest``: a breakdown group against the rest of the municipality.
  ``statistic`` is the key figure (``key``, ``top2``, ``mean``…): ``diff`` is
  the group minus the rest, with ``se``, ``p`` and ``significant``; or
  ``distribution``: the Rao–Scott F test of the whole answer distribution
  (``value`` is F; no diff or se). Only groups that are shown get a row; one
  under the indicative base (or whose rest is) has the row with ``tested``
  false and no figures;
* ``change``: a figure of the total against the previous round of the series
  (``compared_with`` names it): ``value`` now, ``diff``, ``se``, ``p``,
  ``significant`` (``tested`` false: a base under the indicative base).

Everything data.json holds per base is here too, except the effective base.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io

from panelsite.surveys.figures import Estimate, Figures, SurveyResults

CSV_COLUMNS = ["survey_id", "question_id", "breakdown_variable", "group", "statistic", "code", "label", "n", "value",
               "ci_low", "ci_high", "se", "interval", "suppressed", "indicative", "test", "compared_with", "diff", "p",
               "significant", "tested"]

METHODS = {
    "standard_errors": "design-based, by linearisation with the raking adjustment (as R survey's rake() then "
                       "svymean()); every respondent of the round is a sampling unit",
    "intervals": {
        "linearisation": "value ± 1.959964 · se (95%)",
        "wilson": "95% Wilson score interval on the design-based effective base p(1 − p) / se², for bases under "
                  "the indicative base and shares whose linearised interval would leave 0–100%",
    },
    "tests": "two-sided at 5%: z test of a difference (a group against the rest of the municipality within the "
             "question's base; a change against the previous round with se = √(se₁² + se₂²), independent samples); "
             "Rao–Scott second-order corrected chi-square as an F test for the answer distribution of a group "
             "against the rest (as R survey's svychisq, statistic F). Groups or rounds under the indicative base "
             "are not tested",
}


def _estimate(e: Estimate | None) -> dict | None:
    return None if e is None else {"value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "se": e.se,
                                   "interval": e.interval}


def _comparison(c) -> dict:
    if c is None:  # not tested
        return {"tested": False, "diff": None, "se": None, "p": None, "significant": None}
    return {"tested": True, "diff": c.diff, "se": c.se, "p": c.p, "significant": c.significant}


def group_tests(results: SurveyResults) -> list[dict]:
    """A record per test of a shown group against the rest (see the module docstring)."""
    out = []
    for r in results.questions:
        q = r.question
        if q.type == "open" or r.total.suppressed:
            continue
        # the key figure: its codes are the question's key_codes
        statistic = "key" if q.key_stat == "pct" else q.key_stat
        for var, groups in r.breakdowns.items():
            for g in groups:
                if g.suppressed:
                    continue  # a suppressed group has no figures, so no test either
                head = {"question": q.id, "breakdown_variable": var, "group": g.group}
                out.append({**head, "statistic": statistic, **_comparison(g.versus_rest)})
                if q.type in ("single", "scale", "grade"):
                    d = g.distribution_test
                    out.append({**head, "statistic": "distribution", "tested": d is not None, "diff": None, "se": None,
                                "p": d.p if d else None, "significant": d.significant if d else None,
                                "f": d.f if d else None, "ndf": d.ndf if d else None, "ddf": d.ddf if d else None})
    return out


def change_records(changes) -> list[dict]:
    """A record per figure of the total against the previous round."""
    return [{"question": c.question_id, "statistic": c.statistic, "code": c.code, "label": c.label,
             "compared_with": c.previous_survey, "previous": c.previous, "value": c.current,
             **_comparison(c.comparison)} for c in changes]


def _date(d) -> str | None:
    return d.isoformat() if isinstance(d, (_dt.date, _dt.datetime)) else (str(d) if d is not None else None)


def _figures(f: Figures, qtype: str, counts: bool) -> dict:
    """One base; ``counts``: with the unweighted count of each answer (the total only)."""
    out: dict = {"n": None if f.suppressed else f.n, "suppressed": f.suppressed, "indicative": f.indicative}
    if f.suppressed or qtype == "open":
        return out
    out["n_eff"] = f.n_eff
    if qtype in ("single", "multi", "scale", "grade"):
        out["options"] = [
            {"code": o.code, "label": o.label, "n": o.n if counts else None, "pct": o.pct, "ci_low": o.ci_low,
             "ci_high": o.ci_high, "se": o.se, "interval": o.interval}
            for o in f.options
        ]
    if f.missing:
        out["missing"] = [{"code": m.code, "label": m.label, "n": m.n if counts else None, "pct": m.pct}
                          for m in f.missing]
    if qtype in ("single", "multi", "scale"):
        out["key"] = _estimate(f.key)
    if qtype == "scale":
        out["top2"] = _estimate(f.top2)
    if qtype in ("grade", "number"):
        out["mean"] = _estimate(f.mean)
        out["median"] = f.median
    if qtype == "grade":
        out["share_8plus"] = _estimate(f.share_8plus)
        out["share_below6"] = _estimate(f.share_below6)
    return out


def to_open_data(results: SurveyResults, changes=()) -> dict:
    """Everything for data.json: survey metadata, weighting summary, every aggregate, the tests of
    each group against the rest and ``changes`` (:func:`series_changes` of this round)."""
    s, w = results.survey, results.weighting
    questions = []
    for r in results.questions:
        q = r.question
        total = _figures(r.total, q.type, counts=True)
        entry = {
            "id": q.id,
            "text": q.text,
            "type": q.type,
            "filter": q.filter.source if q.filter else None,
            "unit": q.unit,
            "key_codes": q.key_codes,
            "base_n": total.pop("n"),
            "n_eff": total.pop("n_eff", None),
            **total,
            "breakdowns": {
                var: [{"group": g.group, **_figures(g, q.type, counts=False)} for g in groups]
                for var, groups in r.breakdowns.items()
            },
        }
        questions.append(entry)
    return {
        "survey": {
            "id": s.id,
            "title": s.title,
            "theme": s.theme,
            "theme_label": s.theme_label,
            "series": s.series,
            "fieldwork_start": _date(s.fieldwork_start),
            "fieldwork_end": _date(s.fieldwork_end),
            "publish_on": _date(s.publish_on),
            "invited": s.invited,
        },
        "population": {"source": results.population_source, "date": _date(results.population_date)},
        "weighting": {
            "weighted": w.weighted,
            "by": w.by,
            "cap": w.cap,
            "n": w.n,
            "invited": w.invited,
            "response_rate": w.response_rate,
            "deff": w.deff,
            "n_eff": w.n_eff,
            "min_weight": w.min_weight,
            "max_weight": w.max_weight,
            "margin_gap": w.margin_gap,
        },
        "suppression": {"min_n": results.min_n, "indicative_n": results.indicative_n},
        "methods": METHODS,
        "questions": questions,
        "group_tests": group_tests(results),
        "changes": change_records(changes),
    }


def to_open_data_csv(results: SurveyResults, changes=()) -> str:
    """Long-format CSV of every figure and test (see module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    sid = results.survey.id
    no_test = ["", "", "", "", "", ""]
    for r in results.questions:
        bases = [("", r.total)] + [(var, g) for var, groups in r.breakdowns.items() for g in groups]
        for var, f in bases:
            head = [sid, r.id, var, f.group or ""]
            flags = [_bool(f.suppressed), _bool(f.indicative)]
            writer.writerow([*head, "base", "", "", "" if f.suppressed else f.n, "", "", "", "", "", *flags, *no_test])
            if f.suppressed:
                continue
            counted = not var  # answer counts for the total only, see the module docstring
            for o in f.options:
                writer.writerow([*head, "pct", o.code, o.label, o.n if counted else "", _num(o.pct), _num(o.ci_low),
                                 _num(o.ci_high), _num(o.se), o.interval or "", *flags, *no_test])
            for m in f.missing:
                writer.writerow([*head, "missing_pct", m.code, m.label, m.n if counted else "", _num(m.pct), "", "",
                                 "", "", *flags, *no_test])
            for name, value in _statistics(f, r.type):
                if isinstance(value, Estimate):
                    writer.writerow([*head, name, "", "", "", _num(value.value), _num(value.ci_low),
                                     _num(value.ci_high), _num(value.se), value.interval or "", *flags, *no_test])
                else:
                    writer.writerow([*head, name, "", "", "", _num(value), "", "", "", "", *flags, *no_test])
    for t in group_tests(results):
        writer.writerow([sid, t["question"], t["breakdown_variable"], t["group"], t["statistic"], "", "", "",
                         _num(t.get("f")), "", "", _num(t["se"]), "", "", "", "versus_rest", "", _num(t["diff"]),
                         _num(t["p"]), _flag(t["significant"]), _bool(t["tested"])])
    for c in change_records(changes):
        writer.writerow([sid, c["question"], "", "", c["statistic"], "" if c["code"] is None else c["code"],
                         c["label"] or "", "", _num(c["value"]), "", "", _num(c["se"]), "", "", "", "change",
                         c["compared_with"], _num(c["diff"]), _num(c["p"]), _flag(c["significant"]),
                         _bool(c["tested"])])
    return buffer.getvalue()


def _flag(value: bool | None) -> str:
    return "" if value is None else _bool(value)


def _statistics(f: Figures, qtype: str) -> list[tuple[str, Estimate | float | None]]:
    """The statistics of a base besides its distribution, as data.json has them."""
    names = {"single": ["key"], "multi": ["key"], "scale": ["key", "top2"], "number": ["mean", "median"],
             "grade": ["mean", "median", "share_8plus", "share_below6"]}.get(qtype, [])
    return [(name, getattr(f, name)) for name in names if getattr(f, name) is not None]


def _num(value: float | None) -> str:
    return "" if value is None or value != value else repr(float(value))  # NaN: no figure


def _bool(value: bool) -> str:
    return "true" if value else "false"

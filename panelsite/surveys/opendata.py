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

Everything data.json holds per base is here too, except the effective base.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io

from panelsite.surveys.figures import Estimate, Figures, SurveyResults

CSV_COLUMNS = ["survey_id", "question_id", "breakdown_variable", "group", "statistic", "code", "label", "n", "value",
               "ci_low", "ci_high", "suppressed", "indicative"]


def _estimate(e: Estimate | None) -> dict | None:
    return None if e is None else {"value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}


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
             "ci_high": o.ci_high}
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


def to_open_data(results: SurveyResults) -> dict:
    """Everything for data.json: survey metadata, weighting summary and every aggregate."""
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
        "questions": questions,
    }


def to_open_data_csv(results: SurveyResults) -> str:
    """Long-format CSV of every figure (see module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    sid = results.survey.id
    for r in results.questions:
        bases = [("", r.total)] + [(var, g) for var, groups in r.breakdowns.items() for g in groups]
        for var, f in bases:
            head = [sid, r.id, var, f.group or ""]
            flags = [_bool(f.suppressed), _bool(f.indicative)]
            writer.writerow([*head, "base", "", "", "" if f.suppressed else f.n, "", "", "", *flags])
            if f.suppressed:
                continue
            counted = not var  # answer counts for the total only, see the module docstring
            for o in f.options:
                writer.writerow([*head, "pct", o.code, o.label, o.n if counted else "", _num(o.pct), _num(o.ci_low),
                                 _num(o.ci_high), *flags])
            for m in f.missing:
                writer.writerow([*head, "missing_pct", m.code, m.label, m.n if counted else "", _num(m.pct), "", "",
                                 *flags])
            for name, value in _statistics(f, r.type):
                if isinstance(value, Estimate):
                    writer.writerow([*head, name, "", "", "", _num(value.value), _num(value.ci_low),
                                     _num(value.ci_high), *flags])
                else:
                    writer.writerow([*head, name, "", "", "", _num(value), "", "", *flags])
    return buffer.getvalue()


def _statistics(f: Figures, qtype: str) -> list[tuple[str, Estimate | float | None]]:
    """The statistics of a base besides its distribution, as data.json has them."""
    names = {"single": ["key"], "multi": ["key"], "scale": ["key", "top2"], "number": ["mean", "median"],
             "grade": ["mean", "median", "share_8plus", "share_below6"]}.get(qtype, [])
    return [(name, getattr(f, name)) for name in names if getattr(f, name) is not None]


def _num(value: float | None) -> str:
    return "" if value is None or value != value else repr(float(value))  # NaN: no figure


def _bool(value: bool) -> str:
    return "true" if value else "false"

"""Open data: aggregated results as JSON-ready dict and as long-format CSV.

Only aggregates are published, never respondent-level data or open answers.
Percentages are floats 0–100, unrounded. Suppressed bases appear with
``suppressed: true`` and no figures.

The CSV is meant for machines: `,` delimiter, `.` decimal point, UTF-8 without
BOM, one row per option per base (total: empty breakdown_variable and group).
It holds the distributions; means, medians, top-2 and missing-code shares are
in the JSON. Number and open questions, and suppressed bases, get one row
with an empty code that carries the base n.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io

from .figures import Estimate, Figures, SurveyResults

CSV_COLUMNS = ["survey_id", "question_id", "breakdown_variable", "group", "code", "label", "n", "pct", "ci_low", "ci_high", "suppressed"]


def _estimate(e: Estimate | None) -> dict | None:
    return None if e is None else {"value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _date(d) -> str | None:
    return d.isoformat() if isinstance(d, (_dt.date, _dt.datetime)) else (str(d) if d is not None else None)


def _figures(f: Figures, qtype: str) -> dict:
    out: dict = {"n": f.n, "suppressed": f.suppressed, "indicative": f.indicative}
    if f.suppressed or qtype == "open":
        return out
    out["n_eff"] = f.n_eff
    if qtype in ("single", "multi", "scale", "grade"):
        out["options"] = [
            {"code": o.code, "label": o.label, "n": o.n, "pct": o.pct, "ci_low": o.ci_low, "ci_high": o.ci_high}
            for o in f.options
        ]
    if f.missing:
        out["missing"] = [{"code": m.code, "label": m.label, "n": m.n, "pct": m.pct} for m in f.missing]
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
        total = _figures(r.total, q.type)
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
                var: [{"group": g.group, **_figures(g, q.type)} for g in groups]
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
    """Long-format CSV of the distributions (see module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    sid = results.survey.id
    for r in results.questions:
        bases = [("", r.total)] + [(var, g) for var, groups in r.breakdowns.items() for g in groups]
        for var, f in bases:
            group = f.group or ""
            if f.suppressed or not f.options:
                writer.writerow([sid, r.id, var, group, "", "", f.n, "", "", "", _bool(f.suppressed)])
                continue
            for o in f.options:
                writer.writerow([sid, r.id, var, group, o.code, o.label, o.n, repr(o.pct), repr(o.ci_low), repr(o.ci_high), "false"])
    return buffer.getvalue()


def _bool(value: bool) -> str:
    return "true" if value else "false"

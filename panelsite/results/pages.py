"""The view model of a results page: questions, tables, charts, trends and the method.

The pages themselves are planned by :mod:`panelsite.results.family`.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup, escape

from panelsite import i18n
from panelsite.config.municipality import category_label
from panelsite.engine.site import Site
from panelsite.results import charts
from panelsite.results.findings import top_findings
from panelsite.surveys.text import (
    change_words,
    difference_text,
    distribution_words,
    method_text,
    round_when,
    summary_sentence,
    versus_rest_words,
)


def survey_context(site: Site, results, survey) -> dict:
    """Everything results.html shows of one survey; ``results`` is the site's results.family.Results."""
    r = results.of(survey)
    palette = site.municipality.palette
    changes: dict[str, list] = {}
    for c in results.changes(survey):
        changes.setdefault(c.question_id, []).append(c)
    labels = site.municipality.population.labels
    questions = [question_view(q, palette, survey, changes.get(q.id, []), labels=labels) for q in r.questions]
    trends = [t for t in results.trends.get(survey.series, []) if survey.series] if survey.series else []
    this_round = {qr.id: qr.question for qr in r.questions}
    trend_views = [trend_view(t, palette, this_round[t["question_id"]]) for t in trends
                   if any(p.survey_id == survey.id for p in t["points"])]
    by_question = {t.question_id: t for t in trend_views}
    for q in questions:  # a question's development over the rounds is shown with the question
        q["trend"] = by_question.get(q.id)
    interactive = any(q["breakdowns"] for q in questions) or bool(trend_views)
    return {
        "survey": survey,
        "results": r,
        "weighting": r.weighting,
        "questions": questions,
        "trends": trend_views,
        "method": method_text(r),
        "key_figures": [q for q in questions if q["key_figure"] and not q["suppressed"]][:4],
        "findings": top_findings(questions),
        "interactive": interactive,
        "factsheet_path": site.prepared.factsheet_paths.get(survey.id),
        "response_by_group": by_group(survey.id) if (by_group := site.prepared.response_by_group) else None,
    }


class View(dict):
    """A dict of the view model whose keys also read as attributes.

    Jinja looks ``row.value`` up as an attribute first; on a plain dict that
    raises before it tries the key, and those failures were a third of the
    results template's time. It stays a dict, so ``row["value"]`` (code, theme
    overrides) works as before.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self


def _pct(v, decimals=0):
    return i18n.percent(v, decimals)


def _filter_text(q, survey) -> Markup:
    """Who got a filtered question, in words: "… die bij de vorige vraag ‘Ja’ antwoordden".

    An earlier question is linked rather than quoted: question texts are long, and
    the sentence should stay one a B1 reader takes in at once.
    """
    from panelsite.forms.questionnaire import describe

    by_id = {other.id: other for other in survey.questions}
    previous = {b.id: a.id for a, b in zip(survey.questions, survey.questions[1:])}

    def where(qid: str) -> str:
        return "bij de vorige vraag" if previous.get(q.id) == qid else f"bij \0{qid}\0"  # a link, see below

    text = str(escape(describe(q.filter.expr, {}, by_id, where=where, plural=True)))
    return Markup(re.sub("\0(.+?)\0", lambda m: f'<a href="#vraag-{m[1]}">een eerdere vraag</a>', text))


# The markers as small inline drawings, not characters: a lone "▲" is too short for a
# contrast checker to judge (axe: "needs review"), and hidden from screen readers either way.
MARKER_SHAPES = {
    "▲": ("up", "M6 1 11 11H1z"),
    "▼": ("down", "M1 1h10L6 11z"),
    "≠": ("different", "M1 3.6h10v1.6H1zM1 6.8h10v1.6H1zM8.4.6l1.4.8-6.2 10-1.4-.8z"),
}


def _marked(marker: str, words: str) -> Markup:
    """Words with their marker (▲/▼/≠) before them: the words say it, the marker (hidden from
    screen readers, which read the words) lets the eye find it; neither is a colour."""
    if not marker:
        return Markup(escape(words))
    name, path = MARKER_SHAPES[marker]
    return Markup(f'<svg class="change-mark change-mark--{name}" aria-hidden="true" viewBox="0 0 12 12">'
                  f'<path d="{path}"/></svg> {escape(words)}')


def change_view(change, is_pct: bool) -> dict:
    """A change since the previous round: its difference, marker and words."""
    when = round_when(change.previous_end)
    marker, words = change_words(change.comparison, when)
    diff = difference_text(change.current - change.previous, is_pct)
    if change.comparison is None:
        sentence = f"Vergeleken met {when}: {diff}. Niet getoetst: te weinig deelnemers."
    else:
        sentence = f"{words[0].upper()}{words[1:]} ({diff})."
    return View(marker=marker, words=words, text=_marked(marker, words), diff=diff, when=when,
                significant=bool(change.comparison and change.comparison.significant),
                size=abs(change.current - change.previous) * (1 if is_pct else 10),  # ranks the findings
                sentence=_marked(marker, sentence))


def question_view(qr, palette, survey, changes=(), labels: dict | None = None) -> dict:
    """``changes``: this question's figures against the previous round (surveys.series.Change);
    ``labels``: the municipality's ``population.labels``, how breakdown groups are shown."""
    q, total = qr.question, qr.total
    view = View({
        "id": q.id, "number": survey.numbers[q.id], "text": q.text, "short": _without_instructions(q.text),
        "subject": q.subject, "type": q.type, "n": total.n,
        "suppressed": total.suppressed, "headline": None, "trend": None,
        "indicative": total.indicative, "n_eff": total.n_eff, "filter": _filter_text(q, survey) if q.filter else None,
        "sentence": None if total.suppressed or q.type == "open" or not total.n else summary_sentence(qr),
        "chart": None, "rows": [], "missing": [], "extra": [], "breakdowns": [], "key_figure": None,
        "change": None, "changes_when": None,
    })
    if q.type == "open":
        return view
    if total.suppressed or not total.n:
        return view
    by_option = {c.code: change_view(c, True) for c in changes if c.statistic == "pct"}
    key_change = next((c for c in changes if c.statistic == ("key" if q.key_stat == "pct" else q.key_stat)), None)
    view["change"] = change_view(key_change, q.key_stat == "pct") if key_change else None
    view["changes_when"] = round_when(changes[0].previous_end) if changes else None
    if total.options and q.type in ("single", "multi", "scale", "grade"):
        # ordered answers (a scale, a report mark) in the steps of one hue; others in one colour
        tones = (charts.scale_tones(len(total.options)) if q.type in ("scale", "grade")
                 else ["s1"] * len(total.options))
        # the text bars are the chart's text alternative: a significant change is said there too
        bars = [charts.Bar(str(o.label), o.pct, _pct(o.pct), tone=tone,
                           note=f"{by_option[o.code].marker} {by_option[o.code].words}"
                           if o.code in by_option and by_option[o.code].significant else "")
                for o, tone in zip(total.options, tones)]
        view["chart"] = charts.bars_html(bars, label=f"Grafiek: {q.text}")
        view["rows"] = [View(label=o.label, n=o.n, pct=_pct(o.pct, 1),
                             ci=f"{i18n.number(o.ci_low, 1)}–{i18n.number(o.ci_high, 1)}",
                             change=by_option.get(o.code)) for o in total.options]
    view["missing"] = [View(label=m.label, n=m.n, pct=_pct(m.pct, 1)) for m in total.missing]
    if total.top2:
        view["extra"].append((_options_phrase(q, q.top2_codes).capitalize(), _interval(total.top2, True)))
    if total.mean:
        view["extra"].append(("Gemiddelde", _interval(total.mean, False)))
    if total.median is not None:
        view["extra"].append(("Mediaan", i18n.median(total.median)))
    if total.share_8plus:
        view["extra"].append(("8 of hoger", _interval(total.share_8plus, True)))
    if total.share_below6:
        view["extra"].append(("Onvoldoende (lager dan 6)", _interval(total.share_below6, True)))
    if total.key:
        is_pct = q.key_stat == "pct"
        view["key_figure"] = View(value=_pct(total.key.value) if is_pct else i18n.number(total.key.value, 1),
                                  label=_capital(_key_label(q)), question=q.text, change=view["change"])
        view["headline"] = view["key_figure"]
        if q.type in ("single", "multi") and not q.key and total.options:
            # without a key chosen by the author, the answer most gave says most
            top = max(total.options, key=lambda o: o.pct)
            view["headline"] = View(value=_pct(top.pct), label=_capital(str(top.label)), question=q.text)
    for variable, groups in qr.breakdowns.items():
        view["breakdowns"].append(breakdown_view(q, variable, groups, palette, labels))
    return view


def _without_instructions(text: str) -> str:
    """The question without what it told the resident to do ("U kunt meer antwoorden kiezen.",
    "(1 is heel slecht, 10 is uitstekend)"): for the contents list."""
    from panelsite.forms.questionnaire import GRADE_ANCHORS, MULTI_INSTRUCTION

    return MULTI_INSTRUCTION.sub("", GRADE_ANCHORS.sub("", text)).strip() or text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _interval(e, is_pct: bool) -> str:
    d = 1
    value = _pct(e.value, d) if is_pct else i18n.number(e.value, d)
    return f"{value} (95%-interval {i18n.number(e.ci_low, d)}–{i18n.number(e.ci_high, d)})"


def _key_label(q) -> str:
    if q.key_stat == "mean":
        return "gemiddeld" + (" rapportcijfer" if q.type == "grade" else (f" ({q.unit})" if q.unit else ""))
    return _options_phrase(q, q.key_codes)


def _options_phrase(q, codes) -> str:
    """The answers ``codes`` stand for: [4, 5] → "tevreden of zeer tevreden"."""
    return " of ".join(str(q.options[c]).lower() for c in codes if c in q.options)


def breakdown_view(q, variable: str, groups, palette, labels: dict | None = None) -> dict:
    """The key figure per group, each shown group with its test against the rest of the municipality."""
    is_pct = q.key_stat == "pct"
    distribution = q.type in ("single", "scale", "grade")
    own = (labels or {}).get(variable) or {}
    rows, plot, bars = [], [], []
    for g in groups:
        label = own.get(str(g.group)) or category_label(g.group)
        if g.suppressed or g.key is None:
            rows.append(View(group=label, n=g.n, suppressed=True))
            plot.append((label, None, None, None, ""))
            bars.append(charts.Bar(label, math.nan, "te weinig antwoorden"))
            continue
        key = g.key
        value = _pct(key.value) if is_pct else i18n.number(key.value, 1)
        marker, words = versus_rest_words(g.versus_rest)
        answers = _marked(*distribution_words(g.distribution_test)) if distribution else None
        rows.append(View(group=label, n=g.n, suppressed=False, indicative=g.indicative, value=value,
                         margin=i18n.number(key.margin, 0 if is_pct else 1), versus_rest=_marked(marker, words),
                         answers=answers, significant=bool(g.versus_rest and g.versus_rest.significant),
                         difference=(g.versus_rest.diff if g.versus_rest else 0.0) * (1 if is_pct else 10)))
        plot.append((label, key.value, key.ci_low, key.ci_high, marker))
        notes = ["indicatief"] if g.indicative else []
        if marker:  # the text bars are the chart's text alternative: a significant difference is said there
            notes.append(f"{marker} {words}")
        bars.append(charts.Bar(label, key.value, value, note=", ".join(notes)))
    return View(variable=variable, label=f"naar {variable}", rows=rows, key_label=_key_label(q),
                distribution=distribution, figure=charts.breakdown_figure(plot, palette, percent=is_pct),
                bars=charts.bars_html(bars, maximum=_scale_end(q, [b.value for b in bars])))


def _scale_end(q, values) -> float:
    """The end of a chart's scale: 100% for shares, 10 for a report mark, else the largest value."""
    if q.key_stat == "pct":
        return 100.0
    if q.type == "grade":
        return 10.0
    return max([v for v in values if not math.isnan(v)] + [1.0])


def trend_view(trend: dict, palette, question) -> dict:
    """``question`` is this round's: a trend only joins rounds whose question has the same key answers."""
    is_pct = trend.get("key_stat") == "pct"
    points = trend["points"]
    # "61%" alone does not say of what: the reader needs the answer that is followed ("nooit", "gft").
    label = _key_label(question)
    if is_pct:
        verb = "noemde" if trend.get("type") == "multi" else "antwoordde"
        sentence, measure = f"Per onderzoek: het deel van de deelnemers dat ‘{label}’ {verb}.", f"aandeel ‘{label}’"
    else:
        sentence, measure = f"Per onderzoek: het {label.replace('gemiddeld', 'gemiddelde', 1)}.", label
    rows, marks = [], []
    for before, p in zip([None, *points], points):
        change = None
        if before is not None:
            when = round_when(before.fieldwork_end)
            marker, words = change_words(p.change, when)
            change = View(marker=marker, words=words, text=_marked(marker, words),
                          diff=difference_text(p.value - before.value, is_pct),
                          significant=bool(p.change and p.change.significant))
        marks.append(change.marker if change else "")
        rows.append(View(title=p.title, end=p.fieldwork_end, n=p.n,
                         value=_pct(p.value) if is_pct else i18n.number(p.value, 1),
                         interval=f"{i18n.number(p.ci_low, 1)}–{i18n.number(p.ci_high, 1)}", change=change))
    # the text bars are the chart's text alternative: a significant change is said there too
    bars = charts.bars_html([charts.Bar(p.title, p.value, r["value"],
                                        note=f"{r.change.marker} {r.change.words}"
                                        if r.change and r.change.significant else "")
                             for p, r in zip(points, rows)], maximum=_scale_end(question, [p.value for p in points]))
    return View(question_id=trend["question_id"], text=trend["text"], rows=rows, bars=bars, measure=measure,
                measure_sentence=sentence, measure_header=measure[0].upper() + measure[1:],
                figure=charts.trend_figure(points, palette, percent=is_pct, marks=marks),
                has_changes=len(points) > 1)

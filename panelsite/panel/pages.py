"""What readers see: the composition page's view model and the response table of a results page.

Charts follow ``charts.bars_html`` (HTML bars, value as text, label per bar);
the paired chart gives every category two labelled rows, "panel" and "alle
inwoners", so the colour of the bar is never the only carrier.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from panelsite import i18n
from panelsite.config.municipality import category_label
from panelsite.panel.composition import Composition, GrowthPoint, ResponseByVariable, VariableComposition
from panelsite.results import charts

PANEL, POPULATION = "panel", "alle inwoners"
SUPPRESSED = "te weinig leden"


def signed(value: float, decimals: int = 1) -> str:
    """+3,2 / −1,5 / 0,0 (percentage points)."""
    if value is None or math.isnan(value):
        return "–"
    text = i18n.number(abs(value), decimals)
    if text == i18n.number(0, decimals):
        return text
    return ("+" if value > 0 else "−") + text


def _labeller(labels: dict | None, variable: str):
    """Category → how pages show it: the configured label (population.<variable>), else capitalised."""
    own = (labels or {}).get(variable) or {}
    return lambda category: own.get(str(category)) or category_label(category)


def composition_context(c: Composition, labels: dict | None = None) -> dict:
    """``labels``: the municipality's ``population.labels``."""
    return {
        "composition": c,
        "variables": [variable_view(v, labels) for v in c.variables],
        "growth": growth_view(c.growth),
    }


def variable_view(v: VariableComposition, labels: dict | None = None) -> dict:
    label = _labeller(labels, v.variable)
    rows = []
    for g in v.groups:
        row = {"category": label(g.category), "population_pct": i18n.percent(g.population_pct, 1),
               "suppressed": g.suppressed}
        if not g.suppressed:
            row.update(members=g.members, panel_pct=i18n.percent(g.panel_pct, 1), difference=signed(g.difference))
        rows.append(row)
    unknown = None
    if v.unknown:
        unknown = {"suppressed": v.unknown_suppressed, "members": v.unknown}
    return {"variable": v.variable, "label": v.variable.capitalize(), "rows": rows, "unknown": unknown,
            "chart": paired_bars(v, label)}


def paired_bars(v: VariableComposition, label=category_label) -> Markup:
    """Per category a "panel" bar (series 1) and an "alle inwoners" bar (series 2), on the same
    0–100% scale as the results' charts (a share of 35% is as long everywhere)."""
    bars = []
    for g in v.groups:
        name = label(g.category)
        bars.append(charts.Bar(f"{name}: {PANEL}", math.nan if g.suppressed else g.panel_pct,
                               SUPPRESSED if g.suppressed else i18n.percent(g.panel_pct, 1), tone="s1"))
        bars.append(charts.Bar(f"{name}: {POPULATION}", g.population_pct, i18n.percent(g.population_pct, 1),
                               tone="s2"))
    return charts.bars_html(bars, maximum=100, kind="paired",
                            label=f"Grafiek: aandeel in het panel en onder alle inwoners, naar {v.variable}")


def quarter_label(p: GrowthPoint) -> str:
    return f"{p.quarter}e kwartaal {p.year}"


def growth_view(points: list[GrowthPoint]) -> dict:
    rows = [{"label": quarter_label(p), "end": p.end, "members": p.members, "complete": p.complete} for p in points]
    maximum = max([p.members for p in points] + [1])
    bars = [charts.Bar(r["label"] if r["complete"] else f'{r["label"]} (tot {i18n.date(r["end"])})', p.members,
                       i18n.number(p.members)) for r, p in zip(rows, points)]
    return {"rows": rows, "chart": charts.bars_html(bars, maximum=maximum,
                                                    label="Grafiek: aantal panelleden per kwartaal")}


def response_table(variables: list[ResponseByVariable], min_n: int, labels: dict | None = None) -> Markup:
    """The "Respons per groep" block for the method section of a results page."""
    if not variables:
        return Markup("")
    parts = ['<section class="response-by-group" aria-labelledby="respons-per-groep">',
             '<h3 id="respons-per-groep">Respons per groep</h3>',
             "<p>Hoeveel panelleden per groep zijn uitgenodigd en hoeveel deden mee. Uitgenodigd zijn alle leden "
             "op de eerste dag van het onderzoek.</p>"]
    any_hidden = False
    for v in variables:
        label = _labeller(labels, v.variable)
        table_id = f"tabel-respons-{escape(v.variable)}"
        parts.append(f'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{table_id}"><table>')
        parts.append(f'<caption id="{table_id}">Respons naar {escape(v.variable)}</caption>')
        parts.append(f'<thead><tr><th scope="col">{escape(v.variable.capitalize())}</th>'
                     '<th scope="col" class="num">Uitgenodigd</th><th scope="col" class="num">Deelgenomen</th>'
                     '<th scope="col" class="num">Respons</th></tr></thead><tbody>')
        for g in v.groups:
            if g.suppressed:
                any_hidden = True
                parts.append(f'<tr><th scope="row">{escape(label(g.category))}</th>'
                             f'<td class="num" colspan="3">{SUPPRESSED}</td></tr>')
            else:
                parts.append(f'<tr><th scope="row">{escape(label(g.category))}</th>'
                             f'<td class="num">{i18n.number(g.invited)}</td>'
                             f'<td class="num">{i18n.number(g.responded)}</td>'
                             f'<td class="num">{i18n.percent(g.rate, 1)}</td></tr>')
        parts.append("</tbody></table></div>")
    if any_hidden:
        parts.append(f'<p class="question__meta">Groepen met minder dan {min_n} uitgenodigde leden of deelnemers tonen '
                     "we niet. Soms verbergen we dan ook een tweede groep, zodat de eerste niet uit het totaal is "
                     "terug te rekenen.</p>")
    parts.append("</section>")
    return Markup("".join(parts))

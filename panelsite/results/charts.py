"""Charts: static, accessible bar charts plus optional plotly figures.

Static charts are plain HTML/CSS bars, not images: they reflow at 320 px,
grow with the reader's text size, print, render as vector shapes in the PDF
factsheet, and every bar carries its value as text (colour is never the only
carrier of meaning). They work without JavaScript.

Interactive plotly charts (breakdowns, trends) are an enhancement: the page
holds the figure as JSON and our small script loads the site's one copy of
plotly.js only when the reader asks for it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from markupsafe import Markup, escape

from panelsite import i18n


@dataclass
class Bar:
    label: str
    value: float  # 0–100 for shares; any scale for means
    text: str  # the value as shown ("62%")
    note: str = ""  # e.g. "indicatief": on a line of its own under the bar
    muted: bool = False  # missing codes ("weet niet")
    tone: str = ""  # "s1".."s6" (a categorical colour), "q1".."q10" (a step of the sequential one); default the series


# A value stands inside its bar from this share of the bar's track on, beside it below that: a
# bar of half the track holds "100%" even at 320 px with 200% text, and beside a shorter bar
# there is always the other half. So a value never wraps, and no bar is shortened to make room.
INSIDE_FROM = 50.0
# On a phone a label goes above its bar when a label is longer than this (characters); shorter
# ones stay beside it, in a column as wide as the longest (up to 8 characters) or of 42% (up to 32).
SHORT_LABELS, MEDIUM_LABELS = 8, 32


def scale_tones(n: int) -> list[str]:
    """The tones of ``n`` ordered answers: steps spread over the sequential palette, lightest first."""
    from panelsite.config.datapalette import SEQUENTIAL_STEPS  # it imports ColorAide: only when a chart is drawn

    if n <= 1:
        return [f"q{SEQUENTIAL_STEPS}"] * n
    return [f"q{1 + round(i * (SEQUENTIAL_STEPS - 1) / (n - 1))}" for i in range(n)]


def bars_html(bars: list[Bar], *, maximum: float = 100.0, series: int = 1, label: str = "",
              kind: str = "") -> Markup:
    """A horizontal bar chart as a description list: label, bar with its value, note.
    ``kind`` adds a modifier class (``barchart--<kind>``)."""
    rows = []
    for bar in bars:
        value = bar.value
        missing = value is None or math.isnan(value)
        width = 0.0 if missing else max(0.0, min(100.0, value / maximum * 100))
        note = f'<span class="barchart__note">{_escape(bar.note)}</span>' if bar.note else ""
        text = f'<span class="barchart__text">{_escape(bar.text)}</span>'
        if missing:
            track = f'<span class="barchart__note">{_escape(bar.text)}</span>'
        else:
            tone = "muted" if bar.muted else (bar.tone or f"s{series}")
            inside = width >= INSIDE_FROM
            bar_html = (f'<span class="barchart__bar barchart__bar--{tone}{" barchart__bar--inside" if inside else ""}"'
                        f' style="width:{width:.1f}%">{text if inside else ""}</span>')
            track = f'<span class="barchart__track">{bar_html}{"" if inside else text}</span>'
        rows.append(f'<div class="barchart__row"><dt class="barchart__label">{_escape(bar.label)}</dt>'
                    f'<dd class="barchart__value">{track}{note}</dd></div>')
    aria = f' aria-label="{_escape(label)}"' if label else ""
    longest = max((len(str(b.label)) for b in bars), default=0)
    size = " barchart--short" if longest <= SHORT_LABELS else " barchart--medium" if longest <= MEDIUM_LABELS else ""
    modifier = f" barchart--{kind}" if kind else ""
    return Markup(f'<dl class="barchart{modifier}{size}"{aria}>' + "".join(rows) + "</dl>")


def _escape(text) -> str:
    """markupsafe.escape as a plain str; a results page escapes thousands of
    short labels, and for a plain str these replaces are three times faster."""
    if type(text) is not str:
        return escape(text)  # Markup stays as it is; numbers and objects go through str()
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def plotly_template(palette) -> dict:
    """A plotly layout template in the house style (colours, font, no clutter)."""
    return {
        "layout": {
            "colorway": list(palette.chart),
            "font": {"family": "system-ui, sans-serif", "color": palette.text, "size": 14},
            "paper_bgcolor": palette.background,
            "plot_bgcolor": palette.background,
            # No title in the chart: the page's heading names it, and at 320 px a title is cut off.
            "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
            # Dragging to zoom fights scrolling on a phone and brings plotly's English hints.
            "xaxis": {"gridcolor": palette.border, "zeroline": False, "automargin": True, "fixedrange": True},
            "yaxis": {"gridcolor": palette.border, "zeroline": False, "automargin": True, "fixedrange": True},
            "hoverlabel": {"font": {"size": 14}},
        }
    }


def _separators() -> str:
    """plotly's ``layout.separators``: decimal then thousands sign, so hover text reads 46,6 in Dutch."""
    symbols = i18n.babel_locale().number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]


def _value_text(value: float, percent: bool) -> str:
    """The label beside a point: a share as on the page (62%), a mean or grade with its decimal (7,4)."""
    return i18n.percent(value, 0) if percent else i18n.number(value, 1)


def _labels_beyond(positions: dict, texts: list[str], color: str, textposition: str) -> dict:
    """A text-only trace that puts each value label past the end of its error bar, where the
    bar's whisker cannot strike through it (labels at the bar or marker would be)."""
    return {"type": "scatter", "mode": "text", **positions, "text": texts, "textposition": textposition,
            "textfont": {"color": color}, "cliponaxis": False, "hoverinfo": "skip", "showlegend": False}


def breakdown_figure(groups: list[tuple], palette, percent: bool = True) -> str:
    """Plotly JSON: the key figure per group with its interval (suppressed groups left out).

    ``groups``: (group, value, ci_low, ci_high) or with a fifth item, a marker (▲/▼) put after
    the value label of a group significantly different from the rest.
    """
    marks = {g[0]: g[4] for g in groups if len(g) > 4 and g[4]}
    shown = [(g, v, lo, hi) for g, v, lo, hi, *_ in groups if v is not None and not math.isnan(v)]
    unit = "%" if percent else ""
    top = max((hi for *_, hi in shown), default=0)
    gap = top / 50  # a few pixels between the whisker's end and its label
    data = [{
        "type": "bar", "orientation": "h",
        "y": [g for g, *_ in shown], "x": [round(v, 1) for _, v, _, _ in shown],
        "error_x": {"type": "data", "symmetric": False, "array": [round(hi - v, 2) for _, v, _, hi in shown],
                    "arrayminus": [round(v - lo, 2) for _, v, lo, _ in shown], "color": palette.text},
        "marker": {"color": palette.chart[0]},
        "hovertemplate": f"%{{y}}: %{{x:.1f}}{unit}<extra></extra>",
    }, _labels_beyond({"y": [g for g, *_ in shown], "x": [round(hi + gap, 2) for *_, hi in shown]},
                      [_marked(_value_text(v, percent), marks.get(g)) for g, v, _, _ in shown], palette.text,
                      "middle right")]
    layout = {"separators": _separators(), "showlegend": False,
              "xaxis": {"title": {"text": "%" if percent else "gemiddelde"}, "range": [0, _room_for_labels(top)]},
              "yaxis": {"autorange": "reversed"}, "height": 80 + 36 * len(shown)}
    return _figure_json(data, palette, layout)


def _marked(text: str, mark: str | None) -> str:
    return f"{text} {mark}" if mark else text


def trend_figure(points, palette, percent: bool = True, marks=None) -> str:
    """Plotly JSON: a line with interval band over the rounds of a series; ``marks``: per point a
    marker (▲/▼, or "") after the value label of a significant change since the point before."""
    marks = marks or [""] * len(points)
    labels = [p.title for p in points]
    unit = "%" if percent else ""
    data = [{
        "type": "scatter", "mode": "lines+markers", "x": labels, "y": [round(p.value, 1) for p in points],
        "error_y": {"type": "data", "symmetric": False, "array": [round(p.ci_high - p.value, 2) for p in points],
                    "arrayminus": [round(p.value - p.ci_low, 2) for p in points], "color": palette.text},
        "line": {"color": palette.chart[0], "width": 3}, "marker": {"size": 10, "symbol": "circle"},
        "hovertemplate": f"%{{x}}: %{{y:.1f}}{unit}<extra></extra>",
    }, _labels_beyond({"x": labels, "y": [round(p.ci_high, 2) for p in points]},
                      [_marked(_value_text(p.value, percent), m) for p, m in zip(points, marks)], palette.text,
                      "top center")]
    top = max((p.ci_high for p in points), default=0)
    layout = {"separators": _separators(), "showlegend": False,
              "yaxis": {"title": {"text": "%" if percent else "gemiddelde"}, "range": [0, _room_for_labels(top)]},
              "height": 360}
    return _figure_json(data, palette, layout)


def _room_for_labels(top: float) -> float:
    """The value axis runs a fifth past the highest interval end, room for the label beyond it."""
    return round(top * 1.2, 1) if top > 0 else 1


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _figure_json(data: list, palette, layout: dict) -> str:
    """``{"data": data, "layout": {"template": plotly_template(palette), **layout}}`` as compact JSON.

    A site has one palette and a hundred figures, so the house-style template
    is serialised once per palette and spliced in; the text is the same as
    json.dumps of the whole figure.
    """
    rest = _JSON.encode(layout)  # '{"title":...}': its keys follow the template's
    return '{"data":' + _JSON.encode(data) + ',"layout":{"template":' + _template_json(palette) + "," + rest[1:] + "}"


def _template_json(palette) -> str:
    return _template_json_of(tuple(palette.chart), palette.text, palette.background, palette.border)


@lru_cache(maxsize=16)
def _template_json_of(chart: tuple, text: str, background: str, border: str) -> str:
    palette = SimpleNamespace(chart=chart, text=text, background=background, border=border)
    return _JSON.encode(plotly_template(palette))

"""The chart markup and plotly JSON are built by hand for speed: they must equal the plain way."""

import json
import math
from types import SimpleNamespace

from markupsafe import escape

from panelsite.results import charts
from panelsite.config.schema import Record

PALETTE = Record(text="#1b1b1b", background="#ffffff", border="#828282", chart=["#0b5394", "#c25e00"])
AWKWARD = 'Ja, "zeker" <b>& \'niet\'</b> – één'


def test_bar_labels_values_and_notes_are_escaped_like_markupsafe():
    html = charts.bars_html([charts.Bar(AWKWARD, 40.0, AWKWARD, note=AWKWARD)], label=AWKWARD)
    assert html.count(str(escape(AWKWARD))) == 4
    assert "<b>" not in html


def test_bars_keep_markup_as_it_is():
    html = charts.bars_html([charts.Bar(escape("<i>") + "x", 10.0, "10%")])
    assert '<dt class="barchart__label">&lt;i&gt;x</dt>' in html


def test_bar_width_is_clamped_and_missing_values_are_empty():
    html = charts.bars_html([charts.Bar("a", 250.0, "x"), charts.Bar("b", -3.0, "y"), charts.Bar("c", math.nan, "z")])
    assert [part.split("%")[0] for part in html.split("width:")[1:]] == ["100.0", "0.0", "0.0"]


def test_breakdown_figure_is_the_json_of_the_whole_figure():
    groups = [(AWKWARD, 62.44, 58.1, 66.9), ("Zuid", None, None, None), ("Noord", 7, 5.5, 8.25)]
    shown = [groups[0], groups[2]]
    expected = {
        "data": [{
            "type": "bar", "orientation": "h", "y": [AWKWARD, "Noord"], "x": [62.4, 7],
            "error_x": {"type": "data", "symmetric": False, "array": [round(hi - v, 2) for _, v, _, hi in shown],
                        "arrayminus": [round(v - lo, 2) for _, v, lo, _ in shown], "color": "#1b1b1b"},
            "marker": {"color": "#0b5394"}, "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
        }, {
            "type": "scatter", "mode": "text", "y": [AWKWARD, "Noord"], "x": [round(66.9 + 66.9 / 50, 2), round(8.25 + 66.9 / 50, 2)],
            "text": ["62%", "7%"], "textposition": "middle right", "textfont": {"color": "#1b1b1b"},
            "cliponaxis": False, "hoverinfo": "skip", "showlegend": False,
        }],
        "layout": {"template": charts.plotly_template(PALETTE), "separators": ",.", "showlegend": False,
                   "xaxis": {"title": {"text": "%"}, "range": [0, round(66.9 * 1.2, 1)]},
                   "yaxis": {"autorange": "reversed"}, "height": 80 + 36 * 2},
    }
    assert charts.breakdown_figure(groups, PALETTE) == json.dumps(expected, separators=(",", ":"),
                                                                      ensure_ascii=False)


def test_figures_have_no_title_of_their_own():
    # The page's heading names the chart; at 320 px plotly cut an in-chart title off.
    for figure in (json.loads(charts.breakdown_figure([("a", 40.0, 35.0, 45.0)], PALETTE)),
                   json.loads(charts.trend_figure(POINTS, PALETTE))):
        assert "title" not in figure["layout"]


POINTS = [SimpleNamespace(title="Ronde 2025", value=46.63, ci_low=43.0, ci_high=50.2),
          SimpleNamespace(title="Ronde 2026", value=7.44, ci_low=7.1, ci_high=7.8)]


def test_hover_and_labels_read_as_dutch_figures_with_their_unit():
    shares = json.loads(charts.trend_figure(POINTS, PALETTE, percent=True))
    means = json.loads(charts.breakdown_figure([("Noord", 7.44, 7.1, 7.8)], PALETTE, percent=False))
    assert shares["layout"]["separators"] == ",."  # plotly then formats %{y:.1f} as 46,6
    assert shares["data"][0]["hovertemplate"] == "%{x}: %{y:.1f}%<extra></extra>"
    assert shares["data"][1]["text"] == ["47%", "7%"]
    assert means["data"][0]["hovertemplate"] == "%{y}: %{x:.1f}<extra></extra>"  # a mean is no percentage
    assert means["data"][1]["text"] == ["7,4"]  # a grade keeps its decimal: 7,4, not 7


def test_value_labels_stand_beyond_the_end_of_the_interval():
    # At the bar's end or the marker the whisker of the error bar struck through them.
    bars = json.loads(charts.breakdown_figure([("a", 40.0, 35.0, 45.0), ("b", 10.0, 8.0, 12.0)], PALETTE))
    labels = bars["data"][1]
    assert labels["mode"] == "text" and labels["textposition"] == "middle right"
    assert all(x > hi for x, hi in zip(labels["x"], [45.0, 12.0]))
    assert bars["layout"]["xaxis"]["range"][1] > max(labels["x"])
    trend = json.loads(charts.trend_figure(POINTS, PALETTE))["data"][1]
    assert trend["textposition"] == "top center" and trend["y"] == [50.2, 7.8]


def test_each_palette_gets_its_own_template():
    other = Record(PALETTE, chart=["#123456"])
    first = json.loads(charts.breakdown_figure([("a", 1.0, 0.5, 1.5)], PALETTE))
    second = json.loads(charts.breakdown_figure([("a", 1.0, 0.5, 1.5)], other))
    assert first["layout"]["template"]["layout"]["colorway"] == ["#0b5394", "#c25e00"]
    assert second["layout"]["template"]["layout"]["colorway"] == ["#123456"]

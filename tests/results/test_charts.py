"""The chart markup and plotly JSON are built by hand for speed: they must equal the plain way."""

import json
import math

from markupsafe import escape

from panelsite import charts
from panelsite.schema import Record

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
            "type": "bar", "orientation": "h", "y": [AWKWARD, "Noord"], "x": [62.4, 7], "text": ["62", "7"],
            "textposition": "outside",
            "error_x": {"type": "data", "symmetric": False, "array": [round(hi - v, 2) for _, v, _, hi in shown],
                        "arrayminus": [round(v - lo, 2) for _, v, lo, _ in shown], "color": "#1b1b1b"},
            "marker": {"color": "#0b5394"}, "hovertemplate": "%{y}: %{x:.1f}<extra></extra>",
        }],
        "layout": {"template": charts.plotly_template(PALETTE), "title": {"text": "Titel “met” aanhalingstekens"},
                   "xaxis": {"title": {"text": "%"}, "rangemode": "tozero"}, "yaxis": {"autorange": "reversed"},
                   "height": 120 + 36 * 2},
    }
    assert charts.breakdown_figure("Titel “met” aanhalingstekens", groups, PALETTE, "nl", "%") == json.dumps(
        expected, separators=(",", ":"), ensure_ascii=False)


def test_each_palette_gets_its_own_template():
    other = Record(PALETTE, chart=["#123456"])
    first = json.loads(charts.breakdown_figure("t", [("a", 1.0, 0.5, 1.5)], PALETTE))
    second = json.loads(charts.breakdown_figure("t", [("a", 1.0, 0.5, 1.5)], other))
    assert first["layout"]["template"]["layout"]["colorway"] == ["#0b5394", "#c25e00"]
    assert second["layout"]["template"]["layout"]["colorway"] == ["#123456"]

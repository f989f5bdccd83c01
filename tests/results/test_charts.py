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


def test_bar_width_is_clamped_and_a_missing_value_has_no_bar_but_its_words():
    html = charts.bars_html([charts.Bar("a", 250.0, "x"), charts.Bar("b", -3.0, "y"),
                             charts.Bar("c", math.nan, "te weinig antwoorden")])
    assert [part.split("%")[0] for part in html.split("width:")[1:]] == ["100.0", "0.0"]
    assert '<dd class="barchart__value"><span class="barchart__note">te weinig antwoorden</span></dd>' in html


def test_a_value_stands_inside_a_long_bar_and_beside_a_short_one():
    html = str(charts.bars_html([charts.Bar("lang", 50.0, "50%"), charts.Bar("kort", 49.9, "49,9%")]))
    long_row, short_row = html.split('<div class="barchart__row">')[1:]
    assert 'barchart__bar--inside" style="width:50.0%"><span class="barchart__text">50%</span></span>' in long_row
    assert 'style="width:49.9%"></span><span class="barchart__text">49,9%</span>' in short_row
    # a note (indicatief, a test's words) is a line of its own, never squeezed beside the value
    noted = str(charts.bars_html([charts.Bar("a", 10.0, "10%", note="indicatief")]))
    assert '</span><span class="barchart__note">indicatief</span></dd>' in noted


def test_ordered_answers_take_steps_of_the_sequential_palette_lightest_first():
    assert charts.scale_tones(5) == ["q1", "q3", "q5", "q8", "q10"]  # round half to even: 5.5 → 5
    assert charts.scale_tones(10) == [f"q{i}" for i in range(1, 11)]
    html = charts.bars_html([charts.Bar("a", 10.0, "10%", tone="q3"), charts.Bar("b", 10.0, "10%")], series=2)
    assert "barchart__bar--q3" in html and "barchart__bar--s2" in html


def test_a_phone_keeps_short_labels_beside_their_bars():
    assert 'class="barchart barchart--short"' in charts.bars_html([charts.Bar(str(g), 10.0, "10%") for g in range(1, 11)])
    medium = charts.bars_html([charts.Bar("Niet tevreden, niet ontevreden", 10.0, "10%")])
    assert 'class="barchart barchart--medium"' in medium
    assert 'class="barchart"' in charts.bars_html([charts.Bar("Plastic, metaal en drinkpakken (pmd) en ook blik", 1.0, "1%")])


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

"""Golden checks of a demo results page and its open data against the computed statistics."""

import json
from datetime import date
from pathlib import Path

import pytest

from panelsite import i18n
from panelsite.config.municipality import load_municipalities
from panelsite.surveys.estimates import analyse
from panelsite.surveys.loader import load_surveys

ROOT = Path(__file__).resolve().parents[2]
DEMO_BUILD_DATE = "2026-11-28"  # tests/conftest.py builds the demo as of this date


@pytest.fixture(scope="module")
def lindenhaven_results():
    m = load_municipalities(ROOT, ["lindenhaven"])["lindenhaven"]
    surveys = {s.id: s for s in load_surveys(ROOT / "content" / "lindenhaven" / "surveys", m, ROOT)}
    return m, {sid: analyse(s, m) for sid, s in surveys.items()}


def test_results_page_shows_the_computed_figures_in_dutch(built_demo, lindenhaven_results):
    _, results = lindenhaven_results
    r = results["afval-2026"]
    page = (built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "index.html").read_text(encoding="utf-8")
    q1 = r.questions[0]
    for option in q1.total.options:
        assert f"<td class=\"num\">{i18n.percent(option.pct, 1)}</td>" in page  # e.g. 41,3%
    assert "procentpunt" in page  # the summary sentence with its margin
    assert f"{r.weighting.n:,}".replace(",", ".") in page  # 1.537 deelnemers
    assert "Hoe is dit onderzocht?" in page and "Open data" in page
    assert "te weinig antwoorden" in page or "Te weinig" in page or all(
        not g.suppressed for q in r.questions for gs in q.breakdowns.values() for g in gs)


def test_open_data_equals_the_computed_figures(built_demo, lindenhaven_results):
    _, results = lindenhaven_results
    for survey_id, r in results.items():
        data_file = built_demo / "lindenhaven" / "resultaten" / survey_id / "data.json"
        if not data_file.exists():
            assert r.survey.publish_on > date.fromisoformat(DEMO_BUILD_DATE)
            continue
        data = json.loads(data_file.read_text(encoding="utf-8"))
        by_id = {q["id"]: q for q in data["questions"]}
        for q in r.questions:
            entry = by_id[q.id]
            assert entry["base_n"] == q.total.n
            for mine, theirs in zip(q.total.options, entry.get("options", [])):
                assert theirs["pct"] == pytest.approx(mine.pct, abs=1e-9)
                assert 0 <= theirs["ci_low"] <= theirs["pct"] <= theirs["ci_high"] <= 100


def test_suppressed_groups_are_present_without_figures(built_demo):
    found = False
    for data_file in built_demo.glob("*/resultaten/*/data.json"):
        data = json.loads(data_file.read_text(encoding="utf-8"))
        for q in data["questions"]:
            for groups in (q.get("breakdowns") or {}).values():
                for g in groups:
                    if g.get("suppressed"):
                        found = True
                        assert "options" not in g or not g["options"]
                        assert "mean" not in g or g["mean"] is None
    assert found, "the demo must trigger suppression somewhere"


def test_no_respondent_level_data_in_dist(built_demo):
    assert not list(built_demo.rglob("responses.csv"))
    assert not list(built_demo.rglob("members.csv"))
    for data_file in built_demo.rglob("data.csv"):
        assert "respondent_id" not in data_file.read_text(encoding="utf-8")


def test_embargoed_survey_is_not_published(built_demo):
    assert not (built_demo / "heidebeek" / "resultaten" / "eenzaamheid-2026").exists()
    assert "eenzaamheid-2026" not in (built_demo / "heidebeek" / "sitemap.xml").read_text()


def test_plotly_only_where_used_and_only_on_request(built_demo):
    import re

    with_charts = 0
    for page in built_demo.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="[^"]*plotly', text), page  # never loaded up front
        if "plotly-chart" in text:
            with_charts += 1
            # an optional ?v=<hash> cache-busting query on either asset
            assert re.search(r'<script src="[^"]*js/charts\.js(\?[^"]*)?" data-plotly="[^"]*js/plotly\.min\.js(\?[^"]*)?" defer>',
                             text)
        else:
            assert "plotly" not in text, page
    assert with_charts > 0


def test_home_page_points_to_the_round_in_fieldwork(built_demo):
    home = (built_demo / "lindenhaven" / "index.html").read_text(encoding="utf-8")
    assert "Nu bezig" in home and 'href="vragenlijst/mobiliteit-2026/"' in home
    assert "7 december 2026" in home
    assert not (built_demo / "lindenhaven" / "resultaten" / "mobiliteit-2026").exists()  # no results before publish_on


def _text(html: str) -> str:
    import html as _html
    import re

    return _html.unescape(re.sub(r"<[^>]+>", "", html))


def test_a_trend_says_which_answer_it_follows(built_demo, lindenhaven_results):
    import re

    from panelsite.surveys.series import series_trends

    _, results = lindenhaven_results
    page = (built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="vragen"'):page.index('id="methode"')]  # each trend is with its question
    trends = series_trends([results["afval-2025"], results["afval-2026"]])[results["afval-2026"].survey.series]
    questions = {q.id: q.question for q in results["afval-2026"].questions}
    assert {t["key_stat"] for t in trends} == {"pct", "mean"}  # the demo must show both kinds
    for trend in trends:
        q = questions[trend["question_id"]]
        if trend["key_stat"] == "pct":
            answers = " of ".join(str(q.options[c]).lower() for c in q.key_codes)  # "nooit", "gft"
            header, caption = f"Aandeel ‘{answers}’", f"Ontwikkeling: {q.text} – aandeel ‘{answers}’"
        else:
            header, caption = "Gemiddeld rapportcijfer", f"Ontwikkeling: {q.text} – gemiddeld rapportcijfer"
        table = re.search(rf'<caption id="tabel-ontwikkeling-{q.id}"[^>]*>(.*?)</caption>\s*<thead>(.*?)</thead>',
                          section, re.S)
        assert _text(table.group(1)) == caption
        assert [_text(th) for th in re.findall(r"<th[^>]*>(.*?)</th>", table.group(2))][1] == header


def test_results_pages_explain_the_weighting_without_jargon(built_demo, lindenhaven_results):
    _, results = lindenhaven_results
    for page in built_demo.glob("*/resultaten/*/index.html"):
        text = _text(page.read_text(encoding="utf-8"))
        for jargon in ("Design effect", "effectieve n", "Top-2"):
            assert jargon not in text, f"{page}: {jargon}"
    r = results["afval-2026"]
    assert r.weighting.weighted
    text = _text((built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "index.html").read_text(encoding="utf-8"))
    assert f"telt het onderzoek ongeveer zo zwaar als {i18n.number(r.weighting.n_eff)} deelnemers" in text
    weighting = json.loads((built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "data.json").read_text())
    assert weighting["weighting"]["deff"] == pytest.approx(r.weighting.deff)  # the technical figures stay open


def test_the_two_highest_answers_are_named_by_their_labels(built_demo, lindenhaven_results):
    _, results = lindenhaven_results
    page = (built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "index.html").read_text(encoding="utf-8")
    scales = [qr for qr in results["afval-2026"].questions if qr.total.top2]
    assert scales
    for qr in scales:
        q = qr.question
        label = " of ".join(str(q.options[c]).lower() for c in q.top2_codes).capitalize()  # Tevreden of zeer tevreden
        assert f"<dt>{label}</dt><dd>{i18n.percent(qr.total.top2.value, 1)} (95%-interval" in page


def test_a_filtered_question_says_in_words_who_got_it(built_demo, lindenhaven_results):
    page = (built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "index.html").read_text(encoding="utf-8")
    _, results = lindenhaven_results
    q4, q5 = results["afval-2026"].question("q4").question, results["afval-2026"].question("q5").question
    assert q5.filter.source == "q4 == 1"  # what the page must not show
    assert "q4 == 1" not in page
    said = f"Deze vraag is alleen gesteld aan deelnemers die bij de vorige vraag ‘{q4.options[1]}’ antwoordden."
    assert said in page


def test_a_filter_on_an_earlier_question_links_to_it(tmp_path):
    from types import SimpleNamespace

    from panelsite.results.pages import _filter_text
    from panelsite.surveys.filters import parse

    questions = [SimpleNamespace(id="q1", text="Heeft u een tuin?", options={1: "Ja", 2: "Nee <geen>"}, missing={}),
                 SimpleNamespace(id="q2", text="Iets anders?", options={1: "Ja"}, missing={}),
                 SimpleNamespace(id="q3", text="Wat groeit er?", options={}, missing={}, filter=parse("q1 in [1, 2]"))]
    text = str(_filter_text(questions[2], SimpleNamespace(questions=questions)))
    assert text == 'bij <a href="#vraag-q1">een eerdere vraag</a> ‘Ja’ of ‘Nee &lt;geen&gt;’ antwoordden'


def test_a_median_reads_as_an_answer(built_demo):
    page = (built_demo / "lindenhaven" / "resultaten" / "openbare-ruimte-2026" / "index.html").read_text(encoding="utf-8")
    assert "<dt>Mediaan</dt><dd>7</dd>" in page and "Mediaan</dt><dd>7,0" not in page


def _page(built_demo, survey_id: str) -> str:
    return (built_demo / "lindenhaven" / "resultaten" / survey_id / "index.html").read_text(encoding="utf-8")


def test_a_change_since_the_previous_round_is_said_in_words_with_a_marker_only_when_significant(built_demo):
    import re

    page = _page(built_demo, "afval-2026")
    data = json.loads((built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "data.json").read_text(encoding="utf-8"))
    key = {c["question"]: c for c in data["changes"] if c["statistic"] in ("key", "mean")}
    assert key["q1"]["compared_with"] == "afval-2025" and key["q1"]["significant"]  # the demo's satisfaction rose
    assert not key["q4"]["significant"]
    figures = _text(page[page.index('id="belangrijkste-uitkomsten"'):page.index('id="toc-heading"')])
    assert "Significant hoger dan in maart 2025 (+" in figures  # a significant change is a top finding
    questions = _text(page[page.index('id="vragen"'):page.index('id="methode"')])
    assert "Geen significant verschil met maart 2025" in questions  # the others are said with their question
    # the marker is never alone: a drawing hidden from screen readers, the words follow it; no colour of its own
    marks = re.findall(r'<svg class="change-mark change-mark--(up|down|different)" aria-hidden="true" '
                       r'viewBox="0 0 12 12"><path d="[^"]+"/></svg> ([^<]{0,40})', page)
    assert marks and all(words.lower().startswith(("significant", "verschilt significant")) for _, words in marks)
    assert {kind for kind, _ in marks} == {"up", "down", "different"}
    assert page.count('class="change-mark') == len(marks)
    # the options table and the trend table have a column for the change
    assert "<th scope=\"col\">Verschil met maart 2025</th>" in page
    assert "<th scope=\"col\">Verschil met het onderzoek ervoor</th>" in page
    # the text bars (the chart's text alternative) say a significant change too
    bars = re.findall(r'<span class="barchart__note">([^<]*)</span>', page)
    assert any(note.startswith("▲ significant hoger dan in maart 2025") for note in bars)
    # the first round of the series has nothing to compare with (its trend section shows the later round's change)
    first = re.sub(r'<details class="trend"[^>]*>.*?</details>', "", _page(built_demo, "afval-2025"), flags=re.S)
    assert "Verschil met maart" not in first and " dan in maart" not in first and "verschil met maart" not in first


def test_each_group_is_compared_with_the_rest_and_small_groups_are_not_tested(built_demo):
    import re

    page = _page(built_demo, "afval-2026")
    data = json.loads((built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "data.json").read_text(encoding="utf-8"))
    assert "<th scope=\"col\">Vergeleken met de rest</th>" in page
    assert "<th scope=\"col\">Alle antwoorden vergeleken met de rest</th>" in page
    tests = [t for t in data["group_tests"] if t["statistic"] != "distribution"]
    assert any(t["significant"] for t in tests) and any(t["significant"] is False for t in tests)
    # a table row per shown group, with the words of its test
    for t in tests:
        q = next(q for q in data["questions"] if q["id"] == t["question"])
        assert not next(g for g in q["breakdowns"][t["breakdown_variable"]] if g["group"] == t["group"])["suppressed"]
    q1 = page[page.index('id="vraag-q1"'):page.index('id="vraag-q2"')]
    rows = re.findall(r'<tr><th scope="row">([^<]+)(?:<span[^>]*>[^<]*</span>)?</th><td class="num">[^<]*</td><td class="num">[^<]*</td>'
                      r'<td class="num">[^<]*</td><td>(.*?)</td>', q1)
    wijk = {t["group"]: t for t in tests if t["question"] == "q1" and t["breakdown_variable"] == "wijk"}
    seen = {group.strip(): _text(cell) for group, cell in rows if group.strip() in wijk}
    assert set(seen) == set(wijk)
    for group, words in seen.items():
        t = wijk[group]
        expected = ("significant hoger dan de rest" if t["diff"] > 0 else "significant lager dan de rest") if t["significant"] \
            else "geen significant verschil met de rest"
        assert words.endswith(expected), (group, words)
    assert "We maken veel vergelijkingen" in page  # the caveat under the breakdowns, and in the method
    method = _text(page[page.index('id="methode"'):])
    assert "1 op de 20 vergelijkingen" in method and "‘significant’" in method
    # groups under the indicative base are shown and marked, not tested
    for data_file in built_demo.glob("*/resultaten/*/data.json"):
        d = json.loads(data_file.read_text(encoding="utf-8"))
        for t in d["group_tests"]:
            q = next(q for q in d["questions"] if q["id"] == t["question"])
            g = next(g for g in q["breakdowns"][t["breakdown_variable"]] if g["group"] == t["group"])
            assert not g["suppressed"]  # no test reveals a suppressed group
            if g["indicative"]:
                assert not t["tested"] and t["p"] is None

"""Inline figures in the Markdown body and highlight values, computed from the data."""

from __future__ import annotations

import datetime as dt
import math

from panelsite.factsheets.figures import Figures, format_figure
from panelsite.factsheets.measures import overview, survey_news, when_line

from .conftest import FACTSHEET


def test_inline_figures_are_computed_and_formatted_the_dutch_way(project):
    body = ('{{ pct("q1", [4, 5]) }} tevreden, cijfer {{ mean("q2") }}, mediaan {{ median("q2") }}, '
            '{{ share("q2", "8plus") }} een 8 of hoger, {{ share("q2", "below6") }} onvoldoende, '
            'top-2 {{ top2("q1") }}, sleutel {{ pct("q1") }}; {{ n }} deelnemers, {{ response_rate }} respons.\n')
    sheets = project.load(FACTSHEET.split("---\n")[0] + "---\n" + FACTSHEET.split("---\n")[1] + "---\n" + body)
    figures = Figures(sheets["y"], project.results())
    assert figures.body_markdown({}).strip() == (
        "65% tevreden, cijfer 6,8, mediaan 7, 20% een 8 of hoger, 0% onvoldoende, top-2 65%, sleutel 65%; "
        "20 deelnemers, 50% respons.")
    html = figures.body_html({}, lambda path: "../../" + path)
    assert html.startswith("<p>65% tevreden")


def test_highlights_equal_the_survey_figures(project):
    sheets = project.load(FACTSHEET)
    results = project.results()
    views = Figures(sheets["y"], results).highlights()
    assert [(v["value"], v["label"], v["bar"]) for v in views] == [
        ("65%", "is (zeer) tevreden", 65.0), ("6,8", "gemiddeld rapportcijfer", 68.0)]
    assert views[1]["scale"] == "op een schaal van 1 tot 10"
    assert math.isclose(results.figure("q1", [4, 5]), 65.0)


def test_root_links_in_the_body_follow_the_page(project):
    sheets = project.load(FACTSHEET + "\nZie [vorig jaar](/resultaten/x/).\n")
    figures = Figures(sheets["y"], project.results())
    assert 'href="../../resultaten/x/"' in figures.body_html({}, lambda path: "../../" + path)
    assert 'href="https://p.nl/resultaten/x/"' in figures.body_html({}, lambda path: "https://p.nl/" + path)


def test_number_formats():
    assert format_figure(62.4, "pct") == "62%"
    assert format_figure(6.75, "mean") == "6,8"
    assert format_figure(19.5, "median") == "19,5"
    assert format_figure(1234.5, "mean") == "1.234,5"
    assert format_figure(math.nan, "pct") == "–"


def test_measures_are_grouped_by_status_in_a_fixed_order(project):
    text = FACTSHEET.replace("measures:\n", """measures:
  - {title: Niet te doen, status: not possible, explanation: Kan niet., department: A}
  - {title: Uitzoeken, status: investigating, explanation: We kijken., expected: 2027-Q1, department: B}
  - {title: Straks, status: planned, explanation: Komt eraan., expected: 2026-12-01, department: C}
""") + ""
    text = text.replace("---\nTevreden", "follow_up:\n  - {date: 2026-06-01, text: Eerste stand., measure: Vaker legen}\n"
                                         "  - {date: 2026-09-01, text: Laatste stand., measure: Vaker legen}\n"
                                         "  - {date: 2026-10-01, text: Over het onderzoek.}\n"
                                         "  - {date: 2026-07-01, text: Over Straks., measure: Straks}\n---\nTevreden")
    sheets = project.load(text)
    groups = overview([sheets["y"]])
    assert [(g["status"].label, [m["title"] for m in g["measures"]]) for g in groups] == [
        ("Gedaan", ["Vaker legen"]), ("Gepland", ["Straks"]), ("Wordt onderzocht", ["Uitzoeken"]),
        ("Niet mogelijk", ["Niet te doen"])]
    first = groups[0]["measures"][0]
    # each measure shows the newest update about itself, never another measure's or the survey's
    assert first["follow_up"]["text"] == "Laatste stand."
    assert groups[1]["measures"][0]["follow_up"]["text"] == "Over Straks."
    assert groups[2]["measures"][0]["follow_up"] is None
    assert [n["text"] for n in survey_news([sheets["y"]])] == ["Over het onderzoek."]
    assert (first["results_path"], first["factsheet_path"]) == ("resultaten/y/", "resultaten/y/factsheet/")
    assert [when_line(m) for m in sheets["y"].measures] == [
        "", "Verwacht: januari tot en met maart 2027", "Verwacht: 1 december 2026", "Klaar op 1 mei 2026"]
    taken_in_a_quarter = sheets["y"].measures[3]
    taken_in_a_quarter.expected = sheets["y"].measures[1].expected
    assert when_line(taken_in_a_quarter) == "Klaar: januari tot en met maart 2027"


def test_change_says_how_the_key_figure_moved_since_the_previous_round(tmp_path):
    from types import SimpleNamespace

    from panelsite.engine.family import SiteInputs
    from panelsite.factsheets import family as factsheets
    from panelsite.surveys.estimates import analyse
    from panelsite.surveys.loader import load_surveys
    from panelsite.surveys.series import series_changes

    from .conftest import SURVEY, municipality

    surveys = tmp_path / "content" / "x" / "surveys"
    for year, satisfied, grade in ((2025, 50, 6), (2026, 80, 6)):
        folder = surveys / f"afval-{year}"
        folder.mkdir(parents=True)
        yaml = SURVEY.replace("2026", str(year)).replace("invited: 40", "invited: 200\nseries: afvalmonitor")
        (folder / "survey.yaml").write_text(yaml, encoding="utf-8")
        rows = "".join(f"{i},{4 if i < satisfied else 2},{grade + i % 3 - 1},\n" for i in range(100))
        (folder / "responses.csv").write_text("respondent_id,q1,q2,q3\n" + rows, encoding="utf-8")
    (surveys / "afval-2026" / "factsheet.md").write_text(
        FACTSHEET + 'Tevreden: {{ change("q1") }}. Cijfer: {{ change("q2") }}.\n', encoding="utf-8")
    loaded = load_surveys(surveys, municipality(), tmp_path)
    inputs = SiteInputs(municipality(), results=SimpleNamespace(all=loaded, published=loaded, drafts=False))
    factsheets.load(SimpleNamespace(root=tmp_path, out=tmp_path / "dist", today=dt.date(2026, 5, 1), drafts=False),
                    inputs)
    results = [analyse(s, municipality()) for s in sorted(loaded, key=lambda s: s.fieldwork_end)]
    changes = series_changes(results)["afval-2026"]
    figures = Figures(inputs.factsheets["afval-2026"], results[1], changes)
    assert figures.body_markdown({}).strip().endswith(
        "Tevreden: significant meer dan vorig jaar. Cijfer: ongeveer gelijk.")
    # without a tested change (no previous round published, or too few answers): "–"
    assert Figures(inputs.factsheets["afval-2026"], results[1], []).change_text("q1") == "–"

import csv
import datetime as dt
import io
import json

import pytest

from panelsite.surveys.opendata import to_open_data, to_open_data_csv

from panelsite.surveys.series import series_trends

from panelsite.surveys.text import method_text, summary_sentence

from .conftest import SURVEY_YAML


def test_open_data_golden_shape(results):
    data = to_open_data(results)
    json.dumps(data)  # serialisable as is (no NaN, no dates)
    assert list(data) == ["survey", "population", "weighting", "suppression", "methods", "questions", "group_tests", "changes"]
    assert set(data["methods"]["intervals"]) == {"linearisation", "wilson"}
    assert data["survey"] == {
        "id": "y", "title": "Tevredenheid", "theme": "leefbaarheid", "theme_label": "Leefbaarheid", "series": None,
        "fieldwork_start": "2026-03-02", "fieldwork_end": "2026-03-16", "publish_on": "2026-04-15", "invited": 60,
    }
    assert data["weighting"]["n"] == 30 and data["weighting"]["response_rate"] == 50.0
    assert data["suppression"] == {"min_n": 10, "indicative_n": 30}
    q1 = data["questions"][0]
    assert list(q1) == ["id", "text", "type", "filter", "unit", "key_codes", "base_n", "n_eff", "suppressed", "indicative",
                        "options", "missing", "key", "top2", "breakdowns"]
    option = results.question("q1").total.options[4]
    assert q1["options"][4] == {"code": 5, "label": "Zeer tevreden", "n": 6, "pct": pytest.approx(600 / 26),
                                "ci_low": option.ci_low, "ci_high": option.ci_high, "se": option.se,
                                "interval": "wilson"}  # a base of 26: under the indicative base
    assert option.se > 0
    assert q1["missing"] == [{"code": 9, "label": "Weet niet", "n": 4, "pct": pytest.approx(400 / 30)}]
    # a suppressed group: not even its size, which with the total and the shown groups would give it away
    assert q1["breakdowns"]["wijk"][2] == {"group": "Zuid", "n": None, "suppressed": True, "indicative": False}
    noord = q1["breakdowns"]["wijk"][1]
    assert set(noord) == {"group", "n", "suppressed", "indicative", "n_eff", "options", "missing", "key", "top2"}
    # a group has its size and percentages, but no counts per answer (cells of a few people)
    assert noord["n"] == results.question("q1").breakdowns["wijk"][1].n > 0
    assert {o["n"] for o in noord["options"] + noord["missing"]} == {None}
    assert noord["options"][4]["pct"] == results.question("q1").breakdowns["wijk"][1].options[4].pct
    q3 = data["questions"][2]
    assert q3["mean"]["value"] == pytest.approx(6.25) and q3["median"] == 6.0 and q3["share_8plus"]["value"] == 25.0
    q5, q6 = data["questions"][4], data["questions"][5]
    assert {k: q5[k] for k in ("base_n", "suppressed")} == {"base_n": None, "suppressed": True} and "mean" not in q5
    assert {k: q6[k] for k in ("base_n", "n_eff", "suppressed")} == {"base_n": None, "n_eff": None, "suppressed": True}
    # no respondent-level data anywhere
    assert "r1" not in json.dumps(data) and "Meer groen" not in json.dumps(data)


def test_open_data_csv_long_format(results):
    rows = list(csv.DictReader(io.StringIO(to_open_data_csv(results))))
    assert list(rows[0]) == ["survey_id", "question_id", "breakdown_variable", "group", "statistic", "code", "label", "n",
                             "value", "ci_low", "ci_high", "se", "interval", "suppressed", "indicative", "test",
                             "compared_with", "diff", "p", "significant", "tested"]
    q1 = [r for r in rows if r["question_id"] == "q1" and r["breakdown_variable"] == ""]
    assert [(r["statistic"], r["code"]) for r in q1] == [
        ("base", ""), ("pct", "1"), ("pct", "2"), ("pct", "3"), ("pct", "4"), ("pct", "5"), ("missing_pct", "9"),
        ("key", ""), ("top2", "")]
    assert (q1[0]["n"], q1[0]["value"], q1[0]["suppressed"], q1[0]["indicative"]) == ("26", "", "false", "true")
    assert (q1[1]["label"], q1[1]["n"]) == ("Zeer ontevreden", "2") and float(q1[1]["value"]) == pytest.approx(200 / 26)
    assert (q1[6]["label"], q1[6]["n"], q1[6]["ci_low"]) == ("Weet niet", "4", "") and float(q1[6]["value"]) == pytest.approx(400 / 30)
    top2 = results.question("q1").total.top2
    assert [float(q1[8][k]) for k in ("value", "ci_low", "ci_high", "se")] == [top2.value, top2.ci_low, top2.ci_high, top2.se]
    assert (q1[8]["interval"], q1[8]["test"]) == ("wilson", "")
    # a suppressed group: its base row only
    zuid = [r for r in rows if r["question_id"] == "q1" and r["group"] == "Zuid"]
    assert zuid == [{"survey_id": "y", "question_id": "q1", "breakdown_variable": "wijk", "group": "Zuid", "statistic": "base",
                     "code": "", "label": "", "n": "", "value": "", "ci_low": "", "ci_high": "", "se": "", "interval": "",
                     "suppressed": "true", "indicative": "false", "test": "", "compared_with": "", "diff": "", "p": "",
                     "significant": "", "tested": ""}]
    # a shown group: its size, but no counts per answer
    noord = [r for r in rows if r["question_id"] == "q1" and r["group"] == "Noord"]
    assert noord[0]["statistic"] == "base" and int(noord[0]["n"]) > 0
    noord = [r for r in noord if not r["test"]]
    assert [r["n"] for r in noord[1:]] == [""] * (len(noord) - 1) and noord[1]["value"] != ""
    # means and medians, also per group, are the figures of data.json
    data = to_open_data(results)
    q3 = {r["statistic"]: r for r in rows if r["question_id"] == "q3" and r["breakdown_variable"] == ""}
    assert float(q3["mean"]["value"]) == pytest.approx(6.25) and float(q3["median"]["value"]) == 6.0 and q3["median"]["ci_low"] == ""
    assert float(q3["share_8plus"]["value"]) == 25.0 and float(q3["mean"]["ci_low"]) == data["questions"][2]["mean"]["ci_low"]
    # q3 per wijk: Noord (8) is hidden, Zuid is empty, so Centrum (12) goes too, or it would give Noord away
    assert [g["suppressed"] for g in data["questions"][2]["breakdowns"]["wijk"]] == [True, True, True]
    noord = data["questions"][0]["breakdowns"]["wijk"][1]
    noord_rows = {r["statistic"]: r for r in rows if r["question_id"] == "q1" and r["group"] == "Noord" and not r["test"]}
    assert float(noord_rows["top2"]["value"]) == noord["top2"]["value"] and float(noord_rows["top2"]["ci_low"]) == noord["top2"]["ci_low"]
    # an open question publishes how many answered, never the answers
    # (here too few answered: the count is suppressed as well)
    assert [(r["statistic"], r["n"], r["suppressed"]) for r in rows
            if r["question_id"] == "q6" and r["breakdown_variable"] == ""] == [("base", "", "true")]
    assert "Meer groen" not in to_open_data_csv(results)


def test_summary_sentences(results, project):
    assert summary_sentence(results.question("q1")) == (
        "58% (± 18 procentpunt) van de inwoners antwoordt ‘(zeer) tevreden’. "
        "Let op: dit is een indicatie, want maar 26 inwoners beantwoordden deze vraag."
    )
    assert summary_sentence(results.question("q3")).startswith("Het gemiddelde rapportcijfer is 6,3 (± 0,5). 25% geeft een 8 of hoger.")
    assert summary_sentence(results.question("q5")) == "Te weinig inwoners beantwoordden deze vraag om de uitkomst te laten zien."
    project.add("z", yaml=SURVEY_YAML, csv="respondent_id;q1\n" + "".join(f"r{i};{4 if i < 62 else 2}\n" for i in range(100)))
    big = [r for r in project.results() if r.survey.id == "z"][0]
    # 1,96 · √(100/99 · 0,62 · 0,38 / 100) = 9,6 points
    assert summary_sentence(big.question("q1")) == "62% (± 10 procentpunt) van de inwoners is (zeer) tevreden over de afvalinzameling."


def test_method_text_in_plain_dutch(results):
    paragraphs = method_text(results)
    assert paragraphs[0] == (
        "Het onderzoek liep van 2 maart 2026 tot en met 16 maart 2026. We nodigden 60 leden van het panel uit. "
        "30 van hen vulden de vragenlijst in. Dat is 50% van de uitgenodigde leden."
    )
    # the wider side of any interval of the totals: q4 "Rustig" 33,3% of 15 (Wilson: a small base, on
    # the effective base 15 · 29/30 of the design-based SE) reaches up to 58,7%, more than half the
    # interval's width (21,9)
    rustig = results.question("q4").total.options[1]
    assert rustig.interval == "wilson"
    assert results.largest_margin == rustig.ci_high - rustig.pct == pytest.approx(25.34, abs=0.01)
    assert (rustig.ci_high - rustig.ci_low) / 2 == pytest.approx(21.85, abs=0.01)
    assert "Voor alle inwoners samen is dat verschil hoogstens 26 procentpunt" in paragraphs[1]
    assert paragraphs[1].endswith("Voor een groep, zoals een wijk, is de marge groter. Die marge staat bij elke groep.")
    assert paragraphs[2].startswith("We hebben de antwoorden niet gewogen.")
    assert paragraphs[3].startswith("Hebben minder dan 10 inwoners een vraag beantwoord? Dan laten we de uitkomst niet zien.")


def test_method_text_without_responses(project):
    project.add(yaml=SURVEY_YAML)
    (r,) = project.results()
    assert method_text(r) == ["Het onderzoek liep van 2 maart 2026 tot en met 16 maart 2026. We nodigden 100 leden van het panel uit. De resultaten volgen."]


def test_series_trends_compare_rounds_by_question_id(project):
    def round_yaml(end, publish):
        return SURVEY_YAML.replace("end: 2026-03-16", f"end: {end}").replace("2026-03-02", "2025-01-01").replace("2026-04-15", publish)

    project.add("afval-2025", yaml=round_yaml("2025-03-16", "2025-04-15"), csv="respondent_id;q1\n" + "".join(f"r{i};{5 if i < 20 else 1}\n" for i in range(40)))
    project.add("afval-2026", yaml=round_yaml("2026-03-16", "2026-04-15"), csv="respondent_id;q1\n" + "".join(f"r{i};{4 if i < 30 else 2}\n" for i in range(40)))
    project.add("afval-2027", yaml=round_yaml("2027-03-16", "2027-04-15"), csv="respondent_id;q1\n" + "".join(f"r{i};4\n" for i in range(40)))
    results = project.results()
    trends = series_trends(results, today=dt.date(2026, 12, 31))
    (line,) = trends["afvalmonitor"]
    assert (line["question_id"], line["key_stat"], line["key_codes"]) == ("q1", "pct", [4, 5])
    assert [(p.survey_id, p.value, p.n) for p in line["points"]] == [("afval-2025", 50.0, 40), ("afval-2026", 75.0, 40)]
    assert line["points"][0].fieldwork_end == dt.date(2025, 3, 16)
    assert len(series_trends(results)["afvalmonitor"][0]["points"]) == 3  # without embargo date: all rounds


def test_a_whole_median_is_written_without_a_decimal(project):
    yaml = SURVEY_YAML.split("questions:")[0] + "questions:\n  - {id: q1, text: Hoeveel uur per week?, type: number, unit: uur}\n"
    project.add("u", yaml=yaml, csv="respondent_id;q1\n" + "".join(f"r{i};{9 if i < 50 else 4}\n" for i in range(60)))
    hours = [r for r in project.results() if r.survey.id == "u"][0].question("q1")
    assert hours.total.median == 9.0
    assert summary_sentence(hours).endswith("De middelste waarde is 9 uur.")

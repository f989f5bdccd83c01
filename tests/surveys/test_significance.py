"""Which differences are real: groups against the rest, changes between rounds, and how they are published.

The figures themselves are checked against R in test_reference_r.py; here: what is
tested and what is not, the open-data records, disclosure, and the Dutch words.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from panelsite.surveys.opendata import to_open_data, to_open_data_csv

from panelsite.surveys.series import series_changes

from panelsite.surveys.text import method_text
from panelsite.surveys.text import change_words, difference_text, versus_rest_words

from .conftest import municipality

YAML = """\
title: Tevredenheid {year}
theme: leefbaarheid
series: monitor
fieldwork: {{start: {year}-03-02, end: {year}-03-16}}
invited: 1000
publish_on: {year}-04-15
breakdowns: [wijk]
questions:
  - {{id: q1, text: Tevreden?, type: scale, options: {{1: a, 2: b, 3: c, 4: d, 5: e}}}}
  - {{id: q2, text: Cijfer?, type: grade}}
  - {{id: q3, text: Welke?, type: multi, options: {{1: a, 2: b}}}}
  - {{id: q4, text: Hoe ver?, type: number}}
"""


def rows(groups: dict[str, tuple[int, list[int]]]) -> str:
    """A CSV: for each district, ``count`` respondents cycling through the q1 answers given."""
    lines = ["respondent_id,wijk,q1,q2,q3_1,q3_2,q4"]
    i = 0
    for area, (count, answers) in groups.items():
        for j in range(count):
            a = answers[j % len(answers)]
            lines.append(f"r{i},{area},{a},{a + 4},{int(a >= 4)},{j % 2},{a * 2.5}")
            i += 1
    return "\n".join(lines) + "\n"


def analyse(project, groups, year=2026, survey_id="y"):
    project.add(survey_id, yaml=YAML.format(year=year), csv=rows(groups))
    return {r.survey.id: r for r in project.results()}[survey_id]


MIXED = [1, 2, 3, 4, 5]


def test_a_group_that_answers_differently_is_significant_and_one_that_does_not_is_not(project):
    r = analyse(project, {"Centrum": (120, [4, 5, 5]), "Noord": (120, MIXED), "Zuid": (120, MIXED)})
    centrum, noord, zuid = r.question("q1").breakdowns["wijk"]
    assert centrum.versus_rest.significant and centrum.versus_rest.diff > 0  # 100% (zeer) tevreden against 40%
    assert centrum.versus_rest.diff == pytest.approx(centrum.key.value - 40.0)
    assert centrum.distribution_test.significant and centrum.distribution_test.p < 0.001
    assert noord.versus_rest.significant and noord.versus_rest.diff < 0  # 40% against the rest's 70%
    # Noord and Zuid answer alike; Zuid against Centrum + Noord is lower, against Noord alone the same
    assert noord.versus_rest.diff == pytest.approx(zuid.versus_rest.diff)
    # means and multi answers: the same test of their key figures
    assert r.question("q2").breakdowns["wijk"][0].versus_rest.significant
    assert r.question("q3").breakdowns["wijk"][0].versus_rest.significant
    assert r.question("q4").breakdowns["wijk"][0].versus_rest.diff > 0
    assert r.question("q3").breakdowns["wijk"][0].distribution_test is None  # several answers: no distribution


def test_groups_that_answer_alike_are_not_significant(project):
    r = analyse(project, {"Centrum": (100, MIXED), "Noord": (100, MIXED), "Zuid": (100, MIXED)})
    for q in ("q1", "q2", "q4"):
        for g in r.question(q).breakdowns["wijk"]:
            assert not g.versus_rest.significant and g.versus_rest.p == pytest.approx(1.0)
    for g in r.question("q1").breakdowns["wijk"]:
        assert not g.distribution_test.significant and g.distribution_test.p == pytest.approx(1.0)


def test_groups_under_the_indicative_base_or_with_a_small_rest_are_not_tested(project):
    r = analyse(project, {"Centrum": (300, MIXED), "Noord": (20, [4, 5]), "Zuid": (25, [4, 5])})
    centrum, noord, zuid = r.question("q1").breakdowns["wijk"]
    assert noord.indicative and zuid.indicative and not noord.suppressed
    assert (noord.versus_rest, noord.distribution_test, zuid.versus_rest) == (None, None, None)
    assert centrum.versus_rest is not None  # its rest has 45 respondents
    r = analyse(project, {"Centrum": (300, MIXED), "Noord": (15, [4, 5]), "Zuid": (12, [4, 5])}, survey_id="z")
    centrum = r.question("q1").breakdowns["wijk"][0]
    assert centrum.versus_rest is None and centrum.distribution_test is None  # its rest: 27 respondents


def test_no_test_reveals_a_suppressed_group(project):
    # Zuid (6) is under min_n, Noord (40) is hidden with it so Zuid cannot be derived
    r = analyse(project, {"Centrum": (200, [4, 5, 5]), "Noord": (40, MIXED), "Zuid": (6, [1])})
    groups = r.question("q1").breakdowns["wijk"]
    assert [g.suppressed for g in groups] == [False, True, True]
    assert all(g.versus_rest is None and g.distribution_test is None for g in groups[1:])
    data = to_open_data(r)
    assert {t["group"] for t in data["group_tests"]} == {"Centrum"}
    text = to_open_data_csv(r)
    tests = [row for row in csv.DictReader(io.StringIO(text)) if row["test"]]
    assert tests and {row["group"] for row in tests} == {"Centrum"}


def test_every_group_test_is_an_open_data_record(project):
    r = analyse(project, {"Centrum": (120, [4, 5, 5]), "Noord": (120, MIXED), "Zuid": (20, MIXED)})
    records = to_open_data(r)["group_tests"]
    json.dumps(records)
    centrum = [t for t in records if t["group"] == "Centrum"]
    assert [(t["question"], t["statistic"]) for t in centrum] == [
        ("q1", "key"), ("q1", "distribution"), ("q2", "mean"), ("q2", "distribution"), ("q3", "key"), ("q4", "mean")]
    key = centrum[0]
    c = r.question("q1").breakdowns["wijk"][0].versus_rest
    assert key == {"question": "q1", "breakdown_variable": "wijk", "group": "Centrum", "statistic": "key",
                   "tested": True, "diff": c.diff, "se": c.se, "p": c.p, "significant": True}
    d = r.question("q1").breakdowns["wijk"][0].distribution_test
    assert centrum[1] == {"question": "q1", "breakdown_variable": "wijk", "group": "Centrum", "statistic": "distribution",
                          "tested": True, "diff": None, "se": None, "p": d.p, "significant": True, "f": d.f, "ndf": d.ndf,
                          "ddf": d.ddf}
    zuid = [t for t in records if t["group"] == "Zuid"][0]  # shown, but too small to test
    assert {k: zuid[k] for k in ("tested", "diff", "se", "p", "significant")} == {
        "tested": False, "diff": None, "se": None, "p": None, "significant": None}
    rows_ = [row for row in csv.DictReader(io.StringIO(to_open_data_csv(r))) if row["test"] == "versus_rest"]
    assert len(rows_) == len(records)
    first = rows_[0]
    assert (first["question_id"], first["group"], first["statistic"], first["tested"]) == ("q1", "Centrum", "key", "true")
    assert (float(first["diff"]), float(first["se"]), float(first["p"]), first["significant"]) == (c.diff, c.se, c.p, "true")


def test_changes_between_rounds_in_the_open_data(project):
    before = analyse(project, {"Centrum": (150, MIXED), "Noord": (150, MIXED)}, year=2025, survey_id="r2025")
    now = analyse(project, {"Centrum": (160, [3, 4, 5, 5]), "Noord": (160, [3, 4, 5, 5])}, year=2026, survey_id="r2026")
    changes = series_changes([before, now])["r2026"]
    key = next(c for c in changes if (c.question_id, c.statistic) == ("q1", "key"))
    assert (key.previous, key.current) == (pytest.approx(40.0), pytest.approx(75.0))
    assert key.comparison.significant and key.comparison.diff == pytest.approx(35.0)
    data = to_open_data(now, changes)
    record = next(c for c in data["changes"] if (c["question"], c["statistic"]) == ("q1", "key"))
    assert record == {"question": "q1", "statistic": "key", "code": None, "label": None, "compared_with": "r2025",
                      "previous": key.previous, "value": key.current, "tested": True, "diff": key.comparison.diff,
                      "se": key.comparison.se, "p": key.comparison.p, "significant": True}
    assert {(c["question"], c["statistic"]) for c in data["changes"]} >= {
        ("q1", "pct"), ("q1", "top2"), ("q2", "mean"), ("q2", "share_8plus"), ("q2", "share_below6"), ("q3", "key"),
        ("q4", "mean")}
    rows_ = [row for row in csv.DictReader(io.StringIO(to_open_data_csv(now, changes))) if row["test"] == "change"]
    assert len(rows_) == len(changes)
    row = next(r for r in rows_ if (r["question_id"], r["statistic"]) == ("q1", "key"))
    assert (row["compared_with"], float(row["value"]), row["significant"]) == ("r2025", key.current, "true")


def test_a_change_is_not_tested_when_a_round_is_under_the_indicative_base(project):
    before = analyse(project, {"Centrum": (12, MIXED), "Noord": (12, MIXED)}, year=2025, survey_id="r2025")
    now = analyse(project, {"Centrum": (150, [4, 5]), "Noord": (150, [4, 5])}, year=2026, survey_id="r2026")
    changes = series_changes([before, now])["r2026"]
    assert changes and all(c.comparison is None for c in changes)
    record = to_open_data(now, changes)["changes"][0]
    assert (record["tested"], record["diff"], record["significant"]) == (False, None, None)


def test_the_words_carry_the_meaning_and_the_marker_only_comes_with_significance():
    from panelsite.surveys.figures import Comparison

    up, down, same = Comparison(5.0, 2.0, 0.01, True), Comparison(-5.0, 2.0, 0.01, True), Comparison(1.0, 2.0, 0.6, False)
    assert change_words(up, "maart 2025") == ("▲", "significant hoger dan in maart 2025")
    assert change_words(down, "maart 2025") == ("▼", "significant lager dan in maart 2025")
    assert change_words(same, "maart 2025") == ("", "geen significant verschil met maart 2025")
    assert change_words(None, "maart 2025") == ("", "niet getoetst: te weinig deelnemers")
    assert versus_rest_words(up) == ("▲", "significant hoger dan de rest")
    assert versus_rest_words(same) == ("", "geen significant verschil met de rest")
    assert versus_rest_words(None) == ("", "niet getoetst: kleine groep")
    assert (difference_text(4.84, True), difference_text(-0.04, True), difference_text(-0.25, False)) == (
        "+4,8 procentpunt", "0,0 procentpunt", "−0,3")


def test_the_method_text_explains_significant_and_why_small_groups_are_not_tested(project):
    r = analyse(project, {"Centrum": (120, MIXED), "Noord": (120, MIXED)})
    text = " ".join(method_text(r))
    assert "‘significant’" in text and "kleiner dan 5%" in text
    assert "alleen bij groepen van 30 deelnemers of meer" in text and "te onzeker" in text
    assert "1 op de 20 vergelijkingen" in text  # many comparisons: some are significant by chance
    assert "vorige onderzoek" in text  # a series: compared with the round before
    assert "Wilson" in text

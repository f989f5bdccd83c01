import math

import numpy as np
import pandas as pd
import pytest

from panelsite.surveys.estimates import analyse

from panelsite.surveys.figures import UnknownFigure

from panelsite.surveys.formulas import wilson
from panelsite.surveys.figures import Figures, suppress_groups
from panelsite.surveys.formulas import Z, weighted_median
from panelsite.surveys.weighting import weigh

from .conftest import SURVEY_YAML, municipality
from panelsite.surveys.loader import load_surveys

YAML = """\
title: Tevredenheid
theme: leefbaarheid
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 60
publish_on: 2026-04-15
breakdowns: [wijk]
questions:
  - id: q1
    text: Hoe tevreden bent u over uw buurt?
    type: scale
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}
    missing: {9: Weet niet}
  - id: q2
    text: Welke bakken gebruikt u?
    type: multi
    options: {1: Papier, 2: Glas, 3: Plastic}
  - id: q3
    text: Welk rapportcijfer geeft u uw buurt?
    type: grade
    missing: {99: Weet niet}
  - id: q4
    text: Waarom bent u tevreden?
    type: single
    options: {1: Schoon, 2: Rustig}
    filter: q1 in [4, 5]
  - id: q5
    text: Hoe ver fietst u per week?
    type: number
    unit: km
  - id: q6
    text: Wat kan beter?
    type: open
"""

# 30 respondents: wijk Centrum 12, Noord 15, Zuid 3.
WIJK = ["Centrum"] * 12 + ["Noord"] * 15 + ["Zuid"] * 3
Q1 = ["5"] * 6 + ["4"] * 9 + ["3"] * 5 + ["2"] * 4 + ["9"] * 4 + ["1"] * 2  # valid base 26
Q2 = [("1", "0", "1")] * 10 + [("0", "1", "0")] * 6 + [("0", "0", "0")] * 4 + [("", "", "")] * 10  # base 20
Q3 = ["8"] * 5 + ["6"] * 10 + ["5"] * 5 + ["99"] * 2 + [""] * 8  # base 20
Q4 = ["1"] * 10 + ["2"] * 5 + ["1"] * 15  # only the first 15 (q1 4/5) are in the base
Q5 = ["1", "2", "3", "10,5"] + [""] * 26
Q6 = ["Meer groen", "x"] + [""] * 28


def csv_text() -> str:
    rows = ["respondent_id;wijk;q1;q2_1;q2_2;q2_3;q3;q4;q5;q6"]
    for i in range(30):
        rows.append(";".join([f"r{i}", WIJK[i], Q1[i], *Q2[i], Q3[i], Q4[i], Q5[i], Q6[i]]))
    return "\n".join(rows) + "\n"


def test_wilson_matches_hand_computed_values():
    low, high = wilson(0.5, 100)
    assert (round(low, 4), round(high, 4)) == (0.4038, 0.5962)
    # p = 0, n = 10: centre = half = (z²/20)/(1 + z²/10) = 0.13877 → [0, 0.2775]
    low, high = wilson(0.0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775
    low, high = wilson(0.2, 50)  # centre 0.2277, half 0.1156 (worked out by hand)
    assert (round(low, 4), round(high, 4)) == (0.1124, 0.3304)


def test_scale_distribution_top2_and_missing(results):
    total = results.question("q1").total
    assert total.n == 26 and total.n_eff == pytest.approx(26)
    pct = {o.code: o.pct for o in total.options}
    assert pct[5] == pytest.approx(6 / 26 * 100) and pct[1] == pytest.approx(2 / 26 * 100)
    assert [o.n for o in total.options] == [2, 4, 5, 9, 6]
    # Unweighted, the design-based SE of a share of a base of 26 among 30 respondents is
    # √(30/29 · p(1 − p) / 26); under the indicative base (30) the interval is Wilson's on the
    # effective base p(1 − p) / SE² = 26 · 29/30.
    p = 15 / 26
    assert total.top2.se == pytest.approx(math.sqrt(30 / 29 * p * (1 - p) / 26) * 100)
    low, high = wilson(p, 26 * 29 / 30)
    assert (total.top2.value, total.top2.ci_low, total.top2.ci_high) == pytest.approx((p * 100, low * 100, high * 100))
    assert total.top2.interval == "wilson"
    assert total.key == total.top2
    (missing,) = total.missing
    assert (missing.code, missing.label, missing.n) == (9, "Weet niet", 4)
    assert missing.pct == pytest.approx(4 / 30 * 100)  # of everyone who answered, incl. "weet niet"


def test_indicative_flag_below_indicative_n(results):
    assert results.question("q1").total.indicative is True  # base 26 < 30
    assert results.question("q2").total.indicative is True  # base 20


def test_suppression_of_small_group_and_its_complement(results):
    groups = {g.group: g for g in results.question("q1").breakdowns["wijk"]}
    # Zuid has 2 valid answers (< 10): suppressed. Only one group is suppressed, so the
    # next smallest is too (Centrum and Noord both have 12: the first in population order).
    assert groups["Zuid"].suppressed and groups["Zuid"].n == 2
    assert groups["Zuid"].options == [] and groups["Zuid"].top2 is None
    assert groups["Centrum"].suppressed and groups["Centrum"].n == 12 and groups["Centrum"].options == []
    noord = groups["Noord"]
    assert not noord.suppressed and noord.indicative and noord.n == 12
    assert noord.top2.value == pytest.approx(3 / 12 * 100)
    assert [g.group for g in results.question("q1").breakdowns["wijk"]] == ["Centrum", "Noord", "Zuid"]


def test_total_below_min_n_is_suppressed(results):
    q5 = results.question("q5").total
    assert q5.suppressed and q5.n == 4 and q5.mean is None
    assert math.isnan(results.figure("q5", stat="mean"))


def test_multi_base_is_everyone_with_any_option_column_filled(results):
    total = results.question("q2").total
    assert total.n == 20
    assert [o.pct for o in total.options] == pytest.approx([50.0, 30.0, 50.0])
    assert [o.n for o in total.options] == [10, 6, 10]
    assert total.key.value == pytest.approx(50.0)


def test_grade_mean_ci_and_shares(results):
    total = results.question("q3").total
    assert total.n == 20
    # mean = (5·8 + 10·6 + 5·5) / 20 = 6.25; Σ(x − mean)² = 23.75; unweighted, among 30
    # respondents: se = √(30/29 · 23.75 / 20²)
    se = math.sqrt(30 / 29 * 23.75 / 20 / 20)
    assert total.mean.se == pytest.approx(se) and total.mean.interval == "linearisation"
    assert (total.mean.value, total.mean.ci_low, total.mean.ci_high) == pytest.approx((6.25, 6.25 - Z * se, 6.25 + Z * se))
    assert total.share_8plus.value == pytest.approx(25.0)
    assert total.share_below6.value == pytest.approx(25.0)
    assert total.median == 6.0
    assert total.missing[0].pct == pytest.approx(2 / 22 * 100)
    assert {o.code: o.n for o in total.options if o.n} == {5: 5, 6: 10, 8: 5}


def test_filter_limits_the_base(results):
    total = results.question("q4").total
    assert total.n == 15  # respondents with q1 in [4, 5]
    assert [o.pct for o in total.options] == pytest.approx([10 / 15 * 100, 5 / 15 * 100])


def test_open_question_counts_answers_only(results):
    r = results.question("q6")
    assert r.total.n == 2 and r.total.options == [] and r.total.mean is None


def test_figure_helper(results):
    assert results.figure("q1") == pytest.approx(15 / 26 * 100)
    assert results.figure("q1", codes=[4, 5]) == pytest.approx(15 / 26 * 100)
    assert results.figure("q1", codes=1) == pytest.approx(2 / 26 * 100)
    assert results.figure("q3", stat="share_8plus") == pytest.approx(25.0)
    assert results.figure("q3") == pytest.approx(6.25)
    with pytest.raises(UnknownFigure) as exc:
        results.figure("q11")
    assert str(exc.value) == 'content/x/surveys/y/survey.yaml: unknown question "q11" in survey y (did you mean "q1"?) (expected one of q1, q2, q3, q4, q5, q6)'
    assert isinstance(exc.value, KeyError) and exc.value.exit_code == 2
    with pytest.raises(UnknownFigure) as exc:
        results.figure("q1", codes=[7])
    assert str(exc.value) == "content/x/surveys/y/survey.yaml: unknown option 7 of question q1 (expected one of 1, 2, 3, 4, 5)"
    with pytest.raises(UnknownFigure) as exc:
        results.figure("q2", stat="mean")
    assert str(exc.value) == 'content/x/surveys/y/survey.yaml: statistic "mean" is not available for q2, a multi question (expected pct)'


def test_weighted_median():
    assert weighted_median(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4)) == 2.5
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.ones(3)) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0])) == 3.0


WEIGHTED_YAML = """\
title: Gewogen
theme: overig
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 1000
publish_on: 2026-04-15
weighting: {by: [leeftijd, geslacht, wijk], cap: 5}
breakdowns: [leeftijd]
questions:
  - id: q1
    text: Hoe tevreden bent u?
    type: scale
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}
    missing: {9: Weet niet}
  - id: q2
    text: Rapportcijfer
    type: grade
"""


def test_weighted_estimates_match_an_independent_pandas_computation(project):
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(n)],
        "leeftijd": rng.choice(["18-34", "35-64", "65+"], n, p=[0.15, 0.45, 0.4]),
        "geslacht": rng.choice(["man", "vrouw"], n),
        "wijk": rng.choice(["Centrum", "Noord", "Zuid"], n, p=[0.5, 0.3, 0.2]),
        "q1": rng.choice(["1", "2", "3", "4", "5", "9", ""], n),
        "q2": rng.choice([str(g) for g in range(1, 11)] + [""], n),
    })
    project.add(yaml=WEIGHTED_YAML, csv=frame.to_csv(index=False))
    mun = municipality()
    (survey,) = project.load(mun)
    weights, _ = weigh(survey, mun)
    r = analyse(survey, mun)

    frame["w"] = weights
    # The weights reproduce the population margins.
    for var, counts in mun.population.variables.items():
        shares = frame.groupby(var).w.sum() / frame.w.sum()
        for category, count in counts.items():
            assert shares[category] == pytest.approx(count / sum(counts.values()), abs=1e-5)
    base = frame[frame.q1.isin(["1", "2", "3", "4", "5"])]
    expected = base.groupby("q1").w.sum() / base.w.sum() * 100
    got = {str(o.code): o.pct for o in r.question("q1").total.options}
    assert got == pytest.approx(expected.to_dict())
    n_eff = base.w.sum() ** 2 / (base.w**2).sum()
    assert r.question("q1").total.n_eff == pytest.approx(n_eff)
    # The design-based SE, from respondent arrays: the influence of the share regressed on
    # the indicators of the weighting categories (least squares), times the weights.
    dummies = pd.get_dummies(frame[["leeftijd", "geslacht", "wijk"]]).to_numpy(dtype=float)
    in_base = frame.q1.isin(["1", "2", "3", "4", "5"]).to_numpy()
    p4 = expected["4"] / 100
    u = np.where(in_base, (frame.q1.to_numpy() == "4") - p4, 0.0) / base.w.sum()
    residual = u - dummies @ np.linalg.lstsq(dummies, u, rcond=None)[0]
    z = frame.w.to_numpy() * residual
    se = math.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum()) * 100
    option4 = r.question("q1").total.options[3]
    assert option4.se == pytest.approx(se)
    assert (option4.ci_low, option4.ci_high) == pytest.approx((option4.pct - Z * se, option4.pct + Z * se))
    assert option4.interval == "linearisation"
    assert se != pytest.approx(math.sqrt(p4 * (1 - p4) / n_eff) * 100, rel=0.005)  # not the Kish approximation
    # Per group of the breakdown: weighted top-2 within the group.
    for group in r.question("q1").breakdowns["leeftijd"]:
        sub = base[base.leeftijd == group.group]
        top2 = sub[sub.q1.isin(["4", "5"])].w.sum() / sub.w.sum() * 100
        assert group.top2.value == pytest.approx(top2)
    grades = frame[frame.q2 != ""].assign(x=lambda d: d.q2.astype(float))
    assert r.question("q2").total.mean.value == pytest.approx((grades.x * grades.w).sum() / grades.w.sum())


def test_secondary_suppression_rules():
    def groups(*sizes):
        return [Figures(str(i), n, n_eff=float(n)) for i, n in enumerate(sizes)]

    def hidden(figures):
        return [g.group for g in figures if g.suppressed]

    assert hidden(suppress_groups(groups(40, 3, 25, 50), 10, 30)) == ["1", "2"]
    assert hidden(suppress_groups(groups(40, 3, 4, 50), 10, 30)) == ["1", "2"]  # two hidden: enough
    assert hidden(suppress_groups(groups(40, 0, 25), 10, 30)) == ["1"]  # an empty group reveals nothing
    assert hidden(suppress_groups(groups(40, 12, 25), 10, 30)) == []
    assert [g.indicative for g in suppress_groups(groups(40, 12, 25), 10, 30)] == [False, True, True]


def test_text_codes_and_a_trailing_delimiter(project):
    yaml = """\
title: Tekstcodes
theme: overig
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 40
publish_on: 2026-04-15
questions:
  - id: q1
    text: Vervoer?
    type: single
    options: {fiets: Fiets, auto: Auto}
  - id: q2
    text: Hoe vaak?
    type: single
    options: {1: Vaak, 2: Soms}
    filter: q1 == 'fiets'
"""
    rows = "".join(f"r{i};{'fiets' if i < 12 else 'Auto'};{1 if i < 3 else 2};\n" for i in range(20))
    project.add(yaml=yaml, csv="respondent_id;q1;q2;\n" + rows)
    (r,) = project.results()
    assert [(o.code, o.n) for o in r.question("q1").total.options] == [("fiets", 12), ("auto", 8)]
    assert r.question("q2").total.n == 12
    assert r.figure("q2", codes=[1]) == pytest.approx(25.0)


def test_a_survey_without_responses_yet_has_empty_results_for_every_type(project):
    """A round being collected online has no responses.csv yet: no figures, no crash."""
    project.add(yaml=SURVEY_YAML + """\
  - {id: q2, text: Hoeveel kilometer?, type: number, missing: {99: Weet niet}}
  - {id: q3, text: Rapportcijfer, type: grade}
  - {id: q4, text: Wat doet u?, type: multi, options: {1: Fietsen, 2: Lopen}}
  - {id: q5, text: Opmerkingen, type: open}
""")
    survey = load_surveys(project.surveys, municipality(), project.root)[0]
    results = analyse(survey, municipality())
    assert not results.has_responses
    assert [q.total.n for q in results.questions] == [0, 0, 0, 0, 0]
    assert all(q.total.suppressed for q in results.questions)


def test_a_multi_answer_figure_of_several_codes_is_a_share_not_a_sum(results, project):
    # q2: 10 of the 20 chose papier and plastic both, so 50% chose either; a sum would say 100%
    assert results.figure("q2", [1]) == pytest.approx(50.0) and results.figure("q2", [3]) == pytest.approx(50.0)
    with pytest.raises(UnknownFigure, match=r"q2 allows several answers, so the percentages of \[1, 3\] cannot be added up"):
        results.figure("q2", [1, 3])
    project.add(yaml=YAML.replace("options: {1: Papier, 2: Glas, 3: Plastic}",
                                  "options: {1: Papier, 2: Glas, 3: Plastic}\n    key: [1, 3]"), csv=csv_text())
    keyed = project.results()[0]
    assert keyed.question("q2").total.key.value == pytest.approx(50.0)
    assert keyed.figure("q2", [3, 1]) == keyed.figure("q2") == pytest.approx(50.0)

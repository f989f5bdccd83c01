import numpy as np
import pytest

from panelsite.errors import DataError
from panelsite.surveys import weighting
from panelsite.surveys.weighting import NotConverged, cap_weights, rake, weigh

from .conftest import municipality

WEIGHTED_YAML = """\
title: Gewogen
theme: overig
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 200
publish_on: 2026-04-15
weighting: {by: [geslacht, leeftijd]}
questions:
  - id: q1
    text: Ja of nee?
    type: single
    options: {1: Ja, 2: Nee}
"""

# Sample: man 40 / vrouw 60, jong 50 / oud 50, with cells man-jong 20, man-oud 20,
# vrouw-jong 30, vrouw-oud 30. Population: 50/50 by sex and 30/70 by age.
# The sample is a product table, so raking gives weight = a(sex) × b(age):
# a = 50/40 or 50/60, b = 30/50 or 70/50.
HAND_WEIGHTS = {("man", "jong"): 3 / 4, ("man", "oud"): 7 / 4, ("vrouw", "jong"): 1 / 2, ("vrouw", "oud"): 7 / 6}
CELLS = {("man", "jong"): 20, ("man", "oud"): 20, ("vrouw", "jong"): 30, ("vrouw", "oud"): 30}
POPULATION = {"geslacht": {"man": 500, "vrouw": 500}, "leeftijd": {"jong": 300, "oud": 700}}


def two_by_two_csv() -> str:
    rows = ["respondent_id,geslacht,leeftijd,q1"]
    i = 0
    for (sex, age), count in CELLS.items():
        for _ in range(count):
            i += 1
            rows.append(f"r{i},{sex},{age},{1 + i % 2}")
    return "\n".join(rows) + "\n"


def test_raking_two_by_two_gives_the_hand_computed_weights():
    sex = np.repeat([0, 0, 1, 1], [20, 20, 30, 30])
    age = np.repeat([0, 1, 0, 1], [20, 20, 30, 30])
    weights, _ = rake([sex, age], [np.array([50.0, 50.0]), np.array([30.0, 70.0])])
    expected = np.repeat([3 / 4, 7 / 4, 1 / 2, 7 / 6], [20, 20, 30, 30])
    assert np.allclose(weights, expected, rtol=1e-6)


def test_weigh_from_csv_matches_hand_weights_and_reports_deff(project):
    project.add(yaml=WEIGHTED_YAML, csv=two_by_two_csv())
    mun = municipality(POPULATION)
    (survey,) = project.load(mun)
    weights, summary = weigh(survey, mun)
    data = survey.responses
    expected = [HAND_WEIGHTS[(s, a)] for s, a in zip(data.geslacht, data.leeftijd)]
    assert np.allclose(weights, expected, rtol=1e-6)
    # Σw = 100; Σw² = 20·(3/4)² + 20·(7/4)² + 30·(1/2)² + 30·(7/6)² = 120.8333…
    sum_sq = 20 * (3 / 4) ** 2 + 20 * (7 / 4) ** 2 + 30 * (1 / 2) ** 2 + 30 * (7 / 6) ** 2
    assert summary.deff == pytest.approx(100 * sum_sq / 100**2)  # 1.2083
    assert summary.deff == pytest.approx(1.208333, rel=1e-6)
    assert summary.n_eff == pytest.approx(100**2 / sum_sq)  # 82.76
    assert summary.n_eff == pytest.approx(82.7586, rel=1e-5)
    assert (summary.n, summary.response_rate) == (100, 50.0)
    assert summary.min_weight == pytest.approx(0.5) and summary.max_weight == pytest.approx(1.75)
    assert summary.margin_gap < 1e-4 and summary.capped == 0 and summary.weighted


def test_without_weighting_every_weight_is_one(project):
    project.add(csv="respondent_id,q1\nr1,1\nr2,2\n")
    (survey,) = project.load()
    weights, summary = weigh(survey, municipality())
    assert weights.tolist() == [1.0, 1.0]
    assert (summary.weighted, summary.deff, summary.n_eff) == (False, 1.0, 2.0)


def test_cap_weights_caps_and_keeps_the_mean_at_one():
    # mean 1.9 → scaled 10/1.9 = 5.26 > 5: capped at 5, the other nine share the rest.
    weights = cap_weights(np.array([10.0] + [1.0] * 9), 5)
    assert weights[0] == pytest.approx(5)
    assert weights[1:] == pytest.approx([5 / 9] * 9)
    assert weights.mean() == pytest.approx(1)


def test_capping_binds_when_a_category_is_tiny():
    # Category A: 2 of 100 respondents but half the population. Uncapped weight 25;
    # capped at 5 the two A's weigh 10 in total, the 98 B's 90 → weight 90/98.
    group = np.array([0, 0] + [1] * 98)
    weights, _ = rake([group], [np.array([50.0, 50.0])], cap=5)
    assert weights[:2] == pytest.approx([5, 5])
    assert weights[2:] == pytest.approx([90 / 98] * 98)
    uncapped, _ = rake([group], [np.array([50.0, 50.0])])
    assert uncapped[0] == pytest.approx(25)


def test_capping_with_two_variables_stays_under_the_cap_and_meets_margins():
    rng = np.random.default_rng(1)
    sex = rng.choice(2, size=2000, p=[0.3, 0.7])
    age = rng.choice(3, size=2000, p=[0.05, 0.45, 0.5])
    targets = [np.array([0.5, 0.5]) * 2000, np.array([0.3, 0.4, 0.3]) * 2000]
    weights, _ = rake([sex, age], targets, cap=3)
    assert weights.max() <= 3 * weights.mean() * (1 + 1e-9)
    assert weights.mean() == pytest.approx(1)
    # Feasible here: the uncapped respondents absorb what the capped ones lose.
    assert np.bincount(sex, weights) == pytest.approx(targets[0], rel=1e-4)


def test_non_convergence_is_a_data_error(project, monkeypatch):
    project.add(yaml=WEIGHTED_YAML, csv=two_by_two_csv().replace("r1,man,jong", "r1,vrouw,jong"))
    mun = municipality(POPULATION)
    (survey,) = project.load(mun)
    monkeypatch.setattr(weighting, "MAX_ITERATIONS", 1)
    with pytest.raises(DataError) as exc:
        weigh(survey, mun)
    assert str(exc.value).startswith(
        "content/x/surveys/y/survey.yaml:6: weighting: weighting did not converge after 1 iterations (largest relative change in the last one: "
    )
    with pytest.raises(NotConverged):
        rake([np.array([0, 0, 1]), np.array([0, 1, 1])], [np.array([1.0, 2.0]), np.array([2.0, 1.0])], max_iterations=1)


def test_margin_category_without_respondents_is_a_data_error(project):
    project.add(yaml=WEIGHTED_YAML, csv=two_by_two_csv())
    population = {"geslacht": {"man": 500, "vrouw": 500}, "leeftijd": {"jong": 300, "oud": 600, "85+": 100}}
    with pytest.raises(DataError) as exc:
        project.load(municipality(population))
    assert str(exc.value) == (
        'content/x/surveys/y/survey.yaml:6: weighting.by.1: no respondents in category "85+" of leeftijd in '
        "content/x/surveys/y/responses.csv (expected at least one; merge the category with a neighbouring one "
        "in the population figures, or stop weighting by leeftijd)"
    )

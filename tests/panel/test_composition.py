import datetime as dt
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from panelsite.surveys.disclosure import hidden
from panelsite.panel.composition import (
    compose,
    growth,
    panel_weights,
    recruitment,
    response_by_group,
    variable_composition,
)
from panelsite.surveys.figures import Figures, suppress_groups

from .conftest import municipality, rows

HEADER = "member_id,leeftijd,wijk,joined,left\n"


@pytest.fixture
def register(project):
    # active on 2024-06-30: 30 jong + 10 oud; wijk A 25, B 12, C 3; one former member
    return project.register(HEADER + rows(
        (25, "jong,A,2024-01-10,"), (5, "jong,B,2024-01-10,"), (7, "oud,B,2024-02-01,"), (3, "oud,C,2024-04-01,"),
        (1, "oud,C,2024-01-10,2024-06-30"),
    ))


def test_shares_differences_and_suppression(register):
    c = compose(register, municipality())
    assert c.date == dt.date(2024, 6, 30) and c.size == 40
    leeftijd, wijk = c.variables
    jong, oud = leeftijd.groups
    assert (jong.members, jong.panel_pct, jong.population_pct, jong.difference) == (30, 75.0, 50.0, 25.0)
    assert (oud.members, oud.panel_pct, oud.difference, oud.ratio) == (10, 25.0, -25.0, 0.5)
    assert not jong.suppressed and not oud.suppressed  # 10 is not fewer than min_n 10
    a, b, c_ = wijk.groups
    assert (a.panel_pct, a.population_pct, a.difference) == (62.5, 20.0, 42.5)
    # C has 3 members (< 10): hidden; B (12, the smallest shown) hidden too so C cannot be derived from 40
    assert [g.suppressed for g in wijk.groups] == [False, True, True]


def test_unknown_members_count_apart_and_take_part_in_suppression():
    v = variable_composition("wijk", {"A": 20, "B": 30}, 4, {"A": 50, "B": 50}, 10)
    assert [g.panel_pct for g in v.groups] == [40.0, 60.0]  # of the 50 with a known wijk
    # "onbekend" (4) is the one hidden group: A, the smallest shown, is hidden with it
    assert [g.suppressed for g in v.groups] == [True, False] and v.unknown_suppressed


@pytest.mark.parametrize("counts", [[3, 12, 25], [0, 12, 25], [3, 4, 25], [12, 12, 3], [10, 9, 40], [0, 0, 5], [9], [0, 5, 50, 60]])
def test_the_rule_is_the_results_pages_rule(counts):
    groups = suppress_groups([Figures(str(i), n) for i, n in enumerate(counts)], 10, 30)
    assert hidden(counts, 10) == [g.suppressed for g in groups]


def test_an_empty_group_does_not_protect_a_small_one():
    # 5 and 0 hidden would still give the 5 away (total minus 50 and 60): 50 goes too
    assert hidden([0, 5, 50, 60], 10) == [True, True, True, False]
    assert hidden([0, 0, 5, 50, 70], 10) == [True, True, True, True, False]
    # two small groups with people in them protect each other
    assert hidden([0, 5, 6, 60], 10) == [True, True, True, False]
    # an empty group alone reveals nothing
    assert hidden([0, 50, 60], 10) == [True, False, False]


def test_growth_per_quarter(project):
    register = project.register(HEADER + "m1,jong,A,2024-02-10,2024-06-30\n"
                                         "m2,oud,A,2024-05-01,\n"
                                         "m3,oud,B,2024-07-01,2024-08-01\n"
                                         "m4,jong,B,2024-08-15,\n")
    points = [(p.year, p.quarter, p.end, p.members, p.complete) for p in growth(register)]
    assert points == [
        (2024, 1, dt.date(2024, 3, 31), 1, True),
        (2024, 2, dt.date(2024, 6, 30), 1, True),  # m1 left on 30 June, m2 joined
        (2024, 3, dt.date(2024, 8, 15), 2, False),  # up to the register date
    ]


def test_growth_ends_on_a_quarter_end(project):
    register = project.register(HEADER + "m1,jong,A,2023-12-01,\nm2,oud,A,2024-03-31,\n")
    assert [(p.quarter, p.members, p.complete) for p in growth(register)] == [(4, 1, True), (1, 2, True)]


def test_recruitment_to_proportionality():
    v = variable_composition("leeftijd", {"jong": 30, "oud": 10}, 0, {"jong": 500, "oud": 500}, 10)
    target, recruit = recruitment(v)
    assert target == 60  # max(30 / 0.5, 10 / 0.5)
    assert [r.recruit for r in recruit] == [0, 20]
    v = variable_composition("wijk", {"A": 40, "B": 40, "C": 20}, 0, {"A": 250, "B": 250, "C": 500}, 10)
    target, recruit = recruitment(v)
    assert target == 160 and [r.recruit for r in recruit] == [0, 0, 60]
    # shares that are not round: ceil, without rounding noise turning 0 into 1
    v = variable_composition("wijk", {"A": 7, "B": 10, "C": 10}, 0, {"A": 1, "B": 1, "C": 1}, 10)
    target, recruit = recruitment(v)
    assert target == pytest.approx(30) and [r.recruit for r in recruit] == [3, 0, 0]


def test_weights_without_recruitment_two_categories(project):
    # population 50/50, panel 3 jong and 1 oud: weights 2/3 and 2
    # deff = n·Σw²/(Σw)² = 4 · (3·4/9 + 4) / 16 = 4/3; n_eff = 16 / (16/3) = 3
    mun = municipality({"leeftijd": {"jong": 50, "oud": 50}})
    register = project.register("member_id,leeftijd,joined,left\n" + rows((3, "jong,2024-01-01,"),
                                                                          (1, "oud,2024-01-01,")), mun)
    for cap in (None, 5.0):
        w = panel_weights(register, mun, cap)
        assert (w.n, w.excluded, w.problem) == (4, 0, None)
        assert w.max_weight == pytest.approx(2) and w.min_weight == pytest.approx(2 / 3)
        assert w.deff == pytest.approx(4 / 3) and w.n_eff == pytest.approx(3)


def test_weights_with_a_binding_cap(project):
    # population 20/80, panel 9 and 1: uncapped weights 2/9 and 8; cap 5 gives 5/9 and 5 (mean 1)
    mun = municipality({"leeftijd": {"jong": 20, "oud": 80}})
    register = project.register("member_id,leeftijd,joined,left\n" + rows((9, "jong,2024-01-01,"),
                                                                          (1, "oud,2024-01-01,")), mun)
    free, capped = panel_weights(register, mun, None), panel_weights(register, mun, 5.0)
    assert free.max_weight == pytest.approx(8) and free.deff == pytest.approx(58 / 9)  # 10·(580/9)/100
    assert capped.max_weight == pytest.approx(5) and capped.min_weight == pytest.approx(5 / 9)
    assert capped.deff == pytest.approx(25 / 9) and capped.n_eff == pytest.approx(3.6)


def test_weights_need_members_in_every_category(project):
    register = project.register(HEADER + rows((5, "jong,A,2024-01-01,"), (5, "oud,B,2024-01-01,"),
                                              (2, "oud,,2024-01-01,")))
    w = panel_weights(register, municipality(), None)
    assert (w.n, w.excluded) == (10, 2)
    assert w.problem == "geen leden in C (wijk): die groepen kunnen niet worden opgewogen"


def test_response_by_group(register):
    responses = pd.DataFrame({
        "leeftijd": pd.Categorical(["jong"] * 12 + ["oud"] * 6, categories=["jong", "oud"]),
        "wijk": pd.Categorical(["A"] * 15 + ["B"] * 3, categories=["A", "B", "C"]),
    })
    # fieldwork starts 2024-03-01: the 3 members who joined in April are not invited
    survey = SimpleNamespace(id="s", fieldwork_start=dt.date(2024, 3, 1), responses=responses)
    leeftijd, wijk = response_by_group(register, survey, municipality())
    jong, oud = leeftijd.groups
    assert (jong.invited, jong.responded, jong.rate) == (30, 12, 40.0)
    # oud: 8 invited (7 + the member who left in June), 6 responded: hidden, and jong with it
    assert (oud.invited, oud.responded, oud.suppressed) == (8, 6, True)
    assert [g.suppressed for g in leeftijd.groups] == [True, True]
    assert [(g.category, g.invited, g.responded, g.suppressed) for g in wijk.groups] == [
        ("A", 25, 15, False), ("B", 12, 3, True), ("C", 1, 0, True)]


def test_response_by_group_skips_variables_not_in_the_responses(register):
    survey = SimpleNamespace(fieldwork_start=dt.date(2024, 3, 1), responses=pd.DataFrame(
        {"leeftijd": pd.Categorical(["jong"] * 20, categories=["jong", "oud"])}))
    (only,) = response_by_group(register, survey, municipality())
    assert only.variable == "leeftijd"
    assert math.isnan(response_by_group(register, SimpleNamespace(
        fieldwork_start=dt.date(2023, 1, 1), responses=survey.responses), municipality())[0].groups[0].rate)

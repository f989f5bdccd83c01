"""The vectorised figures give the very floats of the plain per-base formulas.

Published percentages are unrounded in data.json, so "close" is not enough:
every group's figures must be exactly what summing that group alone gives. The
standard errors come from tables rather than respondent arrays (see
panelsite.surveys.design): they are checked against the respondent-level
linearisation to rounding.
"""

import math

import numpy as np
import pandas as pd
import pytest

from panelsite.surveys.formulas import wilson
from panelsite.surveys.formulas import Z, weighted_mean, weighted_median, wilson_arrays
from panelsite.surveys.tables import _code_index
from panelsite.surveys.weighting import weigh

from .conftest import municipality

WEIGHTED_YAML = """\
title: Gewogen per wijk
theme: leefbaarheid
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 400
publish_on: 2026-04-15
weighting: {by: [leeftijd, geslacht]}
breakdowns: [wijk, leeftijd]
questions:
  - {id: q1, text: Tevreden?, type: scale, options: {1: a, 2: b, 3: c, 4: d, 5: e}, missing: {9: Weet niet}}
  - {id: q2, text: Cijfer?, type: grade}
  - {id: q3, text: Welke?, type: multi, options: {1: a, 2: b, 3: c}}
"""


def weighted_csv(n: int = 300) -> str:
    rng = np.random.default_rng(11)
    rows = ["respondent_id,leeftijd,geslacht,wijk,q1,q2,q3_1,q3_2,q3_3"]
    for i in range(n):
        age = rng.choice(["18-34", "35-64", "65+"], p=[0.2, 0.5, 0.3])
        sex, area = rng.choice(["man", "vrouw"]), rng.choice(["Centrum", "Noord", "Zuid"])
        q1, q2 = rng.choice(["1", "2", "3", "4", "5", "9", ""]), rng.choice([str(g) for g in range(1, 11)] + [""])
        q3 = ",".join(rng.choice(["0", "1"], size=3)) if rng.random() < 0.9 else ",,"
        rows.append(f"r{i},{age},{sex},{area},{q1},{q2},{q3}")
    return "\n".join(rows) + "\n"


def linearised_se(weights: np.ndarray, margins: np.ndarray, in_base: np.ndarray, y: np.ndarray) -> float:
    """The raking-adjusted linearised SE of a weighted mean of y over ``in_base``, from respondent arrays."""
    total = weights[in_base].sum()
    theta = np.dot(weights[in_base], y[in_base]) / total
    u = np.where(in_base, y - theta, 0.0) / total
    residual = u - margins @ np.linalg.lstsq(margins, u, rcond=None)[0]
    z = weights * residual
    n = len(weights)
    return math.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum())


def test_every_group_gets_the_floats_of_summing_that_group_alone(project):
    project.add(yaml=WEIGHTED_YAML, csv=weighted_csv())
    mun = municipality()
    (survey,) = project.load(mun)
    (results,) = project.results(mun)
    weights, _ = weigh(survey, mun)
    data = survey.responses
    assert len(set(weights.tolist())) > 2  # really weighted: sums depend on their order
    margins = pd.get_dummies(data[["leeftijd", "geslacht"]].astype(str)).to_numpy(dtype=float)
    for var, categories in (("wijk", ["Centrum", "Noord", "Zuid"]), ("leeftijd", ["18-34", "35-64", "65+"])):
        for j, category in enumerate(categories):
            group = (data[var] == category).to_numpy()
            # scale: option shares, n_eff and the missing share from per-group bincounts
            q1 = data["q1"].to_numpy()
            answered = group & ~np.isnan(q1)
            codes = np.searchsorted([1, 2, 3, 4, 5, 9], q1[answered])
            sums = np.bincount(codes, weights=weights[answered], minlength=6)
            squares = np.bincount(codes, weights=weights[answered] ** 2, minlength=6)
            total = float(sums[:5].sum())
            figures = results.question("q1").breakdowns[var][j]
            assert figures.n_eff == total**2 / float(squares[:5].sum())
            assert [o.pct for o in figures.options] == [float(s) / total * 100 for s in sums[:5]]
            se = linearised_se(weights, margins, answered & (q1 != 9), np.isin(q1, [4, 5]).astype(float))
            assert figures.top2.se == pytest.approx(se * 100, rel=1e-9)
            assert figures.top2.interval == "linearisation"
            share = float(sums[3:5].sum()) / total
            assert (figures.top2.ci_low, figures.top2.ci_high) == pytest.approx(
                ((share - Z * se) * 100, (share + Z * se) * 100), rel=1e-12)
            assert figures.missing[0].pct == float(sums[5] / sums.sum() * 100)
            # grade: mean and median of the group's own arrays, in respondent order
            q2 = data["q2"].to_numpy()
            valid = group & ~np.isnan(q2)
            figures = results.question("q2").breakdowns[var][j]
            assert figures.mean.value == weighted_mean(q2[valid], weights[valid])
            assert figures.mean.se == pytest.approx(linearised_se(weights, margins, valid, np.nan_to_num(q2)), rel=1e-9)
            assert figures.median == weighted_median(q2[valid], weights[valid])
            # multi: weighted shares by a matrix product on the group's rows
            chosen = data[["q3_1", "q3_2", "q3_3"]].to_numpy(dtype=float)
            base = group & ~np.isnan(chosen).all(axis=1)
            wm = weights[base]
            figures = results.question("q3").breakdowns[var][j]
            assert [o.pct for o in figures.options] == [float(x) / float(wm.sum()) * 100 for x in wm @ (chosen[base] == 1).astype(float)]


def test_wilson_arrays_gives_the_floats_of_wilson():
    rng = np.random.default_rng(3)
    p = np.concatenate([[0.0, 1.0, 0.5, 1e-17, 1 - 1e-16, math.nan], rng.random(500)])
    n = np.concatenate([[10.0, 10.0, 0.0, 3.0, 2.5, 7.0], rng.random(500) * 2000])
    n[[10, 11]] = [-1.0, math.nan]
    low, high = wilson_arrays(p, n)
    same = lambda a, b: a == b or (math.isnan(a) and math.isnan(b))  # noqa: E731
    for pi, ni, lo, hi in zip(p.tolist(), n.tolist(), low.tolist(), high.tolist()):
        expected_low, expected_high = wilson(pi, ni)
        assert same(lo, expected_low) and same(hi, expected_high), (pi, ni)


def test_code_lookup_matches_series_map():
    values = np.array([1.0, 2.0, 9.0, 2.5, math.nan, -0.0, 0.0, 3.0, 99.0, -1.0, 1e300, 4.000000000000001])
    for lookup in ({1: 0, 2: 1, 3: 2, 9: 3}, {0: 0, -1: 1}, {1: 0, 100000: 1}):
        expected = pd.Series(values).map(lookup).fillna(7).to_numpy(dtype=np.intp)
        assert _code_index(values, lookup, 7).tolist() == expected.tolist()
    texts = np.array(["ja", "nee", math.nan, "Ja", "misschien"], dtype=object)
    lookup = {"ja": 0, "nee": 1, "misschien": 2}
    assert _code_index(texts, lookup, 3).tolist() == pd.Series(texts).map(lookup).fillna(3).to_numpy(dtype=np.intp).tolist()
    assert _code_index(values, {1: 0, "a": 1}, 2) is None  # mixed codes: left to pandas

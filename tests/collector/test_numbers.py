"""Numbers are finite and bounded by survey.yaml (issue 17, item 7): a 400-digit answer is a field
error, never an infinity in the database or in responses.csv."""

from __future__ import annotations

import uuid

import pytest

from panelsite.config.municipality import load_municipalities
from panelsite.errors import DataError
from panelsite.surveys.loader import load_surveys

from .helpers import SURVEY, make_project
from .test_collector import ANSWERS, _export, rows

SITE = "https://panel.lindenhaven.nl/"
FORM = "vragenlijst-proef-2026"
# q5 of the test survey with a declared range and number of decimals
BOUNDED = SURVEY.replace("    unit: km\n", "    unit: km\n    min: 0\n    max: 250\n    decimals: 1\n")


def key() -> str:
    return str(uuid.uuid4())


@pytest.mark.parametrize("value", ["9" * 400, "-" + "9" * 400, "9" * 400 + ",5", "1" + "0" * 40])
def test_a_huge_number_is_a_field_error(make_collector, value):
    c = make_collector()
    r = c.post(FORM, {**ANSWERS, "q5": value, "_key": key()}, json=True)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["q5"]
    assert c.storage.count("responses") == 0
    assert c.post(FORM, {**ANSWERS, "q5": "12,5", "_key": key()}, json=True).json()["ok"]
    assert [row["q5"] for row in rows(_export(c, "proef-2026"))] == ["12.5"]


@pytest.fixture
def bounded(make_collector, tmp_path):
    c = make_collector()
    (c.project / "content" / "lindenhaven" / "surveys" / "proef-2026" / "survey.yaml").write_text(BOUNDED, encoding="utf-8")
    from panelsite.collector.sites import load_sites

    c.state.sites.update(load_sites(c.project))
    return c


@pytest.mark.parametrize("value, message", [
    ("251", "Vul bij vraag 4 een getal in van 250 of minder"),
    ("-1", "Vul bij vraag 4 een getal in van 0 of meer"),
    ("12,25", "Vul bij vraag 4 een getal in met hoogstens 1 cijfer achter de komma"),
])
def test_the_range_and_decimals_of_survey_yaml_hold(bounded, value, message):
    r = bounded.post(FORM, {**ANSWERS, "q5": value, "_key": key()}, json=True)
    assert r.status_code == 422 and r.json()["errors"] == {"q5": message}
    assert bounded.post(FORM, {**ANSWERS, "q5": "250", "_key": key()}, json=True).json()["ok"]


def test_the_browser_gets_the_same_bounds(bounded):
    definition = bounded.state.sites["lindenhaven"].forms[FORM].field("q5").client_definition()
    assert (definition["min"], definition["max"], definition["decimals"]) == (0, 250, 1)


def _project_with_responses(tmp_path, q5: str, survey: str = SURVEY):
    project = make_project(tmp_path / "project", SITE)
    folder = project / "content" / "lindenhaven" / "surveys" / "proef-2026"
    (folder / "survey.yaml").write_text(survey, encoding="utf-8")
    (folder / "responses.csv").write_text("respondent_id,leeftijd,geslacht,wijk,q1,q2,q3,q4_1,q4_2,q4_3,q5,q6\n"
                                          f"r1,35-49,vrouw,Centrum,1,4,8,1,0,1,{q5},\n", encoding="utf-8")
    municipality = load_municipalities(project, ["lindenhaven"])["lindenhaven"]
    return lambda: load_surveys(folder.parent, municipality, project)


def test_the_build_refuses_an_infinite_number_with_row_and_column(tmp_path):
    load = _project_with_responses(tmp_path, "9" * 400)
    with pytest.raises(DataError) as refused:
        load()
    [problem] = refused.value.problems
    assert problem.file == "content/lindenhaven/surveys/proef-2026/responses.csv"
    assert problem.row == 2 and problem.key == "q5" and "not a finite number" in problem.message


def test_the_build_holds_the_declared_range_too(tmp_path):
    load = _project_with_responses(tmp_path, "300", BOUNDED)
    with pytest.raises(DataError) as refused:
        load()
    [problem] = refused.value.problems
    assert problem.row == 2 and problem.key == "q5" and "250" in problem.message


def test_a_range_is_only_for_number_questions(tmp_path):
    survey = SURVEY.replace("    type: grade\n", "    type: grade\n    max: 5\n")
    load = _project_with_responses(tmp_path, "12", survey)
    with pytest.raises(DataError) as refused:
        load()
    assert any(p.key == "questions.2.max" for p in refused.value.problems)

"""The same round from every tool gives the same responses.csv, byte for byte, and the same figures."""

from __future__ import annotations

import csv
import io
import json

import pytest

from panelsite.config.municipality import load_municipalities
from panelsite.surveys.estimates import analyse
from panelsite.surveys.loader import load_surveys
from panelsite.surveys.opendata import to_open_data

from . import exports as x

FORMATS = {
    "spss-sav": ("round.sav", lambda p: x.write_sav(p), None),
    "spss-zsav": ("round.zsav", lambda p: x.write_sav(p, zsav=True), None),
    "spss-bands-in-words": ("round.sav", lambda p: x.write_sav(p, band_labels={
        1: "18 t/m 34 jaar", 2: "35 tot 50 jaar", 3: "50 t/m 64 jaar", 4: "65 jaar en ouder"}), None),
    "excel": ("round.xlsx", lambda p: x.write_xlsx(p), None),
    "qualtrics-numeric": ("round.csv", lambda p: x.write_qualtrics(p), None),
    "qualtrics-choice-text": ("round.csv", lambda p: x.write_qualtrics(p, choice_text=True), None),
    "limesurvey-codes": ("round.csv", lambda p: x.write_limesurvey(p), x.LIME_MAPPING),
    "limesurvey-texts": ("round.csv", lambda p: x.write_limesurvey(p, long=True), None),
    "csv": ("round.csv", lambda p: p.write_bytes(x.canonical_csv()), None),
}


def figures(project) -> dict:
    municipality = load_municipalities(project.root, ["teststad"])["teststad"]
    (survey,) = load_surveys(project.root / "content" / "teststad" / "surveys", municipality, project.root)
    data = to_open_data(analyse(survey, municipality))
    return json.loads(json.dumps(data, default=str))


@pytest.fixture(scope="module")
def reference_figures(tmp_path_factory):
    from .conftest import new_project

    project = new_project(tmp_path_factory.mktemp("reference") / "project")
    project.csv.write_bytes(x.canonical_csv())
    return figures(project)


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_gives_the_canonical_responses_csv(project, exports, capsys, name, reference_figures):
    filename, write, mapping = FORMATS[name]
    exports.mkdir()
    source = exports / filename
    write(source)
    if mapping:
        project.write("content/teststad/surveys/buurt-2026/import.yaml", mapping)
    code, out, err = project.run(capsys, source)
    assert code == 0, err + out
    assert project.csv.read_bytes() == x.canonical_csv()
    assert figures(project) == reference_figures


def test_the_open_answers_go_to_the_private_folder_only(project, exports, capsys):
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    assert project.run(capsys, exports / "round.sav")[0] == 0
    given = [(str(i), p.q7) for i, p in enumerate(x.COMPLETES, start=1) if p.q7]
    rows = list(csv.reader(io.StringIO(project.private.read_text(encoding="utf-8"))))
    assert rows[0] == ["respondent_id", "question", "column", "answer"]
    assert [(r[0], r[3]) for r in rows[1:]] == given
    assert {(r[1], r[2]) for r in rows[1:]} == {("q7", "v7")}
    assert (project.root / "private" / ".gitignore").read_text().splitlines()[-1] == "*"
    content = b"".join(p.read_bytes() for p in (project.root / "content").rglob("*") if p.is_file())
    assert not any(answer.encode() in content for _, answer in given)

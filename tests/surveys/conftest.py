"""Small builders for survey tests: a municipality Record and a survey folder on disk."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from panelsite.config.schema import Record
from panelsite.surveys.estimates import analyse
from panelsite.surveys.loader import load_surveys

POPULATION = {
    "leeftijd": {"18-34": 300, "35-64": 500, "65+": 200},
    "geslacht": {"man": 490, "vrouw": 510},
    "wijk": {"Centrum": 400, "Noord": 350, "Zuid": 250},
}

SURVEY_YAML = """\
title: Afvalinzameling 2026
theme: afval
series: afvalmonitor
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 100
publish_on: 2026-04-15
questions:
  - id: q1
    text: Hoe tevreden bent u over de afvalinzameling?
    type: scale
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}
    missing: {9: Weet niet}
    subject: de afvalinzameling
"""


def municipality(variables=None, min_n=10, indicative_n=30) -> Record:
    variables = POPULATION if variables is None else variables
    return Record(
        slug="x",
        population=Record(variables=Record({k: Record(v) for k, v in variables.items()}), source="BRP", date="2026-01-01"),
        results=Record(min_n=min_n, indicative_n=indicative_n),
    )


class Project:
    """A temporary project root with content/x/surveys/<id>/ folders."""

    def __init__(self, root: Path):
        self.root = root
        self.surveys = root / "content" / "x" / "surveys"

    def add(self, survey_id: str = "y", yaml: str = SURVEY_YAML, csv: str | bytes | None = None, encoding: str = "utf-8") -> Path:
        folder = self.surveys / survey_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "survey.yaml").write_text(textwrap.dedent(yaml), encoding="utf-8")
        if csv is not None:
            data = csv if isinstance(csv, bytes) else textwrap.dedent(csv).encode(encoding)
            (folder / "responses.csv").write_bytes(data)
        return folder

    def load(self, mun=None):
        return load_surveys(self.surveys, mun or municipality(), self.root)

    def results(self, mun=None):
        mun = mun or municipality()
        return [analyse(s, mun) for s in self.load(mun)]


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def results(project):
    """The analysed 30-respondent survey of test_estimates.py (every question type, one breakdown)."""
    from .test_estimates import YAML, csv_text

    project.add(yaml=YAML, csv=csv_text())
    (r,) = project.results()
    return r

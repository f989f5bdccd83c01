"""Builders for factsheet tests: a tiny survey with known answers, and the demo site planned in memory."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from panelsite.factsheets import family as factsheets
from panelsite.engine import pipeline
from panelsite.engine.family import SiteInputs
from panelsite.config.schema import Record
from panelsite.errors import captured
from panelsite.surveys.estimates import analyse
from panelsite.surveys.loader import load_surveys

ROOT = Path(__file__).resolve().parents[2]

SURVEY = """\
title: Afval in de buurt
theme: afval
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 40
publish_on: 2026-04-15
questions:
  - id: q1
    text: Hoe tevreden bent u over de afvalinzameling?
    type: scale
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}
    missing: {9: Weet niet}
  - id: q2
    text: Welk rapportcijfer geeft u de afvalinzameling?
    type: grade
  - id: q3
    text: Wat kan beter?
    type: open
"""

# 20 respondents: q1 4 or 5 for 13 of them (65%); q2 grades 4×8, 8×7, 8×6 (mean 6,8; 8 or higher 20%).
Q1 = [5] * 5 + [4] * 8 + [3] * 4 + [2] * 3
Q2 = [8] * 4 + [7] * 8 + [6] * 8
RESPONSES = "respondent_id,q1,q2,q3\n" + "".join(f"{i + 1},{a},{b},\n" for i, (a, b) in enumerate(zip(Q1, Q2)))

FACTSHEET = """\
---
title: Wat u vond van het afval
highlights:
  - {question: q1, codes: [4, 5], label: "is (zeer) tevreden"}
  - {question: q2, stat: mean, label: "gemiddeld rapportcijfer"}
measures:
  - title: Vaker legen
    status: taken
    explanation: We legen de containers vaker.
    expected: 2026-05-01
    department: Afval
---
Tevreden: {{ pct("q1", [4, 5]) }}. Cijfer: {{ mean("q2") }}.
"""


def municipality() -> Record:
    return Record(slug="x", name="X", population=Record(variables=Record(), source="BRP", date="2026-01-01"),
                  results=Record(min_n=10, indicative_n=30))


class Project:
    """A temporary project root with ``content/x/surveys/y/``."""

    today = dt.date(2026, 4, 20)  # the build date: after publish_on, before the measures' dates

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / "content" / "x" / "surveys" / "y"
        self.folder.mkdir(parents=True)
        (self.folder / "survey.yaml").write_text(SURVEY, encoding="utf-8")
        (self.folder / "responses.csv").write_text(RESPONSES, encoding="utf-8")

    def write(self, text: str) -> None:
        (self.folder / "factsheet.md").write_text(textwrap.dedent(text), encoding="utf-8")

    def surveys(self):
        return load_surveys(self.folder.parent, municipality(), self.root)

    def load(self, text: str | None = None):
        """Run the factsheet family's ``load``; returns ``inputs.factsheets``."""
        if text is not None:
            self.write(text)
        surveys = self.surveys()
        inputs = SiteInputs(municipality(), results=SimpleNamespace(all=surveys, published=surveys, drafts=False))
        with captured() as warnings:
            factsheets.load(SimpleNamespace(root=self.root, out=self.root / "dist", today=self.today, drafts=False),
                            inputs)
        self.warnings = [p.report_line() for p in warnings]  # as the terminal shows them
        return inputs.factsheets

    def results(self):
        return analyse(self.surveys()[0], municipality())


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


class Demo:
    """One demo municipality planned (not written): outputs rendered on demand."""

    def __init__(self, root: Path, slug: str, out: Path):
        self.options = pipeline.Options(root=root, out=out, only=[slug], jobs=1, progress=False)
        self.inputs = pipeline.load_all(self.options)[slug]
        self.m = self.inputs.municipality
        self.site = pipeline.plan_site(self.options, self.inputs, self.m.base_url)
        self.outputs = {o.path: o for o in self.site.outputs}
        self._rendered: dict[str, bytes] = {}

    def render(self, path: str) -> bytes:
        if path not in self._rendered:
            self._rendered[path] = self.outputs[path].render()
        return self._rendered[path]

    def text(self, path: str) -> str:
        return self.render(path).decode("utf-8")


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Demo:
    return Demo(ROOT, "lindenhaven", tmp_path_factory.mktemp("factsheet-demo"))


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A writable copy of the demo project (municipalities, content, themes) for one municipality."""
    for part in ("municipalities", "themes", "content/_shared", "content/lindenhaven"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path

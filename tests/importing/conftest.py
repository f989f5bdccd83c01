"""A project with one municipality and one survey to import into, and a way to run ``build.py import``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from panelsite.cli import main

from .exports import MUNICIPALITY, SURVEY_YAML

REPO = Path(__file__).resolve().parents[2]
SURVEY = "content/teststad/surveys/buurt-2026"


class Project:
    def __init__(self, root: Path):
        self.root = root
        self.survey = root / SURVEY
        self.csv = self.survey / "responses.csv"
        self.private = root / "private" / "teststad" / "buurt-2026" / "open-answers.csv"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, capsys, file, *options: str, survey: str = "buurt-2026") -> tuple[int, str, str]:
        code = main(["--root", str(self.root), "import", "teststad", survey, str(file), *options])
        captured = capsys.readouterr()
        self.out, self.err = captured.out, captured.err
        return code, captured.out, captured.err

    def report(self, capsys, file, *options: str) -> dict:
        code, out, err = self.run(capsys, file, "--json", *options)
        assert code == 0, err
        return json.loads(out)

    def errors(self) -> list[str]:
        return [line.removeprefix("error: ") for line in self.err.splitlines() if line.startswith("error: ")]

    def files(self) -> dict[str, bytes]:
        """Every file of the project, for "nothing was written" checks."""
        return {p.relative_to(self.root).as_posix(): p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file()}


def new_project(root: Path, survey_yaml: str | None = SURVEY_YAML) -> Project:
    (root / "municipalities" / "assets").mkdir(parents=True)
    shutil.copy(REPO / "municipalities" / "assets" / "lindenhaven-logo.svg", root / "municipalities" / "assets" / "logo.svg")
    (root / "municipalities" / "teststad.yaml").write_text(MUNICIPALITY, encoding="utf-8")
    project = Project(root)
    project.survey.mkdir(parents=True)
    if survey_yaml is not None:
        (project.survey / "survey.yaml").write_text(survey_yaml, encoding="utf-8")
    return project


@pytest.fixture
def project(tmp_path) -> Project:
    return new_project(tmp_path / "project")


@pytest.fixture
def empty_project(tmp_path) -> Project:
    """No survey.yaml yet: the import drafts one."""
    return new_project(tmp_path / "project", None)


@pytest.fixture
def exports(tmp_path):
    return tmp_path / "exports"

"""``panelsite new``: commented starting points that build at once, and refusals."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
import yaml

from panelsite.cli import main

from .conftest import REPO, build


def new(capsys, root, *args) -> tuple[int, str, str]:
    code = main(["new", *args, "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_municipality_builds_at_once(small_project, capsys):
    code, out, _ = new(capsys, small_project, "municipality", "nieuw-brabant")
    assert code == 0
    assert "created municipalities/nieuw-brabant.yaml" in out
    config = (small_project / "municipalities" / "nieuw-brabant.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(config)
    assert data["name"] == "Nieuw Brabant"
    # every key is explained: a comment line above each top-level key
    lines = config.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith((" ", "#")):
            assert lines[i - 1].startswith("#"), f"no comment above {line!r}"
    logo = (small_project / "municipalities" / "assets" / "nieuw-brabant-logo.svg").read_text(encoding="utf-8")
    assert 'role="img"' in logo and "<title>Gemeente Nieuw Brabant</title>" in logo
    results = build(small_project, only=["nieuw-brabant"])
    assert results["nieuw-brabant"].pages >= 6
    site = small_project / "dist" / "nieuw-brabant"
    assert "Nieuw Brabant Spreekt" in (site / "index.html").read_text(encoding="utf-8")
    assert not (site / "over-de-gemeente").exists()  # the sample page is a draft


def test_a_new_survey_builds_and_says_results_follow(small_project, capsys):
    assert new(capsys, small_project, "municipality", "nieuw-brabant")[0] == 0
    code, out, _ = new(capsys, small_project, "survey", "nieuw-brabant", "buurt-2026")
    assert code == 0
    folder = small_project / "content" / "nieuw-brabant" / "surveys" / "buurt-2026"
    survey = yaml.safe_load((folder / "survey.yaml").read_text(encoding="utf-8"))
    ids = [q["id"] for q in survey["questions"]]
    factsheet = (folder / "factsheet.md").read_text(encoding="utf-8")
    front = yaml.safe_load(factsheet.split("---\n")[1])
    assert {h["question"] for h in front["highlights"]} <= set(ids)
    assert not (folder / "responses.csv").exists()
    # under embargo until its author sets real dates: the placeholder texts never go public
    assert survey["publish_on"] > dt.date.today()
    build(small_project, only=["nieuw-brabant"])
    assert not (small_project / "dist/nieuw-brabant/resultaten/buurt-2026").exists()
    build(small_project, only=["nieuw-brabant"], drafts=True)
    page = (small_project / "dist/nieuw-brabant/resultaten/buurt-2026/index.html").read_text(encoding="utf-8")
    assert "De resultaten van dit onderzoek volgen binnenkort." in page


def test_a_survey_for_an_existing_municipality_uses_its_variables(small_project, capsys):
    assert new(capsys, small_project, "survey", "lindenhaven", "buurt-2026")[0] == 0
    survey = yaml.safe_load((small_project / "content/lindenhaven/surveys/buurt-2026/survey.yaml")
                            .read_text(encoding="utf-8"))
    assert survey["weighting"]["by"] == ["leeftijd", "geslacht", "wijk"]
    build(small_project)  # the demo municipality with the new survey still builds


def test_existing_files_are_never_overwritten(small_project, capsys):
    before = (small_project / "municipalities" / "lindenhaven.yaml").read_bytes()
    code, _, err = new(capsys, small_project, "municipality", "lindenhaven")
    assert code == 2
    assert "municipalities/lindenhaven.yaml, " in err and "already exist; nothing was written" in err
    assert (small_project / "municipalities" / "lindenhaven.yaml").read_bytes() == before
    assert new(capsys, small_project, "survey", "lindenhaven", "buurt-2026")[0] == 0
    code, _, err = new(capsys, small_project, "survey", "lindenhaven", "buurt-2026")
    assert code == 2 and "already exist" in err


@pytest.mark.parametrize("args, message", [
    (("municipality", "Nieuw_Brabant"), '"Nieuw_Brabant" is not a valid slug'),
    (("municipality", "nieuw--brabant"), "is not a valid slug"),
    (("survey", "lindenhaven", "Buurt 2026"), '"Buurt 2026" is not a valid survey id'),
    (("survey", "lindehaven", "buurt-2026"), 'no municipality "lindehaven" (did you mean "lindenhaven"?)'),
    (("survey", "lindenhaven"), "usage: new survey <slug> <survey-id>"),
])
def test_invalid_names_are_refused(small_project, capsys, args, message):
    code, _, err = new(capsys, small_project, *args)
    assert code == 2
    assert message in err
    assert not (small_project / "content" / "lindenhaven" / "surveys" / "buurt-2026").exists()


@pytest.mark.parametrize("slug", ["dist", "reports", "var"])
def test_a_slug_git_would_ignore_is_refused(small_project, capsys, slug):
    shutil.copy(REPO / ".gitignore", small_project / ".gitignore")
    code, _, err = new(capsys, small_project, "municipality", slug)
    assert code == 2
    assert f'"{slug}" is reserved: .gitignore leaves out every folder of that name' in err
    assert not (small_project / "municipalities" / f"{slug}.yaml").exists()


def test_build_py_builds_a_scaffolded_project(small_project):
    """As a user runs it: ``python build.py new …`` then ``python build.py --root TMP --out TMP/dist``."""
    for args in (["new", "municipality", "nieuw-brabant"], ["new", "survey", "nieuw-brabant", "buurt-2026"]):
        proc = subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--root", str(small_project)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(small_project),
                           "--out", str(small_project / "dist"), "--drafts"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Built 2 sites" in proc.stdout
    assert (small_project / "dist/nieuw-brabant/resultaten/buurt-2026/index.html").is_file()  # a preview: under embargo

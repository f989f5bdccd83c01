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


# --------------------------------------------------------------------------
# a new survey is a draft (issue 17.1)


def _answers(small_project, slug: str, survey_id: str) -> None:
    """responses.csv for the skeleton's questions, as the answers come in."""
    import random

    m = yaml.safe_load((small_project / "municipalities" / f"{slug}.yaml").read_text(encoding="utf-8"))
    population = {k: list(v) for k, v in m["population"].items() if isinstance(v, dict)}
    rng = random.Random(17)
    header = ["respondent_id", *population, "q1", "q2", "q3_1", "q3_2", "q3_3", "q3_4", "q4", "q5"]
    rows = [",".join(header)]
    for i in range(1, 201):
        q4 = rng.choice([1, 2])
        rows.append(",".join([str(i), *(rng.choice(c) for c in population.values()), str(rng.randint(1, 5)),
                              str(rng.randint(1, 10)), *(str(rng.randint(0, 1)) for _ in range(4)), str(q4),
                              str(rng.randint(1, 5)) if q4 == 1 else ""]))
    folder = small_project / "content" / slug / "surveys" / survey_id
    (folder / "responses.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _undraft(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\ndraft: true\n" in text
    path.write_text(text.replace("\ndraft: true\n", "\n"), encoding="utf-8")


def test_a_new_survey_stays_off_the_public_site_until_staff_remove_the_draft_flags(small_project, capsys):
    from panelsite.errors import PanelsiteError

    assert new(capsys, small_project, "municipality", "nieuw-brabant")[0] == 0
    assert new(capsys, small_project, "survey", "nieuw-brabant", "buurt-2026")[0] == 0
    folder = small_project / "content" / "nieuw-brabant" / "surveys" / "buurt-2026"
    _answers(small_project, "nieuw-brabant", "buurt-2026")
    publish_on = yaml.safe_load((folder / "survey.yaml").read_text(encoding="utf-8"))["publish_on"]
    later = publish_on + dt.timedelta(days=1)  # past the embargo: only the draft flag keeps it off the site
    site = small_project / "dist" / "nieuw-brabant"

    build(small_project, only=["nieuw-brabant"], today=later)
    assert not (site / "resultaten" / "buurt-2026").exists()
    assert "buurt-2026" not in (site / "resultaten" / "index.html").read_text(encoding="utf-8")
    # Nor announced: between fieldwork and publication the results index lists the results to come, not a draft's.
    survey = yaml.safe_load((folder / "survey.yaml").read_text(encoding="utf-8"))
    between = survey["fieldwork"]["end"] + dt.timedelta(days=1)
    assert between < publish_on
    build(small_project, only=["nieuw-brabant"], today=between)
    assert survey["title"] not in (site / "resultaten" / "index.html").read_text(encoding="utf-8")

    _undraft(folder / "survey.yaml")  # the survey is ready, its factsheet not yet
    build(small_project, only=["nieuw-brabant"], today=later)
    assert (site / "resultaten" / "buurt-2026" / "index.html").is_file()
    assert not (site / "resultaten" / "buurt-2026" / "factsheet").exists()

    _undraft(folder / "factsheet.md")  # published with the skeleton's example texts: refused, line by line
    with pytest.raises(PanelsiteError) as refused:
        build(small_project, only=["nieuw-brabant"], today=later)
    lines = (folder / "factsheet.md").read_text(encoding="utf-8").splitlines()
    shown = [str(p) for p in refused.value.problems]
    assert shown and all(p.startswith("content/nieuw-brabant/surveys/buurt-2026/factsheet.md:") for p in shown)
    assert {int(p.split(":")[1]) for p in shown} == {
        n for n, line in enumerate(lines, 1)
        if any(text in line for text in ("Schrijf hier", "over de buurt", "rapportcijfer voor de buurt"))
        and not line.startswith("#")}
    assert any(p.endswith('still holds the example text of new survey: "Schrijf hier in gewone woorden wat de '
                          'uitkomsten zijn." (expected your own text about the results; or draft: true while it is '
                          "not ready)") for p in shown)
    assert (site / "resultaten" / "buurt-2026" / "index.html").is_file()  # the previous site stays

    text = (folder / "factsheet.md").read_text(encoding="utf-8")
    for old, own in [("is (zeer) tevreden over de buurt", "vindt de buurt fijn"),
                     ("gemiddeld rapportcijfer voor de buurt", "gemiddeld cijfer"),
                     ("Schrijf hier in gewone woorden wat de uitkomsten zijn.", "De meeste inwoners zijn tevreden."),
                     ("van de inwoners is tevreden of zeer tevreden over de buurt.", "is tevreden.")]:
        text = text.replace(old, own)
    (folder / "factsheet.md").write_text(text, encoding="utf-8")
    build(small_project, only=["nieuw-brabant"], today=later)
    assert "De meeste inwoners zijn tevreden." in (site / "resultaten/buurt-2026/factsheet/index.html").read_text(
        encoding="utf-8")


def test_the_preview_shows_a_new_survey_with_the_concept_banner(small_project, capsys):
    from .test_serve import get
    from .test_serve_previews import running_preview

    assert new(capsys, small_project, "municipality", "nieuw-brabant")[0] == 0
    assert new(capsys, small_project, "survey", "nieuw-brabant", "buurt-2026")[0] == 0
    _answers(small_project, "nieuw-brabant", "buurt-2026")
    state, server = running_preview(small_project, drafts=True)
    try:
        concept = "Concept: deze pagina staat nog niet op de echte website."
        for path in ("resultaten/buurt-2026/", "resultaten/buurt-2026/factsheet/"):
            status, _, page = get(state.port, f"/nieuw-brabant/{path}")
            assert status == 200 and concept in page, path
        assert concept not in get(state.port, "/nieuw-brabant/")[2]
    finally:
        state.stop()
        server.shutdown()
        server.server_close()


def test_the_skeleton_s_example_texts_are_the_ones_the_build_refuses():
    """factsheets.source.SCAFFOLD_TEXT names the example texts of the skeleton, and no more."""
    from panelsite.factsheets.source import SCAFFOLD_TEXT

    skeleton = (REPO / "panelsite" / "authoring" / "scaffold_templates" / "factsheet.md").read_text(encoding="utf-8")
    assert all(text in skeleton for text in SCAFFOLD_TEXT)


def test_a_new_project_ignores_the_private_folder(tmp_path, capsys):
    root = tmp_path / "nieuw"
    (root / "municipalities").mkdir(parents=True)
    assert new(capsys, root, "municipality", "nieuw-brabant")[0] == 0
    ignore = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "private/" in ignore and "dist/" in ignore
    # an existing .gitignore without it gets the line, once
    (root / ".gitignore").write_text("dist/\n", encoding="utf-8")
    assert new(capsys, root, "municipality", "oud-brabant")[0] == 0
    assert (root / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "private/"
    assert new(capsys, root, "municipality", "west-brabant")[0] == 0
    assert (root / ".gitignore").read_text(encoding="utf-8").count("private/") == 1


def test_this_repository_ignores_the_private_folder():
    proc = subprocess.run(["git", "check-ignore", "-q", "private/lindenhaven/afval-2026/open-answers.csv"],
                          cwd=REPO, capture_output=True)
    assert proc.returncode == 0, "private/ is not in .gitignore"

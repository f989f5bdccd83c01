"""Issue 17.3: what respondents typed stays out of git. ``export`` writes open answers and free-text
sign-up fields to the git-ignored private folder, never beside responses.csv in content/; the
results pipeline reads responses.csv, which holds only whether an open question was answered."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import subprocess

from panelsite.cli import main
from panelsite.errors import captured

from .test_collector import ANSWERS, SIGNUP, confirm_from_mail, key

BACKGROUND = {"geboortejaar": "1950", "geslacht": "man", "wijk": "Noordveld"}


def read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def export(c, database_url: str, capsys, *args: str) -> tuple[int, str]:
    code = main(["--root", str(c.project), "export", "lindenhaven", *args, "--database-url", database_url])
    return code, capsys.readouterr().err


def test_open_answers_go_to_the_private_folder_and_responses_csv_says_answered(collector, database_url, capsys):
    from panelsite.config.municipality import load_municipalities
    from panelsite.surveys.loader import load_surveys

    for answer in ("Prima geregeld, maar de bak bij Dorpsstraat 12 is vaak vol.", '=HYPERLINK("http://x")', ""):
        assert collector.post("vragenlijst-proef-2026", {**ANSWERS, **BACKGROUND, "q6": answer, "_key": key()},
                              json=True).json()["ok"]
    survey_dir = collector.project / "content" / "lindenhaven" / "surveys" / "proef-2026"
    code, err = export(collector, database_url, capsys, "proef-2026", "--out", str(survey_dir / "responses.csv"))
    assert code == 0
    private = collector.project / "private" / "lindenhaven" / "proef-2026" / "open-answers.csv"
    assert "wrote private/lindenhaven/proef-2026/open-answers.csv (2 texts; private: git-ignored" in err

    published = (survey_dir / "responses.csv").read_text(encoding="utf-8")
    assert "Dorpsstraat" not in published and "HYPERLINK" not in published
    assert [r["q6"] for r in read(published)] == ["1", "1", ""]
    texts = read(private.read_text(encoding="utf-8"))
    ids = [r["respondent_id"] for r in read(published)]
    assert texts == [
        {"respondent_id": ids[0], "question": "q6", "column": "q6",
         "answer": "Prima geregeld, maar de bak bij Dorpsstraat 12 is vaak vol."},
        {"respondent_id": ids[1], "question": "q6", "column": "q6", "answer": "'=HYPERLINK(\"http://x\")"},
    ]
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert (collector.project / "private" / ".gitignore").read_text().splitlines()[-1] == "*"

    # the results pipeline counts the answers from responses.csv, without a word about texts
    municipality = load_municipalities(collector.project, ["lindenhaven"])["lindenhaven"]
    with captured() as warnings:
        survey = load_surveys(collector.project / "content" / "lindenhaven" / "surveys", municipality,
                              collector.project)[0]
    assert warnings == []
    assert survey.has_responses and survey.responses["q6"].tolist()[:2] == [1.0, 1.0]

    # git leaves the texts out, even in a project whose own .gitignore does not name private/
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=collector.project, check=True)
        listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=collector.project,
                                capture_output=True, text=True, check=True).stdout
        assert "content/lindenhaven/surveys/proef-2026/responses.csv" in listed
        assert "private/" not in listed


def test_a_responses_csv_with_the_texts_in_it_builds_with_a_warning(collector, capsys):
    """Exported by hand from the HTTP endpoint: the texts are not kept, and the build says where they belong."""
    from panelsite.collector.export import export_csv
    from panelsite.config.municipality import load_municipalities
    from panelsite.surveys.loader import load_surveys

    assert collector.post("vragenlijst-proef-2026", {**ANSWERS, **BACKGROUND, "_key": key()}, json=True).json()["ok"]
    text = export_csv(collector.storage, collector.state.sites["lindenhaven"], "proef-2026")
    assert "Prima geregeld" in text  # the administrator's download keeps them
    survey_dir = collector.project / "content" / "lindenhaven" / "surveys" / "proef-2026"
    (survey_dir / "responses.csv").write_text(text, encoding="utf-8")
    municipality = load_municipalities(collector.project, ["lindenhaven"])["lindenhaven"]
    with captured() as warnings:
        survey = load_surveys(collector.project / "content" / "lindenhaven" / "surveys", municipality,
                              collector.project)[0]
    assert [str(w) for w in warnings] == [
        "content/lindenhaven/surveys/proef-2026/responses.csv: q6: 1 open answer is in this file, which git keeps "
        "and shares (expected 1 for an answer given, and the texts in private/lindenhaven/proef-2026/open-answers.csv, "
        "outside git: python build.py export and import write both)"]
    assert survey.responses["q6"].tolist() == [1.0]


def test_free_text_sign_up_fields_go_to_the_private_folder(make_collector, database_url, capsys):
    extra = """
forms:
  aanmelden:
    consent_version: "2026-01"
    extra_fields:
      - name: vereniging
        type: text
        label: Bij welke vereniging bent u lid?
      - name: nieuwsbrief
        type: radio
        label: Wilt u de nieuwsbrief?
        options: {ja: Ja, nee: Nee}
"""
    c = make_collector(forms_yaml=extra)
    assert c.post("aanmelden", {**SIGNUP, "vereniging": "Schaakclub De Toren", "nieuwsbrief": "ja",
                                "_key": key()}).status_code == 303
    confirm_from_mail(c)
    code, err = export(c, database_url, capsys, "members", "--out", str(c.project / "leden.csv"))
    assert code == 0 and "wrote private/lindenhaven/members/free-text.csv (1 text;" in err
    members = (c.project / "leden.csv").read_text(encoding="utf-8")
    assert members.splitlines()[0] == "member_id,leeftijd,geslacht,wijk,nieuwsbrief,joined,left"
    assert "Schaakclub" not in members
    texts = read((c.project / "private" / "lindenhaven" / "members" / "free-text.csv").read_text(encoding="utf-8"))
    assert texts == [{"member_id": read(members)[0]["member_id"], "field": "vereniging",
                      "answer": "Schaakclub De Toren"}]

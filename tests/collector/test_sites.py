"""What the collector loads at start: the menu without the build, survey definitions without
their results files, mail texts from the theme's templates."""

from __future__ import annotations

import json
import re
import shutil
import uuid

import pytest

from panelsite.collector.sites import load_sites
from panelsite.engine.content import load_pages
from panelsite.engine.navigation import site_menu
from panelsite.engine.pipeline import main_navigation

from .helpers import ROOT, make_project
from .test_collector import SIGNUP

SITE = "https://panel.lindenhaven.nl/"


@pytest.mark.parametrize("slug", ["lindenhaven", "brugwaard", "heidebeek"])
def test_the_collectors_menu_is_the_builds_menu(slug):
    """The collector reads front matter only; the build adds the families' sections itself."""
    built = sorted(main_navigation(load_pages(ROOT, slug)), key=lambda item: item.order)
    assert site_menu(ROOT, slug) == built


def test_a_broken_page_leaves_the_rest_of_the_menu(tmp_path):
    project = make_project(tmp_path / "project", SITE)
    own = project / "content" / "lindenhaven"
    (own / "nieuws.md").write_text("---\ntitle: Nieuws\nnav_order: 90\n---\nTekst\n", encoding="utf-8")
    (own / "kapot.md").write_text("---\ntitle: [niet gesloten\n---\n", encoding="utf-8")
    (own / "concept.md").write_text("---\ntitle: Concept\nnav_order: 95\ndraft: true\n---\n", encoding="utf-8")
    titles = [item.title for item in site_menu(project, "lindenhaven")]
    assert "Nieuws" in titles and "Concept" not in titles and "Resultaten" in titles


def test_a_results_file_the_build_refuses_does_not_stop_the_forms(tmp_path, make_collector):
    c = make_collector()
    survey = c.project / "content" / "lindenhaven" / "surveys" / "proef-2026"
    (survey / "responses.csv").write_text("respondent_id,q1\nr1,kapot\n", encoding="utf-8")
    (survey / "responses.xlsx").write_bytes(b"PK\x03\x04 not read")
    sites = load_sites(c.project)
    assert "vragenlijst-proef-2026" in sites["lindenhaven"].forms


def test_a_broken_survey_definition_leaves_out_only_its_questionnaire(tmp_path, caplog):
    project = make_project(tmp_path / "project", SITE)
    surveys = project / "content" / "lindenhaven" / "surveys"
    shutil.copytree(surveys / "proef-2026", surveys / "kapot-2026")
    (surveys / "kapot-2026" / "survey.yaml").write_text("title: Kapot\ncollect: true\nquestions: []\n", encoding="utf-8")
    caplog.set_level("WARNING", logger="panelsite.collector")
    forms = load_sites(project)["lindenhaven"].forms
    assert "vragenlijst-proef-2026" in forms and "vragenlijst-kapot-2026" not in forms
    logged = [json.loads(r.getMessage()) for r in caplog.records if "survey_skipped" in r.getMessage()]
    assert logged and all(line["slug"] == "lindenhaven" for line in logged)
    assert any(line["problem"].startswith("content/lindenhaven/surveys/kapot-2026/survey.yaml:") for line in logged)


def test_a_municipality_writes_its_own_mail_text(tmp_path, make_collector):
    c = make_collector()
    themes = c.project / "themes"
    themes.unlink()  # the test project links the repository's themes; this one gets its own
    themes.mkdir()
    (themes / "default").symlink_to(ROOT / "themes" / "default")
    (themes / "lindenhaven" / "templates" / "email").mkdir(parents=True)
    (themes / "lindenhaven" / "templates" / "email" / "confirm-signup.txt").write_text(
        "Welkom bij {{ site.panel_name }}!\n\nHallo {{ name }}, klik hier:\n{{ link }}\n", encoding="utf-8")
    c.state.sites.update(load_sites(c.project))
    assert c.post("aanmelden", {**SIGNUP, "_key": str(uuid.uuid4())}).status_code == 303
    mail = c.mails()[-1].read_text()
    assert "Subject: Welkom bij Lindenhaven Spreekt!" in mail
    assert "Hallo Anna de Vries, klik hier:" in mail and re.search(r"http://\S+/bevestigen\?t=\S+", mail)
    # a mail the municipality did not write keeps the default text
    assert c.post("afmelden", {"email": SIGNUP["email"], "_key": str(uuid.uuid4())}).status_code == 303
    leave = max(c.mails(), key=lambda p: "afmelden/bevestigen" in p.read_text()).read_text()
    assert "Subject: Bevestig uw afmelding voor Lindenhaven Spreekt" in leave and "Beste Anna de Vries," in leave

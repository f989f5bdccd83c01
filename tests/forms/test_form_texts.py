"""What residents read and hear in the forms: on the page, read out with a field, and on paper."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from panelsite.cli import main
from panelsite.forms import site_forms, validate
from panelsite.forms.family import form_pdfs
from panelsite.forms.questionnaire import question_field

from collector.helpers import make_project  # tests/ is on sys.path (package dirs)

from .test_forms import municipality, project_with, surveys

SIGNUP = {"naam": ["A"], "email": ["a@b.nl"], "geboortejaar": ["1980"], "geslacht": ["man"],
          "wijk": ["Centrum"], "toestemming": ["ja"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Lindenhaven with the shared pages and one questionnaire, built as residents get it."""
    project = make_project(tmp_path_factory.mktemp("site") / "p", "https://panel.lindenhaven.nl/")
    out = project / "dist"
    assert main(["build", "--root", str(project), "--out", str(out), "--only", "lindenhaven", "--jobs", "1",
                 "--collector-url", "https://collector.example/"]) == 0
    return out / "lindenhaven"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def messages_of(f) -> list[str]:
    """The messages a resident can get for this field, given its type and rules."""
    kinds = ["required"] if f.required or f.required_when_shown else []
    if f.type in ("radio", "select", "checkboxes", "email", "year", "postcode"):
        kinds.append("invalid")
    if f.maxlength:
        kinds.append("too_long")
    if f.type == "number":
        kinds.append("number")
    if f.missing:
        kinds.append("exclusive")
    if f.min_age is not None:
        kinds.append("too_young")
    return [f.message(k, maxlength=f.maxlength or "") for k in kinds]


def test_consent_has_a_privacy_link_and_no_version_hint(site):
    page = (site / "doe-mee" / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<input[^>]*name="toestemming"[^>]*>', page).group(0)
    assert "aria-describedby" not in box  # nothing but the label is read out with the box
    assert "toestemmingstekst" not in page and "Versie 1" not in page
    assert '<input type="hidden" name="_versie" value="1">' in page  # the version is still stored
    # the link to the privacy statement sits right under the box, outside its label (a tab stop of its own)
    after_box = page[page.index(box):]
    assert re.match(r'.*?</label>\s*</div>\s*<p class="pf-hint pf-consent-link"><a href="\.\./privacy/">Lees in de '
                    r'privacyverklaring wat we met uw gegevens doen</a></p>', after_box, re.S)


def test_the_collectors_signup_page_links_the_privacy_statement_too(tmp_path):
    from panelsite.engine.chrome import chrome
    from panelsite.engine.render import environment

    project = project_with(tmp_path)
    m = municipality(project)
    form = site_forms(m)["aanmelden"]
    ctx = {**chrome(m, m.base_url, form.path), "form": form, "action": "https://c.example/lindenhaven/aanmelden",
           "values": {}, "errors": {"geslacht": form.field("geslacht").message("required")}, "paper_path": None}
    html = environment(project, m).get_template("forms/form_page.html").render(**ctx)
    assert ('<a href="https://panel.lindenhaven.nl/privacy/">Lees in de privacyverklaring wat we met uw gegevens '
            'doen</a>') in html
    assert '<li><a href="#f-geslacht-1">Kies uw geslacht</a></li>' in html


def test_every_error_message_names_its_field(tmp_path):
    project = project_with(tmp_path)
    m = municipality(project)
    forms = site_forms(m, surveys(project, m))
    missing = validate(forms["aanmelden"], {k: v for k, v in SIGNUP.items() if k != "geslacht"})
    assert missing.errors == {"geslacht": "Kies uw geslacht"}
    for form in forms.values():
        # In the error summary, away from the fields: two fields with the same message are two
        # messages that do not say which field they are about.
        for f in form.fields:
            names = {f.label.lower(), f.name.replace("email", "e-mailadres"), f"vraag {f.number}"}
            unnamed = [m for m in messages_of(f) if not any(name in m.lower() for name in names)]
            assert not unnamed, (form.id, f.name, unnamed)


def test_a_questionnaire_says_each_instruction_once(tmp_path):
    project = project_with(tmp_path)
    m = municipality(project)
    survey = surveys(project, m)[0]
    form = site_forms(m, [survey])["vragenlijst-proef-2026"]
    assert form.field("q4").hint == "U kunt meer dan één antwoord kiezen."
    assert form.field("q3").hint == "1 is heel slecht, 10 is uitstekend."
    # A survey author (and `new survey`) may have put the instruction in the question text.
    numbers = {q.id: i for i, q in enumerate(survey.questions, 1)}
    by_id = {q.id: q for q in survey.questions}
    grade, multi = by_id["q3"], by_id["q4"]
    grade.text = "Welk cijfer geeft u de veiligheid? (1 is heel onveilig, 10 is heel veilig)"
    multi.text = "Welke soorten afval scheidt u? U kunt meer antwoorden kiezen."
    f = question_field(grade, 3, numbers, by_id)
    assert (f.label, f.hint) == ("Welk cijfer geeft u de veiligheid?", "1 is heel onveilig, 10 is heel veilig.")
    f = question_field(multi, 4, numbers, by_id)
    assert (f.label, f.hint) == ("Welke soorten afval scheidt u?", "U kunt meer dan één antwoord kiezen.")


def test_the_demo_questionnaire_says_each_instruction_once():
    root = Path(__file__).resolve().parents[2]
    m = municipality(root)
    from panelsite.surveys.loader import load_surveys

    survey = next(s for s in load_surveys(root / "content" / "lindenhaven" / "surveys", m, root) if s.id == "mobiliteit-2026")
    form = site_forms(m, [survey])["vragenlijst-mobiliteit-2026"]
    for f in form.fields:
        said = f"{f.label} {f.hint}".lower()
        assert said.count("meer dan één") + said.count("meer antwoorden") <= 1, f.name
        assert said.count("1 is heel slecht") <= 1, f.name


def test_a_filtered_question_is_not_marked_required_but_is_required_when_it_applies(tmp_path, site):
    project = project_with(tmp_path)
    m = municipality(project)
    form = site_forms(m, surveys(project, m))["vragenlijst-proef-2026"]
    q2 = form.field("q2")
    assert not q2.required and q2.required_when_shown
    assert q2.client_definition()["required"] is True  # forms.js checks it only when it is shown
    answers = {"q1": ["1"], "q3": ["7"], "q4": ["1"], "q5": ["3"]}
    # a question asked to some only is numbered after the one before it: 1, 1a, 2 (never 1, 3 on screen)
    assert [f.number for f in form.fields if f.question] == ["1", "1a", "2", "3", "4", "5"]
    assert validate(form, answers).errors == {"q2": "Beantwoord vraag 1a"}
    assert validate(form, {**answers, "q1": ["2"]}).ok
    online = (site / "vragenlijst" / "proef-2026" / "index.html").read_text(encoding="utf-8")
    legend = re.search(r'<legend class="pf-legend"><span class="pf-number">1a\.</span>.*?</legend>', online).group(0)
    assert "(verplicht)" not in legend
    paper = text_of((site / "vragenlijst" / "proef-2026" / "papier" / "index.html").read_text(encoding="utf-8"))
    assert "1a. Hoe tevreden bent u over de container? Alleen invullen" in paper
    assert "1. Staat er een container in uw straat? (verplicht)" in paper


def test_paper_questionnaire_has_the_about_you_part_and_one_instruction_per_question(site):
    html = (site / "vragenlijst" / "proef-2026" / "papier" / "index.html").read_text(encoding="utf-8")
    paper = text_of(html)
    about = paper.index("Over u Deze vragen zijn niet verplicht.")
    assert about < paper.index("Uw geboortejaar") < paper.index("Uw geslacht")
    assert '<h2 class="pf-section">Over u</h2>' in html
    assert "U kunt meedoen als u 18 jaar" not in paper and "Bijvoorbeeld 1975." in paper
    q4 = paper[paper.index("3. Welke soorten afval"):paper.index("4. Hoeveel")]
    assert q4.count("U kunt meer dan één") == 1 and "vakje aankruisen" in q4


def test_paper_signup_is_linked_and_says_what_happens_on_paper(site):
    page = (site / "doe-mee" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../doe-mee/papier/">Print het aanmeldformulier</a>' in page
    assert '<a href="../doe-mee/papier/aanmelden.pdf">' in page
    paper = text_of((site / "doe-mee" / "papier" / "index.html").read_text(encoding="utf-8"))
    assert "Wij typen uw formulier over." in paper
    assert "Hebt u geen e-mailadres? Bel ons dan op 14 0123." in paper
    assert "privacyverklaring: https://panel.lindenhaven.nl/privacy/" in paper
    assert "Vul het formulier in om lid te worden" not in paper  # the online text ("klik op de link")


def test_paper_pdfs_name_the_municipality_as_author(tmp_path):
    import pypdf

    project = project_with(tmp_path)
    m = municipality(project)
    pdfs = form_pdfs(m, surveys(project, m))
    for data in pdfs.values():
        assert pypdf.PdfReader(io.BytesIO(data)).metadata["/Author"] == "Gemeente Lindenhaven"
    # a paper sign-up is one sheet: a consent box on a second page is easily left unticked
    assert len(pypdf.PdfReader(io.BytesIO(pdfs["doe-mee/papier/aanmelden.pdf"])).pages) == 1


def test_ordered_answers_keep_their_order_on_paper(site):
    # two columns would read "Zeer ontevreden, Neutraal, … | Ontevreden, Tevreden" across
    html = (site / "vragenlijst" / "proef-2026" / "papier" / "index.html").read_text(encoding="utf-8")
    lists = re.findall(r'<ul class="pf-paper-options([^"]*)">(.*?)</ul>', html, re.S)
    kinds = {text_of(items).split()[0]: classes.split() for classes, items in lists}
    assert kinds["Zeer"] == ["pf-paper-options--ordered"]  # q2, the scale
    assert kinds["1"] == ["pf-paper-options--ordered", "pf-paper-options--grade"]  # q3, 1 to 10 in a row
    assert kinds["Ja"] == kinds["Gft"] == []  # categories may take two columns

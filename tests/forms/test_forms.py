"""Form definitions: municipality options, questionnaire generation, validation, pages and PDFs."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from panelsite.config.municipality import load_municipalities
from panelsite.errors import ConfigError
from panelsite.forms import form_pages, site_forms, validate
from panelsite.forms.family import form_pdfs
from panelsite.forms.background import age_category
from panelsite.forms.validation import parse_number
from panelsite.surveys.loader import load_surveys

from collector.helpers import make_project  # tests/ is on sys.path (package dirs)

BASE = "https://panel.lindenhaven.nl/"


def project_with(tmp_path: Path, forms_yaml: str = "") -> Path:
    return make_project(tmp_path / "p", BASE, forms_yaml)


def municipality(project: Path):
    return load_municipalities(project, ["lindenhaven"])["lindenhaven"]


def surveys(project: Path, m):
    return load_surveys(project / "content" / "lindenhaven" / "surveys", m, project)


def test_signup_fields_map_onto_population_variables(tmp_path):
    m = municipality(project_with(tmp_path))
    form = site_forms(m)["aanmelden"]
    assert [f.name for f in form.fields] == ["naam", "email", "geboortejaar", "geslacht", "wijk", "toestemming"]
    assert [v for v, _ in form.field("wijk").options] == list(m.population.variables["wijk"])
    assert [v for v, _ in form.field("geslacht").options] == ["man", "vrouw", "anders", "onbekend"]
    assert form.field("email").autocomplete == "email" and form.field("geboortejaar").autocomplete == "bday-year"


def test_municipality_changes_texts_and_adds_fields(tmp_path):
    extra = """
forms:
  aanmelden:
    intro: Doe mee met Lindenhaven!
    consent_version: "2026-01"
    age: age_group
    district: postcode
    postcodes: {Centrum: ["4101"], Havenkwartier: ["4102", "4103"]}
    extra_fields:
      - name: nieuwsbrief
        type: radio
        label: Wilt u de nieuwsbrief?
        options: {ja: Ja, nee: Nee}
"""
    m = municipality(project_with(tmp_path, extra))
    form = site_forms(m)["aanmelden"]
    assert form.intro == "Doe mee met Lindenhaven!" and form.consent_version == "2026-01"
    assert [f.name for f in form.fields] == ["naam", "email", "leeftijd", "geslacht", "postcode", "toestemming", "nieuwsbrief"]
    assert "2026-01" not in form.field("toestemming").hint  # stored through _versie, never shown or read out
    result = validate(form, {"naam": ["A"], "email": ["a@b.nl"], "leeftijd": ["35-49"], "geslacht": ["man"],
                             "postcode": ["4102 ab"], "toestemming": ["ja"], "nieuwsbrief": ["ja"]})
    assert result.ok and result.values["postcode"] == "4102"
    from panelsite.forms import background
    assert background(form, result.values, m) == {"leeftijd": "35-49", "geslacht": "man", "wijk": "Havenkwartier"}
    outside = validate(form, {"postcode": ["9999 ZZ"]})
    assert outside.errors["postcode"] == "Deze postcode hoort niet bij onze gemeente. Alleen inwoners kunnen meedoen"


def test_mistakes_in_the_forms_key_point_at_file_and_line(tmp_path):
    bad = """
forms:
  aanmelden:
    age: geboortedatum
    district: postcode
    extra_fields:
      - name: email
        type: text
        label: Nog een e-mail
      - name: hobby
        type: radio
        label: Uw hobby
  contakt: {}
"""
    with pytest.raises(ConfigError) as err:
        municipality(project_with(tmp_path, bad))
    text = str(err.value)
    lines = (tmp_path / "p" / "municipalities" / "lindenhaven.yaml").read_text().splitlines()
    age_line = next(i for i, l in enumerate(lines, 1) if "age: geboortedatum" in l)
    assert (f'municipalities/lindenhaven.yaml:{age_line}: forms.aanmelden.age: "geboortedatum" is not allowed '
            "(expected one of birth_year, age_group)") in text
    assert "forms.aanmelden.postcodes: is required with district: postcode" in text
    assert 'forms.aanmelden.extra_fields.0.name: "email" is a built-in field (expected another name)' in text
    assert "forms.aanmelden.extra_fields.1.options: is required for a radio field" in text
    assert 'forms.contakt: unknown key (did you mean "contact"?)' in text


def test_questionnaire_from_survey(tmp_path):
    project = project_with(tmp_path)
    m = municipality(project)
    form = site_forms(m, surveys(project, m))["vragenlijst-proef-2026"]
    kinds = {f.name: f.type for f in form.fields}
    assert kinds == {"q1": "radio", "q2": "radio", "q3": "radio", "q4": "checkboxes", "q5": "number", "q6": "textarea",
                     "geboortejaar": "year", "geslacht": "radio", "wijk": "radio"}
    assert form.field("q1").options == [("1", "Ja"), ("2", "Nee"), ("9", "Weet niet")]
    assert [v for v, _ in form.field("q3").options] == [str(g) for g in range(1, 11)] + ["99"]
    assert form.field("q2").condition_text == "Alleen invullen als u bij vraag 1 'Ja' hebt geantwoord."
    assert form.field("q2").condition == {"op": "==", "name": "q1", "values": [1]}
    assert not form.field("q6").required and form.field("q1").required
    assert not any(f.required for f in form.fields if f.background)


def test_a_questionnaire_takes_the_background_of_a_signup_form_that_has_validated_posts(tmp_path):
    """The collector validates sign-ups before a questionnaire is made from the same form (a field keeps
    its option values once asked): the copies are still plain fields with their own options."""
    from panelsite.forms.questionnaire import questionnaire_form

    project = project_with(tmp_path)
    m = municipality(project)
    signup = site_forms(m)["aanmelden"]
    posted = {"naam": ["A"], "email": ["a@example.nl"], "geboortejaar": ["1970"], "geslacht": ["geen"],
              "wijk": [next(iter(m.population.variables["wijk"]))], "toestemming": ["ja"]}
    assert list(validate(signup, posted).errors) == ["geslacht"]  # "geen" is not one of its options
    (survey,) = surveys(project, m)
    form = questionnaire_form(m, survey, signup)
    copied = form.field("geslacht")
    assert copied.background and not copied.required and copied is not signup.field("geslacht")
    assert copied.option_values == {"man", "vrouw", "anders", "onbekend"}
    result = validate(form, {"q1": ["1"], "q2": ["1"], "q3": ["7"], "geslacht": ["vrouw"]})
    assert result.values["geslacht"] == "vrouw" and result.columns["q1"] == 1


def test_condition_text_for_compound_filters(tmp_path):
    from panelsite.forms.questionnaire import describe
    from panelsite.surveys.filters import parse

    project = project_with(tmp_path)
    m = municipality(project)
    survey = surveys(project, m)[0]
    numbers = {q.id: i for i, q in enumerate(survey.questions, 1)}
    by_id = {q.id: q for q in survey.questions}
    text = describe(parse("q1 in [1, 9] and (q4_2 == 1 or q3 >= 8)").expr, numbers, by_id)
    assert text == "bij vraag 1 'Ja' of 'Weet niet' hebt geantwoord en bij vraag 4 'Papier' hebt aangekruist of bij vraag 3 8 of hoger hebt geantwoord"


@pytest.mark.parametrize("text, value", [("12", 12.0), ("12,5", 12.5), ("1.234,5", 1234.5), ("12.5", 12.5),
                                         ("-3", -3.0), ("twaalf", None), ("1,2,3", None)])
def test_numbers_are_read_the_dutch_way(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("year, band", [(2008, "18-34"), (1992, "18-34"), (1991, "35-49"), (1961, "65+"), (2010, None)])
def test_age_category_from_birth_year(year, band):
    assert age_category(year, ["18-34", "35-49", "50-64", "65+"], _dt.date(2026, 6, 1)) == band


def test_form_pages_list_what_the_build_renders(tmp_path):
    project = project_with(tmp_path)
    m = municipality(project)
    pages = {p["path"]: p for p in form_pages(m, surveys(project, m), "https://collector.example/")}
    assert set(pages) >= {"vragenlijst/proef-2026/", "vragenlijst/proef-2026/papier/", "doe-mee/papier/", "afmelden/",
                          "bedankt/aanmelden/", "bedankt/afmelden/", "bedankt/contact/", "bedankt/vragenlijst-proef-2026/",
                          "bedankt/bevestigd/", "bedankt/link-verlopen/"}
    q = pages["vragenlijst/proef-2026/"]
    assert q["template"] == "forms/questionnaire.html"
    assert q["context"]["action"] == "https://collector.example/lindenhaven/vragenlijst-proef-2026"
    assert pages["bedankt/aanmelden/"]["noindex"] is True


def test_a_questionnaire_built_after_its_last_day_says_it_is_closed_and_when_results_come(tmp_path):
    from panelsite.engine.chrome import chrome
    from panelsite.engine.render import environment

    project = project_with(tmp_path)
    m = municipality(project)
    last_day = _dt.date(2099, 12, 31)  # fieldwork.end of the test survey
    on_the_last_day = {p["path"]: p for p in form_pages(m, surveys(project, m), "https://c.example/", last_day)}
    assert on_the_last_day["vragenlijst/proef-2026/"]["template"] == "forms/questionnaire.html"
    after = {p["path"]: p for p in form_pages(m, surveys(project, m), "https://c.example/", _dt.date(2100, 1, 1))}
    page = after["vragenlijst/proef-2026/"]
    assert page["template"] == "forms/thanks.html"
    ctx = {**chrome(m, m.base_url, page["path"]), **page["context"]}
    html = environment(project, m).get_template(page["template"]).render(**ctx)
    assert "Deze vragenlijst is gesloten" in html and "tot en met 31 december 2099" in html
    assert "De uitkomsten staan vanaf 15 januari 2100 op de website" in html
    assert "<form" not in html and "vragenlijst-proef-2026" not in html  # nothing posts to the collector


def test_rendered_questionnaire_is_accessible_markup(tmp_path):
    from panelsite.engine.chrome import chrome
    from panelsite.engine.render import environment

    project = project_with(tmp_path)
    m = municipality(project)
    page = next(p for p in form_pages(m, surveys(project, m), "https://c.example/") if p["path"] == "vragenlijst/proef-2026/")
    ctx = {**chrome(m, m.base_url, page["path"]), **page["context"]}
    html = environment(project, m).get_template(page["template"]).render(**ctx)
    assert '<legend class="pf-legend"><span class="pf-number">1.</span> Staat er een container in uw straat? <span class="pf-required">(verplicht)</span></legend>' in html
    assert '<label class="pf-choice__label" for="f-q1-1">Ja</label>' in html
    assert "Alleen invullen als u bij vraag 1 &#39;Ja&#39; hebt geantwoord." in html
    assert 'inputmode="decimal"' in html and 'name="website"' in html and 'action="https://c.example/lindenhaven/vragenlijst-proef-2026"' in html
    assert 'autocomplete="bday-year"' in html and 'aria-describedby="f-q2-condition"' in html
    assert "forms.js" in html and "forms.css" in html


def test_paper_pdfs_are_tagged_pdf_ua(tmp_path):
    project = project_with(tmp_path)
    m = municipality(project)
    pdfs = form_pdfs(m, surveys(project, m))
    assert set(pdfs) == {"doe-mee/papier/aanmelden.pdf", "vragenlijst/proef-2026/papier/vragenlijst-proef-2026.pdf"}
    data = pdfs["vragenlijst/proef-2026/papier/vragenlijst-proef-2026.pdf"]
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert root["/Lang"] == "nl" and "Proefvragenlijst" in reader.pages[0].extract_text()

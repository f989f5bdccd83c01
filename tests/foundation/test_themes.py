"""Survey themes: the fixed list (with the fields panels are used for) and a municipality's own."""

from __future__ import annotations

from panelsite.surveys.definition import THEMES

SURVEY = """\
title: De haven
theme: {theme}
fieldwork: {{start: 2026-03-02, end: 2026-03-16}}
invited: 100
publish_on: 2026-04-15
questions:
  - id: q1
    text: Komt u weleens in de haven?
    type: single
    options: {{1: Ja, 2: Nee}}
"""
RESPONSES = "respondent_id,q1\n" + "".join(f"{i},{1 + i % 2}\n" for i in range(1, 41))


def test_the_fixed_themes_include_what_panels_are_used_for():
    for theme, label in {"kerntaken": "Kerntaken van de gemeente", "demografische-ontwikkeling": "Bevolkingsontwikkeling",
                         "gebiedsontwikkeling": "Dorps-, stads- en gebiedsontwikkeling",
                         "openingstijden": "Openingstijden van het gemeentehuis",
                         "recreatie-en-toerisme": "Recreatie en toerisme", "economie-en-ondernemen": "Economie en ondernemen",
                         "informatie-over-zorg": "Informatie over zorg", "vrijwilligerswerk": "Vrijwilligerswerk",
                         "inwonersinitiatieven": "Inwonersinitiatieven", "welzijn": "Welzijn"}.items():
        assert THEMES[theme] == label
    assert list(THEMES)[-1] == "overig"


def test_a_municipality_adds_its_own_theme_and_the_site_shows_its_label(project, capsys):
    project.edit("municipalities/teststad.yaml", "population:", "themes:\n  haven: Haven en scheepvaart\npopulation:")
    project.write("content/teststad/surveys/haven-2026/survey.yaml", SURVEY.format(theme="haven"))
    project.write("content/teststad/surveys/haven-2026/responses.csv", RESPONSES)
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    index = (project.out / "teststad" / "resultaten" / "index.html").read_text(encoding="utf-8")
    assert "Haven en scheepvaart" in index


def test_an_unknown_theme_is_reported_with_a_hint(project, capsys):
    project.write("content/teststad/surveys/haven-2026/survey.yaml", SURVEY.format(theme="welzijnn"))
    code, err = project.run("build", capsys=capsys)
    assert code == 2
    assert ('error: content/teststad/surveys/haven-2026/survey.yaml:2: theme: "welzijnn" is not a theme (did you mean '
            '"welzijn"?) (expected one of afval,') in err
    assert "or add it under themes in the municipality's YAML)" in err


def test_own_themes_are_validated_like_every_key(project, capsys):
    project.edit("municipalities/teststad.yaml", "population:",
                 "themes:\n  afval: Ons afval\n  Haven: Haven\n  kermis:\npopulation:")
    code, err = project.run("build", capsys=capsys)
    assert code == 2
    reported = [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error: ")]
    assert reported == [
        'municipalities/teststad.yaml:24: themes.afval: "afval" is already a fixed theme ("Afval") (expected a new id, or leave it out)',
        'municipalities/teststad.yaml:25: themes.Haven: "Haven" is not a valid theme id (expected lowercase letters, digits and hyphens, like haven)',
        "municipalities/teststad.yaml:26: themes.kermis: is required (expected text)",
    ]

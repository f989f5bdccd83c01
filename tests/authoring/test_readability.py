"""The B1 readability check: counts, sentences with their lines, warnings, the command, and our own texts."""

from __future__ import annotations

import pytest

from panelsite.authoring import readability
from panelsite.cli import main
from panelsite.errors import reporting

from .conftest import REPO, make_project

LONG = ("Als u zich aanmeldt voor het panel van de gemeente krijgt u ongeveer vier keer per jaar een korte "
        "vragenlijst over onderwerpen uit uw eigen buurt en de stad.")  # 29 words


@pytest.mark.parametrize("word,count", [
    ("de", 1), ("tevreden", 3), ("gemeenteraadsverkiezingen", 8), ("inwonerspanel", 5), ("ideeën", 3),
    ("theater", 3), ("afvalinzameling", 6), ("2026", 1), ("62,4%", 1), ("gft-bakken", 5), ("auto's", 2),
    ("BRP", 3), ("geïnteresseerd", 5), ("eeuw", 1),
])
def test_syllables_follow_the_dutch_hyphenation(word, count):
    assert readability.syllables(word) == count


def test_flesch_douma_by_hand():
    report = readability.analyse("De kat zit op de mat. Hij slaapt.", "x.md")
    assert (report.words, len(report.sentences), report.syllables) == (8, 2, 8)
    assert report.reading_ease == pytest.approx(206.84 - 0.77 * 100 - 0.93 * 4)


def test_markdown_blocks_and_sentences_keep_their_lines():
    text = "\n".join([
        "# Over het panel",                                      # line 5: a heading is a sentence
        "",
        "Wij vragen bijv. naar uw buurt. Dat doen we vaak.",    # 7: "bijv." ends no sentence
        "Ook vragen we {{ site.name }} om raad.",                # 8: a Jinja expression is one word
        "",
        "- Lees [de privacyverklaring](/privacy/) eerst",         # 10: a list item, the link text only
        "- Of bel ons",                                           # 11
        "",
        "| Jaar | Leden |",                                      # 13: table cells stand alone
        "| --- | --- |",
        "| 2025 | 1350 |",
        "",
        "```",
        "code die niemand leest. Ook deze zin niet.",
        "```",
        "{% if site.contact.phone %}Bel ons gerust.{% endif %}",  # 20: statements are left out
        "<!-- een notitie voor de redactie.",
        "die over twee regels loopt. -->",
        "Tot " + LONG,                                            # 23
    ])
    report = readability.analyse(text, "content/x/over.md", first_line=5)
    assert [(s.line, s.text) for s in report.sentences] == [
        (5, "Over het panel"),
        (7, "Wij vragen bijv. naar uw buurt."),
        (7, "Dat doen we vaak."),
        (8, "Ook vragen we 12 om raad."),
        (10, "Lees de privacyverklaring eerst"),
        (11, "Of bel ons"),
        (13, "Jaar"), (13, "Leden"), (15, "2025"), (15, "1350"),
        (20, "Bel ons gerust."),
        (23, "Tot " + LONG),
    ]
    assert report.warnings() == [
        'content/x/over.md:23: sentence of 30 words (B1: at most 20): "Tot Als u zich aanmeldt voor het panel …"']


def test_warnings_for_a_text_that_is_long_winded_or_hard():
    long_winded = readability.analyse(" ".join([LONG] * 3), "a.md")
    assert long_winded.average_words == 29
    assert long_winded.warnings()[-1] == "a.md:1: 29.0 words per sentence on average (B1: at most 15)"
    hard = readability.analyse("Gemeentelijke verantwoordelijkheden vereisen ondubbelzinnige communicatiestrategieën. " * 12,
                               "b.md", first_line=4)
    assert hard.reading_ease < 0
    assert hard.warnings() == [
        f"b.md:4: reading ease {hard.reading_ease:.0f} (Flesch-Douma; B1 texts score 60 or more: use shorter words and sentences)"]
    short = readability.analyse("Gemeentelijke verantwoordelijkheden.", "c.md")
    assert short.warnings() == []  # too few words for an average to mean anything


def test_built_pages_are_read_by_block_and_skip_scripts():
    html = ("<header><p>Menu tekst die niet telt</p></header><main><h1>Uitslag</h1>"
            "<p>62% is tevreden. <a href='https://x.nl/'>Lees meer</a></p><script>var a = 'geen tekst.';</script>"
            "<ul><li><span>35%</span> <span>groot</span><span class='visually-hidden'>.</span> <span>Hoe groot is de kans?</span></li></ul>"
            "</main>")
    report = readability.analyse_html(html, "dist/x/index.html")
    assert [s.text for s in report.sentences] == ["Uitslag", "62% is tevreden.", "Lees meer", "35% groot.", "Hoe groot is de kans?"]
    page = "<html>\n<body>\n<header><p>Menu</p></header>\n<main>\n<h1>Titel</h1>\n<p>" + "woord " * 25 + "eind.</p>\n</main>\n</body></html>"
    report = readability.analyse_html(page, "dist/x/index.html")
    assert [(s.line, s.words) for s in report.sentences] == [(5, 1), (6, 26)]
    assert report.warnings() == ['dist/x/index.html:6: sentence of 26 words (B1: at most 20): "woord woord woord woord woord woord woord woord …"']


def test_factsheet_and_survey_texts_are_checked_at_their_lines(tmp_path):
    root = make_project(tmp_path / "project", surveys=("afval-2026",))
    survey_yaml = root / "content/lindenhaven/surveys/afval-2026/survey.yaml"
    lines = survey_yaml.read_text(encoding="utf-8").splitlines()
    question = next(i for i, line in enumerate(lines) if line.strip().startswith("text:"))
    indent = lines[question][: len(lines[question]) - len(lines[question].lstrip())]
    lines[question] = f"{indent}text: \"{LONG}\""
    survey_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    factsheet = root / "content/lindenhaven/surveys/afval-2026/factsheet.md"
    text = factsheet.read_text(encoding="utf-8")
    explanation = next(i for i, line in enumerate(text.splitlines()) if line.strip().startswith("explanation:"))
    factsheet.write_text(text + "\n" + LONG + "\n", encoding="utf-8")
    last_line = len((text + "\n" + LONG).splitlines())
    files = readability.source_files(root, ["lindenhaven"])
    assert [f.relative_to(root).as_posix() for f in files][-2:] == [
        "content/lindenhaven/surveys/afval-2026/survey.yaml", "content/lindenhaven/surveys/afval-2026/factsheet.md"]
    texts = readability.file_texts(factsheet, root)
    assert (texts[0][:2], texts[-1][:2]) == (("content/lindenhaven/surveys/afval-2026/factsheet.md", 2),
                                             ("content/lindenhaven/surveys/afval-2026/factsheet.md", texts[-1][1]))
    assert any(line == explanation + 1 for _, line, _, _ in texts), "a measure's explanation, at its own line"
    warnings = []
    with reporting(warnings.append):
        readability.check_files(files, root)
    assert warnings == [
        f'warning: content/lindenhaven/surveys/afval-2026/survey.yaml:{question + 1}: sentence of 29 words (B1: at most 20): '
        '"Als u zich aanmeldt voor het panel van …"',
        f'warning: content/lindenhaven/surveys/afval-2026/factsheet.md:{last_line}: sentence of 29 words (B1: at most 20): '
        '"Als u zich aanmeldt voor het panel van …"',
    ]


def test_drafts_are_checked_and_unreadable_files_are_reported_with_the_rest(tmp_path, capsys):
    root = make_project(tmp_path / "project", surveys=())
    (root / "content/lindenhaven/concept.md").write_text(f"---\ntitle: Concept\ndraft: true\n---\n{LONG}\n", encoding="utf-8")
    (root / "content/lindenhaven/kapot.md").write_text("---\ntitle: [Kapot\n---\nTekst.\n", encoding="utf-8")
    assert main(["readability", "--root", str(root)]) == 2
    captured = capsys.readouterr()
    assert "warning: content/lindenhaven/concept.md:5: sentence of 29 words" in captured.out
    assert "error: content/lindenhaven/kapot.md:2: invalid YAML in «title: [Kapot»: the [ that starts this value is not closed" in captured.err


def test_command_warns_and_strict_fails(tmp_path, capsys):
    root = make_project(tmp_path / "project", surveys=())
    assert main(["readability", "--root", str(root)]) == 0
    assert "0 warnings" in capsys.readouterr().out
    page = root / "content/lindenhaven/over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + LONG + "\n", encoding="utf-8")
    assert main(["readability", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert 'warning: content/lindenhaven/over-de-gemeente.md:7: sentence of 29 words' in out
    assert "1 warning (B1 guidance" in out
    assert main(["readability", "--root", str(root), "--strict"]) == 1
    capsys.readouterr()
    assert main(["readability", "--root", str(root), "--built", "--out", str(tmp_path / "nothing")]) == 1
    assert "no built site for lindenhaven" in capsys.readouterr().out


def test_our_own_texts_meet_the_b1_guidance(built_demo):
    """The demo's pages, surveys and factsheets, and every built page (what the templates write), warn of nothing."""
    warnings: list[str] = []
    slugs = [p.stem for p in sorted((REPO / "municipalities").glob("*.yaml"))]
    pages = 0
    with reporting(warnings.append):
        texts, _ = readability.check_files(readability.source_files(REPO, slugs), REPO)
        for slug in slugs:
            found, _ = readability.check_built(built_demo / slug, built_demo)
            pages += found
    assert texts > 100 and pages > 60
    assert warnings == []


def test_the_scaffold_starts_at_b1(tmp_path):
    root = tmp_path / "project"
    assert main(["new", "municipality", "nieuwstad", "--root", str(root)]) == 0
    assert main(["new", "survey", "nieuwstad", "eerste-peiling", "--root", str(root)]) == 0
    warnings: list[str] = []
    with reporting(warnings.append):
        texts, _ = readability.check_files(readability.source_files(root, ["nieuwstad"]), root)
    assert texts > 5 and warnings == []

"""Reading factsheet.md: schema errors and unknown questions/options, each with file and line."""

from __future__ import annotations

import pytest

from panelsite.errors import ConfigError

from .conftest import FACTSHEET

FILE = "content/x/surveys/y/factsheet.md"


def problems(project, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        project.load(text)
    assert info.value.exit_code == 2
    return [str(p) for p in info.value.problems]


def test_valid_factsheet_is_loaded(project):
    sheets = project.load(FACTSHEET)
    fs = sheets["y"]
    assert fs.title == "Wat u vond van het afval"
    assert [(h.figure.question, h.figure.codes, h.figure.stat) for h in fs.highlights] == [
        ("q1", [4, 5], "pct"), ("q2", None, "mean")]
    assert fs.measures[0].expected.date.isoformat() == "2026-05-01"
    assert fs.path == "resultaten/y/factsheet/"


def test_unknown_question_in_highlights_names_file_and_line(project):
    text = FACTSHEET.replace("{question: q2, stat: mean", "{question: q9, stat: mean")
    assert problems(project, text) == [
        f'{FILE}:5: highlights.1.question: unknown question "q9" in survey y (did you mean "q1"?)']


def test_unknown_question_without_a_close_match_lists_the_questions(project):
    text = FACTSHEET.replace("{question: q2, stat: mean", "{question: tevredenheid, stat: mean")
    assert problems(project, text) == [
        f'{FILE}:5: highlights.1.question: unknown question "tevredenheid" in survey y (expected one of q1, q2, q3)']


def test_unknown_option_in_highlights(project):
    text = FACTSHEET.replace("codes: [4, 5]", "codes: [4, 7]")
    assert problems(project, text) == [
        f"{FILE}:4: highlights.0.codes: unknown option 7 of question q1 in survey y (expected one of 1, 2, 3, 4, 5)"]


def test_statistic_that_does_not_fit_the_question(project):
    text = FACTSHEET.replace("{question: q2, stat: mean", "{question: q1, stat: mean")
    assert problems(project, text) == [
        f'{FILE}:5: highlights.1.stat: statistic "mean" is not available for q1, a scale question (expected pct, top2)']


def test_unknown_question_in_the_body_names_its_line(project):
    text = FACTSHEET + "\nEn nog iets: {{ pct(\"q8\", [1]) }}.\n"
    assert problems(project, text) == [
        f'{FILE}:15: pct(): unknown question "q8" in survey y (did you mean "q1"?)']


def test_unknown_option_and_function_and_variable_in_the_body(project):
    text = FACTSHEET + "\n{{ pct(\"q1\", [6]) }}\n\n{{ gemiddeld(\"q2\") }} en {{ respons }}\n"
    assert problems(project, text) == [
        f"{FILE}:15: pct(): unknown option 6 of question q1 in survey y (expected one of 1, 2, 3, 4, 5)",
        f"{FILE}:17: unknown function gemiddeld() (expected one of pct(), mean(), median(), top2(), share(), change())",
        f'{FILE}:17: unknown variable "respons" (did you mean "response_rate"?) '
        f'(expected one of n, response_rate, site, survey or a function like pct("q1", [4, 5]))',
    ]


def test_schema_problems_are_all_reported_at_once(project):
    text = """\
    ---
    highlight:
      - {question: q1, label: tevreden}
    highlights:
      - {question: q1, codes: [4], stat: top2, label: tevreden}
      - {question: q2}
    measures:
      - title: Vaker legen
        status: done
        explanation: We legen vaker.
        department: Afval
      - title: Nieuwe bakken
        status: planned
        explanation: Er komen nieuwe bakken.
        expected: volgend jaar
        department: Afval
      - title: Minder legen
        status: investigating
        explanation: We kijken of het minder kan.
    follow_up:
      - {date: 15-10-2026, text: Stand van zaken}
    ---
    Tekst.
    """
    assert problems(project, text) == [
        f'{FILE}:2: highlight: unknown key (did you mean "highlights"?)',
        f"{FILE}:5: highlights.0.codes: codes only go with stat pct, not top2 (expected no codes, or stat: pct)",
        f"{FILE}:6: highlights.1.label: is required (expected text)",
        f'{FILE}:9: measures.0.status: "done" is not allowed '
        f"(expected one of taken, planned, investigating, not possible)",
        f'{FILE}:15: measures.1.expected: "volgend jaar" is not a date or quarter '
        f"(expected a date like 2026-09-01 or a quarter like 2026-Q3)",
        f"{FILE}:17: measures.2.department: is required (expected text)",
        f"{FILE}:17: measures.2.expected: is required for a measure that is investigating "
        f"(expected a date like 2026-09-01 or a quarter like 2026-Q3)",
        f'{FILE}:21: follow_up.0.date: "15-10-2026" is not a date (expected a date like 2026-03-31)',
    ]


def test_quarters_and_missing_front_matter(project):
    sheets = project.load(FACTSHEET.replace("expected: 2026-05-01", "expected: 2026-q3"))
    when = sheets["y"].measures[0].expected
    assert (when.year, when.quarter, when.date) == (2026, 3, None)
    assert problems(project, "Alleen tekst\n") == [
        f"{FILE}:1: missing front matter (expected the file to start with '---', "
        "a YAML block with at least 'highlights:', and '---')"]


def test_codes_of_a_multi_answer_question_are_not_added_up(project):
    # people who chose both would count twice; the key figure of those codes (any of them) is allowed
    (project.folder / "survey.yaml").write_text(
        (project.folder / "survey.yaml").read_text() + "  - {id: q4, text: Welke bakken?, type: multi, "
        "options: {1: Papier, 2: Glas, 3: Gft}, key: [1, 3]}\n")
    rows = (project.folder / "responses.csv").read_text().splitlines()
    (project.folder / "responses.csv").write_text(
        "\n".join([rows[0] + ",q4_1,q4_2,q4_3"] + [r + ",1,0,1" for r in rows[1:]]) + "\n")
    text = FACTSHEET.replace("{question: q2, stat: mean", "{question: q4, codes: [1, 2]")
    assert problems(project, text) == [
        f"{FILE}:5: highlights.1.codes: q4 allows several answers, so the percentages of [1, 2] cannot be added up: "
        "people who chose more than one would count twice (expected one code, or these codes as the key figure: "
        "key: [1, 2] in survey.yaml)"]
    sheets = project.load(FACTSHEET.replace("{question: q2, stat: mean", "{question: q4, codes: [3, 1]")
                          .replace('{{ mean("q2") }}', '{{ pct("q4", [2]) }}'))
    assert sheets["y"].highlights[1].figure.codes == [3, 1]


def test_an_update_names_a_measure_of_its_own_factsheet(project):
    text = FACTSHEET.replace("---\nTevreden", "follow_up:\n  - {date: 2026-06-01, text: Stand., measure: Vaker leegen}\n---\nTevreden")
    assert problems(project, text) == [
        f'{FILE}:13: follow_up.0.measure: no measure titled "Vaker leegen" (did you mean "Vaker legen"?) '
        "(expected one of the measures' titles: Vaker legen)"]


def test_a_measure_past_its_expected_date_is_a_warning(project):
    text = FACTSHEET.replace("measures:\n", """measures:
  - {title: Nieuwe bankjes, status: planned, explanation: Er komen bankjes., expected: 2026-Q1, department: B}
  - {title: Meer groen, status: investigating, explanation: We kijken., expected: 2026-04-20, department: C}
""")
    project.load(text)
    # 2026-Q1 ended on 31 March; the build date 20 April is not past 20 April itself
    assert project.warnings == [
        f'warning: {FILE}:7: measures.0.expected: "Nieuwe bankjes" was expected by 31 maart 2026 and is still '
        "planned; update its status, expected date or a follow_up"]
    project.today = project.today.replace(day=21)
    project.load(text)
    assert len(project.warnings) == 2 and '"Meer groen"' in project.warnings[1]


def test_change_needs_a_series_with_an_earlier_round(project):
    text = FACTSHEET + "\nTevreden: {{ change(\"q1\") }}. Open: {{ change(\"q3\") }}. {{ change(\"q1\", \"q2\") }}\n"
    assert problems(project, text) == [
        f"{FILE}:15: change(): survey y is not part of a series, so there is no previous round to compare with "
        "(expected series: in survey.yaml, shared with an earlier round)",
        f"{FILE}:15: change(): q3 is an open question: it has no figure to compare (expected a question with a key figure)",
        f'{FILE}:15: change(): change() takes only a question id (expected change("q1"))',
    ]

import numpy as np
import pytest

from panelsite.errors import DataError
from panelsite.surveys import filters

from .conftest import SURVEY_YAML

BAD_YAML = """\
title: Afval
theme: afval
fieldwork: {start: 2026-03-16, end: 2026-03-02}
invited: 2400
publish_on: 2026-04-15
sumary: tekst
weighting: {by: [leeftijdd, wijk], cap: 5}
breakdowns: [buurt]
questions:
  - id: q0
    text: Heeft u een container?
    type: single
    options: {1: Ja, 2: Nee}
  - id: q1
    text: Hoe tevreden?
    type: scale
    filter: q9 == 1
  - id: q1
    text: Nog eens
    type: single
    options: {1: Ja}
  - id: q2
    text: Cijfer
    type: grade
    options: {1: Slecht}
    missing: {5: Weet niet}
  - id: q3
    text: Welke?
    type: multi
    options: {1: Papier, 2: Glas}
    key: [3]
    filter: q0 >= 1
  - id: q4
    text: Waarom?
    type: single
    options: {a: Omdat, b: Daarom}
    filter: q0 == 7 or (q3_2 == 1
  - id: q5
    text: Hoe ver?
    type: number
    filter: q3 == 1 and q0 in [1, 2]
"""


def test_survey_yaml_problems_are_all_reported_with_line_and_key(project):
    project.add(yaml=BAD_YAML)
    with pytest.raises(DataError) as exc:
        project.load()
    f = "content/x/surveys/y/survey.yaml"
    assert str(exc.value).splitlines() == [
        f"{f}:3: fieldwork.end: 2026-03-02 is before the start 2026-03-16 (expected a date on or after the start)",
        f'{f}:6: sumary: unknown key (did you mean "summary"?)',
        f'{f}:7: weighting.by.0: "leeftijdd" is not a variable in the population figures (did you mean "leeftijd"?) (expected one of leeftijd, geslacht, wijk)',
        f'{f}:8: breakdowns.0: "buurt" is not a variable in the population figures (expected one of leeftijd, geslacht, wijk)',
        f"{f}:14: questions.1.options: is required for a scale question (expected a mapping of code: label, like {{1: Ja, 2: Nee}})",
        f'{f}:17: questions.1.filter: filter names unknown question "q9" (expected a question id of this survey)',
        f'{f}:18: questions.2.id: duplicate question id "q1" (also questions.1; expected a unique id)',
        f"{f}:25: questions.3.options: a grade question has no options (expected options only for single, multi and scale)",
        f"{f}:26: questions.3.missing.5: code 5 is also a valid grade (expected a code outside 1–10, like 99)",
        f"{f}:31: questions.4.key: 3 is not an option code (expected codes among 1, 2)",
        f'{f}:32: questions.4.filter: filter uses ">=" on q0, a single question (expected ==, != or in; >, <, >= and <= work for scale, grade and number)',
        f'{f}:37: questions.5.filter: cannot read filter "q0 == 7 or (q3_2 == 1": expected a closing ")" but found "end of filter" '
        "(expected conditions like q1 == 1, q2 in [1, 2] or q3_1 == 1, joined with and/or)",
        f"{f}:41: questions.6.filter: filter names multi question q3 (expected one of its option columns, like q3_1 == 1)",
    ]


def test_filter_naming_an_unknown_question_or_code(project):
    yaml = SURVEY_YAML + """\
  - id: q2
    text: Waarom?
    type: single
    options: {1: Ja, 2: Nee}
    filter: q11 == 1 or q1 in [4, 6]
"""
    project.add(yaml=yaml)
    with pytest.raises(DataError) as exc:
        project.load()
    f = "content/x/surveys/y/survey.yaml"
    assert str(exc.value).splitlines() == [
        f'{f}:18: questions.1.filter: filter names unknown question "q11" (did you mean "q1"?) (expected a question id of this survey)',
        f"{f}:18: questions.1.filter: filter compares q1 with 6, which is not a code of q1 (expected one of 1, 2, 3, 4, 5, 9)",
    ]


def test_a_valid_survey_yaml_becomes_a_survey(project):
    yaml = SURVEY_YAML + """\
  - id: q2
    text: Welke bakken?
    type: multi
    options: {1: Papier, 2: Glas}
    filter: q1 >= 4 and (q1 != 9 or q1 in [1, 2])
    key: 2
"""
    project.add(yaml=yaml)
    (survey,) = project.load()
    assert (survey.id, survey.theme, survey.theme_label, survey.series) == ("y", "afval", "Afval", "afvalmonitor")
    assert survey.weighting is None and survey.breakdowns == [] and survey.collect is False
    q1, q2 = survey.questions
    assert list(q1.options) == [1, 2, 3, 4, 5] and q1.missing == {9: "Weet niet"}
    assert q1.key_codes == [4, 5] and q1.subject == "de afvalinzameling"
    assert q2.columns == ["q2_1", "q2_2"] and q2.key_codes == [2]
    assert q2.filter.source == "q1 >= 4 and (q1 != 9 or q1 in [1, 2])"


def test_option_labels_are_the_text_as_written(project):
    # YAML 1.1 reads No as false and 0700 as an octal number; a label is what the editor typed
    project.add(yaml=SURVEY_YAML + "  - {id: q2, text: Welk nummer?, type: single, options: {1: Yes, 2: No, 3: 0700}}\n")
    (survey,) = project.load()
    assert survey.questions[1].options == {1: "Yes", 2: "No", 3: "0700"}


def test_filter_evaluation_is_vectorised_and_unanswered_never_qualifies():
    q = np.array([1.0, 2.0, np.nan, 9.0])
    columns = {"q0": q, "q3_1": np.array([1.0, 0.0, 1.0, np.nan])}.__getitem__
    assert filters.parse("q0 == 1").evaluate(columns).tolist() == [True, False, False, False]
    assert filters.parse("q0 != 1").evaluate(columns).tolist() == [False, True, False, True]
    assert filters.parse("q0 in [1, 9]").evaluate(columns).tolist() == [True, False, False, True]
    assert filters.parse("q0 >= 2 and q0 < 9").evaluate(columns).tolist() == [False, True, False, False]
    assert filters.parse("(q0 == 2 or q3_1 == 1) and q0 != 9").evaluate(columns).tolist() == [True, True, False, False]


@pytest.mark.parametrize("text", ["q0 == 1", "q0 != 1", "q0 in [1, 9]", "q0 >= 2 and q0 < 9", "q0 > 1.5",
                                  "(q0 == 2 or q3_1 == 1) and q0 != 9", "q0 == 1 or q3_1 <= 0"])
def test_one_respondent_meets_a_filter_as_in_the_vectorised_evaluation(text):
    # The collector checks one submission at a time (Filter.test): the same answers as evaluate().
    rows = [{"q0": q0, "q3_1": q3} for q0 in (None, 1, 2, 9, 2.0, float("nan")) for q3 in (None, 0, 1, 1.0)]
    parsed = filters.parse(text)
    for row in rows:
        vectorised = parsed.evaluate(lambda name: np.array([row[name]], dtype=object))[0]
        assert parsed.test(row.get) == bool(vectorised), row


@pytest.mark.parametrize("text, message", [
    ("q0 = 1", 'unexpected "="'),
    ("q0 == ", 'expected a value but found "end of filter"'),
    ("__import__('os')", 'unexpected "_"'),
    ("q0 1", 'expected ==, !=, >=, <=, >, < or "in" after q0 but found "1"'),
])
def test_filter_syntax_errors(text, message):
    with pytest.raises(filters.FilterSyntaxError) as exc:
        filters.parse(text)
    assert str(exc.value) == message


def test_survey_yaml_saved_with_bom_and_crlf_reads_the_same_and_keeps_its_line_numbers(project):
    """Windows Notepad writes a BOM and CR LF line ends; the survey and its error lines are unchanged."""
    folder = project.add()
    plain = (folder / "survey.yaml").read_bytes()
    (folder / "survey.yaml").write_bytes(b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n"))
    (survey,) = project.load()
    assert survey.title == "Afvalinzameling 2026" and list(survey.questions[0].options) == [1, 2, 3, 4, 5]
    (folder / "survey.yaml").write_bytes(b"\xef\xbb\xbf" + plain.replace(b"invited: 100", b"invited: honderd").replace(b"\n", b"\r\n"))
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value).startswith("content/x/surveys/y/survey.yaml:5: invited: ")


def test_survey_yaml_that_is_not_utf8_is_reported_with_the_file(project):
    folder = project.add()
    (folder / "survey.yaml").write_bytes((folder / "survey.yaml").read_bytes().replace(b"Afvalinzameling", "Afvalinzameling café".encode("cp1252")))
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value) == ("content/x/surveys/y/survey.yaml:1: not UTF-8 text (invalid continuation byte at byte 26; "
                              "expected the file saved as UTF-8)")


def test_every_survey_yaml_key_is_documented():
    """As for municipalities/*.yaml: an editor finds every key of survey.yaml in docs/surveys.md."""
    from pathlib import Path

    from panelsite.config import schema as s
    from panelsite.surveys.definition import SURVEY

    doc = (Path(__file__).resolve().parents[2] / "docs" / "surveys.md").read_text(encoding="utf-8")
    missing = []

    def walk(option, path):
        for name, child in option.options.items():
            key = f"{path}.{name}" if path else name
            assert child.help, f"{key} has no help text"
            if f"| `{key}` |" not in doc:
                missing.append(key)
            if isinstance(child, s.Mapping):
                walk(child, key)
            if isinstance(child, s.ListOf) and isinstance(child.item, s.Mapping):
                walk(child.item, key + "[]")

    walk(SURVEY, "")
    assert missing == []

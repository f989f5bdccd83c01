import math

import numpy as np
import pytest

from panelsite.errors import DataError

YAML = """\
title: Dialecten
theme: overig
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 10
publish_on: 2026-04-15
questions:
  - id: q1
    text: Waar drinkt u koffie?
    type: single
    options: {1: Thuis, 2: Café}
  - id: q2
    text: Hoe ver fietst u?
    type: number
    unit: km
"""


def load_values(project, csv):
    project.add(yaml=YAML, csv=csv)
    (survey,) = project.load()
    return survey.responses


@pytest.mark.parametrize(
    "name, data",
    [
        ("semicolon, Windows-1252, decimal comma", "respondent_id;q1;q2\nr1;café;12,5\nr2;1;1.234,5\n".encode("cp1252")),
        ("semicolon, UTF-8 BOM before Windows-1252 bytes", b"\xef\xbb\xbf" + "respondent_id;q1;q2\nr1;Café;12,5\nr2;1;1.234,5\n".encode("cp1252")),
        ("comma, UTF-8 with BOM", "\ufeffrespondent_id,q1,q2\nr1,CAFÉ,12.5\nr2,1,1234.5\n".encode("utf-8")),
        ("tab, UTF-8", "respondent_id\tq1\tq2\nr1\t2\t12,5\nr2\tthuis\t1234,5\n".encode("utf-8")),
        ("semicolon, quoted cells, CRLF", '"respondent_id";"q1";"q2"\r\n"r1";"2";"12,5"\r\n"r2";"1";"1234,5"\r\n'.encode("utf-8")),
        ("semicolon, CR line endings (older Excel for Mac)", "respondent_id;q1;q2\rr1;2;12,5\rr2;1;1234,5\r".encode("cp1252")),
    ],
)
def test_csv_dialects(project, name, data):
    responses = load_values(project, data)
    assert list(responses.respondent_id) == ["r1", "r2"]
    assert list(responses.q1) == [2.0, 1.0]  # "café"/"CAFÉ"/"thuis": labels accepted as codes
    assert list(responses.q2) == [12.5, 1234.5]


def test_empty_cells_become_nan_and_blank_rows_are_skipped(project):
    responses = load_values(project, "respondent_id;q1;q2\nr1;;\n;;\nr2;2;3\n")
    assert len(responses) == 2
    assert math.isnan(responses.q1[0]) and math.isnan(responses.q2[0])


def test_open_answers_are_not_kept(project):
    yaml = YAML + "  - id: q3\n    text: Opmerkingen?\n    type: open\n"
    project.add(yaml=yaml, csv="respondent_id;q1;q2;q3\nr1;1;1;Mijn naam is Jan\nr2;1;1;\n")
    (survey,) = project.load()
    assert survey.responses.q3.tolist()[0] == 1.0 and np.isnan(survey.responses.q3.tolist()[1])
    assert "Jan" not in survey.responses.to_csv()


def test_respondent_ids_are_trimmed_before_the_duplicate_check(project):
    # whitespace on the first and the last id, where a check over all ids at once slips most easily
    responses = load_values(project, "respondent_id;q1;q2\n\tr1;1;2\nr2;1;2\nr3 ;1;2\n")
    assert list(responses.respondent_id) == ["r1", "r2", "r3"]
    project.add(yaml=YAML, csv="respondent_id;q1;q2\nr1;1;2\nr2;1;2\nr1\t;1;2\n")
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value) == 'content/x/surveys/y/responses.csv: row 4: respondent_id: duplicate respondent_id "r1" (also on row 2)'


ERRORS_YAML = """\
title: Fouten
theme: overig
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 10
publish_on: 2026-04-15
weighting: {by: [leeftijd]}
breakdowns: [wijk]
questions:
  - id: q1
    text: Tevreden?
    type: scale
    options: {1: Ontevreden, 2: Neutraal, 3: Tevreden}
    missing: {9: Weet niet}
  - id: q2
    text: Welke bakken?
    type: multi
    options: {1: Papier, 2: Glas, 3: Plastic}
  - id: q3
    text: Rapportcijfer
    type: grade
    missing: {99: Weet niet}
  - id: q4
    text: Hoe ver?
    type: number
"""

ERRORS_CSV = """\
respondent_id;leeftijd;wijk;q1;q2_1;q2_2;q3;q4;q11
r1;18-34;Centrum;3;1;0;8;12;
r1;18-34;Centrum;3;1;0;8;12;
r3;12-17;centrum;7;2;0;11;ver;
r4;;Noord;Tevreden;;;goed;3,5;
;65+;Zuidd;1;0;1;7,5;1;
"""


def test_every_data_error_is_reported_with_row_column_value_and_expectation(project):
    project.add(yaml=ERRORS_YAML, csv=ERRORS_CSV)
    with pytest.raises(DataError) as exc:
        project.load()
    f = "content/x/surveys/y/responses.csv"
    assert exc.value.exit_code == 2
    assert str(exc.value).splitlines() == [
        f"{f}: row 1: q2_3: missing column (expected a column for option 3 of question q2)",
        f'{f}: row 1: q11: unknown column (did you mean "q1"?) (expected respondent_id, a background variable (leeftijd, geslacht, wijk) or a question column (q1, q2_1, q2_2, q2_3, q3, q4))',
        f'{f}: row 3: respondent_id: duplicate respondent_id "r1" (also on row 2)',
        f'{f}: row 4: leeftijd: "12-17" is not a category of leeftijd in the population figures (expected one of 18-34, 35-64, 65+)',
        f'{f}: row 4: q1: "7" is not an option of q1 (expected one of the codes 1, 2, 3, 9 or their labels)',
        f'{f}: row 4: q2_1: "2" is not 0 or 1 (expected 1 if option 1 was chosen, 0 if not, empty if q2 was not answered)',
        f"{f}: row 4: q3: grade 11 is out of range (expected a whole number from 1 to 10 or a missing code 99)",
        f'{f}: row 4: q4: "ver" is not a number (expected a number like 12,5)',
        f"{f}: row 5: leeftijd: empty value (expected one of 18-34, 35-64, 65+; weighting needs a value for every respondent)",
        f'{f}: row 5: q3: "goed" is not a grade (expected a whole number from 1 to 10 or a missing code 99)',
        f"{f}: row 6: respondent_id: empty respondent_id (expected a unique id for each respondent)",
        f'{f}: row 6: wijk: "Zuidd" is not a category of wijk in the population figures (did you mean "Zuid"?) (expected one of Centrum, Noord, Zuid)',
        f'{f}: row 6: q3: "7,5" is not a whole number (expected a whole number from 1 to 10 or a missing code 99)',
    ]


def test_missing_required_columns(project):
    project.add(yaml=ERRORS_YAML, csv="id;q1;q2_1;q2_2;q2_3;q3;q4\nr1;1;0;0;1;5;1\n")
    with pytest.raises(DataError) as exc:
        project.load()
    f = "content/x/surveys/y/responses.csv"
    assert str(exc.value).splitlines() == [
        f"{f}: row 1: respondent_id: missing column (expected a column with a unique id per respondent)",
        f"{f}: row 1: leeftijd: missing column (expected a column for weighting by leeftijd)",
        f"{f}: row 1: wijk: missing column (expected a column for breakdowns by wijk)",
        f'{f}: row 1: id: unknown column (expected respondent_id, a background variable (leeftijd, geslacht, wijk) or a question column (q1, q2_1, q2_2, q2_3, q3, q4))',
    ]


def test_problems_are_capped_per_file(project):
    rows = "".join(f"r{i};5;1\n" for i in range(120))
    project.add(yaml=YAML, csv="respondent_id;q1;q2\n" + rows)
    with pytest.raises(DataError) as exc:
        project.load()
    lines = str(exc.value).splitlines()
    assert len(lines) == 51
    assert lines[0] == 'content/x/surveys/y/responses.csv: row 2: q1: "5" is not an option of q1 (expected one of the codes 1, 2 or their labels)'
    assert lines[49].startswith("content/x/surveys/y/responses.csv: row 51: q1:")
    assert lines[50] == "content/x/surveys/y/responses.csv: … and 70 more problems"


def test_row_with_too_many_cells(project):
    project.add(yaml=YAML, csv="respondent_id;q1;q2\nr1;1;2\nr2;1;2;3\n")
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value) == "content/x/surveys/y/responses.csv: row 3: has 4 cells (expected 3, one per column in the header row)"


def test_header_row_that_is_no_csv(project):
    project.add(yaml=YAML, csv="respondent_id;q1\r;q2\nr1;1;2\n")
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value).startswith("content/x/surveys/y/responses.csv: row 1: cannot read the header row as CSV: ")
    assert str(exc.value).endswith("(expected one line per row, ending in LF or CR LF)")


def test_empty_file(project):
    project.add(yaml=YAML, csv="")
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value) == "content/x/surveys/y/responses.csv: the file is empty (expected a header row with respondent_id and a column per question)"


def test_missing_responses_file_means_no_responses_yet(project):
    project.add(yaml=YAML)
    (survey,) = project.load()
    assert not survey.has_responses and len(survey.responses) == 0
    (results,) = project.results()
    assert not results.has_responses and results.weighting.n == 0
    assert results.question("q1").total.n == 0


def test_source_hash_changes_with_either_file(project):
    folder = project.add(yaml=YAML, csv="respondent_id;q1;q2\nr1;1;2\n")
    first = project.load()[0].source_hash
    (folder / "responses.csv").write_text("respondent_id;q1;q2\nr1;2;2\n")
    assert project.load()[0].source_hash != first


def test_problems_of_all_surveys_are_reported_together(project):
    project.add("a", yaml=YAML, csv="respondent_id;q1;q2\nr1;3;2\n")
    project.add("b", yaml=YAML.replace("theme: overig", "theme: afvall"))
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value).splitlines() == [
        'content/x/surveys/a/responses.csv: row 2: q1: "3" is not an option of q1 (expected one of the codes 1, 2 or their labels)',
        'content/x/surveys/b/survey.yaml:2: theme: "afvall" is not a theme (did you mean "afval"?) (expected one of afval, openbare-ruimte, '
        "leefbaarheid, mobiliteit, mantelzorg, eenzaamheid, veiligheid, duurzaamheid, sociaal-domein, dienstverlening, kerntaken, "
        "demografische-ontwikkeling, gebiedsontwikkeling, openingstijden, recreatie-en-toerisme, economie-en-ondernemen, "
        "informatie-over-zorg, vrijwilligerswerk, inwonersinitiatieven, welzijn, overig, "
        "or add it under themes in the municipality's YAML)",
    ]


F = "content/x/surveys/y/responses.csv"


def load_error(project, csv, yaml=YAML) -> str:
    project.add(yaml=yaml, csv=csv)
    with pytest.raises(DataError) as exc:
        project.load()
    assert exc.value.exit_code == 2
    return str(exc.value)


def test_extra_cell_on_the_first_data_row_is_reported_on_that_row(project):
    # pandas reads a longer first data row as an index column and shifts every column by one
    assert load_error(project, "respondent_id;q1;q2\nr1;1;2;3\nr2;1;2\n") == f"{F}: row 2: has 4 cells (expected 3, one per column in the header row)"


def test_extra_cell_on_every_data_row_is_reported_per_row(project):
    assert load_error(project, "respondent_id;q1;q2\nr1;1;2;7\nr2;1;2;8\n").splitlines() == [
        f"{F}: row 2: has 4 cells (expected 3, one per column in the header row)",
        f"{F}: row 3: has 4 cells (expected 3, one per column in the header row)",
    ]


@pytest.mark.parametrize("data", [
    "respondent_id;q1;q2\nr1;1;2;\nr2;2;1,5;\n",  # a delimiter after every data row, not after the header
    "respondent_id;q1;q2\r\nr1;1;2;;\r\nr2;2;1,5\r\n",
    '"respondent_id";"q1";"q2"\n"r1";"1";"2";""\n"r2";"2";"1,5";" "\n',
])
def test_empty_cells_beyond_the_header_are_ignored(project, data):
    responses = load_values(project, data)
    assert list(responses.respondent_id) == ["r1", "r2"]
    assert list(responses.q1) == [1.0, 2.0] and list(responses.q2) == [2.0, 1.5]


def test_row_with_too_few_cells(project):
    # pandas pads a short row; a lost cell would make every later answer of that row empty or shifted
    assert load_error(project, "respondent_id;q1;q2\nr1;1;2\nr2;1\nr3;1;2\n") == f"{F}: row 3: has 2 cells (expected 3, one per column in the header row)"


def test_short_row_at_the_end_of_the_file_without_line_break(project):
    assert load_error(project, "respondent_id;q1;q2\r\nr1;1;2\r\nr2;1") == f"{F}: row 3: has 2 cells (expected 3, one per column in the header row)"


def test_rows_without_any_answer_are_skipped_whatever_their_length(project):
    responses = load_values(project, "respondent_id;q1;q2\nr1;1;2\n;\n;;;;;\n\nr2;2;3\n")
    assert list(responses.respondent_id) == ["r1", "r2"]


def test_header_with_a_trailing_delimiter_allows_rows_without_it(project):
    responses = load_values(project, "respondent_id;q1;q2;\nr1;1;2;\nr2;2;3\n")
    assert list(responses.q2) == [2.0, 3.0]
    assert load_error(project, "respondent_id;q1;q2;\nr1;1;2;x\nr2;1;2\n") == f"{F}: row 2: has 4 cells (expected 3, one per column in the header row)"


OPEN_YAML = YAML + "  - id: q3\n    text: Opmerkingen?\n    type: open\n"


def test_quoted_delimiters_and_line_breaks_are_part_of_a_cell(project):
    project.add(yaml=OPEN_YAML, csv='respondent_id;q1;q2;q3\nr1;1;2;"ja; maar ""niet""\nnu"\nr2;2;3;\n')
    (survey,) = project.load()
    assert list(survey.responses.respondent_id) == ["r1", "r2"]
    assert survey.responses.q3.tolist()[0] == 1.0


def test_a_quote_inside_an_unquoted_cell_does_not_hide_a_short_row(project):
    # the quote of 12" would make a count that pairs quotes skip the next line break
    csv = 'respondent_id;q1;q2;q3\nr1;1;2;een 12" scherm\nr2;1;2\nr3;1;2;"x"\n'
    assert load_error(project, csv, OPEN_YAML) == f"{F}: row 3: has 3 cells (expected 4, one per column in the header row)"
    project.add(yaml=OPEN_YAML, csv=csv.replace("r2;1;2\n", "r2;1;2;\n"))
    (survey,) = project.load()
    assert list(survey.responses.respondent_id) == ["r1", "r2", "r3"]


def test_rows_are_numbered_as_in_a_spreadsheet_after_blank_lines_above_the_header(project):
    # a blank first line used to be read as the header: every column "missing"
    assert load_error(project, "\n\nrespondent_id;q1;q2\nr1;1;2\nr2;1\n") == f"{F}: row 5: has 2 cells (expected 3, one per column in the header row)"
    assert list(load_values(project, "\r\nrespondent_id;q1;q2\r\nr1;1;2\r\n").q2) == [2.0]


def test_wrong_rows_are_capped_like_other_problems(project):
    rows = "".join(f"r{i};1\n" for i in range(120))
    lines = load_error(project, "respondent_id;q1;q2\n" + rows).splitlines()
    assert len(lines) == 51 and lines[-1] == f"{F}: … and 70 more problems"


def test_multi_columns_read_the_0_0_and_1_0_that_spss_and_excel_write(project):
    """A responses.csv saved from SPSS or Excel holds 0.0/1.0 (or 0,0/1,0) in its 0/1 columns."""
    csv_text = ("respondent_id;leeftijd;wijk;q1;q2_1;q2_2;q2_3;q3;q4\n"
                "r1;18-34;Noord;3;1.0;0.0;0;8;12\nr2;35-64;Zuid;3;0,0;1,0;1.00;8;12\nr3;65+;Centrum;1;;;;7;1\n")
    project.add(yaml=ERRORS_YAML, csv=csv_text)
    (survey,) = project.load()
    assert survey.responses.q2_1.tolist()[:2] == [1.0, 0.0]
    assert survey.responses.q2_3.tolist()[:2] == [0.0, 1.0]
    assert np.isnan(survey.responses.q2_2.tolist()[2])
    project.add(yaml=ERRORS_YAML, csv=csv_text.replace("1.00", "2.0"))
    with pytest.raises(DataError) as exc:
        project.load()
    assert str(exc.value) == ('content/x/surveys/y/responses.csv: row 3: q2_3: "2.0" is not 0 or 1 (expected 1 if '
                              "option 3 was chosen, 0 if not, empty if q2 was not answered)")

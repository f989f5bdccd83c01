"""Bad files and bad data: one precise error each (or every error in one run), exit 2, nothing written."""

from __future__ import annotations

import pytest

from . import exports as x


def _unchanged(project, capsys, source, *options):
    before = project.files()
    code, out, err = project.run(capsys, source, *options)
    assert code == 2, out + err
    assert project.files() == before, "a failed import must write nothing"
    return project.errors()


def test_truncated_sav_exits_2_and_writes_nothing(project, exports, capsys):
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    data = (exports / "round.sav").read_bytes()
    (exports / "cut.sav").write_bytes(data[: len(data) * 2 // 3])
    errors = _unchanged(project, capsys, exports / "cut.sav")
    assert len(errors) == 1
    assert errors[0].startswith(f"{exports / 'cut.sav'}: cannot be read as an SPSS data file: ")
    assert "cut off while copying or downloading" in errors[0]
    assert "1 problem found; nothing was written." in project.err


def test_a_sav_that_is_no_sav(project, exports, capsys):
    exports.mkdir()
    (exports / "data.sav").write_text("respondent_id,q1\n1,2\n")
    assert _unchanged(project, capsys, exports / "data.sav") == [
        f"{exports / 'data.sav'}: is not an SPSS data file (expected a .sav or .zsav file as SPSS saves it, starting with $FL2)"]


@pytest.mark.parametrize("name,expected", [
    ("antwoorden.pdf", '".pdf" is not a file type the import reads (expected .sav or .zsav from SPSS, .xlsx from Excel, '
                       "or .csv from Qualtrics, LimeSurvey, the collector or a spreadsheet)"),
    ("antwoorden.xls", "is an Excel 97-2003 workbook (expected .xlsx: open it in Excel and save it as Excel Workbook (.xlsx))"),
    ("antwoorden.ods", "is an OpenDocument spreadsheet (expected .xlsx or .csv: save it as one of those)"),
])
def test_wrong_extension(project, exports, capsys, name, expected):
    exports.mkdir()
    (exports / name).write_bytes(b"%PDF-1.7 whatever")
    assert _unchanged(project, capsys, exports / name) == [f"{exports / name}: {expected}"]


def test_a_workbook_named_csv(project, exports, capsys):
    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    (exports / "round.csv").write_bytes((exports / "round.xlsx").read_bytes())
    assert _unchanged(project, capsys, exports / "round.csv") == [
        f"{exports / 'round.csv'}: is an Excel workbook with a .csv name (expected a CSV text file; or rename it to .xlsx)"]


def test_password_protected_workbook(project, exports, capsys):
    import msoffcrypto.format.ooxml

    exports.mkdir()
    x.write_xlsx(exports / "plain.xlsx")
    with open(exports / "plain.xlsx", "rb") as plain, open(exports / "locked.xlsx", "wb") as locked:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("geheim", locked)
    errors = _unchanged(project, capsys, exports / "locked.xlsx")
    assert errors == [f"{exports / 'locked.xlsx'}: is a password-protected (encrypted) workbook, or an old Excel "
                      "97-2003 file with a .xlsx name (expected an .xlsx without a password: open it in Excel, remove "
                      "the password under File > Info > Protect Workbook, and save it as .xlsx)"]


def test_empty_workbook(project, exports, capsys):
    import openpyxl

    exports.mkdir()
    openpyxl.Workbook().save(exports / "empty.xlsx")
    assert _unchanged(project, capsys, exports / "empty.xlsx") == [
        f'{exports / "empty.xlsx"}: sheet "Sheet" is empty (expected a header row with a name per column and a row per respondent)']


def test_unknown_sheet(project, exports, capsys):
    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    assert _unchanged(project, capsys, exports / "round.xlsx", "--sheet", "data") == [
        f'{exports / "round.xlsx"}: has no sheet "data" (did you mean "Data"?) (expected one of Data)']


def test_mapping_to_a_missing_column(project, exports, capsys):
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    project.write("content/teststad/surveys/buurt-2026/import.yaml", "columns:\n  v1: q1\n  leeftyd: leeftijd\n")
    assert _unchanged(project, capsys, exports / "round.sav") == [
        'content/teststad/surveys/buurt-2026/import.yaml:3: columns.leeftyd: no column "leeftyd" in '
        f"{exports / 'round.sav'} (expected one of its columns: e_mail, lftcat, gesl, woonwijk, v1, v2, v3_1, v3_2, …)"]


def test_mapping_file_is_validated_like_every_input(project, exports, capsys):
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    project.write("content/teststad/surveys/buurt-2026/import.yaml",
                  "colums:\n  v1: q1\nage:\n  column: lftcat\n  birth_year: gebjaar\nheader_row: nul\n")
    assert _unchanged(project, capsys, exports / "round.sav") == [
        'content/teststad/surveys/buurt-2026/import.yaml:1: colums: unknown key (did you mean "columns"?)',
        'content/teststad/surveys/buurt-2026/import.yaml:6: header_row: "nul" is not a whole number (expected a whole number of at least 1)',
        "content/teststad/surveys/buurt-2026/import.yaml:5: age.birth_year: give either column (the age) or birth_year, "
        "not both (expected one of them)"]


def test_a_label_set_that_does_not_match_survey_yaml(project, exports, capsys):
    import pyreadstat

    exports.mkdir()
    x.write_sav(exports / "round.sav")
    df, meta = pyreadstat.read_sav(str(exports / "round.sav"), user_missing=True)
    labels = dict(meta.variable_value_labels)
    labels["v1"] = {1: "Heel slecht", 2: "Slecht", 3: "Gaat wel", 4: "Goed", 5: "Heel goed", 9: "Weet niet"}
    pyreadstat.write_sav(df, str(exports / "other.sav"), variable_value_labels=labels,
                         column_labels=meta.column_names_to_labels, missing_ranges={"v1": [9], "v2": [99], "v4": [9]})
    assert _unchanged(project, capsys, exports / "other.sav") == [
        f'{exports / "other.sav"}: v1: the value labels do not match the options of q1 in survey.yaml: 1 "Heel slecht", '
        '2 "Slecht", 3 "Gaat wel", 4 "Goed", 5 "Heel goed" are none of 1 "Zeer ontevreden", 2 "Ontevreden", '
        '3 "Niet tevreden, niet ontevreden", 4 "Tevreden", 5 "Zeer tevreden", 9 "Weet niet" (expected the same labels; '
        "or give the codes under recode: q1: in import.yaml)"]


def test_bad_values_are_all_listed_with_row_and_column(project, exports, capsys):
    """Codes not in survey.yaml, values outside a scale, repeats, background values without a category."""
    exports.mkdir()
    source = exports / "round.csv"
    lines = x.canonical_csv().decode().splitlines()
    header = "e-mail," + lines[0].replace("respondent_id,", "")
    body = [f"inwoner{i}@voorbeeld.nl," + line.split(",", 1)[1] for i, line in enumerate(lines[1:6], start=2)]
    body[1] = body[1].replace(",18-34,", ",16-17,").replace(",35-49,", ",16-17,").replace(",50-64,", ",16-17,").replace(",65+,", ",16-17,")
    cells = body[2].split(",")
    cells[4], cells[5] = "7", "11"   # q1 code 7; q2 grade 11
    body[2] = ",".join(cells)
    body.append(body[0])             # the same respondent (e-mail address) twice
    source.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    errors = _unchanged(project, capsys, source)
    assert errors == [
        f"{source}: row 3: leeftijd: \"16-17\" is not a category of leeftijd in the population figures (expected one "
        "of 18-34, 35-49, 50-64, 65+; or give it under recode: leeftijd: in import.yaml)",
        f"{source}: row 4: q1: \"7\" is not an option of q1 (expected one of the codes 1, 2, 3, 4, 5, 9 or their labels)",
        f"{source}: row 4: q2: 11 is outside the grades 1 to 10 (expected a whole number from 1 to 10)",
        f"{source}: row 7: e-mail: repeated respondent: the same e-mail as row 2 (expected each respondent once; "
        "remove the repeat from the export)",
    ]
    assert "4 problems found; nothing was written." in project.err


def test_a_question_without_a_column(project, exports, capsys):
    exports.mkdir()
    source = exports / "round.csv"
    data = x.canonical_csv().decode().replace(",q6,", ",afstand,")
    source.write_text(data, encoding="utf-8")
    assert _unchanged(project, capsys, source) == [
        f'{source}: q6: no column for question q6 ("Hoeveel kilometer woont u van de milieustraat?") (expected a '
        "column named q6 or labelled with the question's text; or map one in import.yaml under columns, like "
        "columns: {<column>: q6})"]


def test_json_reports_the_problems_too(project, exports, capsys):
    import json

    exports.mkdir()
    (exports / "leeg.csv").write_text("")
    code, out, err = project.run(capsys, exports / "leeg.csv", "--json")
    assert code == 2
    assert json.loads(out) == {"ok": False, "count": 1, "problems": [
        f"{exports / 'leeg.csv'}: the file is empty (expected a header row and a row per respondent)"]}


def test_age_to_a_variable_without_age_bands(project, exports, capsys):
    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    project.write("content/teststad/surveys/buurt-2026/import.yaml", "age:\n  column: Leeftijd\n  variable: wijk\n")
    assert _unchanged(project, capsys, exports / "round.xlsx") == [
        'content/teststad/surveys/buurt-2026/import.yaml:3: age.variable: "wijk" is not a population variable with '
        "age bands (expected one of leeftijd)"]

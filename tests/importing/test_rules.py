"""The rules of an import: completes only, identifying columns dropped, the report, --dry-run, the draft."""

from __future__ import annotations

import datetime as _dt

from panelsite.config.municipality import load_municipalities
from panelsite.surveys.loader import load_surveys

from . import exports as x


def test_qualtrics_report_counts_rows_completes_partials_and_tests(project, exports, capsys):
    exports.mkdir()
    x.write_qualtrics(exports / "round.csv")
    report = project.report(capsys, exports / "round.csv")
    assert report["tool"] == "Qualtrics"
    assert report["details"] == {"encoding": "UTF-8 with byte order mark", "delimiter": "comma (,)",
                                 "export": "three header rows"}
    assert report["rows_read"] == 171
    assert (report["completes"], report["partials_dropped"], report["test_responses_dropped"]) == (150, 20, 1)
    assert report["respondents"] == 150
    assert report["completion"] == "the Finished column (1 or True: finished)"
    dropped = {d["column"]: d["reason"] for d in report["dropped"]}
    assert dropped["RecipientEmail"] == "can identify a person: an e-mail address"
    assert dropped["RecipientFirstName"] == dropped["RecipientLastName"] == "can identify a person: a name"
    assert dropped["IPAddress"] == "can identify a person: an IP address"
    assert dropped["LocationLatitude"] == "can identify a person: a location"
    assert dropped["ResponseId"] == "can identify a person: Qualtrics' own respondent id (ResponseId)"
    assert dropped["Duration (in seconds)"] == "survey tool data: how long the respondent took"
    mapped = {m["column"]: m["to"] for m in report["mapped"]}
    assert mapped["Q3_2"] == "q3_2" and mapped["leeftijd"] == "leeftijd" and mapped["Q7"] == "q7"
    assert {p["column"] for p in report["private"]} == {"Q7"}
    assert report["unknown"] == []
    assert [f["path"] for f in report["files"]] == ["content/teststad/surveys/buurt-2026/responses.csv",
                                                    "private/.gitignore",
                                                    "private/teststad/buurt-2026/open-answers.csv"]


def test_include_partial_keeps_partials_and_counts_them(project, exports, capsys):
    exports.mkdir()
    x.write_qualtrics(exports / "round.csv")
    report = project.report(capsys, exports / "round.csv", "--include-partial")
    assert (report["respondents"], report["partials_kept"], report["partials_dropped"]) == (170, 20, 0)
    lines = project.csv.read_text().splitlines()
    assert len(lines) == 171


def test_limesurvey_empty_submitdate_is_a_partial(project, exports, capsys):
    exports.mkdir()
    x.write_limesurvey(exports / "round.csv", long=True)
    report = project.report(capsys, exports / "round.csv")
    assert (report["completes"], report["partials_dropped"]) == (150, 20)
    assert report["completion"] == "the Date submitted column (empty: not finished)"
    dropped = {d["column"]: d["reason"] for d in report["dropped"]}
    assert dropped["Token"] == "can identify a person: a token: the personal link to the questionnaire"
    assert dropped["Response ID"] == "can identify a person: LimeSurvey's own respondent id"


def test_no_name_or_email_anywhere_under_content(project, exports, capsys):
    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    assert project.run(capsys, exports / "round.xlsx")[0] == 0
    x.write_sav(exports / "round.sav")
    assert project.run(capsys, exports / "round.sav")[0] == 0
    content = b"\n".join(p.read_bytes() for p in (project.root / "content").rglob("*") if p.is_file())
    for p in x.COMPLETES:
        assert p.email.encode() not in content and p.name.encode() not in content
    assert b"@" not in content


def test_dry_run_writes_nothing_and_prints_the_plan(project, exports, capsys):
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    before = project.files()
    code, out, err = project.run(capsys, exports / "round.sav", "--dry-run")
    assert code == 0, err
    assert project.files() == before
    assert out.splitlines()[0] == f"Plan for {exports / 'round.sav'} (SPSS, cases: 150)"
    assert "  would write content/teststad/surveys/buurt-2026/responses.csv (150 respondents)" in out
    assert "    e_mail: can identify a person (by its name: e-mail address)" in out
    assert "  --dry-run: nothing was written." in out


def test_an_existing_survey_yaml_is_never_overwritten(project, exports, capsys):
    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    before = (project.survey / "survey.yaml").read_bytes()
    assert project.run(capsys, exports / "round.xlsx")[0] == 0
    assert (project.survey / "survey.yaml").read_bytes() == before


def test_report_names_recodes(project, exports, capsys):
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    report = project.report(capsys, exports / "round.sav")
    recodes = {(r["column"], r["value"]): (r["becomes"], r["why"]) for r in report["recodes"]}
    assert recodes[("gesl", "1")] == ("man", "value label")
    assert recodes[("lftcat", "4")] == ("65+", "value label")
    assert recodes[("v2", "99")] == ("(empty)", "user-missing value without a missing code in survey.yaml")
    assert ("v1", "9") not in recodes  # user-missing 9 "Weet niet" is survey.yaml's missing code 9


def test_a_round_without_survey_yaml_gets_a_draft_the_build_accepts(empty_project, exports, capsys):
    project = empty_project
    exports.mkdir()
    x.write_sav(exports / "round.sav")
    code, out, err = project.run(capsys, exports / "round.sav")
    assert code == 0, err
    text = (project.survey / "survey.yaml").read_text()
    assert text.startswith(f"# Draft made by `python build.py import` from {exports / 'round.sav'} (SPSS)")
    assert '  - id: v1\n    text: "Hoe tevreden bent u over uw buurt?"\n    type: scale  # check: from the value labels\n' in text
    assert '    missing:\n      9: "Weet niet"\n' in text
    assert "  - id: v2\n" in text and "    type: grade  # check" in text
    assert '  - id: v3\n    text: "Welke soorten afval houdt u apart?"\n    type: multi  # check' in text
    assert '      4: "Geen van deze"\n' in text
    assert "    type: open  # check" in text
    assert "  by: [leeftijd, geslacht, wijk]\n" in text
    assert all("# check" in line for line in text.splitlines() if line.startswith(("title:", "theme:", "invited:",
                                                                                  "publish_on:", "    type:")))
    assert "Naam" not in text and "@" not in text and "Meer groen" not in text  # no answers in the repository
    municipality = load_municipalities(project.root, ["teststad"])["teststad"]
    (survey,) = load_surveys(project.root / "content" / "teststad" / "surveys", municipality, project.root)
    assert len(survey.responses) == 150 and [q.id for q in survey.questions] == ["v1", "v2", "v3", "v4", "v5", "v6", "v7"]


def test_draft_from_qualtrics_takes_fieldwork_from_the_response_dates(empty_project, exports, capsys):
    exports.mkdir()
    x.write_qualtrics(exports / "round.csv", choice_text=True)
    assert empty_project.run(capsys, exports / "round.csv")[0] == 0
    text = (empty_project.survey / "survey.yaml").read_text()
    dates = sorted(_dt.date.fromisoformat(p.started[:10]) for p in x.ROUND)
    assert f"  start: {dates[0].isoformat()}  # check: from the response dates in the file" in text
    assert '  - id: q1\n    text: "Hoe tevreden bent u over uw buurt?"\n    type: scale' in text


def test_a_differently_named_file_needs_no_mapping(project, exports, capsys):
    """Other names, the labels of survey.yaml: matched by label, background by kind and by values."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    exports.mkdir()
    people = x.COMPLETES
    df = pd.DataFrame({
        "RESPNR": [f"A{i:04d}" for i in range(len(people))],
        "Mail": [p.email for p in people],
        "LFT": [float(p.age) for p in people],
        "S1": [1.0 if p.sex == "man" else 2.0 for p in people],
        "GEBIED": [p.wijk.upper() for p in people],
        **{f"VRAAG{i}": [np.nan] * len(people) for i in ()},
        "A": [float(p.q1) for p in people],
        "B": [float(p.q2) if p.q2 else np.nan for p in people],
        **{f"C{c}": [float(c in p.q3) for p in people] for c in x.Q3},
        "D": [float(p.q4) for p in people],
        "E": [float(p.q5) if p.q5 else np.nan for p in people],
        "F": [float(p.q6) if p.q6 is not None else np.nan for p in people],
        "G": [p.q7 for p in people],
    })
    labels = {"S1": {1: "man", 2: "vrouw"}, "A": x.Q1, "D": x.Q4, "E": x.SCALE}
    column_labels = {"LFT": "Leeftijd", "S1": "Wat is uw geslacht?", "A": x.TEXTS["q1"], "B": x.TEXTS["q2"],
                     **{f"C{c}": label for c, label in x.Q3.items()}, "D": x.TEXTS["q4"], "E": x.TEXTS["q5"],
                     "F": x.TEXTS["q6"], "G": x.TEXTS["q7"]}
    pyreadstat.write_sav(df, str(exports / "bureau.sav"), variable_value_labels=labels, column_labels=column_labels)
    report = project.report(capsys, exports / "bureau.sav")
    assert project.csv.read_bytes() == x.canonical_csv()
    mapped = {m["column"]: (m["to"], m["how"]) for m in report["mapped"]}
    assert mapped["LFT"] == ("leeftijd", "by kind of variable, age to leeftijd")
    assert mapped["S1"] == ("geslacht", "by kind of variable")
    assert mapped["GEBIED"] == ("wijk", "by kind of variable")
    assert mapped["C2"] == ("q3_2", "by label")
    dropped = {d["column"] for d in report["dropped"]}
    assert dropped == {"RESPNR", "Mail"}


def test_mapping_for_what_cannot_be_inferred(project, exports, capsys):
    """Columns to questions, recodes, birth year to age bands, postcode to district through a lookup table."""
    exports.mkdir()
    people = x.COMPLETES
    postcodes = {"Noord": "1234", "Zuid": "1240", "Centrum": "1250"}
    rows = ["nr;geb;pc;sekse;tevr;cijfer;p;g;pl;geen;milieu;tevr2;km;opm"]
    for i, p in enumerate(people):
        rows.append(";".join([
            str(i), str(2026 - p.age), f"{postcodes[p.wijk]} {'AB' if i % 2 else 'XY'}", "M" if p.sex == "man" else "V",
            str(p.q1), x._n(p.q2), *[str(int(c in p.q3)) for c in x.Q3], {1: "J", 2: "N", 9: "?"}[p.q4], x._n(p.q5),
            x._n(p.q6).replace(".", ","), p.q7.replace(";", ",").replace("Prima zo", "Prima zo, net als het café")]))
    (exports / "export.csv").write_bytes("\r\n".join(rows).encode("cp1252"))
    project.write("content/teststad/surveys/buurt-2026/postcodes.csv", "postcode;wijk\n1234;Noord\n1240;Zuid\n1250;Centrum\n")
    mapping = project.write("mapping/import.yaml", """\
columns: {tevr: q1, cijfer: q2, p: q3_1, g: q3_2, pl: q3_3, geen: q3_4, milieu: q4, tevr2: q5, km: q6, opm: q7,
          sekse: geslacht}
recode:
  q4: {J: 1, N: 2, "?": 9}
age:
  birth_year: geb
  reference_year: 2026
postcode:
  column: pc
  variable: wijk
  lookup: postcodes.csv
""")
    (project.root / "mapping" / "postcodes.csv").write_text("postcode;wijk\n1234;Noord\n1240;Zuid\n1250;Centrum\n")
    (project.survey / "postcodes.csv").unlink()
    report = project.report(capsys, exports / "export.csv", "--mapping", str(mapping))
    assert report["details"] == {"encoding": "Windows-1252", "delimiter": "semicolon (;)"}
    assert project.csv.read_bytes() == x.canonical_csv()
    mapped = {m["column"]: (m["to"], m["how"]) for m in report["mapped"]}
    assert mapped["geb"] == ("leeftijd", "import.yaml, birth year to leeftijd")
    assert mapped["pc"] == ("wijk", "import.yaml, postcode to wijk")
    assert {d["column"]: d["reason"] for d in report["dropped"]}["nr"] == (
        "can identify a person (by its name: the survey tool's own respondent id)")


def test_a_progress_bar_for_files_over_10000_rows(project, exports, capsys):
    exports.mkdir()
    people = x.make_round(12_000, 0, seed=3)
    (exports / "big.csv").write_bytes(x.canonical_csv(people))
    project.write("content/teststad/surveys/buurt-2026/survey.yaml",
                  x.SURVEY_YAML.replace("invited: 400", "invited: 20000"))
    code, out, err = project.run(capsys, exports / "big.csv")
    assert code == 0, err
    assert "reading: 12000 of 12000 rows" in err
    assert "respondents written: 12000" in out


def test_qualtrics_legacy_export(project, exports, capsys):
    exports.mkdir()
    x.write_qualtrics_legacy(exports / "legacy.csv")
    report = project.report(capsys, exports / "legacy.csv")
    assert report["details"]["export"] == "legacy (two header rows)"
    assert project.csv.read_bytes() == x.canonical_csv()
    assert {d["column"] for d in report["dropped"]} >= {"ResponseID", "Name", "EmailAddress", "IPAddress"}


def test_excel_sheet_option_and_a_title_above_the_header(project, exports, capsys):
    import openpyxl

    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    workbook = openpyxl.load_workbook(exports / "round.xlsx")
    workbook["Data"].insert_rows(1, 2)
    workbook["Data"]["A1"] = "Buurtonderzoek 2026 (versie van het bureau)"
    cover = workbook.create_sheet("Toelichting", 0)
    cover["A1"] = "Zie het tabblad Data."
    workbook.save(exports / "two.xlsx")
    report = project.report(capsys, exports / "two.xlsx", "--sheet", "Data")
    assert report["details"] == {"header row": 3, "sheet": "Data"}
    assert project.csv.read_bytes() == x.canonical_csv()


def _sav_with(exports, extra: dict, labels: dict, column_labels: dict, people=x.COMPLETES):
    """The agency's .sav of the round with more columns."""
    import pyreadstat

    x.write_sav(exports / "base.sav", people)
    df, meta = pyreadstat.read_sav(str(exports / "base.sav"), user_missing=True)
    for name, values in extra.items():
        df[name] = values
    pyreadstat.write_sav(df, str(exports / "round.sav"), variable_value_labels={**meta.variable_value_labels, **labels},
                         column_labels={**meta.column_names_to_labels, **column_labels},
                         missing_ranges={"v1": [9], "v2": [99], "v4": [9]})
    return exports / "round.sav"


def test_a_question_about_the_district_is_no_background_variable(empty_project, exports, capsys):
    exports.mkdir()
    source = _sav_with(exports, {"v8": [float(1 + i % 5) for i in range(len(x.COMPLETES))]}, {"v8": x.SCALE},
                       {"v8": "Hoe tevreden bent u over uw wijk?"})
    report = empty_project.report(capsys, source)
    mapped = {m["column"]: m["to"] for m in report["mapped"]}
    assert mapped["woonwijk"] == "wijk" and mapped["v8"] == "v8"
    assert '  - id: v8\n    text: "Hoe tevreden bent u over uw wijk?"\n    type: scale' in (
        empty_project.survey / "survey.yaml").read_text()


def test_a_finished_column_with_value_labels_drops_partials(project, exports, capsys):
    exports.mkdir()
    people = [p for p in x.ROUND]
    source = _sav_with(exports, {"Finished": [1.0 if p.finished else 0.0 for p in people]},
                       {"Finished": {0: "False", 1: "True"}}, {}, people=people)
    report = project.report(capsys, source)
    assert (report["completes"], report["partials_dropped"], report["completion"]) == (150, 20, "the Finished column")
    assert project.csv.read_bytes() == x.canonical_csv()


def test_multi_columns_labelled_with_the_question_text_match_by_their_number(project, exports, capsys):
    import pyreadstat

    exports.mkdir()
    x.write_sav(exports / "base.sav")
    df, meta = pyreadstat.read_sav(str(exports / "base.sav"), user_missing=True)
    df = df.rename(columns={f"v3_{c}": f"VR3_{c}" for c in x.Q3})
    labels = {k.replace("v3_", "VR3_"): (x.TEXTS["q3"] if k.startswith("v3_") else v)
              for k, v in meta.column_names_to_labels.items()}
    values = {k.replace("v3_", "VR3_"): v for k, v in meta.variable_value_labels.items()}
    pyreadstat.write_sav(df, str(exports / "round.sav"), column_labels=labels, variable_value_labels=values,
                         missing_ranges={"v1": [9], "v2": [99], "v4": [9]})
    report = project.report(capsys, exports / "round.sav")
    assert {m["column"]: m["to"] for m in report["mapped"]}["VR3_3"] == "q3_3"
    assert project.csv.read_bytes() == x.canonical_csv()


def test_one_cell_listing_the_chosen_options(project, exports, capsys):
    import openpyxl

    exports.mkdir()
    x.write_xlsx(exports / "round.xlsx")
    workbook = openpyxl.load_workbook(exports / "round.xlsx")
    sheet = workbook["Data"]
    sheet.delete_cols(7, 4)
    sheet.insert_cols(7)
    sheet.cell(1, 7, x.TEXTS["q3"])
    labels = {**x.Q3, 1: "Papier, karton"}  # a label with a comma of its own
    for row, p in enumerate(x.COMPLETES, start=2):
        sheet.cell(row, 7, (", " if row % 2 else "; ").join(labels[c] for c in p.q3))
    workbook.save(exports / "list.xlsx")
    project.write("content/teststad/surveys/buurt-2026/survey.yaml", x.SURVEY_YAML.replace("1: Papier,", "1: \"Papier, karton\","))
    assert project.run(capsys, exports / "list.xlsx")[0] == 0, project.err
    assert project.csv.read_bytes() == x.canonical_csv()


def test_dates_in_spss_and_excel_give_the_drafts_fieldwork(tmp_path, capsys):
    import datetime as dt

    import openpyxl
    import pandas as pd
    import pyreadstat

    from .conftest import new_project

    started = [dt.datetime(2026, 5, 4 + i % 10, 9, 30) for i in range(len(x.COMPLETES))]
    exports = tmp_path / "exports"
    exports.mkdir()
    x.write_sav(exports / "base.sav")
    df, meta = pyreadstat.read_sav(str(exports / "base.sav"), user_missing=True)
    df.insert(0, "startdatum", pd.to_datetime(started))
    pyreadstat.write_sav(df, str(exports / "dated.sav"), column_labels=meta.column_names_to_labels,
                         variable_value_labels=meta.variable_value_labels)
    x.write_xlsx(exports / "base.xlsx")
    workbook = openpyxl.load_workbook(exports / "base.xlsx")
    sheet = workbook["Data"]
    sheet.insert_cols(1)
    sheet.cell(1, 1, "Ingevuld op")
    for row, when in enumerate(started, start=2):
        sheet.cell(row, 1, when)
    workbook.save(exports / "dated.xlsx")
    for source in (exports / "dated.sav", exports / "dated.xlsx"):
        project = new_project(tmp_path / source.suffix.lstrip("."), None)
        report = project.report(capsys, source)
        dropped = {d["column"]: d["reason"] for d in report["dropped"]}
        assert dropped[{"sav": "startdatum", "xlsx": "Ingevuld op"}[source.suffix[1:]]] == (
            "a date or time: survey tool data")
        text = (project.survey / "survey.yaml").read_text()
        assert "  start: 2026-05-04  # check: from the response dates in the file\n" in text
        assert "  end: 2026-05-13  # check: from the response dates in the file\n" in text


def test_the_rest_of_import_yaml(project, exports, capsys):
    """background (matched by values), identifying, completed and header_row."""
    exports.mkdir()
    lines = x.canonical_csv().decode().splitlines()
    header = lines[0].replace("respondent_id,leeftijd,geslacht,wijk,", "klantnr,klaar,leeftijd,sekse_code,regio,")
    body = [f"K{i},{'ja'},{line.split(',', 1)[1]}" for i, line in enumerate(lines[1:])]
    body.append(body[0].replace("K0,ja,", "K999,nee,"))  # did not finish
    (exports / "round.csv").write_text("Export van het bureau\n\n" + "\n".join([header, *body]) + "\n")
    project.write("content/teststad/surveys/buurt-2026/import.yaml",
                  "background: [regio, sekse_code]\nidentifying: [klantnr]\ncompleted: klaar\nheader_row: 3\n")
    report = project.report(capsys, exports / "round.csv")
    assert project.csv.read_bytes() == x.canonical_csv()
    assert (report["completes"], report["partials_dropped"]) == (150, 1)
    assert {m["column"]: m["to"] for m in report["mapped"]}["regio"] == "wijk"
    assert {d["column"]: d["reason"] for d in report["dropped"]}["klantnr"] == "import.yaml says it can identify a person"

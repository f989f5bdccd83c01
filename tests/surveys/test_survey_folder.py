"""What a survey folder may hold, and survey.yaml checked against responses.csv."""

import pytest

from panelsite.errors import DataError

from .conftest import SURVEY_YAML

D = "content/x/surveys/y"
CSV = "respondent_id;q1\nr1;4\nr2;5\n"


def load_error(project) -> str:
    with pytest.raises(DataError) as exc:
        project.load()
    assert exc.value.exit_code == 2
    return str(exc.value)


@pytest.mark.parametrize("name", ["Responses.csv", "responses (1).csv", "responses.csv.csv"])
def test_misnamed_responses_file_is_an_error(project, name):
    # Without responses.csv the survey was published as one whose results are still to come.
    folder = project.add()
    (folder / name).write_text(CSV)
    assert load_error(project) == f'{D}/{name}: unknown file (did you mean "responses.csv"?) (expected only survey.yaml, responses.csv, factsheet.md, import.yaml)'


def test_unknown_file_next_to_a_valid_survey(project):
    folder = project.add(csv=CSV)
    (folder / "notities.txt").write_text("bellen")
    assert load_error(project) == f"{D}/notities.txt: unknown file (expected only survey.yaml, responses.csv, factsheet.md, import.yaml)"


def test_spreadsheet_file_is_asked_for_as_csv(project):
    folder = project.add()
    (folder / "responses.xlsx").write_bytes(b"PK\x03\x04")
    assert load_error(project) == (f'{D}/responses.xlsx: a spreadsheet file, which panelsite does not read (expected the answers '
                                   'saved from the spreadsheet as "CSV UTF-8 (comma delimited)" under the name responses.csv)')


def test_unknown_files_are_reported_with_the_problems_of_survey_yaml(project):
    folder = project.add(yaml=SURVEY_YAML.replace("theme: afval", "theme: afvall"))
    (folder / "Responses.csv").write_text(CSV)
    lines = load_error(project).splitlines()
    assert lines[0].startswith(f"{D}/Responses.csv: unknown file")
    assert lines[1].startswith(f"{D}/survey.yaml:2: theme:")


def test_files_left_by_the_system_and_office_and_subfolders_are_ignored(project):
    folder = project.add(csv=CSV)
    for name in (".DS_Store", "~$responses.csv", "Thumbs.db", "desktop.ini", "._survey.yaml"):
        (folder / name).write_bytes(b"\0")
    (folder / "oud").mkdir()
    (folder / "factsheet.md").write_text("---\n---\n")
    (survey,) = project.load()
    assert survey.has_responses


def test_fewer_invited_than_respondents_is_an_error(project):
    # invited: 10 with 1537 respondents was published as "15.370,0% respons"
    project.add(yaml=SURVEY_YAML.replace("invited: 100", "invited: 1"), csv=CSV)
    assert load_error(project) == (f"{D}/survey.yaml:5: invited: 1 is fewer than the 2 respondents in {D}/responses.csv "
                                   "(expected the number of panel members invited, at least 2)")


def test_as_many_invited_as_respondents_is_fine(project):
    project.add(yaml=SURVEY_YAML.replace("invited: 100", "invited: 2"), csv=CSV)
    (survey,) = project.load()
    assert survey.invited == len(survey.responses) == 2


def test_invited_is_not_compared_before_responses_arrive(project):
    project.add(yaml=SURVEY_YAML.replace("invited: 100", "invited: 1"))
    (survey,) = project.load()
    assert not survey.has_responses

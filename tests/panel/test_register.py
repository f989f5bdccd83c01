import datetime as dt

import pytest

from panelsite.errors import DataError

HEADER = "member_id,leeftijd,wijk,joined,left\n"
FILE = "content/x/panel/members.csv"


def problems(project, text) -> list[str]:
    with pytest.raises(DataError) as info:
        project.register(text)
    return [str(p) for p in info.value.problems]


def test_reads_the_collector_export(project):
    # extra profile fields are ignored; the formula guard ' is undone; an empty background value is unknown
    register = project.register(
        "member_id,leeftijd,wijk,nieuwsbrief,joined,left\n"
        "m1,jong,A,ja,2024-01-15,\n"
        "m2,OUD,,'-,2024-02-01,2024-05-01\n"
        "m3,oud,c,,03-04-2024,\n"
        "\n"
    )
    members = register.members
    assert list(members.member_id) == ["m1", "m2", "m3"]
    assert list(members.leeftijd) == ["jong", "oud", "oud"]
    assert list(members.wijk.astype(object).fillna("?")) == ["A", "?", "C"]
    assert members.joined[2].date() == dt.date(2024, 4, 3)
    assert register.date == dt.date(2024, 5, 1)  # the latest joined or left date
    assert list(register.active_on(dt.date(2024, 5, 1))) == [True, False, True]  # left on that day: not active
    assert list(register.active_on(dt.date(2024, 4, 30))) == [True, True, True]


@pytest.mark.parametrize("column", ["naam", "Name", "email", "E-mail", "e_mail", "Telefoonnummer"])
def test_personal_data_is_rejected(project, column):
    assert problems(project, f"member_id,{column},leeftijd,wijk,joined,left\nm1,x,jong,A,2024-01-01,\n") == [
        f"{FILE}: row 1: {column}: holds personal data (expected no names, e-mail addresses, phone numbers or "
        "addresses in the member register: export it with python build.py export <slug> members, which leaves them out)"
    ]


def test_missing_columns(project):
    assert problems(project, "member_id,leeftijd,wijken,joined\nm1,jong,A,2024-01-01\n") == [
        f'{FILE}: row 1: wijk: missing column (did you mean "wijken"?) (expected a column wijk: the population '
        "figures have this variable)",
        f"{FILE}: row 1: left: missing column (expected a column left: every member needs it)",
    ]


def test_every_bad_cell_is_reported_at_once(project):
    assert problems(project, HEADER + "m1,jong,A,2024-01-01,\n"
                                      "m1,middel,D,2024-13-01,\n"
                                      ",oud,A,1-2-24,2024-01-01\n"
                                      "m4,oud,A,2024-03-01,2024-02-01\n"
                                      "m5,oud,A,,\n"
                                      "m6,oud,A\n") == [
        f'{FILE}: row 3: member_id: duplicate member_id "m1" (also on row 2)',
        f'{FILE}: row 3: leeftijd: "middel" is not a category of leeftijd in the population figures '
        "(expected one of jong, oud, or empty when unknown)",
        f'{FILE}: row 3: wijk: "D" is not a category of wijk in the population figures '
        "(expected one of A, B, C, or empty when unknown)",
        f'{FILE}: row 3: joined: "2024-13-01" is not a date (expected YYYY-MM-DD, e.g. 2024-03-04)',
        f"{FILE}: row 4: member_id: empty member_id (expected a unique id for each member)",
        f'{FILE}: row 4: joined: "1-2-24" is not a date (expected YYYY-MM-DD, e.g. 2024-03-04)',
        f"{FILE}: row 5: left: 2024-02-01 is before joined 2024-03-01 (expected a date on or after the date "
        "the member joined)",
        f"{FILE}: row 6: joined: empty date (expected the date the member joined, as YYYY-MM-DD)",
        f"{FILE}: row 7: has 3 cells (expected 5, one per column in the header row)",
    ]


def test_did_you_mean_for_a_category(project):
    assert problems(project, HEADER + "m1,jong,A,2024-01-01,\nm2,ouf,A,2024-01-01,\n") == [
        f'{FILE}: row 3: leeftijd: "ouf" is not a category of leeftijd in the population figures '
        '(did you mean "oud"?) (expected one of jong, oud, or empty when unknown)'
    ]


def test_empty_file_and_no_members(project):
    assert problems(project, "") == [
        f"{FILE}: the file is empty (expected a header row: member_id, leeftijd, wijk, joined, left)"]
    assert problems(project, HEADER) == [
        f"{FILE}: has no members (expected one row per member below the header row)"]


def test_semicolons_and_windows_1252(project):
    register = project.register("member_id;leeftijd;wijk;joined;left\r\nm1;jong;A;2024-01-01;\r\n".encode("cp1252"))
    assert list(register.members.member_id) == ["m1"]

"""Schema options keep text as the editor wrote it and quote it that way in messages."""

from __future__ import annotations

import pytest

from panelsite.config import schema as s
from panelsite.config import yamlfile

F = "municipalities/teststad.yaml"

SCHEMA = s.Mapping({
    "text": s.Str(),
    "count": s.Int(min=0),
    "ratio": s.Float(),
    "flag": s.Bool(),
    "status": s.Choice(["A", "B"]),
    "day": s.Date(),
    "labels": s.DictOf(s.Str()),
    "codes": s.ListOf(s.Str()),
})


def check(text: str):
    record, problems = s.validate(SCHEMA, yamlfile.parse(text, F))
    return record, [str(p) for p in problems]


@pytest.mark.parametrize("written", [
    "0701234567",  # YAML 1.1: the octal number 117782903
    "0598123456",
    "070",
    "1234",
    "8.30",        # the float 8.3
    "9.800",
    "1_000",       # the int 1000
    "0x1F",
    "No",          # false
    "on",
    "2026-01-01",  # a date
    "12:30",       # sexagesimal 750
    ".inf",
])
def test_text_keeps_unquoted_values_as_written(written):
    record, problems = check(f"text: {written}\nlabels:\n  nee: {written}\ncodes: [{written}]\n")
    assert problems == []
    assert (record.text, record.labels["nee"], record.codes) == (written, written, [written])


def test_a_mapping_is_still_not_text():
    assert check("text: {a: 1}\n")[1] == [f"{F}:1: text: {{'a': 1}} is not text (expected text)"]


def test_text_built_without_yaml_source_still_accepts_numbers():
    ctx = s.Context(yamlfile.Located({"text": 12}, F))
    assert s.Str().check(12, "text", ctx) == "12" and ctx.problems == []


@pytest.mark.parametrize("written,message", [
    ("9.800", '"9.800" is not a whole number; write whole numbers without a thousands separator: 9800'),
    ("1.234.567", '"1.234.567" is not a whole number; write whole numbers without a thousands separator: 1234567'),
    ("9.8", "9.8 is not a whole number"),
    ("tien", '"tien" is not a whole number'),
])
def test_whole_numbers_quote_what_was_written(written, message):
    assert check(f"count: {written}\n")[1] == [f"{F}:1: count: {message} (expected a whole number of at least 0)"]


@pytest.mark.parametrize("text,message", [
    ("flag: nee\n", 'flag: "nee" is not true or false (expected true or false)'),
    ("status: No\n", 'status: "No" is not allowed (expected one of A, B)'),
    ("ratio: Yes\n", 'ratio: "Yes" is not a number (expected a number)'),
    ("day: 20260101\n", "day: 20260101 is not a date (expected a date like 2026-03-31)"),
    ("day: 017\n", 'day: "017" is not a date (expected a date like 2026-03-31)'),
])
def test_messages_quote_the_value_as_written(text, message):
    assert check(text)[1] == [f"{F}:1: {message}"]


def test_show_prefers_the_written_text():
    assert s._show(False, "No") == '"No"'
    assert s._show(9.8, "9.800") == '"9.800"'
    assert s._show(3, "3") == "3"
    assert s._show(False) == "False"


def test_phone_number_reaches_the_site_as_written(project, capsys):
    project.edit(F, "  email: panel@teststad.nl\n", "  email: panel@teststad.nl\n  phone: 0701234567\n")
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    footer = (project.out / "teststad" / "index.html").read_text(encoding="utf-8")
    assert ">0701234567</a>" in footer and "117782903" not in footer


def test_colour_written_without_quotes_stops_the_build_at_its_line(project, capsys):
    project.edit(F, 'primary: "#0b5394"', "primary: #0b5394")
    code, err = project.run("build", capsys=capsys)
    assert code == 2
    assert (f'error: {F}:5: brand.primary: everything after # is a comment in YAML, so this has no value; '
            'put it in quotes: primary: "#0b5394"') in err.splitlines()

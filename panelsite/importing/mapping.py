"""``import.yaml``: what the import cannot work out by itself, declared like every other input.

It lives beside the survey (``content/<slug>/surveys/<id>/import.yaml``) or is named with
``--mapping``. Every key is checked with file, line and key in the message; whether the
columns and targets it names exist is checked against the file being imported
(:mod:`panelsite.importing.matching`), with the line of the key that names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from panelsite.config import schema as s
from panelsite.config import yamlfile
from panelsite.config.yamlfile import Located
from panelsite.errors import ConfigError, relpath
from panelsite.surveys.definition import OptionalMapping, to_code


class Recodes(s.Option):
    """``{M: man, V: vrouw}``: a value in the file → the code or category it stands for, as written."""

    expected = "a mapping of value in the file: code or category, like {M: man, V: vrouw}"

    def __init__(self, **kw):
        kw.setdefault("default", dict)
        super().__init__(**kw)

    def convert(self, value, path, ctx):
        if not isinstance(value, dict):
            raise s.Invalid(f"{s._show(value)} is not a mapping")
        out = {}
        for source, target in value.items():
            written = ctx.written(f"{path}.{source}")
            if target is None or isinstance(target, (dict, list)):
                ctx.report(
                    f"{path}.{source}", f"{s._show(target)} is not a code or category (expected text or a number)"
                )
                continue
            out[str(source).strip()] = written if written is not None else str(target).strip()
        return out

    def json_type(self):
        return {"type": "object", "additionalProperties": {"type": s.SCALAR_TEXT}}


MAPPING = s.Mapping(
    {
        "columns": s.DictOf(
            s.Str(min_length=1, expected="a question id, an option column like q3_2, a background variable, or drop"),
            help="Column in the file → question id, option column of a multi question (q3_2), background variable, "
            "or drop.",
        ),
        "background": s.ListOf(
            s.Str(min_length=1),
            help="Columns that hold background variables; each is matched to a population variable by its values.",
        ),
        "recode": s.DictOf(
            Recodes(),
            help="Per question or background variable: value in the file → code or category, like {M: man, V: vrouw}.",
        ),
        "age": OptionalMapping(
            {
                "column": s.Str(help="Column with the age in years."),
                "birth_year": s.Str(help="Column with the year of birth (or the date of birth), instead of column."),
                "variable": s.Str(
                    help="The population variable with the age bands; default: the one whose categories are age bands."
                ),
                "reference_year": s.Int(
                    min=1900,
                    max=2200,
                    help="Year an age is reckoned in from a birth year; default: the year fieldwork started.",
                ),
            },
            help="Age or year of birth to the municipality's age bands.",
        ),
        "postcode": OptionalMapping(
            {
                "column": s.Str(required=True, help="Column with the postcode (4 digits, or 4 digits and 2 letters)."),
                "variable": s.Str(required=True, help="The population variable it gives, like wijk."),
                "lookup": s.FilePath(
                    required=True,
                    suffixes=(".csv",),
                    help="CSV beside import.yaml: a postcode column and a column named like the variable.",
                ),
            },
            help="Postcode to district (or any area variable) through a lookup table.",
        ),
        "identifying": s.ListOf(s.Str(min_length=1), help="More columns to drop because they can identify a person."),
        "completed": s.Str(
            help="Column that is empty, 0 or false for a respondent who did not finish (default: the tool's own)."
        ),
        "header_row": s.Int(
            min=1,
            help="Row with the column names (Excel and CSV); default: the first row about as wide as the table "
            "(a title above it is skipped).",
        ),
    }
)


MAPPING.options[
    "columns"
].expected = "a mapping of column: question id, option column (q3_2), background variable or drop"
MAPPING.options[
    "recode"
].expected = "per question or background variable a mapping of value in the file: code or category"


@dataclass
class Mapping:
    record: s.Record
    located: Located | None
    folder: Path | None
    display: str = ""

    def problem(self, path: str, message: str):
        return self.located.problem(path, message)

    def recode(self, target: str) -> dict:
        return (self.record.get("recode") or {}).get(target) or {}


def empty() -> Mapping:
    """The mapping of an import without import.yaml: everything is inferred."""
    located = Located({}, "import.yaml")
    record, _ = s.validate(MAPPING, located)
    return Mapping(record, located, None)


def load(path: Path, root: Path) -> Mapping:
    display = relpath(path, root)
    located = yamlfile.load(path, display)
    record, problems = s.validate(MAPPING, located, base_dir=path.parent)
    age = record.get("age")
    if age and age.column and age.birth_year:
        problems.append(
            located.problem(
                "age.birth_year", "give either column (the age) or birth_year, not both (expected one of them)"
            )
        )
    elif age is not None and not (age.column or age.birth_year):
        problems.append(located.problem("age", "needs column (the age in years) or birth_year (expected one of them)"))
    if problems:
        raise ConfigError(problems)
    return Mapping(record, located, path.parent, display)


def code_of(text: str):
    """A recode target as a code: "1" → 1, "man" stays "man"."""
    return to_code(text)

"""survey.yaml: the schema, the Survey and Question objects, and cross-checks.

The schema (``SURVEY``) checks each key on its own; ``check_survey`` then checks
what needs several keys or the municipality: weighting and breakdown variables
exist in the population figures, question ids are unique, options are present
where a type needs them, filters name known questions and codes.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelsite.config import schema as s
from panelsite.config.kept import Pickled
from panelsite.config.yamlfile import Located
from panelsite.errors import Problem, did_you_mean
from panelsite.surveys import filters

if TYPE_CHECKING:  # the responses are a DataFrame, but loading a definition needs no pandas
    import pandas as pd

THEMES = {
    "afval": "Afval",
    "openbare-ruimte": "Openbare ruimte",
    "leefbaarheid": "Leefbaarheid",
    "mobiliteit": "Mobiliteit",
    "mantelzorg": "Mantelzorg",
    "eenzaamheid": "Eenzaamheid",
    "veiligheid": "Veiligheid",
    "duurzaamheid": "Duurzaamheid",
    "sociaal-domein": "Sociaal domein",
    "dienstverlening": "Dienstverlening",
    "kerntaken": "Kerntaken van de gemeente",
    "demografische-ontwikkeling": "Bevolkingsontwikkeling",
    "gebiedsontwikkeling": "Dorps-, stads- en gebiedsontwikkeling",
    "openingstijden": "Openingstijden van het gemeentehuis",
    "recreatie-en-toerisme": "Recreatie en toerisme",
    "economie-en-ondernemen": "Economie en ondernemen",
    "informatie-over-zorg": "Informatie over zorg",
    "vrijwilligerswerk": "Vrijwilligerswerk",
    "inwonersinitiatieven": "Inwonersinitiatieven",
    "welzijn": "Welzijn",
    "overig": "Overig",
}

TYPES = ("single", "multi", "scale", "grade", "number", "open")
WITH_OPTIONS = ("single", "multi", "scale")
WITH_MISSING = ("single", "scale", "grade", "number")
GRADES = range(1, 11)

SLUG = r"[a-z0-9][a-z0-9-]*"


class Codes(s.Option):
    """A mapping of answer code to label. YAML keys arrive as text; "1" becomes 1."""

    expected = "a mapping of code: label, like {1: Ja, 2: Nee}"

    def __init__(self, **kw):
        kw.setdefault("default", dict)
        super().__init__(**kw)

    def convert(self, value, path, ctx):
        if not isinstance(value, dict):
            raise s.Invalid(f"{s._show(value)} is not a mapping")
        out: dict = {}
        for key, label in value.items():
            # A label is text as the editor wrote it: "No" (not False), "0700" (not the octal 448).
            written = ctx.written(f"{path}.{key}")
            if written is not None and label is not None and not isinstance(label, (dict, list)):
                label = written
            if label is None or isinstance(label, (dict, list, bool)):
                ctx.report(f"{path}.{key}", f"{s._show(label)} is not a label (expected text)")
                continue
            text = str(label).strip()
            if len(text) > s.MAX_LENGTH:
                ctx.report(f"{path}.{key}", f"is {len(text):,} characters long (expected a label of at most "
                                            f"{s.MAX_LENGTH:,})")
                continue
            out[to_code(key)] = text
        return out

    def json_type(self):
        return {"type": "object", "additionalProperties": {"type": s.SCALAR_TEXT, "description": "The label."}}


class CodeList(s.Option):
    """``key: [4, 5]`` or ``key: 1``: the codes a question's key figure adds up."""

    expected = "a list of option codes, like [4, 5]"

    def convert(self, value, path, ctx):
        items = value if isinstance(value, list) else [value]
        if not items or any(isinstance(v, (dict, list, bool)) or v is None for v in items):
            raise s.Invalid(f"{s._show(value)} is not a list of codes")
        return [to_code(v) for v in items]

    def json_type(self):
        code = {"type": ["integer", "string", "number"]}
        return {"anyOf": [code, {"type": "array", "items": code, "minItems": 1}]}


class OptionalMapping(s.Mapping):
    """A mapping that may be left out entirely (then it is None)."""

    def check(self, value, path, ctx):
        if value is None:
            return None
        return super().check(value, path, ctx)


# The largest number answer (either sign) a number question takes when survey.yaml sets no min or
# max: a typo of 25 digits would otherwise become a published mean of sextillions.
NUMBER_LIMIT = 1e9


def _fieldwork_order(record, path, ctx):
    if record.start and record.end and record.end < record.start:
        ctx.report(f"{path}.end",
                   f"{record.end} is before the start {record.start} (expected a date on or after the start)")


QUESTION = s.Mapping(
    {
        "id": s.Str(
            required=True,
            pattern=r"[A-Za-z][A-Za-z0-9]*",
            expected="an id of letters and digits like q1 (no underscore: q2_3 names option 3 of multi question q2)",
            help="Column name in responses.csv; unique within the survey.",
        ),
        "text": s.Str(required=True, min_length=1, help="The question as it was asked."),
        "type": s.Choice(TYPES, required=True, help="How answers are stored and reported."),
        "options": Codes(help="Answer codes and labels (single, multi, scale), in display order."),
        "missing": Codes(help='Codes that mean no real answer, like {9: Weet niet}; reported separately.'),
        "filter": s.Str(help="Who was asked: a condition like q0 == 1; the base is those respondents."),
        "subject": s.Str(max_length=200, help='Short phrase for Dutch summary sentences, like "de afvalinzameling".'),
        "unit": s.Str(max_length=40, help="Unit of a number question, like km."),
        "min": s.Float(help="Smallest answer a number question takes (the form and responses.csv are checked)."),
        "max": s.Float(help="Largest answer a number question takes (the form and responses.csv are checked)."),
        "decimals": s.Int(min=0, max=6, help="Most digits after the decimal comma in an answer to a number question."),
        "key": CodeList(help="Codes summed for the key figure (trends, highlights); overrides the default."),
    }
)

SURVEY = s.Mapping(
    {
        "title": s.Str(required=True, min_length=1, help="Title shown on the site."),
        "theme": s.Str(
            required=True,
            pattern=SLUG,
            expected=f"one of {', '.join(THEMES)}, or a theme of the municipality's own (themes in its YAML)",
            help="One of the fixed themes, or one the municipality adds under themes.",
        ),
        "series": s.Str(
            pattern=SLUG,
            expected="a lowercase name like afvalmonitor",
            help="Rounds of one series are compared over time.",
        ),
        "fieldwork": s.Mapping(
            {
                "start": s.Date(required=True, help="First day of fieldwork."),
                "end": s.Date(required=True, help="Last day of fieldwork."),
                "grace": s.Int(min=0, max=168, default=0,
                               help="Hours after the end of the last day that late answers are still taken."),
            },
            required=True,
            validator=_fieldwork_order,
            help="When the questionnaire was open.",
        ),
        "invited": s.Int(required=True, min=1, help="Number of panel members invited."),
        "publish_on": s.Date(required=True, help="Embargo: results are not published before this date."),
        "collect": s.Bool(default=False, help="Generate a questionnaire form for online collection."),
        "draft": s.Bool(default=False, help="Leave the survey out of the site (results, factsheet, questionnaire) "
                                            "until this line is removed; --drafts shows it with a banner. "
                                            "python build.py new survey starts every survey as a draft."),
        "summary": s.Str(help="Optional one-paragraph introduction."),
        "weighting": OptionalMapping(
            {
                "by": s.ListOf(s.Str(), required=True, min_items=1, help="Population variables to weight by."),
                "cap": s.Float(min=1, default=5.0, help="Largest weight as a multiple of the mean weight."),
            },
            help="Raking to the population figures; leave out for unweighted results.",
        ),
        "breakdowns": s.ListOf(s.Str(), help="Population variables to break results down by."),
        "questions": s.ListOf(QUESTION, required=True, min_items=1, help="The questions, in order."),
    }
)
SURVEY.options["weighting"].options["cap"].expected = "a number of at least 1, like 5"


def themes_of(municipality) -> dict[str, str]:
    """Theme id → Dutch label: the fixed themes, then the municipality's own (``themes`` in its YAML)."""
    return {**THEMES, **(getattr(municipality, "themes", None) or {})}


def to_code(value: Any) -> int | str:
    """Codes are whole numbers where they look like one ("1" → 1), else text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


@dataclass
class Question:
    id: str
    text: str
    type: str
    options: dict  # code (int | str) -> label, in display order
    missing: dict  # code -> label of codes meaning "no real answer"
    filter: filters.Filter | None  # parsed; .source holds the text as written
    subject: str | None = None
    unit: str | None = None
    key: list | None = None  # explicit key codes from YAML, or None
    min: float | None = None  # number questions: the range an answer must be in, and
    max: float | None = None
    decimals: int | None = None  # the most digits after the decimal comma

    @property
    def bounds(self) -> tuple[float, float]:
        """The smallest and largest answer a number question accepts (missing codes aside): its own
        min and max, else ±NUMBER_LIMIT."""
        return (-NUMBER_LIMIT if self.min is None else self.min, NUMBER_LIMIT if self.max is None else self.max)

    @property
    def columns(self) -> list[str]:
        """The response columns holding this question."""
        if self.type == "multi":
            return [f"{self.id}_{code}" for code in self.options]
        return [self.id]

    @property
    def top2_codes(self) -> list:
        """The two highest option codes of a scale question."""
        return sorted(self.options)[-2:] if self.type == "scale" else []

    @property
    def key_codes(self) -> list:
        """Codes whose share is the key figure: ``key`` if set; else top-2 for scale
        and the first option for single and multi."""
        if self.type not in WITH_OPTIONS:
            return []
        if self.key:
            return list(self.key)
        return self.top2_codes if self.type == "scale" else list(self.options)[:1]

    @property
    def key_stat(self) -> str | None:
        """What the key figure is: "pct" (share of key codes), "mean" or None (open)."""
        if self.type in WITH_OPTIONS:
            return "pct"
        return "mean" if self.type in ("grade", "number") else None


def question_numbers(questions) -> dict[str, str]:
    """Question id → its number as residents see it, the same on the form, on paper and on the
    results page: "1", "2" …; a question asked only to some (a ``filter``) takes the number
    of the question before it and a letter ("4a", "4b"), so the numbers never skip when the
    online form hides it."""
    numbers: dict[str, str] = {}
    number, letter = 0, 0
    for q in questions:
        if q.filter is not None and number:
            letter += 1
            numbers[q.id] = f"{number}{chr(ord('a') + letter - 1)}"
        else:
            number, letter = number + 1, 0
            numbers[q.id] = str(number)
    return numbers


class QuestionsByNumber:
    """What a survey's definition and a loaded survey share: their questions, numbered and by id."""

    questions: list[Question]

    @property
    def numbers(self) -> dict[str, str]:
        return question_numbers(self.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class SurveyDefinition(QuestionsByNumber):
    """A survey as its survey.yaml defines it, without responses: what the collector needs
    for a questionnaire (see loader.load_definitions)."""

    id: str
    title: str
    theme: str
    fieldwork_start: _dt.date
    fieldwork_end: _dt.date
    invited: int
    publish_on: _dt.date
    collect: bool
    summary: str | None
    questions: list[Question]
    yaml_file: str = ""  # display path of survey.yaml
    fieldwork_grace: int = 0  # hours after the last day that answers are still taken (surveys.fieldwork)


@dataclass
class Survey(QuestionsByNumber):
    id: str
    title: str
    theme: str
    theme_label: str
    series: str | None
    fieldwork_start: _dt.date
    fieldwork_end: _dt.date
    invited: int
    publish_on: _dt.date
    collect: bool
    summary: str | None
    weighting: Any  # Record(by=[...], cap=5.0) or None
    breakdowns: list[str]
    questions: list[Question]
    response_table: Pickled | None = field(repr=False)  # (None: no responses.csv) see responses below
    source_dir: Path
    source_hash: str
    yaml_file: str = ""  # display path of survey.yaml
    csv_file: str = ""  # display path of responses.csv
    has_responses: bool = False
    located: Located | None = field(default=None, repr=False)  # for errors found later
    fieldwork_grace: int = 0  # hours after the last day that answers are still taken (surveys.fieldwork)
    draft: bool = False  # left out of the site unless the build runs with --drafts

    @property
    def responses(self) -> pd.DataFrame:
        """The normalised responses (surveys.responses); no rows when there is no responses.csv.

        Read back from the build cache (loader.py), the table is unpickled, and pandas imported,
        only here: a build that renders none of the survey's pages does neither.
        """
        if self.response_table is None:
            from panelsite.surveys.responses import empty_responses

            self.response_table = Pickled(empty_responses(self.questions))
        return self.response_table.value

    def problem(self, path: str, message: str) -> Problem:
        """A problem pointing at a key of survey.yaml."""
        if self.located is not None:
            return self.located.problem(path, message)
        return Problem(self.yaml_file, message, key=path)


def check_survey(record, located: Located, municipality) -> tuple[list[Question], list[Problem]]:
    """Cross-checks of a schema-valid survey.yaml; returns the questions and problems."""
    problems: list[Problem] = []
    report = lambda path, msg: problems.append(located.problem(path, msg))  # noqa: E731
    variables = dict(municipality.population.variables)
    known = ", ".join(variables)

    weighting = record.get("weighting") or {}
    for i, name in enumerate(weighting.get("by") or []):
        if name and name not in variables:
            report(
                f"weighting.by.{i}",
                f'"{name}" is not a variable in the population '
                f"figures{did_you_mean(name, variables)} (expected one of {known})",
            )
    for i, name in enumerate(record.get("breakdowns") or []):
        if name and name not in variables:
            report(
                f"breakdowns.{i}",
                f'"{name}" is not a variable in the population '
                f"figures{did_you_mean(name, variables)} (expected one of {known})",
            )

    themes = themes_of(municipality)
    if record.get("theme") and record.theme not in themes:
        report(
            "theme",
            f'"{record.theme}" is not a theme{did_you_mean(record.theme, themes)} (expected one of '
            f"{', '.join(themes)}, or add it under themes in the municipality's YAML)",
        )

    questions: list[Question] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(record.get("questions") or []):
        if not raw or not raw.get("id") or not raw.get("type"):
            continue
        path = f"questions.{i}"
        qid = raw.id
        if qid in seen:
            report(f"{path}.id", f'duplicate question id "{qid}" (also questions.{seen[qid]}; expected a unique id)')
            continue
        seen[qid] = i
        if qid in variables or qid == "respondent_id":
            report(
                f"{path}.id", f'"{qid}" is also the name of a background variable (expected a different question id)'
            )
        _check_codes(raw, path, report)
        # Kept even when its codes have problems, so filters naming it are still checked.
        questions.append(
            Question(qid, raw.text, raw.type, raw.options, raw.missing, None, raw.subject, raw.unit, raw.key,
                     min=raw.min, max=raw.max, decimals=raw.decimals)
        )

    by_id = {q.id: q for q in questions}
    for i, raw in enumerate(record.get("questions") or []):
        if raw and raw.get("filter") and seen.get(raw.get("id")) == i:
            question = by_id[raw.id]
            question.filter = _check_filter(raw.filter, question, by_id, f"questions.{i}.filter", report)
    return questions, problems


def _check_codes(raw, path: str, report) -> None:
    qtype = raw.type
    if qtype in WITH_OPTIONS and not raw.options:
        report(
            f"{path}.options",
            f"is required for a {qtype} question (expected a mapping of code: label, like {{1: Ja, 2: Nee}})",
        )
    if qtype not in WITH_OPTIONS and raw.options:
        report(
            f"{path}.options", f"a {qtype} question has no options (expected options only for single, multi and scale)"
        )
    if qtype not in WITH_MISSING and raw.missing:
        report(
            f"{path}.missing",
            f"a {qtype} question has no missing codes (expected missing only for single, scale, grade and number)",
        )
    if qtype == "scale" and any(not isinstance(c, int) for c in raw.options):
        report(
            f"{path}.options",
            "a scale needs whole-number codes ordered from low to high (expected codes like 1, 2, 3, 4, 5)",
        )
    if qtype in ("grade", "number") and any(not isinstance(c, int) for c in raw.missing):
        report(f"{path}.missing", f"a {qtype} question needs numeric missing codes (expected a code like 99)")
    for code in raw.missing:
        if code in raw.options:
            report(
                f"{path}.missing.{code}",
                f"code {code} is both an option and a missing code (expected a code not among the options)",
            )
        if qtype == "grade" and code in GRADES:
            report(
                f"{path}.missing.{code}", f"code {code} is also a valid grade (expected a code outside 1–10, like 99)"
            )
    labels: dict[str, Any] = {}
    for code, label in {**raw.options, **raw.missing}.items():
        if label.lower() in labels:
            report(
                f"{path}.options",
                f'label "{label}" is used for codes {labels[label.lower()]} and {code} '
                "(expected a different label per code)",
            )
        labels[label.lower()] = code
    for bound in ("min", "max", "decimals"):
        if raw.get(bound) is not None and qtype != "number":
            report(f"{path}.{bound}", f"a {qtype} question has no {bound} (expected min, max and decimals only for "
                                      "number questions)")
    if qtype == "number" and raw.get("min") is not None and raw.get("max") is not None and raw.min > raw.max:
        report(f"{path}.max",
               f"{raw.max:g} is below min {raw.min:g} (expected a largest answer of at least {raw.min:g})")
    if raw.key:
        if qtype not in WITH_OPTIONS:
            report(
                f"{path}.key", f"a {qtype} question has no key codes (expected key only for single, multi and scale)"
            )
        else:
            for code in raw.key:
                if code not in raw.options:
                    report(
                        f"{path}.key", f"{code!r} is not an option code (expected codes among {_codes(raw.options)})"
                    )


def _check_filter(text: str, question: Question, by_id: dict, path: str, report) -> filters.Filter | None:
    try:
        parsed = filters.parse(text)
    except filters.FilterSyntaxError as exc:
        report(
            path,
            f'cannot read filter "{text}": {exc} '
            "(expected conditions like q1 == 1, q2 in [1, 2] or q3_1 == 1, joined with and/or)",
        )
        return None
    ok = True
    for cmp in parsed.comparisons():
        target, codes = _filter_target(cmp.name, by_id)
        if target is None:
            known = [c for q in by_id.values() for c in q.columns]
            report(
                path,
                f'filter names unknown question "{cmp.name}"{did_you_mean(cmp.name, known)} '
                "(expected a question id of this survey)",
            )
            ok = False
            continue
        if target.id == question.id:
            report(path, f"filter refers to {question.id} itself (expected a condition on an earlier question)")
            ok = False
        elif target.type == "multi" and cmp.name == target.id:
            report(
                path,
                f"filter names multi question {target.id} (expected one of its option columns, "
                f"like {target.columns[0]} == 1)",
            )
            ok = False
        elif target.type == "open":
            report(path, f"filter names open question {target.id} (expected a question with codes or numbers)")
            ok = False
        elif cmp.op in filters.ORDERING and target.type in ("single", "multi"):
            report(
                path,
                f'filter uses "{cmp.op}" on {cmp.name}, a {target.type} question '
                "(expected ==, != or in; >, <, >= and <= work for scale, grade and number)",
            )
            ok = False
        elif codes is not None:
            for value in cmp.values:
                if value not in codes:
                    report(
                        path,
                        f"filter compares {cmp.name} with {value!r}, which is not a code of {cmp.name} "
                        f"(expected one of {_codes(codes)})",
                    )
                    ok = False
    return parsed if ok else None


def _filter_target(name: str, by_id: dict):
    """The question a filter name refers to, and the codes it may be compared with."""
    if name in by_id:
        q = by_id[name]
        if q.type in ("single", "scale"):
            return q, list(q.options) + list(q.missing)
        return q, None  # grade and number: any number may be compared
    qid, _, code = name.rpartition("_")
    q = by_id.get(qid)
    if q is not None and q.type == "multi" and to_code(code) in q.options:
        return q, [0, 1]
    return None, None


def _codes(codes) -> str:
    return ", ".join(str(c) for c in codes)

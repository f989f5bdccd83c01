"""Every value of a matched column to the code or category responses.csv holds.

Each distinct value is converted once (answers repeat a lot) and spread over the rows with
numpy, which keeps a 50,000-row file quick. The rules, per target:

* single and scale: an SPSS value label or an Excel/Qualtrics/LimeSurvey answer text is
  matched to the option labels of survey.yaml (so codes that differ are recoded by label);
  a bare code must be one of survey.yaml's; a user-missing SPSS value becomes the question's
  missing code with the same code or label, or empty when survey.yaml has none for it;
* grade and number: numbers (``12,5`` and ``12.5``), a grade 1 to 10, or a missing code;
* multi: one 0/1 column per option from 1/0 (also ``1.0``, ``Y``, ``ja``, the option's own
  label, the code of the option); where a respondent ticked anything, an empty cell of the
  same question is 0; where nothing at all, the question was not answered (empty);
* background: the population category by value label or text (age bands compared as years),
  an age in years or a year of birth to the age band, a postcode through the lookup table.

A value that fits none of these is an error with its row and column; ``recode`` in
import.yaml gives the code for values the rules cannot know (``{M: man, V: vrouw}``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from panelsite.errors import Problem, more_problems
from panelsite.importing import matching as m
from panelsite.importing.table import SourceColumn, SourceTable
from panelsite.importing.words import NOT_SHOWN, TICKED, UNTICKED, band_of, best_match, norm, same_category, similar
from panelsite.surveys.definition import Question, to_code
from panelsite.surveys.responses import parse_number

MAX_PROBLEMS = 50
OTHER_WORDS = ("anders", "other", "overig", "iets anders")


class Bad(ValueError):
    """A value that cannot be converted; the message says why and what was expected."""


@dataclass
class Converted:
    columns: dict[str, np.ndarray]                         # responses.csv column → values (NaN / None: empty)
    texts: list[tuple[str, str, np.ndarray]] = field(default_factory=list)  # (question or column, source column, texts)
    recodes: Counter = field(default_factory=Counter)  # (column, value, becomes, why) → rows
    problems: list[Problem] = field(default_factory=list)


class Problems:
    """Keeps the first problems in row order and counts the rest (one "… and N more" line)."""

    def __init__(self, file: str):
        self.file, self.kept, self.total = file, [], 0

    def add(self, row, column: str | None, message: str) -> None:
        self.total += 1
        self.kept.append(Problem(self.file, message, row=row, key=column))

    def add_rows(self, rows: np.ndarray, where: np.ndarray, column: str, message) -> None:
        self.total += len(where)
        for i in where[:MAX_PROBLEMS]:
            self.kept.append(Problem(self.file, message(i), row=int(rows[i]), key=column))

    def result(self) -> list[Problem]:
        self.kept.sort(key=lambda p: (p.row is not None, p.row or 0))
        out = self.kept[:MAX_PROBLEMS]
        if self.total > len(out):
            out.append(more_problems(self.file, self.total - len(out)))
        return out


def cell(value):
    """A cell as a Python value: None when empty, whole numbers as int."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if value != value:
            return None
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def shown(value) -> str:
    """A value as the user reads it in a message or the report."""
    v = cell(value)
    return "" if v is None else v.isoformat() if isinstance(v, (_dt.date, _dt.datetime)) else str(v)


class Converter:
    def __init__(self, table: SourceTable, population: dict, mapping, keep: np.ndarray, reference: _dt.date | None):
        self.table, self.population, self.mapping, self.keep = table, population, mapping, keep
        self.rows = table.rows[keep]
        self.reference = reference
        self.problems = Problems(table.file)
        self.recodes: Counter = Counter()
        self.lookup: dict | None = None

    # --- one column -------------------------------------------------------

    def apply(self, column: SourceColumn, output: str, convert, empty) -> np.ndarray:
        """``convert`` each distinct value of the kept rows; returns the converted rows."""
        values = column.values[self.keep]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        results, errors = [], {}
        for i, raw in enumerate(uniques):
            try:
                value, why = convert(raw)
            except Bad as exc:
                value, why = empty, None
                errors[i] = str(exc)
            results.append(value)
            if why:
                count = int(np.count_nonzero(codes == i))
                self.recodes[
                    (column.name, shown(raw), shown(value) if value is not empty and _filled(value) else "(empty)", why)
                ] += count
        if errors:
            where = np.flatnonzero(np.isin(codes, list(errors)))
            self.problems.add_rows(self.rows, where, column.name, lambda i: errors[codes[i]])
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in results)
        if numeric:
            distinct = np.array([*results, empty], dtype=float)
        else:
            distinct = np.empty(len(results) + 1, dtype=object)
            for i, v in enumerate([*results, empty]):
                distinct[i] = v  # one by one: a tuple (options listed in one cell) stays one value
        return distinct[codes] if len(codes) else np.array([], dtype=distinct.dtype)

    # --- the converters ---------------------------------------------------

    def choice(self, q: Question, column: SourceColumn):
        codes = {**q.options, **q.missing}
        recode = self.mapping.recode(q.id)
        by_label = {norm(label): code for code, label in codes.items()}
        by_text = {str(code).lower(): code for code in codes}
        other = next((c for c, label in q.options.items() if norm(label).startswith(OTHER_WORDS)), None)
        listed = ", ".join(str(c) for c in codes)

        def by_its_label(label):
            code = by_label.get(norm(label))
            return code if code is not None else best_match(label, codes, cutoff=0.9)

        def convert(raw):
            v = cell(raw)
            if v is None:
                return np.nan, None
            key = shown(v)
            if key in recode:
                target = recode[key]
                code = to_code(target) if to_code(target) in codes else by_its_label(target)
                if code is None:
                    raise Bad(
                        f'import.yaml recodes "{key}" to "{target}", which is not a code of {q.id} '
                        f"(expected one of {listed})"
                    )
                return code, "import.yaml"
            if isinstance(v, (int, float)):
                if column.is_user_missing(v):
                    return self.user_missing(q, column, v)
                label = column.value_labels.get(v)
                if label is not None:
                    code = by_its_label(label)
                    if code is None and v in codes and similar(label, codes[v]) >= 0.75:
                        code = v
                    if code is None:
                        raise Bad(
                            f'{v} "{label}" is not an option of {q.id} '
                            f"(expected the labels of survey.yaml: {_options(codes)})"
                        )
                    return code, (None if code == v else "value label")
                if v in codes:
                    return v, None
                raise Bad(f"{v} is not an option of {q.id} (expected one of the codes {listed})")
            text = str(v)
            if text.lower() in by_text:
                return by_text[text.lower()], None
            if re.fullmatch(r"-?\d+[.,]0*", text) and int(float(text.replace(",", "."))) in codes:
                return int(float(text.replace(",", "."))), None
            code = by_its_label(text)
            if code is not None:
                return code, "answer text"
            if text == "-oth-" and other is not None:
                return other, "answer text"
            tool = re.fullmatch(r"[A-Za-z]{1,3}0*(\d+)", text)  # LimeSurvey's answer codes A1, A2 … or AO01
            if tool and int(tool.group(1)) in codes:
                return int(tool.group(1)), "answer code"
            raise Bad(f'"{text}" is not an option of {q.id} (expected one of the codes {listed} or their labels)')

        return convert

    def user_missing(self, q: Question, column: SourceColumn, v):
        label = column.value_labels.get(v)
        if v in q.missing:
            return v, None
        code = best_match(label, q.missing, cutoff=0.9) if label else None
        if code is not None:
            return code, "user-missing value"
        return (np.nan, "user-missing value without a missing code in survey.yaml")

    def number(self, q: Question, column: SourceColumn):
        grade = q.type == "grade"
        recode = self.mapping.recode(q.id)
        labels = {norm(label): code for code, label in q.missing.items()}
        miss = ", ".join(str(c) for c in q.missing)
        expected = ("a whole number from 1 to 10" if grade else "a number like 12,5") + (
            f" or a missing code {miss}" if miss else ""
        )

        def convert(raw):
            v = cell(raw)
            if v is None:
                return np.nan, None
            key, why = shown(v), None
            if key in recode:
                v, why = recode[key], "import.yaml"
            if isinstance(v, str):
                number = parse_number(v)
                if number is None:
                    if norm(v) in labels:
                        return labels[norm(v)], "answer text"
                    raise Bad(f'"{v}" is not {"a grade" if grade else "a number"} (expected {expected})')
                v = int(number) if number.is_integer() else number
            if isinstance(v, (_dt.date, _dt.datetime)):
                raise Bad(f"{shown(v)} is a date (expected {expected})")
            if column.is_user_missing(v):
                return self.user_missing(q, column, v)
            if v in q.missing:
                return v, why
            if grade and (not float(v).is_integer() or not 1 <= v <= 10):
                raise Bad(f"{shown(v)} is outside the grades 1 to 10 (expected {expected})")
            return v, why

        return convert

    def flag(self, q: Question, code, column: SourceColumn):
        label = q.options[code]
        recode = {**self.mapping.recode(q.id), **self.mapping.recode(f"{q.id}_{code}")}
        lime = self.table.tool == "LimeSurvey"

        def convert(raw):
            v = cell(raw)
            if v is None:
                return np.nan, None
            if shown(v) in recode:
                v = cell(recode[shown(v)])
            if isinstance(v, (int, float)):
                if column.is_user_missing(v):
                    return np.nan, "user-missing value"
                if v in (0, 1):
                    return float(v), None
                if v == code:
                    return 1.0, "the option's code"
                text = column.value_labels.get(v)
                if text is None:
                    raise Bad(f"{shown(v)} is not 0 or 1 (expected 1 if option {code} of {q.id} was chosen, 0 if not)")
                v = text
            words = norm(v)
            if words in TICKED or words == norm(label) or words == norm(code):
                return 1.0, None if words in ("1",) else "ticked"
            if words in UNTICKED:
                return (np.nan if lime else 0.0), None if words == "0" else "not ticked"
            if words in NOT_SHOWN:
                return np.nan, "not shown"
            if re.fullmatch(r"[01][.,]0*", str(v)):
                return float(str(v)[0]), None
            raise Bad(
                f'"{v}" is not a tick for option {code} ("{label}") of {q.id} (expected 1 or 0, ja or nee, '
                f"or the option's label)"
            )

        return convert

    def category(self, variable: str, column: SourceColumn):
        categories = list(self.population[variable])
        from panelsite.importing.words import age_bands

        bands = age_bands(categories)
        recode = self.mapping.recode(variable)
        listed = ", ".join(categories)

        def find(text):
            return next((c for c in categories if same_category(text, c, bands)), None)

        def convert(raw):
            v = cell(raw)
            if v is None:
                return None, None
            key = shown(v)
            if key in recode:
                found = find(recode[key])
                if found is None:
                    raise Bad(
                        f'import.yaml recodes "{key}" to "{recode[key]}", which is not a category of {variable} '
                        f"(expected one of {listed})"
                    )
                return found, "import.yaml"
            if isinstance(v, (int, float)) and column.is_user_missing(v):
                return None, "user-missing value"
            label = column.value_labels.get(v) if isinstance(v, (int, float)) else None
            for text, why in ((label, "value label"), (key, None if key in categories else "text")):
                if text is not None:
                    found = find(text)
                    if found is not None:
                        return found, why
            shown_value = f'{key} "{label}"' if label else f'"{key}"'
            raise Bad(
                f"{shown_value} is not a category of {variable} in the population figures (expected one of "
                f"{listed}; or give it under recode: {variable}: in import.yaml)"
            )

        return convert

    def age(self, variable: str, column: SourceColumn, from_birth: bool):
        categories = list(self.population[variable])
        from panelsite.importing.words import age_bands

        bands = age_bands(categories)
        listed = ", ".join(categories)
        reference = self.reference
        year = (
            self.mapping.record.age.reference_year
            if self.mapping.record.age and self.mapping.record.age.reference_year
            else reference.year
            if reference
            else _dt.date.today().year
        )

        def convert(raw):
            v = cell(raw)
            if v is None:
                return None, None
            if isinstance(v, (int, float)) and column.is_user_missing(v):
                return None, "user-missing value"
            if isinstance(v, str):
                date = _iso_date(v)
                number = parse_number(v)
                v = date if date is not None else number
                if v is None:
                    raise Bad(
                        f'"{raw}" is not {"a year of birth" if from_birth else "an age"} (expected a whole number)'
                    )
            if isinstance(v, (_dt.date, _dt.datetime)):
                born = v.date() if isinstance(v, _dt.datetime) else v
                on = reference or _dt.date(year, 1, 1)
                age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
                why = "date of birth to age band"
            elif from_birth:
                age, why = year - v, f"year of birth to age band (age in {year})"
            else:
                age, why = math.floor(v), "age to age band"
            found = band_of(age, bands)
            if found is None:
                raise Bad(f"age {age:g} is in none of the age bands of {variable} (expected an age in {listed})")
            return found, why

        return convert

    def postcode(self, variable: str, column: SourceColumn):
        lookup = self.postcodes(variable)

        def convert(raw):
            v = cell(raw)
            if v is None:
                return None, None
            text = re.sub(r"\s+", "", shown(v)).upper()
            found = lookup.get(text) or lookup.get(text[:4])
            if found is None:
                raise Bad(
                    f'postcode "{shown(v)}" is not in the lookup table {self.mapping.record.postcode.lookup} '
                    f"(expected a postcode listed there)"
                )
            return found, "postcode to " + variable

        return convert

    def postcodes(self, variable: str) -> dict:
        if self.lookup is None:
            path = self.mapping.folder / self.mapping.record.postcode.lookup
            display = f"{self.mapping.display.rpartition('/')[0]}/{self.mapping.record.postcode.lookup}".lstrip("/")
            from panelsite.importing.csvfile import decode
            from panelsite.surveys.responses import sniff_delimiter

            text, _ = decode(path.read_bytes(), display)
            rows = list(csv.reader(text.splitlines(), delimiter=sniff_delimiter(text)))
            header = [h.strip().lower() for h in rows[0]] if rows else []
            if "postcode" not in header or variable.lower() not in header:
                self.problems.add(
                    1,
                    None,
                    f"{display}: the header row needs the columns postcode and {variable} "
                    f"(expected a lookup table like: postcode,{variable})",
                )
                self.lookup = {}
                return self.lookup
            pc, var = header.index("postcode"), header.index(variable.lower())
            categories = list(self.population[variable])
            self.lookup = {}
            for number, row in enumerate(rows[1:], start=2):
                if len(row) <= max(pc, var) or not row[pc].strip():
                    continue
                found = next((c for c in categories if same_category(row[var], c, None)), None)
                if found is None:
                    self.problems.kept.append(
                        Problem(
                            display,
                            f'"{row[var].strip()}" is not a category of {variable} '
                            f"(expected one of {', '.join(categories)})",
                            row=number,
                            key=variable,
                        )
                    )
                    self.problems.total += 1
                    continue
                self.lookup[re.sub(r"\s+", "", row[pc]).upper()] = found
        return self.lookup

    def open_answer(self, column: SourceColumn) -> tuple[np.ndarray, np.ndarray]:
        codes, uniques = pd.factorize(column.values[self.keep], use_na_sentinel=True)
        distinct = np.array([*("" if cell(v) is None else shown(v) for v in uniques), ""], dtype=object)
        texts = distinct[codes]
        return np.where(texts != "", 1.0, np.nan), texts

    def multi_list(self, q: Question, column: SourceColumn) -> dict[str, np.ndarray]:
        """One cell listing the chosen options ("Papier; Glas") to a 0/1 column per option."""
        codes = list(q.options)
        by_label = {norm(label): code for code, label in q.options.items()}
        by_code = {str(code): code for code in codes}

        def chosen(text: str):
            for separator in (";", "|", "\n", ","):
                parts = [p.strip() for p in text.split(separator)] if separator in text else [text.strip()]
                found = [by_label.get(norm(p), by_code.get(p)) for p in parts if p]
                if all(f is not None for f in found):
                    return found
                if norm(text) in by_label:
                    return [by_label[norm(text)]]
            # Labels that hold a comma themselves ("Groente-, fruit- en tuinafval (gft), Glas"): find each label
            # in the text, longest first; what is left must be separators only.
            rest, found = text.lower(), []
            for code, label in sorted(q.options.items(), key=lambda kv: -len(kv[1])):
                if label.lower() in rest:
                    found.append(code)
                    rest = rest.replace(label.lower(), " ")
            return found if found and re.fullmatch(r"[\s,;|/]*", rest) else None

        def convert(raw):
            v = cell(raw)
            if v is None:
                return None, None
            found = chosen(shown(v))
            if found is None:
                raise Bad(
                    f'"{shown(v)}" does not list options of {q.id} (expected option labels or codes separated '
                    f"by ; like {q.options[codes[0]]}; {q.options[codes[-1]]})"
                )
            return tuple(sorted(set(found), key=codes.index)), "list of options"

        picked = self.apply(column, q.id, convert, None)
        return {
            f"{q.id}_{code}": np.array([np.nan if p is None else float(code in p) for p in picked]) for code in codes
        }


def convert_all(
    table: SourceTable,
    matched: m.Matched,
    questions: list[Question],
    population: dict,
    mapping,
    keep: np.ndarray,
    reference: _dt.date | None,
) -> Converted:
    """The responses.csv columns of the kept rows, the open answers and every problem."""
    c = Converter(table, population, mapping, keep, reference)
    columns: dict[str, np.ndarray] = {}
    texts = []
    by_name = {col.name: col for col in table.columns}
    for name, target in matched.targets.items():
        column = by_name[name]
        kind = target.kind
        if kind == m.QUESTION:
            q = target.question
            if q.type == "open":
                columns[q.id], answers = c.open_answer(column)
                texts.append((q.id, name, answers))
            elif q.type in ("single", "scale"):
                problem = _label_set(table, column, q, keep)
                if problem:
                    c.problems.add(None, name, problem)
                    continue
                columns[q.id] = c.apply(column, q.id, c.choice(q, column), np.nan)
            else:
                columns[q.id] = c.apply(column, q.id, c.number(q, column), np.nan)
        elif kind == m.OPTION:
            columns[target.output] = c.apply(
                column, target.output, c.flag(target.question, target.code, column), np.nan
            )
        elif kind == m.MULTI_LIST:
            columns.update(c.multi_list(target.question, column))
        elif kind == m.BACKGROUND:
            columns[target.output] = c.apply(column, target.output, c.category(target.variable, column), None)
        elif kind in (m.AGE, m.BIRTH_YEAR):
            columns[target.output] = c.apply(
                column, target.output, c.age(target.variable, column, kind == m.BIRTH_YEAR), None
            )
        elif kind == m.POSTCODE:
            columns[target.output] = c.apply(column, target.output, c.postcode(target.variable, column), None)
        elif kind == m.PRIVATE:
            texts.append(("", name, c.open_answer(column)[1]))
    for q in questions:
        if q.type == "multi" and all(col in columns for col in q.columns):
            _unticked_is_zero([columns[col] for col in q.columns])
    return Converted(columns, texts, c.recodes, c.problems.result())


def _unticked_is_zero(options: list[np.ndarray]) -> None:
    """Where a respondent ticked or cleared any option, an empty option of the same question is 0."""
    stacked = np.vstack(options)
    answered = ~np.all(np.isnan(stacked), axis=0)
    for column in options:
        column[answered & np.isnan(column)] = 0.0


def _label_set(table: SourceTable, column: SourceColumn, q: Question, keep: np.ndarray) -> str | None:
    """One message when the value labels of the codes in use do not fit survey.yaml's options."""
    if not column.value_labels or not column.numeric:
        return None
    codes = {**q.options, **q.missing}
    present = {int(v) if float(v).is_integer() else v for v in np.unique(column.values[keep]) if v == v}
    wrong = []
    for value in sorted(present, key=float):
        label = column.value_labels.get(value)
        if label is None or column.is_user_missing(value):
            continue
        code = best_match(label, codes, cutoff=0.9)
        if code is None and not (value in codes and similar(label, codes[value]) >= 0.75):
            wrong.append(f'{value} "{label}"')
    if not wrong:
        return None
    return (
        f"the value labels do not match the options of {q.id} in survey.yaml: {', '.join(wrong)} "
        f"{'is' if len(wrong) == 1 else 'are'} none of {_options(codes)} (expected the same labels; or give the "
        f"codes under recode: {q.id}: in import.yaml)"
    )


def _options(codes: dict) -> str:
    return ", ".join(f'{c} "{label}"' for c, label in codes.items())


def _filled(value) -> bool:
    return not (value is None or (isinstance(value, float) and value != value))


def _iso_date(text: str) -> _dt.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text.strip())
    if match:
        try:
            return _dt.date(*map(int, match.groups()))
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", text.strip())
    if match:
        try:
            return _dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None

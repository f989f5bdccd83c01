"""Which column of the file holds which question, option or background variable.

Evidence is weighed in a fixed order, strongest first: ``import.yaml``; the column's name
(``q1``, ``Q3_2``, ``q3[SQ002]``, ``geslacht``); a multiple-response set the tool declares;
the column's label or heading compared with the question texts and option labels of
survey.yaml; for background variables, the kind of variable the name or label says
(``lft``, "Wat is uw leeftijd?") and finally the values themselves (value labels "Man" and
"Vrouw" are ``geslacht``). A column matched by stronger evidence keeps its target; two
columns with equally strong claims to one target are an error naming both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from panelsite.errors import Problem, did_you_mean
from panelsite.importing import privacy
from panelsite.importing.table import IDENTIFYING, METADATA, OPEN_TEXT, OTHER_TEXT, SourceColumn, SourceTable
from panelsite.importing.words import age_bands, best_match, norm, same_category
from panelsite.surveys.definition import Question

QUESTION, OPTION, MULTI_LIST = "question", "option", "multi-list"
BACKGROUND, AGE, BIRTH_YEAR, POSTCODE = "background", "age", "birth-year", "postcode"
PRIVATE, DROPPED, UNKNOWN = "private", "dropped", "unknown"

BY_MAPPING, BY_NAME, BY_SET, BY_LABEL, BY_KIND, BY_VALUES = (
    "import.yaml", "by name", "multiple-response set", "by label", "by kind of variable", "by values")
STRENGTH = {BY_MAPPING: 0, BY_NAME: 1, BY_SET: 2, BY_LABEL: 3, BY_KIND: 4, BY_VALUES: 5, "draft": 1}

# What a background variable is about, by the words of its name, or of a column's name or label.
KINDS = {
    "age": {"leeftijd", "age", "lft", "leeftijdsgroep", "leeftijdsklasse", "leeftijdscategorie", "leeftijd in jaren",
            "wat is uw leeftijd", "hoe oud bent u", "age group", "agegroup", "leeftijdgroep", "leeftijdscat", "lftd"},
    "birth-year": {"geboortejaar", "birth year", "birthyear", "year of birth", "jaar van geboorte", "gebjaar",
                   "geb jaar", "yob", "in welk jaar bent u geboren", "wat is uw geboortejaar", "geboortedatum",
                   "date of birth", "birthdate", "birth date", "dob"},
    "sex": {"geslacht", "gender", "sekse", "sex", "wat is uw geslacht", "bent u een man of een vrouw", "gesl"},
    "area": {"wijk", "buurt", "district", "woonwijk", "stadsdeel", "kern", "dorp", "gebied", "woonkern", "wijknaam",
             "in welke wijk woont u", "in welke buurt woont u", "in welk dorp woont u", "in welke kern woont u",
             "waar woont u", "woonplaats", "wijkcode", "buurtcode", "regio", "deelgemeente"},
    "education": {"opleiding", "opleidingsniveau", "education", "hoogst afgeronde opleiding",
                  "wat is uw hoogst afgeronde opleiding"},
    "household": {"huishouden", "huishoudsamenstelling", "household", "huishoudtype", "samenstelling huishouden"},
}
SEX_WORDS = {"man", "vrouw", "anders", "mannen", "vrouwen", "male", "female", "overig", "x", "non binair"}


@dataclass
class Target:
    kind: str
    output: str = ""                 # the responses.csv column ("" when nothing is written)
    question: Question | None = None
    code: object = None              # the option of a multi question
    variable: str | None = None      # the population variable
    how: str = ""
    reason: str = ""


@dataclass
class Matched:
    targets: dict[str, Target]       # source column → what it becomes, in file order
    problems: list[Problem]

    def outputs(self) -> dict[str, str]:
        """responses.csv column → the source column that fills it."""
        out = {}
        for name, t in self.targets.items():
            if t.kind == MULTI_LIST:
                out.update({c: name for c in t.question.columns})
            elif t.output:
                out[t.output] = name
        return out


class _Matcher:
    def __init__(self, table: SourceTable, questions: list[Question], population: dict, mapping):
        self.table, self.questions, self.population, self.mapping = table, questions, population, mapping
        self.columns = {c.name: c for c in table.columns}
        self.targets: dict[str, Target] = {}
        self.owner: dict[str, tuple[str, str]] = {}   # output column → (source column, how)
        self.problems: list[Problem] = []
        self.by_output = {}
        for q in questions:
            if q.type == "multi":
                for code, column in zip(q.options, q.columns):
                    self.by_output[column] = (q, code)
            else:
                self.by_output[q.id] = (q, None)
        self.bands = {v: age_bands(cats) for v, cats in population.items()}
        self.runs = _runs(table)
        self.in_run = {name for names in self.runs.values() for name in names}

    # --- assigning -------------------------------------------------------

    def free(self, name: str) -> bool:
        return name not in self.targets

    def assign(self, name: str, target: Target) -> bool:
        outputs = target.question.columns if target.kind == MULTI_LIST else [target.output] if target.output else []
        for output in outputs:
            held = self.owner.get(output)
            if held is None:
                continue
            other, how = held
            if STRENGTH[how] < STRENGTH[target.how]:
                return False
            if STRENGTH[how] == STRENGTH[target.how]:
                self.problems.append(Problem(self.table.file, f'columns "{other}" and "{name}" both look like {output} '
                                             f"({how}; expected one column for it: name the right one in import.yaml, "
                                             f"like columns: {{{other}: {output}, {name}: drop}})", key=name))
                return False
            self.release(other)
        for output in outputs:
            self.owner[output] = (name, target.how)
        self.targets[name] = target
        return True

    def release(self, name: str) -> None:
        target = self.targets.pop(name)
        for output in (target.question.columns if target.kind == MULTI_LIST else [target.output]):
            if self.owner.get(output, (None,))[0] == name:
                del self.owner[output]

    def question_target(self, output: str, how: str) -> Target:
        q, code = self.by_output[output]
        if q.type == "multi":
            return Target(OPTION, output, q, code, how=how)
        return Target(QUESTION, output, q, how=how)

    def background_target(self, column: SourceColumn, variable: str, how: str) -> Target:
        bands = self.bands.get(variable)
        if bands is not None and not self.names_categories(column, variable):
            if _kind_of(column) == "birth-year" or _looks_like_years(column, 1880, 2100) or column.is_date:
                return Target(BIRTH_YEAR, variable, variable=variable, how=how)
            if _looks_like_years(column, 0, 130):
                return Target(AGE, variable, variable=variable, how=how)
        return Target(BACKGROUND, variable, variable=variable, how=how)

    def names_categories(self, column: SourceColumn, variable: str) -> bool:
        """Whether the column's value labels or texts name the variable's categories (rather than ages)."""
        values = _distinct_words(column)
        if not values:
            return False
        categories, bands = list(self.population[variable]), self.bands.get(variable)
        hits = sum(any(same_category(v, c, bands) for c in categories) for v in values)
        return hits >= max(1, len(values) // 2)

    # --- the steps, strongest evidence first ------------------------------

    def run(self) -> Matched:
        self.from_mapping()
        self.tool_roles()
        self.by_name()
        self.by_sets()
        self.by_label()
        self.by_runs()
        self.background_by_kind()
        self.background_by_values()
        self.rest()
        return Matched({c.name: self.targets[c.name] for c in self.table.columns}, self.problems)

    def mapped_column(self, path: str, name: str) -> SourceColumn | None:
        column = self.columns.get(name)
        if column is None:
            self.problems.append(self.mapping.problem(path, f'no column "{name}" in {self.table.file}'
                                                            f"{did_you_mean(name, self.columns)} (expected one of its "
                                                            f"columns: {_few(self.columns)})"))
        return column

    def from_mapping(self) -> None:
        m = self.mapping.record
        for name, target in (m.columns or {}).items():
            column = self.mapped_column(f"columns.{name}", name)
            if column is None:
                continue
            if target == "drop":
                self.targets[name] = Target(DROPPED, how=BY_MAPPING, reason="import.yaml says drop")
            elif target in self.by_output:
                self.assign(name, self.question_target(target, BY_MAPPING))
            elif any(q.id == target and q.type == "multi" for q in self.questions):
                q = next(q for q in self.questions if q.id == target)
                self.assign(name, Target(MULTI_LIST, "", q, how=BY_MAPPING))
            elif target in self.population:
                self.assign(name, self.background_target(column, target, BY_MAPPING))
            else:
                known = [*self.by_output, *self.population]
                self.problems.append(self.mapping.problem(
                    f"columns.{name}", f'"{target}" is no question, option column or background variable'
                                       f"{did_you_mean(target, known)} (expected one of {_few(known)}, or drop)"))
        for i, name in enumerate(m.identifying or []):
            if self.mapped_column(f"identifying.{i}", name) is not None:
                self.targets[name] = Target(DROPPED, how=BY_MAPPING, reason="import.yaml says it can identify a person")
        if m.age:
            source = m.age.column or m.age.birth_year
            path = "age.column" if m.age.column else "age.birth_year"
            variable = m.age.variable or next((v for v, b in self.bands.items() if b), None)
            if variable is None or variable not in self.population or not self.bands.get(variable):
                aged = [v for v, b in self.bands.items() if b]
                what = f'"{variable}" is not a population variable with age bands' if m.age.variable else \
                    "the population figures have no variable with age bands"
                expected = (f"one of {', '.join(aged)}" if aged
                            else "age bands like 18-34, 35-49, 65+ in the population figures")
                self.problems.append(
                    self.mapping.problem("age.variable" if m.age.variable else "age", f"{what} (expected {expected})")
                )
            elif self.mapped_column(path, source) is not None:
                kind = AGE if m.age.column else BIRTH_YEAR
                self.assign(source, Target(kind, variable, variable=variable, how=BY_MAPPING))
        if m.postcode:
            column = self.mapped_column("postcode.column", m.postcode.column)
            if m.postcode.variable not in self.population:
                self.problems.append(
                    self.mapping.problem(
                        "postcode.variable",
                        f'"{m.postcode.variable}" is not a population variable'
                        f"{did_you_mean(m.postcode.variable, self.population)} (expected one of "
                        f"{', '.join(self.population)})",
                    )
                )
            elif column is not None:
                self.assign(
                    column.name, Target(POSTCODE, m.postcode.variable, variable=m.postcode.variable, how=BY_MAPPING)
                )
        for i, name in enumerate(m.background or []):
            column = self.mapped_column(f"background.{i}", name)
            if column is None or not self.free(name):
                continue
            variable = self.variable_by_values(column, list(self.population))
            if variable is None:
                self.problems.append(
                    self.mapping.problem(
                        f"background.{i}",
                        f'the values of column "{name}" match the categories of no population variable '
                        f"(expected the categories of one of {', '.join(self.population)}; or name the "
                        f"variable under columns, with recode for values that differ)",
                    )
                )
            else:
                self.assign(name, self.background_target(column, variable, BY_MAPPING))

    def tool_roles(self) -> None:
        for column in self.table.columns:
            if not self.free(column.name):
                continue
            if column.role == METADATA:
                self.targets[column.name] = Target(DROPPED, reason=f"survey tool data: {column.reason}")
            elif column.role == IDENTIFYING:
                self.targets[column.name] = Target(DROPPED, reason=f"can identify a person: {column.reason}")
            elif column.role == OTHER_TEXT:
                self.targets[column.name] = Target(PRIVATE, reason=column.reason)
            elif (why := privacy.identifying(column)) and not self.claimed_by_name(column):
                self.targets[column.name] = Target(DROPPED, reason=f"can identify a person ({why})")
            elif column.is_date and _kind_of(column) != "birth-year":
                self.targets[column.name] = Target(DROPPED, reason="a date or time: survey tool data")

    def claimed_by_name(self, column: SourceColumn) -> bool:
        """A question of survey.yaml has this very name (so "postcode" can be a question)."""
        return column.name.lower() in self.by_output or column.name in self.population

    def by_name(self) -> None:
        multi = {q.id.lower(): q for q in self.questions if q.type == "multi"}
        outputs = {o.lower(): o for o in self.by_output}
        variables = {norm(v): v for v in self.population}
        for column in self.table.columns:
            if not self.free(column.name):
                continue
            name = column.name.strip().lower()
            if name in outputs:
                self.assign(column.name, self.question_target(outputs[name], BY_NAME))
            elif column.group and column.group.lower() in multi and column.option_code is not None:
                q = multi[column.group.lower()]
                if column.option_code in q.options:
                    self.assign(
                        column.name, Target(OPTION, f"{q.id}_{column.option_code}", q, column.option_code, how=BY_NAME)
                    )
            elif (m := re.fullmatch(r"([a-z][a-z0-9]*)[._#\-\[]\s*0*(\d+)\]?", name)) and m.group(1) in multi:
                q, code = multi[m.group(1)], int(m.group(2))
                if code in q.options:
                    self.assign(column.name, Target(OPTION, f"{q.id}_{code}", q, code, how=BY_NAME))
            elif name in multi:
                self.assign(column.name, Target(MULTI_LIST, "", multi[name], how=BY_NAME))
            elif norm(column.name) in variables:
                variable = variables[norm(column.name)]
                self.assign(column.name, self.background_target(column, variable, BY_NAME))

    def by_sets(self) -> None:
        multi = [q for q in self.questions if q.type == "multi"]
        for mr in self.table.multi_sets:
            members = [self.columns[c] for c in mr.columns if self.free(c)]
            if not members or not multi:
                continue
            q = next((q for q in multi if q.id.lower() == mr.name.lower()), None)
            if q is None and mr.label:
                found = best_match(mr.label, {q.id: q.text for q in multi})
                q = next((m for m in multi if m.id == found), None)
            if q is None:
                continue
            for position, column in enumerate(members):
                code = self.option_of(q, column, position, len(members))
                if code is not None:
                    self.assign(column.name, Target(OPTION, f"{q.id}_{code}", q, code, how=BY_SET))

    def option_of(self, q: Question, column: SourceColumn, position: int, count: int):
        if column.option_code in q.options:
            return column.option_code
        for text in (column.option_label, column.label):
            if text:
                found = best_match(text, q.options)
                if found is not None:
                    return found
        suffix = re.search(r"(\d+)\]?$", column.name)
        if suffix and int(suffix.group(1)) in q.options:
            return int(suffix.group(1))
        return list(q.options)[position] if count == len(q.options) else None

    def by_label(self) -> None:
        single = {q.id: q.text for q in self.questions if q.type != "multi"}
        multi = {q.id: q for q in self.questions if q.type == "multi"}
        options = {(q.id, code): label for q in multi.values() for code, label in q.options.items()}
        for column in self.table.columns:
            if not self.free(column.name):
                continue
            for text in column.texts():
                target = self.label_target(column, text, single, multi, options)
                if target is not None:
                    self.assign(column.name, target)
                    break

    def label_target(self, column, text, single, multi, options) -> Target | None:
        found = _prefix_match(text, single) if text.rstrip().endswith("..") else best_match(text, single)
        if found is not None:
            return self.question_target(found, BY_LABEL)
        for separator in (" - ", " [", ": ", " – "):
            if separator in text:
                stem, _, rest = text.rpartition(separator)
                found = best_match(stem, {q.id: q.text for q in multi.values()})
                if found is not None:
                    code = best_match(rest.rstrip("]"), multi[found].options)
                    if code is not None:
                        return Target(OPTION, f"{found}_{code}", multi[found], code, how=BY_LABEL)
        if column.group is not None or column.option_label or column.name in self.in_run:
            found = best_match(column.option_label or text, options)
            if found is not None:
                qid, code = found
                return Target(OPTION, f"{qid}_{code}", multi[qid], code, how=BY_LABEL)
        elif norm(text) and (found := [q for q in multi.values() if norm(q.text) == norm(text)]):
            return Target(MULTI_LIST, "", found[0], how=BY_LABEL)  # one cell listing the chosen options
        return None

    def by_runs(self) -> None:
        """A run of columns (V3_1, V3_2 …) all labelled with a multi question's text: its options, by number."""
        multi = {q.id: q.text for q in self.questions if q.type == "multi"}
        for names in self.runs.values():
            members = [self.columns[n] for n in names if self.free(n)]
            labels = {m.label for m in members}
            if len(members) < 2 or len(labels) != 1 or None in labels:
                continue
            found = best_match(labels.pop(), multi)
            if found is None:
                continue
            q = next(q for q in self.questions if q.id == found)
            for position, column in enumerate(members):
                code = self.option_of(q, column, position, len(members))
                if code is not None:
                    self.assign(column.name, Target(OPTION, f"{q.id}_{code}", q, code, how=BY_LABEL))

    def background_by_kind(self) -> None:
        kinds = {v: self.kind_of_variable(v) for v in self.population}
        for column in self.table.columns:
            if not self.free(column.name):
                continue
            kind = _kind_of(column)
            strong = kind is not None
            if kind is None:
                kind = _kind_in_label(column)  # "In welke wijk woont u?", but also "Hoe veilig is uw wijk?"
            if kind == "birth-year":
                kind = "age"
            wanted = [v for v, k in kinds.items() if k == kind and kind is not None]
            if len(wanted) != 1 or wanted[0] in self.owner:
                continue
            target = self.background_target(column, wanted[0], BY_KIND)
            # A word in a question's text is weak evidence: the values must fit the variable too.
            if (
                strong
                or (target.kind == BACKGROUND and self.names_categories(column, wanted[0]))
                or target.kind in (AGE, BIRTH_YEAR)
            ):
                self.assign(column.name, target)

    def kind_of_variable(self, variable: str) -> str | None:
        if self.bands.get(variable):
            return "age"
        name = norm(variable)
        for kind, words in KINDS.items():
            if name in words:
                return kind
        if {norm(c) for c in self.population[variable]} <= SEX_WORDS:
            return "sex"
        return None

    def background_by_values(self) -> None:
        for column in self.table.columns:
            if not self.free(column.name) or column.role == OPEN_TEXT:
                continue
            open_variables = [v for v in self.population if v not in self.owner]
            variable = self.variable_by_values(column, open_variables)
            if variable is not None:
                self.assign(column.name, self.background_target(column, variable, BY_VALUES))

    def variable_by_values(self, column: SourceColumn, variables: list[str]) -> str | None:
        values = _distinct_words(column)
        if len(values) < 2:
            return None
        fits = [
            v
            for v in variables
            if all(any(same_category(x, c, self.bands.get(v)) for c in self.population[v]) for x in values)
        ]
        return fits[0] if len(fits) == 1 else None

    def rest(self) -> None:
        for column in self.table.columns:
            if self.free(column.name):
                self.targets[column.name] = Target(UNKNOWN, reason="matches no question or background variable")


def match(table: SourceTable, questions: list[Question], population: dict, mapping) -> Matched:
    return _Matcher(table, questions, population, mapping).run()


def missing(matched: Matched, questions: list[Question], required: dict[str, str], table: SourceTable) -> list[Problem]:
    """A problem for every question, option and needed background variable no column fills."""
    filled = matched.outputs()
    problems = []
    hint = "map one in import.yaml under columns"
    for q in questions:
        if q.type == "multi":
            absent = [(code, c) for code, c in zip(q.options, q.columns) if c not in filled]
            for code, c in absent:
                problems.append(
                    Problem(
                        table.file,
                        f'no column for option {code} ("{q.options[code]}") of question {q.id} '
                        f"(expected a column named {c}, or labelled with that option; or "
                        f"{hint}, like columns: {{<column>: {c}}})",
                        key=c,
                    )
                )
        elif q.id not in filled:
            problems.append(
                Problem(
                    table.file,
                    f'no column for question {q.id} ("{_short(q.text)}") (expected a column '
                    f"named {q.id} or labelled with the question's text; or {hint}, like "
                    f"columns: {{<column>: {q.id}}})",
                    key=q.id,
                )
            )
    for variable, why in required.items():
        if variable not in filled:
            problems.append(
                Problem(
                    table.file,
                    f"no column for the background variable {variable}, needed for {why} "
                    f"(expected a column named {variable}, or one whose values are its "
                    f"categories; or {hint}, like columns: {{<column>: {variable}}})",
                    key=variable,
                )
            )
    return problems


# --- helpers ------------------------------------------------------------------


def _runs(table: SourceTable) -> dict[str, list[str]]:
    """Columns named like the options of one question, by stem: C1, C2, C3 or V3_1, V3_2 (two or more)."""
    stems: dict[str, list[str]] = {}
    for column in table.columns:
        match = re.fullmatch(r"(.*\D)\d+\]?", column.name)
        if match:
            stems.setdefault(match.group(1).lower(), []).append(column.name)
    return {stem: names for stem, names in stems.items() if len(names) >= 2}


def _kind_of(column: SourceColumn) -> str | None:
    """The kind of background variable the column's name or whole label says ("lft", "Wat is uw leeftijd?")."""
    for text in (column.name, column.label):
        words = norm(text)
        for kind, names in KINDS.items():
            if words and words in names:
                return kind
    return None


def _kind_in_label(column: SourceColumn) -> str | None:
    """The kind a word of a short label names ("Leeftijd respondent", "In welk dorp woont u?")."""
    words = norm(column.label)
    if not words or len(words.split()) > 8:
        return None
    for kind, names in KINDS.items():
        if any(f" {n} " in f" {words} " for n in names if " " not in n and len(n) > 3):
            return kind
    return None


def _distinct_words(column: SourceColumn, limit: int = 40) -> list:
    """The distinct labels of the values in the column (value labels where it has them), ignoring missing ones."""
    import pandas as pd

    uniques = pd.unique(column.values[:50_000]) if len(column.values) else []
    out = []
    for v in uniques:
        if v is None or v == "" or (isinstance(v, float) and v != v) or column.is_user_missing(v):
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(column.value_labels.get(v, v))
        if len(out) > limit:
            return []
    return out


def _looks_like_years(column: SourceColumn, low: int, high: int) -> bool:
    import numpy as np

    values = column.values
    if column.numeric:
        numbers = values[~np.isnan(values)]
    else:
        numbers = np.array([_number(v) for v in values[:20_000]], dtype=float)
        if np.isnan(numbers).mean() > 0.2:
            return False
        numbers = numbers[~np.isnan(numbers)]
    numbers = np.array([v for v in numbers if not column.is_user_missing(v)])
    return (
        len(numbers) > 0 and bool(((numbers >= low) & (numbers <= high)).mean() > 0.95) and len(np.unique(numbers)) > 2
    )


def _number(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return float("nan")


def _prefix_match(text: str, candidates: dict):
    stem = norm(text.rstrip(". "))
    found = [k for k, v in candidates.items() if len(stem) >= 8 and norm(v).startswith(stem)]
    return found[0] if len(found) == 1 else None


def _few(names) -> str:
    names = list(names)
    return ", ".join(names[:8]) + (", …" if len(names) > 8 else "")


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"

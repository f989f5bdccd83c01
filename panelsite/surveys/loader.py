"""Find, read and validate every survey of one municipality.

Each folder under ``content/<slug>/surveys/`` is one survey; its name is the
survey id. Problems of all surveys are collected and raised together as one
DataError. A survey without responses.csv is valid (collected online, results
follow): it gets an empty response table.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from panelsite.config import dates, schema, yamlfile
from panelsite.config.kept import Pickled
from panelsite.errors import ConfigError, DataError, Problem, did_you_mean, relpath, warn
from panelsite.surveys import private
from panelsite.surveys.definition import SLUG, SURVEY, Survey, SurveyDefinition, check_survey, themes_of
from panelsite.surveys.margins import check_margins


def load_surveys(survey_root: Path, municipality, project_root: Path, cache=None) -> list[Survey]:
    """Every survey under ``survey_root``, sorted by id; raises DataError with all problems.

    ``cache``, when given, keeps each validated response table by the hash of what it was read
    from (the engine's build cache: ``load(kind, key)`` and ``store(kind, key, value)``), so an
    unchanged responses.csv is not parsed and checked again.
    """
    if not survey_root.is_dir():
        return []
    surveys, problems = [], []
    # Only a municipality loaded from its file has the lines to report at (a test's Record has none).
    names = CategoryNames(municipality) if hasattr(municipality, "located") else None
    for folder in sorted(p for p in survey_root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        survey, found = load_survey(folder, municipality, project_root, names, cache)
        problems.extend(found)
        if survey is not None:
            surveys.append(survey)
    problems = (names.problems() if names else []) + problems
    if problems:
        raise DataError(problems)
    return surveys


@dataclass
class ResponseTable:
    """A validated responses.csv as loading needs it: the table itself (:class:`Pickled`, so one
    read back from the build cache is unpickled only when a page made from it is rendered), and
    what loading checks without it: its rows, the open texts it holds (``attrs["open_texts"]``
    of the table) and the respondents per category of each background variable needed."""

    table: Pickled
    rows: int
    open_texts: dict
    counts: dict  # variable → category → respondents (weighting.category_counts)


def _read_responses(raw_csv: bytes, csv_file: str, questions, required: dict, population: dict, misnamed,
                    cache) -> tuple[ResponseTable, list[Problem]]:
    """read_responses, through the build cache: a table read without a problem is kept by the hash of
    the file's bytes, its name and what it is checked against (the questions, the background
    variables needed, the population's categories); one with problems is read again each time."""
    # (and the move of a demonstration's dates, config.dates: nothing read here is a date today)
    key = hashlib.sha256("\0".join([hashlib.sha256(raw_csv).hexdigest(), csv_file, repr(questions), repr(required),
                                     repr(population), str(dates.current_move())]).encode()).hexdigest()
    hit = cache.load("responses", key) if cache is not None else None
    if isinstance(hit, ResponseTable):
        return hit, []
    # pandas: only for a file not read before (or without a build cache)
    from panelsite.surveys.responses import read_responses
    from panelsite.surveys.weighting import category_counts

    heard = []

    def listening(*args) -> None:
        heard.append(args)
        misnamed(*args)

    frame, problems = read_responses(raw_csv, csv_file, questions, required, population,
                                     listening if misnamed is not None else None)
    background = [v for v in required if v in frame.columns]
    read = ResponseTable(Pickled(frame), len(frame), dict(frame.attrs.get("open_texts", {})),
                         category_counts(frame, background) if not problems else {})
    if cache is not None and not problems and not heard:
        cache.store("responses", key, read)
    return read, problems


class CategoryNames:
    """Categories the population figures most likely name wrong, as the surveys' responses
    show them (responses._misnamed_categories): one problem per category, at its line in the
    municipality file, however many rows and surveys hold the name it should have."""

    def __init__(self, municipality):
        self.municipality = municipality
        self.found: dict[tuple[str, str], dict[str, dict[str, int]]] = {}  # (variable, category) → value → file → rows

    def heard(self, file: str):
        """The ``misnamed`` callback of read_responses for one responses.csv."""
        def misnamed(variable: str, category: str, value: str, rows: int) -> None:
            self.found.setdefault((variable, category), {}).setdefault(value, {})[file] = rows
        return misnamed

    def files(self) -> set[str]:
        return {file for values in self.found.values() for files in values.values() for file in files}

    def problems(self) -> list[Problem]:
        out = []
        for (variable, category), values in self.found.items():
            value, files = max(values.items(), key=lambda item: sum(item[1].values()))
            rows = sum(files.values())
            first = sorted(files)[0]
            where = first + (f" and {len(files) - 1} more survey file{'s' if len(files) > 2 else ''}"
                             if len(files) > 1 else "")
            message = (f'no respondent has the category "{category}", but {rows} row{"s" if rows != 1 else ""} of '
                       f'{where} have "{value}" (expected the category as the survey data name it: {value}; or, '
                       "if the figures are right, the survey data corrected)")
            out.append(self.municipality.problem(f"population.{variable}.{category}", message))
        return out


# Every file a survey folder may hold; factsheet.md is read by panelsite/factsheets, import.yaml
# (how `build.py import` maps a survey tool's export) by panelsite/importing.
SURVEY_FILES = ("survey.yaml", "responses.csv", "factsheet.md", "import.yaml")
# Files the operating system or an open Office document leaves behind; hidden ones (.DS_Store) too.
SYSTEM_FILES = ("Thumbs.db", "desktop.ini")


def unknown_files(folder: Path, project_root: Path) -> list[Problem]:
    """A problem for each file that is not one of SURVEY_FILES.

    A misnamed responses.csv ("Responses.csv", "responses (1).csv") would
    otherwise be passed over without a word, and the survey published as one
    whose results are still to come.
    """
    problems = []
    expected = ", ".join(SURVEY_FILES)
    for path in sorted(folder.iterdir()):
        name = path.name
        if name in SURVEY_FILES or name in SYSTEM_FILES or name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
            message = ("a spreadsheet file, which panelsite does not read (expected the answers saved from the "
                       'spreadsheet as "CSV UTF-8 (comma delimited)" under the name responses.csv)')
        else:
            message = f"unknown file{did_you_mean(name.lower(), SURVEY_FILES)} (expected only {expected})"
        problems.append(Problem(relpath(path, project_root), message))
    return problems


def load_survey(folder: Path, municipality, project_root: Path,
                names: CategoryNames | None = None, cache=None) -> tuple[Survey | None, list[Problem]]:
    """One survey and its problems (stray files, survey.yaml, then responses.csv)."""
    yaml_path, csv_path = folder / "survey.yaml", folder / "responses.csv"
    yaml_file, csv_file = relpath(yaml_path, project_root), relpath(csv_path, project_root)
    if not re.fullmatch(SLUG, folder.name):
        return None, [Problem(relpath(folder, project_root), f'"{folder.name}" is not a valid survey id '
                                                             '(expected a folder name of lowercase letters, '
                                                             'digits and hyphens)')]
    stray = unknown_files(folder, project_root)
    survey, problems = _load_survey(folder, municipality, project_root, yaml_path, csv_path, yaml_file, csv_file,
                                    names, cache)
    if stray:
        return None, stray + problems
    return survey, problems


def load_definitions(survey_root: Path, municipality,
                     project_root: Path) -> tuple[list[SurveyDefinition], list[Problem]]:
    """Every survey's survey.yaml, never its responses.csv: the questionnaires the collector
    serves. Returns the valid definitions and the problems of the others, so that one broken
    survey (or a results file the build refuses) does not stop the forms of the rest."""
    if not survey_root.is_dir():
        return [], []
    definitions, problems = [], []
    for folder in sorted(p for p in survey_root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        yaml_path = folder / "survey.yaml"
        if not re.fullmatch(SLUG, folder.name):
            continue  # the build reports it; it is no survey the collector can serve
        yaml_file = relpath(yaml_path, project_root)
        record, _located, questions, _raw, found = _read_definition(folder, municipality, project_root, yaml_path,
                                                                    yaml_file)
        problems.extend(found)
        if record is None:
            continue
        definitions.append(SurveyDefinition(
            id=folder.name, title=record.title, theme=record.theme, fieldwork_start=record.fieldwork.start,
            fieldwork_end=record.fieldwork.end, invited=record.invited, publish_on=record.publish_on,
            collect=record.collect, summary=record.summary, questions=questions, yaml_file=yaml_file,
            fieldwork_grace=record.fieldwork.grace))
    return definitions, problems


def _read_definition(folder, municipality, project_root, yaml_path, yaml_file):
    """(record, located, questions, raw bytes, problems) of a survey.yaml; record None when invalid."""
    if not yaml_path.is_file():
        return None, None, [], b"", [Problem(relpath(folder, project_root), "no survey.yaml in this folder "
                                                                           "(expected every folder under surveys/ to "
                                                                           "hold a survey.yaml)")]
    raw = yaml_path.read_bytes()  # parsed here and hashed into source_hash
    try:
        located = yamlfile.parse_bytes(raw, yaml_file)
    except ConfigError as exc:
        return None, None, [], raw, exc.problems
    record, problems = schema.validate(SURVEY, located)
    questions, more = check_survey(record, located, municipality)
    problems = sorted(problems + more, key=lambda p: p.line or 0)
    if problems:
        return None, located, questions, raw, problems
    return record, located, questions, raw, []


def _load_survey(folder, municipality, project_root, yaml_path, csv_path, yaml_file,
                 csv_file, names: CategoryNames | None = None, cache=None) -> tuple[Survey | None, list[Problem]]:
    record, located, questions, raw, problems = _read_definition(folder, municipality, project_root, yaml_path,
                                                                 yaml_file)
    if record is None:
        return None, problems  # responses can only be checked against a valid definition

    required = {v: "weighting" for v in (record.weighting.by if record.weighting else [])}
    for v in record.breakdowns:
        required.setdefault(v, "breakdowns")
    population = dict(municipality.population.variables)
    if csv_path.is_file():
        raw_csv = csv_path.read_bytes()
        read, problems = _read_responses(raw_csv, csv_file, questions, required, population,
                                         names.heard(csv_file) if names else None, cache)
    else:  # the survey's responses property makes the empty table when it is needed
        raw_csv, read = b"", ResponseTable(None, 0, {}, {})
    survey = Survey(
        id=folder.name,
        title=record.title,
        theme=record.theme,
        theme_label=themes_of(municipality)[record.theme],
        series=record.series,
        fieldwork_start=record.fieldwork.start,
        fieldwork_end=record.fieldwork.end,
        invited=record.invited,
        publish_on=record.publish_on,
        collect=record.collect,
        summary=record.summary,
        weighting=record.weighting,
        breakdowns=list(record.breakdowns),
        questions=questions,
        response_table=read.table,
        source_dir=folder,
        # hashlib's own: surveys/ imports nothing of the engine (engine.hashing holds the build's hashes)
        source_hash=hashlib.sha256(raw + b"\0" + raw_csv).hexdigest(),
        yaml_file=yaml_file,
        csv_file=csv_file,
        has_responses=csv_path.is_file() and not problems and read.rows > 0,
        located=located,
        fieldwork_grace=record.fieldwork.grace,
        draft=record.draft,
    )
    if not problems and survey.has_responses and survey.invited < read.rows:
        # Otherwise published as a response rate far above 100%.
        problems = [located.problem("invited",
                                    f"{survey.invited} is fewer than the {read.rows} respondents in {csv_file} "
                                    f"(expected the number of panel members invited, at least {read.rows})")]
    for column, count in read.open_texts.items():
        # responses.csv is committed (content/): what respondents wrote must not be.
        where = relpath(private.open_answers_path(project_root, municipality.slug, folder.name), project_root)
        warn(Problem(csv_file, f"{count} open answer{'s are' if count != 1 else ' is'} in this file, which git keeps "
                               f"and shares (expected 1 for an answer given, and the texts in {where}, outside git: "
                               "python build.py export and import write both)", key=column))
    if names and csv_file in names.files():
        return None, problems  # its background column is wrong where the population figures are: reported there
    if not problems:
        problems = check_margins(survey, municipality, read.counts)
    return (None if problems else survey), problems

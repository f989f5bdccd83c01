"""One import from top to bottom: load and check everything, convert, check again, then write.

1. the municipality (population figures), survey.yaml when there is one, import.yaml;
2. the file, by its reader;
3. matching: which column is which question, option or background variable; without
   survey.yaml, a draft one from the labels;
4. which rows: completes (unless --include-partial), no preview or test responses, no repeats;
5. every value to its code; responses.csv made and read back with the build's own reader;
6. only when no problem was found anywhere: the files, each put in place atomically.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from panelsite.config import schema, yamlfile
from panelsite.config.municipality import load_municipalities
from panelsite.errors import BuildError, ConfigError, DataError, Problem, captured, relpath
from panelsite.importing import draft, recode, writer
from panelsite.importing import mapping as mapping_mod
from panelsite.importing import matching as m
from panelsite.importing.report import ImportReport
from panelsite.importing.table import SourceTable
from panelsite.importing.words import norm
from panelsite.surveys import private
from panelsite.surveys.definition import SLUG, SURVEY, check_survey
from panelsite.surveys.responses import read_responses

READERS = {".sav": "spss", ".zsav": "spss", ".xlsx": "excel", ".xlsm": "excel", ".csv": "csv", ".txt": "csv",
           ".tsv": "csv"}
REFUSED = {
    ".xls": "an Excel 97-2003 workbook (expected .xlsx: open it in Excel and save it as Excel Workbook (.xlsx))",
    ".ods": "an OpenDocument spreadsheet (expected .xlsx or .csv: save it as one of those)",
    ".por": "an SPSS portable file (expected .sav: open it in SPSS or PSPP and save it as .sav)",
    ".json": "a JSON file (expected the survey tool's CSV, .sav or .xlsx export)",
}
ZIP, OLE2, SAV = b"PK\x03\x04", b"\xd0\xcf\x11\xe0", (b"$FL2", b"$FL3")
COMPLETE_WORDS = {
    "1",
    "true",
    "ja",
    "yes",
    "y",
    "complete",
    "completed",
    "compleet",
    "voltooid",
    "afgerond",
    "finished",
}


@dataclass
class Request:
    root: Path
    slug: str
    survey_id: str
    file: Path
    mapping: Path | None = None
    sheet: str | None = None
    include_partial: bool = False
    dry_run: bool = False
    progress: Callable[[int, int | None], None] = lambda done, total: None
    today: _dt.date | None = None


def run(req: Request) -> ImportReport:
    root = req.root
    with captured():  # the house style's warnings belong to the build, not to an import
        municipality = load_municipalities(root, [req.slug])[req.slug]
    if not re.fullmatch(SLUG, req.survey_id):
        raise ConfigError(
            f'"{req.survey_id}" is not a valid survey id (expected lowercase letters, digits and '
            "hyphens, like afval-2026)"
        )
    folder = root / "content" / req.slug / "surveys" / req.survey_id
    yaml_path = folder / "survey.yaml"
    population = {v: list(c) for v, c in municipality.population.variables.items()}

    record, questions = _definition(yaml_path, root, municipality) if yaml_path.is_file() else (None, [])
    mapping_path = req.mapping or (folder / "import.yaml" if (folder / "import.yaml").is_file() else None)
    mapping = mapping_mod.load(mapping_path, root) if mapping_path else mapping_mod.empty()
    table = read_file(req.file, relpath(req.file, root), req.sheet, mapping.record.header_row, req.progress)

    report = ImportReport(
        relpath(req.file, root),
        table.tool,
        dict(table.details),
        rows_read=len(table),
        dry_run=req.dry_run,
        draft=record is None,
    )
    matched = m.match(table, questions, population, mapping)
    problems = list(matched.problems)
    draft_text = None
    if record is None:
        draft_questions = draft.questions(table, matched)
        background = [v for v in population if v in matched.outputs()]
        draft_text = draft.yaml_text(
            draft_questions, table, req.survey_id, background, len(table), req.today or _dt.date.today()
        )
        record, questions = _draft_definition(draft_text, relpath(yaml_path, root), municipality)
        matched.targets.update(draft.targets(draft_questions, {q.id: q for q in questions}))
    required = {v: "weighting" for v in (record.weighting.by if record.weighting else [])}
    for v in record.breakdowns or []:
        required.setdefault(v, "breakdowns")
    problems += m.missing(matched, questions, required, table)

    keep = _rows(table, mapping, matched, req, report, problems)
    reference = record.fieldwork.start if record.fieldwork and record.fieldwork.start else None
    converted = recode.convert_all(table, matched, questions, population, mapping, keep, reference)
    problems += converted.problems
    if problems:
        # import.yaml and survey.yaml first, then the file's problems in row order
        raise DataError(sorted(problems, key=lambda p: (p.file == table.file, p.count > 1, p.line or 0, p.row or 0)))

    order = [v for v in population if v in converted.columns] + [c for q in questions for c in q.columns]
    data = writer.responses_csv(converted.columns, order, int(keep.sum()))
    csv_path = folder / "responses.csv"
    _, back = read_responses(data, relpath(csv_path, root), questions, required, population)
    if back:
        raise DataError(back)

    files = []
    if draft_text is not None:
        files.append(
            writer.Planned(
                yaml_path, draft_text.encode("utf-8"), "a draft survey.yaml: check every line marked # check"
            )
        )
    files.append(writer.Planned(csv_path, data, f"{int(keep.sum())} respondents"))
    if converted.texts:
        texts_path = private.open_answers_path(root, req.slug, req.survey_id)
        files.append(
            writer.Planned(
                root / private.FOLDER / ".gitignore", writer.PRIVATE_GITIGNORE, "keeps the folder out of git"
            )
        )
        files.append(
            writer.Planned(
                texts_path,
                writer.open_answers_csv(converted.texts),
                "open answers and other texts: private, outside content/, never committed",
            )
        )
    if not req.dry_run:
        writer.write_all(files)
    _fill(report, table, matched, converted, files, root, record, keep)
    return report


def read_file(path: Path, display: str, sheet: str | None, header_row: int | None, progress) -> SourceTable:
    if not path.is_file():
        raise DataError(Problem(display, "no such file (expected the path of the export to import)"))
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        raise DataError(Problem(display, f"is {REFUSED[suffix]}"))
    if suffix not in READERS:
        raise DataError(
            Problem(
                display,
                f'"{path.suffix or path.name}" is not a file type the import reads '
                "(expected .sav or .zsav from SPSS, .xlsx from Excel, or .csv from "
                "Qualtrics, LimeSurvey, the collector or a spreadsheet)",
            )
        )
    with open(path, "rb") as f:
        start = f.read(8)
    kind = READERS[suffix]
    if kind == "csv" and start.startswith((ZIP, OLE2)):
        raise DataError(
            Problem(display, "is an Excel workbook with a .csv name (expected a CSV text file; or rename it to .xlsx)")
        )
    if kind == "csv" and start.startswith(SAV):
        raise DataError(
            Problem(display, "is an SPSS data file with a .csv name (expected a CSV text file; or rename it to .sav)")
        )
    if kind == "excel" and not start.startswith((ZIP, OLE2)):
        raise DataError(
            Problem(
                display,
                "is not an Excel workbook (expected an .xlsx file as Excel saves it; a CSV "
                "export needs the .csv extension)",
            )
        )
    if kind == "spss" and not start.startswith(SAV):
        raise DataError(
            Problem(
                display, "is not an SPSS data file (expected a .sav or .zsav file as SPSS saves it, starting with $FL2)"
            )
        )
    if kind == "spss":
        from panelsite.importing import spss

        return spss.read(path, display, progress)
    if kind == "excel":
        from panelsite.importing import excel

        return excel.read(path, display, progress, sheet, header_row)
    from panelsite.importing import csvfile

    return csvfile.read(path, display, progress, header_row)


def _definition(path: Path, root: Path, municipality):
    located = yamlfile.parse_bytes(path.read_bytes(), relpath(path, root))
    record, problems = schema.validate(SURVEY, located)
    questions, more = check_survey(record, located, municipality)
    if problems or more:
        raise ConfigError(sorted(problems + more, key=lambda p: p.line or 0))
    return record, questions


def _draft_definition(text: str, display: str, municipality):
    located = yamlfile.parse_bytes(text.encode("utf-8"), display)
    record, problems = schema.validate(SURVEY, located)
    questions, more = check_survey(record, located, municipality)
    if problems or more:  # a draft the build would refuse is a bug here, not the user's mistake
        raise BuildError(
            [
                Problem(
                    display,
                    "the draft panelsite made is not valid (a bug in panelsite: please report "
                    "it with the file's column names)",
                ),
                *problems,
                *more,
            ]
        )
    return record, questions


def _rows(table: SourceTable, mapping, matched: m.Matched, req: Request, report: ImportReport, problems) -> np.ndarray:
    """The rows to import: completes (or all with --include-partial), without tests; repeats are problems."""
    n = len(table)
    complete = table.complete
    completed = mapping.record.completed
    if completed:
        column = table.column(completed)
        if column is None:
            problems.append(
                mapping.problem("completed", f'no column "{completed}" in {table.file} (expected one of its columns)')
            )
        else:
            complete = _completed(column)
            table.completion = f"the {completed} column (import.yaml)"
    if complete is None:
        column = next(
            (
                c
                for c in table.columns
                if norm(c.name)
                in ("finished", "voltooid", "completed", "complete", "afgerond", "compleet", "submitdate")
            ),
            None,
        )
        if column is not None:
            complete = _completed(column)
            table.completion = f"the {column.name} column"
            matched.targets[column.name] = m.Target(
                m.DROPPED, reason="survey tool data: whether the respondent finished"
            )
    excluded = table.excluded if table.excluded is not None else np.zeros(n, bool)
    complete = complete if complete is not None else np.ones(n, bool)
    report.test_responses_dropped = int(excluded.sum())
    report.completes = int((complete & ~excluded).sum())
    partial = ~complete & ~excluded
    if req.include_partial:
        report.partials_kept = int(partial.sum())
        keep = ~excluded
    else:
        report.partials_dropped = int(partial.sum())
        keep = complete & ~excluded
    report.completion = table.completion or (
        "no completion column: every row counts as complete" if table.complete is None else ""
    )
    _repeats(table, matched, keep, problems)
    return keep


def _completed(column) -> np.ndarray:
    """Finished: 1, true, ja, a date (submitdate) or a value labelled so (an SPSS export of Qualtrics' Finished)."""

    def done(value) -> bool:
        text = recode.shown(value)
        label = column.value_labels.get(recode.cell(value)) if column.value_labels else None
        return (
            norm(text) in COMPLETE_WORDS or norm(label) in COMPLETE_WORDS or bool(re.match(r"\d{4}-\d{2}-\d{2}", text))
        )

    return np.array([done(v) for v in column.values])


def _repeats(table: SourceTable, matched: m.Matched, keep: np.ndarray, problems) -> None:
    """A respondent id, token or e-mail address that occurs twice among the kept rows: a repeated respondent."""
    for column in table.columns:
        reason = matched.targets[column.name].reason
        if not any(w in reason for w in ("respondent id", "token", "e-mail")):
            continue
        first: dict[str, int] = {}
        values, rows = column.values[keep], table.rows[keep]
        for value, row in zip(values, rows):
            text = recode.shown(value).lower()
            if not text:
                continue
            if text in first:
                problems.append(
                    Problem(
                        table.file,
                        f"repeated respondent: the same {column.name} as row {first[text]} "
                        "(expected each respondent once; remove the repeat from the export)",
                        row=int(row),
                        key=column.name,
                    )
                )
            else:
                first[text] = int(row)


def _fill(report: ImportReport, table, matched, converted, files, root: Path, record, keep) -> None:
    report.respondents = int(keep.sum())
    for name, target in matched.targets.items():
        if target.kind in (m.DROPPED,):
            report.dropped.append({"column": name, "reason": target.reason})
        elif target.kind == m.UNKNOWN:
            report.unknown.append({"column": name, "reason": target.reason})
        elif target.kind == m.PRIVATE:
            report.private.append({"column": name, "to": "private open-answers.csv", "reason": target.reason})
        else:
            to = target.output or target.question.id
            how = target.how + (
                ""
                if target.kind in (m.QUESTION, m.OPTION, m.BACKGROUND, m.MULTI_LIST)
                else f", {target.kind.replace('-', ' ')} to {target.variable}"
            )
            report.mapped.append({"column": name, "to": to, "how": how})
            if target.kind == m.QUESTION and target.question.type == "open":
                report.private.append(
                    {"column": name, "to": "private open-answers.csv", "reason": f"answers to open question {to}"}
                )
    report.add_recodes(converted.recodes)
    report.files = [{"path": relpath(f.path, root), "what": f.what, "written": not report.dry_run} for f in files]
    if record.invited and record.invited < report.respondents:
        report.warnings.append(
            f"survey.yaml says {record.invited} invited, fewer than the {report.respondents} "
            "respondents: the build refuses that (correct invited)"
        )

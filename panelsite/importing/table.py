"""What every reader hands on: the columns of a survey export with their labels, before any matching.

A reader knows its tool's layout (header rows, metadata columns, how a ticked box is written);
everything after it works on a :class:`SourceTable` and never looks at the file again.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np

from panelsite.errors import DataError, Problem, more_problems

# Roles a reader gives a column it recognises as its tool's own, not an answer.
METADATA = "metadata"          # timestamps, durations, language, page numbers: dropped
IDENTIFYING = "identifying"    # e-mail, name, IP address, location, the tool's respondent id, tokens: dropped
OTHER_TEXT = "other-text"      # "other, namely" texts: to the private folder
OPEN_TEXT = "open"             # a text-entry question, as the tool says (Qualtrics' QIDn_TEXT)


@dataclass
class SourceColumn:
    """One column of the export.

    ``values`` is a float array (NaN for empty) for numeric columns, else an object array
    of str (stripped; "" for empty), numbers, dates and booleans as the file held them.
    """

    name: str
    values: np.ndarray
    label: str | None = None                            # variable label or question text
    value_labels: dict = field(default_factory=dict)    # code → label (SPSS)
    missing: list = field(default_factory=list)         # user-missing (lo, hi) ranges (SPSS)
    role: str = ""                                      # one of the roles above, or "" for an answer
    reason: str = ""                                    # why the reader gave it that role
    group: str | None = None                            # the multiple-response set (or question) it belongs to
    option_label: str | None = None                     # its option's label, within that group
    option_code: int | str | None = None                # its option's code, within that group
    is_date: bool = False

    @property
    def numeric(self) -> bool:
        return self.values.dtype.kind == "f"

    def is_user_missing(self, value) -> bool:
        return isinstance(value, (int, float)) and any(lo <= value <= hi for lo, hi in self.missing)

    def texts(self) -> list[str]:
        """The texts this column is known by: its label, then its name."""
        return [t for t in (self.label, self.name) if t]


@dataclass
class MultiSet:
    """A multiple-response set as the tool declares it (SPSS MRSETS, a Qualtrics or LimeSurvey question)."""

    name: str
    label: str | None
    columns: list[str]


@dataclass
class SourceTable:
    file: str                                # the path as the user wrote it, for messages
    tool: str                                # "SPSS", "Excel", "Qualtrics", "LimeSurvey", "CSV"
    columns: list[SourceColumn]
    rows: np.ndarray                         # per record, the row (or case) number the user can look up
    complete: np.ndarray | None = None       # per record: finished the questionnaire (None: unknown)
    completion: str = ""                     # how completes were recognised, for the report
    excluded: np.ndarray | None = None       # per record: a preview, test or spam response
    multi_sets: list[MultiSet] = field(default_factory=list)
    details: dict = field(default_factory=dict)   # encoding, delimiter, sheet, heading type: for the report
    title: str | None = None                 # the file's own label (SPSS), for a draft survey.yaml
    unticked_is_empty: bool = False          # the tool writes an unticked box as empty (Qualtrics, LimeSurvey)
    dates: list[_dt.date] = field(default_factory=list)  # response dates, for a draft's fieldwork

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> SourceColumn | None:
        return next((c for c in self.columns if c.name == name), None)


def text_column(name: str, cells: list, **kw) -> SourceColumn:
    """A column of text cells (CSV): stripped str in an object array."""
    values = np.empty(len(cells), dtype=object)
    values[:] = [c.strip() if isinstance(c, str) else c for c in cells]
    return SourceColumn(name, values, **kw)


def from_records(numbered: list[tuple[int, list[str]]], display: str, header_rows: int, tool: str = "CSV",
          labels: list[str] | None = None) -> SourceTable:
    """A table from the header row and the records after ``header_rows`` rows; checks row lengths."""
    header = [h.strip() for h in numbered[0][1]]
    while header and not header[-1]:
        header.pop()  # a separator at the end of the header row
    width = len(header)
    body = [(n, r) for n, r in numbered[header_rows:] if any(c.strip() for c in r)]
    problems = []
    for number, record in body:
        if len(record) != width and not (len(record) > width and not any(c.strip() for c in record[width:])):
            problems.append(Problem(display, f"has {len(record)} cells (expected {width}, one per column in the "
                                             "header row)", row=number))
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            problems.append(Problem(display, f"column {i + 1} has no name in the header row (expected a column name)",
                                    row=numbered[0][0]))
        elif name in seen:
            problems.append(Problem(display, f'"{name}" is the name of columns {seen[name] + 1} and {i + 1} '
                                             "(expected each name once)", row=numbered[0][0]))
        seen.setdefault(name, i)
    if problems:
        raise DataError(problems[:50] + ([] if len(problems) <= 50 else [more_problems(display, len(problems) - 50)]))
    if not body:
        raise DataError(Problem(display, "has a header row but no answers (expected a row per respondent)"))
    columns = []
    for i, name in enumerate(header):
        cells = [r[i] if i < len(r) else "" for _, r in body]
        label = labels[i] if labels and i < len(labels) and labels[i].strip() else None
        columns.append(text_column(name, cells, label=label))
    table = SourceTable(display, tool, columns, rows=np.array([n for n, _ in body]))
    mark_dates(table)
    return table


_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?.*)?|(\d{1,2})-(\d{1,2})-(\d{4})(?: \d{1,2}:\d{2}.*)?"
)


def mark_dates(table: SourceTable) -> None:
    """Text columns of dates or timestamps ("2026-03-14 10:02", "14-3-2026"): dates, and the table's response dates."""
    for column in table.columns:
        if column.numeric or column.is_date or column.role:
            continue
        sample = [v for v in column.values[:500] if isinstance(v, str) and v]
        if not sample or sum(bool(_DATE.fullmatch(v)) for v in sample) * 10 < len(sample) * 9:
            continue
        column.is_date = True
        if not table.dates:
            table.dates.extend(d for d in (_parse_date(v) for v in column.values) if d)


def _parse_date(text) -> _dt.date | None:
    match = _DATE.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    y, m, d = (
        (match.group(1), match.group(2), match.group(3))
        if match.group(1)
        else (match.group(6), match.group(5), match.group(4))
    )
    try:
        return _dt.date(int(y), int(m), int(d))
    except ValueError:
        return None

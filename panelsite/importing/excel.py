"""Excel ``.xlsx`` through openpyxl (read-only, so a large workbook streams row by row).

The first sheet, or the one ``--sheet`` names; the header row is the first row with any
cell filled (or ``header_row`` in import.yaml). Dates come as dates, numbers as numbers,
and numbers stored as text ("4") as text, which the recoding reads like numbers. Row
numbers in messages are the ones Excel shows.
"""

from __future__ import annotations

import datetime as _dt
import zipfile

import numpy as np

from panelsite.errors import DataError, Problem, did_you_mean
from panelsite.importing.table import SourceColumn, SourceTable

# An encrypted workbook is an OLE2 compound file, not a zip; so is an old .xls.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read(path, display: str, progress, sheet: str | None = None, header_row: int | None = None) -> SourceTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with open(path, "rb") as f:
        start = f.read(8)
    if start == OLE2:
        raise DataError(
            Problem(
                display,
                "is a password-protected (encrypted) workbook, or an old Excel 97-2003 file "
                "with a .xlsx name (expected an .xlsx without a password: open it in Excel, "
                "remove the password under File > Info > Protect Workbook, and save it as .xlsx)",
            )
        )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(
            Problem(display, f"cannot be read as an Excel workbook ({exc}) (expected an .xlsx file as Excel saves it)")
        ) from None
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            raise DataError(
                Problem(
                    display, f'has no sheet "{sheet}"{did_you_mean(sheet, names)} (expected one of {", ".join(names)})'
                )
            )
        name = sheet if sheet is not None else names[0]
        table = _read_sheet(workbook[name], display, name, progress, header_row)
    finally:
        workbook.close()
    table.details["sheet"] = name
    return table


def _read_sheet(ws, display: str, sheet: str, progress, header_row: int | None) -> SourceTable:
    total = ws.max_row if isinstance(ws.max_row, int) and ws.max_row > 1 else None
    header: list | None = None
    header_at = 0
    records: list[tuple] = []
    rows: list[int] = []
    top: list[tuple[int, tuple]] = []  # the first rows, to find the header row in
    for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
        filled = any(not _empty(c) for c in cells)
        if header is None:
            if header_row is not None:
                if number == header_row:
                    header, header_at = list(cells), number
                continue
            if filled:
                top.append((number, cells))
            if len(top) == 20:
                header, header_at, records, rows = _header_in(top)
            continue
        if filled:
            records.append(cells)
            rows.append(number)
        if number % 5000 == 0:
            progress(number - header_at, total and total - header_at)
    if header is None and top:
        header, header_at, records, rows = _header_in(top)
    where = f'sheet "{sheet}"'
    if header is None or not any(c is not None for c in header):
        raise DataError(
            Problem(
                display, f"{where} is empty (expected a header row with a name per column and a row per respondent)"
            )
        )
    if not records:
        raise DataError(
            Problem(
                display,
                f"{where} has a header row but no answers (expected a row per respondent below row {header_at})",
            )
        )
    width = max(len(header), *(len(r) for r in records))
    header = [*header, *[None] * (width - len(header))]
    problems, columns, seen = [], [], {}
    from openpyxl.utils import get_column_letter

    for i, title in enumerate(header):
        cells = [r[i] if i < len(r) else None for r in records]
        name = _text(title)
        if not name:
            if all(_empty(c) for c in cells):
                continue
            problems.append(
                Problem(
                    display,
                    f"column {get_column_letter(i + 1)} has answers but no name in the header "
                    "row (expected a column name)",
                    row=header_at,
                )
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    display,
                    f'column {get_column_letter(i + 1)}: "{name}" is also the name of column '
                    f"{get_column_letter(seen[name] + 1)} (expected each name once)",
                    row=header_at,
                )
            )
            continue
        seen[name] = i
        values = np.empty(len(cells), dtype=object)
        values[:] = [_cell(c) for c in cells]
        columns.append(
            SourceColumn(name, values, is_date=any(isinstance(c, (_dt.date, _dt.datetime)) for c in cells[:50]))
        )
    if problems:
        raise DataError(problems)
    progress(len(records), len(records))
    table = SourceTable(display, "Excel", columns, rows=np.array(rows))
    table.details["header row"] = header_at
    table.dates = [
        d.date() if isinstance(d, _dt.datetime) else d
        for c in columns
        if c.is_date
        for d in c.values
        if isinstance(d, (_dt.date, _dt.datetime))
    ]
    return table


def _header_in(top: list[tuple[int, tuple]]):
    """The header row among the first filled rows: the first one about as wide as the widest.

    A title or a note above the table ("Buurtonderzoek 2026, versie 2") fills a cell or two;
    the header row names every column.
    """
    widths = [sum(not _empty(c) for c in cells) for _, cells in top]
    at = next(i for i, w in enumerate(widths) if w * 2 >= max(widths))
    number, cells = top[at]
    rest = top[at + 1 :]
    return list(cells), number, [c for _, c in rest], [n for n, _ in rest]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _cell(cell):
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return int(cell)
    return cell

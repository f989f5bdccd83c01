"""CSV files: the encoding and delimiter found, then Qualtrics, LimeSurvey or a plain table.

UTF-8 with or without a byte order mark, UTF-16 with one (Excel's "Unicode text") and
Windows-1252 (older Dutch Excel) are read; the delimiter is the one the header row uses most
(``;`` wins a tie: Dutch Excel). Both are named in the report. A plain table is any CSV with
a header row, the collector's own export (``build.py export``) included.
"""

from __future__ import annotations

import codecs
import csv
import io

from panelsite.errors import DataError, Problem
from panelsite.importing import limesurvey, qualtrics
from panelsite.importing.table import SourceTable, from_records
from panelsite.surveys.responses import sniff_delimiter

DELIMITER_NAMES = {";": "semicolon (;)", ",": "comma (,)", "\t": "tab"}


def decode(raw: bytes, display: str) -> tuple[str, str]:
    """The text and the name of its encoding."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "UTF-8 with byte order mark"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
        try:
            return raw.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            pass
    raise DataError(Problem(display, "is neither UTF-8 nor Windows-1252 text (expected a CSV export from a "
                                     "spreadsheet or survey tool)"))


def read(path, display: str, progress, header_row: int | None = None) -> SourceTable:
    raw = path.read_bytes()
    text, encoding = decode(raw, display)
    if not text.strip():
        raise DataError(Problem(display, "the file is empty (expected a header row and a row per respondent)"))
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # "CSV (Macintosh)" from older Excel
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(Problem(display, f"cannot be read as CSV: {exc} (expected a CSV export from a spreadsheet "
                                         "or survey tool)")) from None
    # Spreadsheet row numbers: the first record is row 1, blank lines count as rows too.
    numbered = [(i + 1, r) for i, r in enumerate(records)]
    if header_row:
        numbered = numbered[header_row - 1:]
    while numbered and not any(c.strip() for c in numbered[0][1]):
        numbered.pop(0)
    if not header_row:
        numbered = numbered[_title_rows(numbered[:20]):]
    if not numbered:
        raise DataError(Problem(display, "has no header row (expected a row of column names)"))
    if qualtrics.recognise(records):
        table = qualtrics.table(numbered, display)
    elif limesurvey.recognise(numbered[0][1]):
        table = limesurvey.table(numbered, display)
    else:
        table = from_records(numbered, display, 1)
    table.details = {"encoding": encoding, "delimiter": DELIMITER_NAMES[delimiter], **table.details}
    progress(len(table), len(table))
    return table


def _title_rows(top) -> int:
    """Rows above the header row: a title or note fills a cell or two, the header row names every column."""
    widths = [sum(bool(c.strip()) for c in cells) for _, cells in top]
    return next((i for i, w in enumerate(widths) if w and w * 2 >= max(widths)), 0)

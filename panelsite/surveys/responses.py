"""responses.csv: reading spreadsheet exports and normalising answers.

Accepted files: `;`, `,` or tab as delimiter (taken from the header row),
UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), and
Windows-1252 as a fallback (older Dutch Excel); lines may end in LF, CR LF or
(older Excel for Mac) CR alone. Row numbers in problems are the
ones a spreadsheet shows: the header is row 1, the first respondent row 2.
Fully empty rows (``;;;;`` at the end of an export) are skipped silently.
Every other row must have one cell per header column; cells beyond the
header are allowed only when empty (some export tools end every data row, but
not the header, with a delimiter), so a lost or extra cell is reported
instead of shifting every answer after it into the wrong column.
Cells spanning several lines (quoted newlines) would shift row numbers; survey
exports do not contain them since open answers are the only free text.

Normalised DataFrame, one row per respondent:

* ``respondent_id``: text;
* background variables: the population category key (case-insensitive input),
  as a Categorical in population order; empty → NaN;
* single/scale/grade: the code (float when all codes are numbers); labels are
  accepted case-insensitively; empty → NaN;
* number: float; "12,5" and "1.234,5" are read the Dutch way, "12.5" as 12.5
  (a dot is a decimal point unless the cell also holds a comma);
* multi: one 0/1 column per option (NaN = not answered); 0.0 and 1.0 (or 0,0
  and 1,0), as SPSS and Excel write them, are read as 0 and 1;
* open: 1.0 when answered, NaN when not. The text itself is never kept; how many cells
  held one (rather than 1, answered) is in ``frame.attrs["open_texts"]`` (column → count),
  since texts belong in the private folder, never in content/ (surveys/private.py).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re

import numpy as np
import pandas as pd

from panelsite.errors import Problem, did_you_mean, more_problems
from panelsite.surveys.definition import Question

MAX_PROBLEMS = 50
DELIMITERS = (";", "\t", ",")
_FLOAT_FLAG = re.compile(r"[01][.,]0*")


class _Problems:
    """Per-file collector that keeps only the first problems by row, and counts the rest."""

    def __init__(self, file: str, columns: list[str]):
        self.file = file
        self.order = {c: i for i, c in enumerate(columns)}
        self.kept: list[tuple[int, int, Problem]] = []
        self.total = 0

    def add(self, row: int, column: str | None, message: str) -> None:
        self.total += 1
        self.kept.append((row, self.order.get(column, -1), Problem(self.file, message, row=row, key=column)))

    def add_rows(self, rows: np.ndarray, mask: np.ndarray, column: str, message) -> None:
        """Report ``message(i)`` for every row where ``mask`` holds; vectorised counting."""
        where = np.flatnonzero(np.asarray(mask))
        self.total += len(where)
        for i in where[:MAX_PROBLEMS]:  # only the first ones can end up in the report
            row = int(rows[i])
            self.kept.append((row, self.order.get(column, -1), Problem(self.file, message(i), row=row, key=column)))

    def result(self) -> list[Problem]:
        self.kept.sort(key=lambda item: (item[0], item[1]))
        out = [p for _, _, p in self.kept[:MAX_PROBLEMS]]
        if self.total > MAX_PROBLEMS:
            out.append(more_problems(self.file, self.total - MAX_PROBLEMS))
        return out


# The first bytes of .xlsx and .ods (ZIP) and of .xls (OLE2): a spreadsheet renamed to .csv.
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def decode(raw: bytes) -> str | None:
    """Text of a CSV export, or None when it is no text encoding we accept."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def undecodable(raw: bytes) -> tuple[int, str]:
    """(spreadsheet row, the byte) of the first byte no accepted encoding reads, for a file
    :func:`decode` refused: the first that is not Windows-1252 (which reads all but five bytes),
    or for UTF-16 the first that breaks it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            text = raw[:exc.start].decode("utf-16", "replace")
            return text.count("\n") + 1, f"0x{raw[exc.start]:02x}"
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        return raw[:exc.start].count(b"\n") + 1, f"0x{raw[exc.start]:02x}"
    return 1, "?"


def sniff_delimiter(text: str) -> str:
    """The delimiter used most in the header row (`;` wins ties: Dutch Excel)."""
    counts = {d: _header_line(text).count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _other_delimiter(header: str) -> str | None:
    """The character that separates the header's columns when it is none of DELIMITERS: the
    punctuation that occurs most in a header without ; , or tab (names are letters, digits, _ and -)."""
    if not header.strip() or any(d in header for d in DELIMITERS):
        return None
    counts: dict[str, int] = {}
    for char in header.strip():
        if not (char.isalnum() or char in "_-\"'"):
            counts[char] = counts.get(char, 0) + 1
    return max(counts, key=counts.get) if counts else None


# Every character str.splitlines() breaks at; all of them are whitespace too.
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _header_line(text: str) -> str:
    """The first line that is not blank, without splitting the whole file into lines.

    Line breaks are whitespace, so that line is the one holding the first
    non-whitespace character; splitting up to the end of it is enough.
    """
    first = len(text) - len(text.lstrip())
    end = _LINE_BREAK.search(text, first)
    return next((line for line in text[: end.start() if end else len(text)].splitlines() if line.strip()), "")


def read_responses(raw: bytes, display: str, questions: list[Question], required_background: dict[str, str],
                   population: dict, misnamed=None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and normalise the bytes of responses.csv; returns the data and every problem (capped).

    ``required_background`` maps a variable to why it is needed ("weighting" or
    "breakdowns"); other population variables may be present. ``misnamed(variable,
    category, value, rows)``, when given, hears of a category the population figures
    most likely name wrong (see _misnamed_categories); its rows are not reported here.
    """
    if raw.startswith(_SPREADSHEET_MAGIC):
        return empty_responses(questions), [Problem(display, "is a spreadsheet file (Excel or LibreOffice) with a .csv "
                                                             "name, not text (expected the answers saved from the "
                                                             'spreadsheet as "CSV UTF-8 (comma delimited)")')]
    text = decode(raw)
    if text is not None and "\x00" in text:
        at = text.index("\x00")
        return empty_responses(questions), [Problem(
            display, "holds a NUL byte (0x00), which no CSV text has: saved as UTF-16 (\"Unicode text\") without its "
                     'mark, or not a CSV file (expected a CSV export saved as "CSV UTF-8")',
            row=text.count("\n", 0, at) + 1)]
    if text is None:
        row, byte = undecodable(raw)
        return empty_responses(questions), [Problem(display, f"is neither UTF-8 nor Windows-1252 text: byte {byte} is "
                                                             "no character in either (expected a CSV export from a "
                                                             'spreadsheet or survey tool, saved as "CSV UTF-8")',
                                                    row=row)]
    if not text or text.isspace():
        return empty_responses(questions), [Problem(display, "the file is empty (expected a header row with "
                                                             "respondent_id and a column per question)")]
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # "CSV (Macintosh)" from older Excel ends lines with CR alone
    delimiter = sniff_delimiter(text)
    other = _other_delimiter(_header_line(text))
    if other:  # else every column would be "missing", and the one read named after the whole header
        shown = {"\t": "a tab", " ": "a space"}.get(other, f'"{other}"')
        return empty_responses(questions), [Problem(
            display, f"the columns are separated by {shown} (expected ; or , or a tab, as a spreadsheet saves CSV: "
                     "save the file again as CSV, or replace the separators)", row=1)]
    body = text.lstrip("\r\n")
    first_row = 2 + text.count("\n", 0, len(text) - len(body))  # the spreadsheet row of the first respondent
    try:
        header = [c.strip() for c in next(csv.reader(io.StringIO(body), delimiter=delimiter))]
    except csv.Error as exc:
        return empty_responses(questions), [Problem(
            display, f"cannot read the header row as CSV: {exc} (expected one line per row, ending in LF or CR LF)",
            row=first_row - 1)]
    data = body.encode("utf-8")
    if not _row_lengths_match(data, delimiter, len(header)):
        data, width, wrong = _fit_rows(body, delimiter, header, display, first_row)
        if wrong:
            return empty_responses(questions), wrong
        header = header[:width]
    try:
        # For speed: UTF-8 bytes spare the parser re-encoding the text; pandas
        # resolves the dtype per column, quickest for a numpy dtype; skipping
        # initial spaces (only " ", not tabs) costs time even when there are
        # none. With na_filter off every cell, even a missing one at the end
        # of a short row, is a str.
        table = pd.read_csv(io.BytesIO(data), sep=delimiter, dtype=np.dtype(object), na_filter=False,
                            skip_blank_lines=False, skipinitialspace=" " in text, low_memory=False)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        if match:
            message = f"has {match.group(2)} cells (expected {len(header)}, one per column in the header row)"
            return empty_responses(questions), [Problem(display, message, row=int(match.group(1)) + first_row - 2)]
        return empty_responses(questions), [Problem(display, f"cannot read as CSV: {exc}")]
    if len(header) != len(table.columns):
        header = [str(c).strip() for c in table.columns]
    cells = [column.to_numpy() for _, column in table.items()]
    # A trailing delimiter in Excel exports makes an unnamed, empty column: ignore it.
    keep = [i for i, name in enumerate(header) if name or (cells[i] != "").any()]
    cells, header = [cells[i] for i in keep], [header[i] for i in keep]
    rows = np.arange(len(table)) + first_row
    empty_rows = _empty_rows(cells, len(table))
    if empty_rows.any():
        cells, rows = [column[~empty_rows] for column in cells], rows[~empty_rows]

    problems = _Problems(display, header)
    present = _check_header(header, questions, required_background, population, problems)
    out: dict[str, object] = {}
    if "respondent_id" in present:
        out["respondent_id"] = _respondent_ids(cells[present["respondent_id"]], rows, problems)
    for name, categories in population.items():
        if name in present:
            required = required_background.get(name) == "weighting"
            column = cells[present[name]]
            explained = _misnamed_categories(column, name, list(categories), misnamed)
            convert = _background(name, list(categories), required, explained)
            out[name] = _categorical(*_convert(column, convert, rows, name, problems, once=True), list(categories))
    texts: dict[str, int] = {}  # open question → how many cells hold a text rather than 1 (answered)
    for q in questions:
        for column in q.columns:
            if column in present and q.type == "open":
                codes, distinct = pd.factorize(cells[present[column]])
                counts = np.bincount(codes, minlength=len(distinct))
                texts[column] = int(sum(c for v, c in zip(distinct, counts) if v.strip() not in ("", "1")))
            if column in present:
                values = _take(*_convert(cells[present[column]], _converter(q, column), rows, column, problems))
                # codes as numbers where they all are; text codes stay objects
                out[column] = values if (q.type == "single" and not _numeric(q)) else values.astype(float, copy=False)
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(rows)))
    frame.attrs["open_texts"] = {column: n for column, n in texts.items() if n}
    if not len(rows) and not problems.total:
        # Published, it would read "0 deelnemers", and the factsheet would wait without a word.
        return frame, [Problem(display, "no respondents: the file has a header row and nothing under it (expected a "
                                        "row per respondent; until the answers are in, leave responses.csv out and the "
                                        "results page says they follow)")]
    return frame, problems.result()


def _row_lengths_match(data: bytes, delimiter: str, width: int) -> bool:
    """Whether every line has ``width`` cells or is blank: the quick check of the usual file.

    Counts delimiters and line breaks outside quotes with numpy. That count is
    right only when every quote opens or closes a quoted cell (or doubles a
    quote inside one); a file with another quote (12" scherm) fails the check
    and gets the exact, slower one of ``_fit_rows``.
    """
    b = np.frombuffer(data, np.uint8)
    is_break, is_sep = b == 10, b == ord(delimiter)
    is_quote = b == 34
    if is_quote.any():
        inside = np.bitwise_xor.accumulate(is_quote.view(np.uint8)).view(bool)  # running parity of the quotes
        if inside[-1]:
            return False
        # Before an opening quote and after a closing one: a cell edge, or the other quote of a doubled "".
        outside = ~inside
        edge = is_sep | is_break | is_quote | (b == 13)
        opening, closing = is_quote & inside, is_quote & outside
        if (opening[1:] & ~edge[:-1]).any() or (closing[:-1] & ~edge[1:]).any():
            return False
        is_break &= outside
        is_sep &= outside
    breaks, seps = np.flatnonzero(is_break), np.flatnonzero(is_sep)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(b)]))
    cells = np.searchsorted(seps, ends) - np.searchsorted(seps, starts) + 1
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (b[np.minimum(starts, len(b) - 1)] == 13))
    return bool(np.all((cells == width) | blank))


def _fit_rows(body: str, delimiter: str, header: list[str], display: str,
              first_row: int) -> tuple[bytes, int, list[Problem]]:
    """Check every row's cells; returns the CSV with empty cells beyond the header cut
    off, the number of header columns kept, and a problem per row of the wrong length.

    The slow path, for the files the quick check flags. Without it pandas pads
    a short row silently, and reads a longer first data row as an index
    column, which shifts every column of the file by one.
    """
    width = len(header)
    while width > 1 and not header[width - 1]:
        width -= 1  # an unnamed empty column at the end is a trailing delimiter, not a column
    try:
        records = list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return b"", width, [Problem(display, f"cannot read as CSV: {exc} (expected a CSV export from a "
                                             "spreadsheet or survey tool)")]
    problems = _Problems(display, [])
    changed = len(records[0]) != width
    records[0] = records[0][:width]
    for i, cells in enumerate(records[1:], start=1):
        if len(cells) == width:
            continue
        if not any(c.strip() for c in cells[width:]) and (len(cells) > width or not any(c.strip() for c in cells)):
            records[i], changed = cells[:width], True
            continue
        problems.add(first_row + i - 1, None,
                     f"has {len(cells)} cells (expected {width}, one per column in the header row)")
    if problems.total:
        return b"", width, problems.result()
    if not changed:
        return body.encode("utf-8"), width, []
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(records)
    return out.getvalue().encode("utf-8"), width, []


def empty_responses(questions: list[Question]) -> pd.DataFrame:
    """A response table with the question columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=float) for q in questions for c in q.columns})


def _empty_rows(cells: list[np.ndarray], count: int) -> np.ndarray:
    """Rows in which every cell is empty; stops at the first column without empty cells."""
    empty = np.zeros(count, bool) if not cells else np.ones(count, bool)
    for column in cells:
        empty &= column == ""
        if not empty.any():
            break
    return empty


def _check_header(header, questions, required_background, population, problems: _Problems) -> dict[str, int]:
    """Map each known column to its position; report unknown, duplicate and missing columns."""
    question_columns = [c for q in questions for c in q.columns]
    known = ["respondent_id", *population, *question_columns]
    shown = ", ".join(question_columns[:6]) + (", …" if len(question_columns) > 6 else "")
    present: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in present:
            problems.add(1, name, "duplicate column (expected each column once)")
        elif name not in known:
            problems.add(1, name, f"unknown column{did_you_mean(name, known)} (expected respondent_id, "
                                  f"a background variable ({', '.join(population)}) or a question column ({shown}))")
        else:
            present[name] = i
    needed = {"respondent_id": "with a unique id per respondent"}
    needed.update({v: f"for {why} by {v}" for v, why in required_background.items()})
    for q in questions:
        for column, code in zip(q.columns, q.options if q.type == "multi" else [None]):
            needed[column] = f"for question {q.id}" if code is None else f"for option {code} of question {q.id}"
    for column, why in needed.items():
        if column not in present:
            problems.add(1, column, f"missing column (expected a column {why})")
    return present


def _respondent_ids(cells: np.ndarray, rows, problems: _Problems) -> pd.Series:
    # Checking the joined ids for whitespace is cheaper than stripping each one.
    joined = "\0".join(cells)
    if joined.split() != [joined]:
        cells = np.array([cell.strip() for cell in cells], dtype=object)
    values = pd.Series(cells, dtype=object)
    distinct = set(cells)
    if len(distinct) == len(cells) and "" not in distinct:
        return values  # the usual case: nothing to report
    problems.add_rows(rows, (values == "").to_numpy(), "respondent_id",
                      lambda i: "empty respondent_id (expected a unique id for each respondent)")
    nonempty = values[values != ""]
    duplicated = nonempty.duplicated(keep="first")
    if duplicated.any():
        first_row = {}
        for i, v in zip(nonempty.index, nonempty):
            first_row.setdefault(v, rows[i])
        mask = np.zeros(len(values), bool)
        mask[nonempty.index[duplicated.to_numpy()]] = True
        problems.add_rows(rows, mask, "respondent_id", lambda i: f'duplicate respondent_id "{values.iat[i]}" '
                                                                 f"(also on row {first_row[values.iat[i]]})")
    return values


class _Bad(ValueError):
    """A cell that cannot be converted; the message says why and what was expected."""


def _convert(cells: np.ndarray, convert, rows, column: str, problems: _Problems,
             once: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``convert`` once per distinct cell (answers repeat a lot).

    Returns the converted distinct values and, per row, the number of its
    value (from ``pd.factorize``), so the per-row work is one numpy take
    instead of a Python-level mapping. Cells are never NaN (read with
    na_filter off), so no code is the -1 of a missing value. ``once``: a bad
    value is reported on its first row only, with how many more rows hold it.
    """
    codes, uniques = pd.factorize(cells)
    converted, errors = [], {}
    for i, raw in enumerate(uniques):
        try:
            converted.append(convert(raw.strip()))
        except _Bad as exc:
            converted.append(np.nan)
            errors[i] = str(exc)
    if errors and once:
        for i, message in errors.items():
            where = rows[codes == i]
            more = len(where) - 1
            problems.add(int(where[0]), column, message + (f" (and on {more} more row{'s' if more != 1 else ''})"
                                                           if more else ""))
    elif errors:
        bad = np.isin(codes, list(errors))
        problems.add_rows(rows, bad, column, lambda i: errors[codes[i]])
    numeric = all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in converted)
    return np.array(converted, dtype=float if numeric else object), codes


def _take(distinct: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Every row's value from the distinct values and the rows' numbers of them."""
    return distinct[codes] if len(codes) else np.array([], dtype=distinct.dtype)


def _categorical(distinct: np.ndarray, codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """``pd.Categorical(_take(distinct, codes), categories)``, matching only the distinct values to categories.

    Each distinct value is one of the categories (the str keys of the
    population figures) or missing (None or NaN), which matches none.
    """
    position = {category: i for i, category in enumerate(categories)}
    matched = np.array([position.get(value, -1) for value in distinct], dtype=np.intp)
    return pd.Categorical.from_codes(_take(matched, codes), dtype=pd.CategoricalDtype(categories))


def _numeric(q: Question) -> bool:
    return all(isinstance(c, int) for c in [*q.options, *q.missing])


def _misnamed_categories(cells: np.ndarray, name: str, categories: list[str], misnamed) -> set[str]:
    """Values that are not a category while a close category has no respondent at all: the
    population figures most likely name that category wrong ("Centrumm" for Centrum). Each
    goes to ``misnamed(variable, category, value, rows)``, which reports it once at the
    figures' line, not on every row that holds it; returns the values so explained."""
    if misnamed is None:
        return set()
    known = {str(c).lower() for c in categories}
    codes, distinct = pd.factorize(cells)  # hashing: the usual file, all known, costs one pass
    values = [str(v).strip() for v in distinct]
    if all(not v or v.lower() in known for v in values):
        return set()
    counts = np.bincount(codes, minlength=len(values))
    present = {v.lower() for v in values}
    unused = [str(c) for c in categories if str(c).lower() not in present]
    explained = set()
    for value, count in zip(values, counts):
        if not value or value.lower() in known or not unused:
            continue
        close = difflib.get_close_matches(value.lower(), [c.lower() for c in unused], n=1, cutoff=0.6)
        if close:
            misnamed(name, next(c for c in unused if c.lower() == close[0]), value, int(count))
            explained.add(value)
    return explained


def _background(name: str, categories: list[str], required: bool, explained: set[str] = frozenset()):
    lookup = {str(c).lower(): c for c in categories}
    lookup.update({str(c): c for c in categories})
    shown = ", ".join(map(str, categories))

    def convert(cell: str):
        if cell in explained:
            return None  # reported once, at the population figures
        if not cell:
            if required:
                raise _Bad(f"empty value (expected one of {shown}; weighting needs a value for every respondent)")
            return None
        if cell in lookup or cell.lower() in lookup:
            return lookup.get(cell, lookup.get(cell.lower()))
        raise _Bad(f'"{cell}" is not a category of {name} in the population '
                   f'figures{did_you_mean(cell, map(str, categories))} (expected one of {shown})')

    return convert


def _converter(q: Question, column: str):
    """The function turning one (stripped) cell of ``column`` into its normalised value."""
    if q.type == "open":
        return lambda cell: 1.0 if cell else np.nan  # whether answered; never the text
    if q.type == "multi":
        code = column.rpartition("_")[2]
        flags = {"": np.nan, "0": 0.0, "1": 1.0}

        def multi(cell: str):
            if cell in flags:
                return flags[cell]
            if _FLOAT_FLAG.fullmatch(cell):  # 0.0 and 1.0: what SPSS and Excel write for a 0/1 column
                return float(cell[0])
            raise _Bad(f'"{cell}" is not 0 or 1 (expected 1 if option {code} was chosen, 0 if not, '
                       f'empty if {q.id} was not answered)')

        return multi
    labels = {label.lower(): code for code, label in {**q.options, **q.missing}.items()}
    missing_text = f" or a missing code {', '.join(map(str, q.missing))}" if q.missing else ""
    if q.type in ("number", "grade"):
        return _number_converter(q, labels, missing_text)
    # single and scale: codes, their text form, or labels
    table = {str(code).lower(): code for code in [*q.options, *q.missing]}
    for label, code in labels.items():
        table.setdefault(label, code)
    codes = ", ".join(str(c) for c in [*q.options, *q.missing])

    def choice(cell: str):
        if not cell:
            return np.nan
        key = cell.lower()
        if key not in table and re.fullmatch(r"-?\d+[.,]0*", key):
            key = str(int(float(key.replace(",", "."))))  # "4.0" from a float column
        if key in table:
            return table[key]
        raise _Bad(f'"{cell}" is not an option of {q.id} (expected one of the codes {codes} or their labels)')

    return choice


def parse_number(cell: str) -> float | None:
    """Dutch and international notations: "1.234,5", "12,5", "12.5", "1 234"; None if not a number."""
    text = cell.replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return float(text) if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", text) else None


def _clip(cell: str, length: int = 24) -> str:
    return cell if len(cell) <= length else cell[:length] + "…"


def _in_range(q: Question, value: float) -> bool:
    return (getattr(q, "min", None) is None or value >= q.min) and (getattr(q, "max", None) is None or value <= q.max)


def _range_text(q: Question) -> str:
    if q.min is not None and q.max is not None:
        return f"a number from {q.min:g} to {q.max:g}"
    return f"a number of at least {q.min:g}" if q.max is None else f"a number of at most {q.max:g}"


def _number_converter(q: Question, labels: dict, missing_text: str):
    grade = q.type == "grade"
    expected = f"a whole number from 1 to 10{missing_text}" if grade else f"a number like 12,5{missing_text}"

    def number(cell: str):
        if not cell:
            return np.nan
        value = parse_number(cell)
        if value is None:
            if cell.lower() in labels:
                return float(labels[cell.lower()])
            raise _Bad(f'"{_clip(cell)}" is not {"a grade" if grade else "a number"} (expected {expected})')
        if not math.isfinite(value):  # 400 digits are read as infinity
            raise _Bad(f'"{_clip(cell)}" is not a finite number (expected {expected})')
        if value not in q.missing and not _in_range(q, value):
            raise _Bad(f"{cell} is outside the range of {q.id} in survey.yaml "
                       f"(expected {_range_text(q)}{missing_text})")
        if grade and value not in q.missing:
            if not value.is_integer():
                raise _Bad(f'"{cell}" is not a whole number (expected {expected})')
            if not 1 <= value <= 10:
                raise _Bad(f"grade {cell} is out of range (expected {expected})")
        if not grade and value not in q.missing and not low <= value <= high:  # no min or max: the sane bound
            raise _Bad(f'"{_clip(cell)}" is out of range (expected a number from {_bound(low)} to {_bound(high)}'
                       f"{missing_text}; other limits: min and max of {q.id} in survey.yaml)")
        return value

    low, high = q.bounds
    return number


def _bound(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"

"""The member register: ``content/<slug>/panel/members.csv``.

Columns: ``member_id``, one column per population variable (``leeftijd``,
``geslacht``, ``wijk``: named and coded as in ``population``), ``joined`` and
``left`` — exactly what ``python build.py export <slug> members`` writes
(panelsite/collector/export.py). Extra profile columns from the export are
allowed and ignored. Names, e-mail addresses, phone numbers and addresses are
never allowed: such a column rejects the whole file.

Cells: ``member_id`` unique and not empty; a background value is one of the
population categories (case-insensitive) or empty (unknown: the member did not
say, or answered "anders"); ``joined`` a date (YYYY-MM-DD, or DD-MM-YYYY as a
Dutch spreadsheet re-saves it); ``left`` empty or a date on or after joined.
The export's formula guard (a leading ``'`` before ``= + - @``) is removed.

Row numbers are the ones a spreadsheet shows (header = row 1). Every problem is
collected (the first 50 kept) and raised at once as a DataError.

A member is *active* on day d when ``joined <= d`` and (no ``left`` or
``left > d``), as the collector and the demo data count invited members.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from panelsite.config import dates
from panelsite.config.kept import Pickled
from panelsite.engine.hashing import content_hash
from panelsite.errors import DataError, Problem, did_you_mean, more_problems

if TYPE_CHECKING:  # pandas is imported where a table is made or read: a page edit needs neither
    import numpy as np
    import pandas as pd

MAX_PROBLEMS = 50
REQUIRED = ("member_id", "joined", "left")
# Column names (lowercase, letters and digits only) that hold personal data.
PERSONAL = {
    "name", "naam", "voornaam", "achternaam", "roepnaam", "voorletters", "tussenvoegsel", "firstname", "lastname",
    "fullname", "volledigenaam", "email", "emailadres", "emailaddress", "mail", "mailadres", "telefoon",
    "telefoonnummer", "phone", "mobiel", "mobile", "adres", "address", "straat", "straatnaam", "huisnummer",
    "geboortedatum", "birthdate", "bsn",
}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
DUTCH = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


@dataclass
class Register:
    """Members as a table: ``member_id``, one Categorical per variable (NaN = unknown),
    ``joined`` and ``left`` (datetime64; NaT = still a member).

    The table is :class:`Pickled`: a register read back from the build cache (panel/family.py)
    unpickles it, and imports pandas, only when a page made from it is rendered.
    """

    table: Pickled  # of the members DataFrame
    file: str  # display path
    variables: list[str]
    source_hash: str

    @property
    def members(self) -> pd.DataFrame:
        return self.table.value

    @property
    def date(self) -> _dt.date:
        """The date of the register: its latest joined or left date."""
        import pandas as pd

        latest = pd.concat([self.members["joined"], self.members["left"].dropna()]).max()
        return latest.date()

    def active_on(self, day: _dt.date) -> np.ndarray:
        """Mask of members active on ``day`` (joined on or before it, not left on or before it)."""
        import pandas as pd

        ts = pd.Timestamp(day)
        joined, left = self.members["joined"], self.members["left"]
        return ((joined <= ts) & (left.isna() | (left > ts))).to_numpy()

    def active(self) -> pd.DataFrame:
        """The members active on the register date."""
        return self.members[self.active_on(self.date)]


def register_path(root: Path, slug: str) -> Path:
    return root / "content" / slug / "panel" / "members.csv"


def personal_column(name: str) -> bool:
    return re.sub(r"[^a-z0-9]", "", name.lower()) in PERSONAL


def read_register(path: Path, display: str, population: dict) -> Register:
    """Read and validate a member register; raises DataError with every problem."""
    import pandas as pd

    from panelsite.surveys.responses import decode, sniff_delimiter, undecodable

    raw = path.read_bytes()
    text = decode(raw)
    if text is None:
        row, byte = undecodable(raw)
        raise DataError(Problem(display, f"is neither UTF-8 nor Windows-1252 text: byte {byte} is no character in "
                                         "either (expected a CSV file as written by python build.py export <slug> "
                                         "members)", row=row))
    rows = list(csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=sniff_delimiter(text)))
    if not rows or not any(c.strip() for c in rows[0]):
        raise DataError(Problem(display, "the file is empty (expected a header row: member_id, "
                                         f"{', '.join(population)}, joined, left)"))
    header = [c.strip() for c in rows[0]]
    problems: list[Problem] = []
    columns = _check_header(header, display, population, problems)
    if problems:
        raise DataError(problems)

    variables = list(population)
    lookups = {v: _lookup(population[v]) for v in variables}
    values: dict[str, list] = {c: [] for c in ["member_id", *variables, "joined", "left"]}
    first_row: dict[str, int] = {}
    repeated: dict[tuple[str, str], list[int]] = {}  # (variable, value not a category) → [its problem, more rows]
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line at the end of a spreadsheet export
        if len(cells) != len(header):
            problems.append(Problem(display, f"has {len(cells)} cells (expected {len(header)}, one per column in "
                                             "the header row)", row=number))
            continue
        cell = {name: _unguard(cells[i].strip()) for name, i in columns.items()}

        def report(column: str, message: str) -> None:
            problems.append(Problem(display, message, row=number, key=column))

        member_id = cell["member_id"]
        if not member_id:
            report("member_id", "empty member_id (expected a unique id for each member)")
        elif member_id in first_row:
            report("member_id", f'duplicate member_id "{member_id}" (also on row {first_row[member_id]})')
        else:
            first_row[member_id] = number
        values["member_id"].append(member_id)
        for v in variables:
            value = cell[v]
            category = lookups[v].get(value, lookups[v].get(value.lower())) if value else None
            if value and category is None and (v, value) in repeated:
                repeated[v, value][1] += 1  # reported once, on its first row
            elif value and category is None:
                shown = ", ".join(map(str, population[v]))
                repeated[v, value] = [len(problems), 0]
                report(v, f'"{value}" is not a category of {v} in the population figures'
                          f'{did_you_mean(value, map(str, population[v]))} (expected one of {shown}, '
                          'or empty when unknown)')
            values[v].append(category)
        joined = _date(cell["joined"])
        if not cell["joined"]:
            report("joined", "empty date (expected the date the member joined, as YYYY-MM-DD)")
        elif joined is None:
            report("joined", f'"{cell["joined"]}" is not a date (expected YYYY-MM-DD, e.g. 2024-03-04)')
        left = _date(cell["left"])
        if cell["left"] and left is None:
            report("left", f'"{cell["left"]}" is not a date (expected YYYY-MM-DD, e.g. 2024-03-04, or empty for a '
                           "current member)")
        elif left is not None and joined is not None and left < joined:
            report("left", f"{left.isoformat()} is before joined {joined.isoformat()} (expected a date on or after "
                           "the date the member joined)")
        values["joined"].append(joined)
        values["left"].append(left)
    for at, more in repeated.values():
        if more:
            problem = problems[at]
            problems[at] = dataclasses.replace(problem, message=problem.message + f" (and on {more} more "
                                                                                  f"row{'s' if more != 1 else ''})")
    if not problems and not values["member_id"]:
        problems.append(Problem(display, "has no members (expected one row per member below the header row)"))
    if problems:
        raise DataError(_capped(problems))

    frame = pd.DataFrame({
        "member_id": values["member_id"],
        **{v: pd.Categorical(values[v], categories=list(population[v])) for v in variables},
        "joined": pd.to_datetime(pd.Series(values["joined"], dtype=object)),
        "left": pd.to_datetime(pd.Series(values["left"], dtype=object)),
    })
    return Register(Pickled(frame), display, variables, content_hash(raw))


def _check_header(header: list[str], display: str, population: dict, problems: list[Problem]) -> dict[str, int]:
    expected = ["member_id", *population, "joined", "left"]
    present: dict[str, int] = {}
    for i, name in enumerate(header):
        if personal_column(name):
            problems.append(Problem(display, "holds personal data (expected no names, e-mail addresses, phone numbers "
                                             "or addresses in the member register: export it with python build.py "
                                             "export <slug> members, which leaves them out)", row=1, key=name))
        elif name in present:
            problems.append(Problem(display, "duplicate column (expected each column once)", row=1, key=name))
        elif name in expected:
            present[name] = i
    for name in expected:
        if name not in present:
            hint = did_you_mean(name, [h for h in header if h not in expected])
            why = "the population figures have this variable" if name in population else "every member needs it"
            problems.append(Problem(display, f"missing column{hint} (expected a column {name}: {why})",
                                    row=1, key=name))
    return present


def _lookup(categories) -> dict[str, str]:
    out = {str(c).lower(): str(c) for c in categories}
    out.update({str(c): str(c) for c in categories})
    return out


def _unguard(value: str) -> str:
    """Undo the export's formula guard: ``'-`` → ``-``."""
    return value[1:] if value.startswith("'") and value[1:2] in ("=", "+", "-", "@") else value


def _date(value: str) -> _dt.date | None:
    """A date of the register; on a demonstration site moved with the build date (config.dates)."""
    try:
        if ISO.fullmatch(value):
            return dates.moved(_dt.date.fromisoformat(value))
        match = DUTCH.fullmatch(value)
        if match:
            return dates.moved(_dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1))))
    except ValueError:
        return None
    return None


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], more_problems(problems[0].file, len(problems) - MAX_PROBLEMS)]

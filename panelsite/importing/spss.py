"""SPSS ``.sav`` and ``.zsav`` through pyreadstat.

Variable labels become question texts, value labels option labels, user-missing values
(``MISSING VALUES``) the question's ``missing`` codes, multiple-response sets (``MRSETS``)
``multi`` questions and date variables dates. Values are read as stored (``user_missing``),
so a code 9 "Weet niet" stays 9 instead of becoming empty. Read in chunks: memory stays
near the size of the data itself, and files over 10,000 cases get a progress bar.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from panelsite.errors import DataError, Problem
from panelsite.importing.table import MultiSet, SourceColumn, SourceTable

CHUNK = 10_000


def read(path, display: str, progress) -> SourceTable:
    import pyreadstat

    def refused(exc) -> DataError:
        return DataError(Problem(display, f"cannot be read as an SPSS data file: {exc} (expected a complete .sav or "
                                          ".zsav file as SPSS saves it; a file cut off while copying or downloading "
                                          "cannot be read: save or download it again)"))

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
    except pyreadstat.ReadstatError as exc:
        raise refused(exc) from None
    expected = meta.number_rows if meta.number_rows is not None and meta.number_rows >= 0 else None
    parts: dict[str, list] = {name: [] for name in meta.column_names}
    read_rows = 0
    try:
        for chunk, _ in pyreadstat.read_file_in_chunks(pyreadstat.read_sav, str(path), chunksize=CHUNK,
                                                        user_missing=True):
            for name in meta.column_names:
                parts[name].append(chunk[name].to_numpy())
            read_rows += len(chunk)
            progress(read_rows, expected)
    except pyreadstat.ReadstatError as exc:
        raise refused(exc) from None
    if expected is not None and read_rows != expected:
        raise refused(f"it says it holds {expected} cases, but only {read_rows} could be read")

    columns = []
    for name in meta.column_names:
        values = np.concatenate(parts.pop(name)) if read_rows else np.array([], dtype=float)
        values = _values(values)
        fmt = (meta.original_variable_types.get(name) or "").upper()
        column = SourceColumn(
            name, values,
            label=(meta.column_names_to_labels.get(name) or None),
            value_labels={_code(k): str(v).strip() for k, v in (meta.variable_value_labels.get(name) or {}).items()},
            missing=_ranges(meta.missing_ranges.get(name)),
            is_date=fmt.startswith(("DATE", "ADATE", "EDATE", "SDATE", "JDATE", "DATETIME", "YMDHMS", "TIME", "DTIME")),
        )
        columns.append(column)
    table = SourceTable(display, "SPSS", columns, rows=np.arange(1, read_rows + 1), title=meta.file_label or None)
    table.details["cases"] = read_rows
    _multiple_response_sets(table, meta.mr_sets or {})
    table.dates = [d for c in columns if c.is_date for d in _dates(c.values)]
    return table


def _values(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "fiub":
        return values.astype(float, copy=False)
    if values.dtype.kind == "M":  # dates and times: Python datetimes, None for an empty cell
        out = values.astype("datetime64[us]").astype(object)
        out[np.isnat(values)] = None
        return out
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # strip each distinct text once
    cleaned = np.empty(len(uniques) + 1, dtype=object)
    cleaned[:-1] = [v.strip() if isinstance(v, str) else v for v in uniques]
    cleaned[-1] = None
    return cleaned[codes]


def _code(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ranges(ranges) -> list[tuple[float, float]]:
    out = []
    for r in ranges or []:
        lo, hi = r.get("lo"), r.get("hi")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
            out.append((float(lo), float(hi)))
    return out


def _dates(values: np.ndarray) -> list[_dt.date]:
    out = []
    for v in values:
        if isinstance(v, _dt.datetime):
            out.append(v.date())
        elif isinstance(v, _dt.date):
            out.append(v)
    return out


def _multiple_response_sets(table: SourceTable, mr_sets: dict) -> None:
    """Turn each MRSETS set into 0/1 option columns grouped as one multi question.

    A dichotomy set (``MDGROUP``) counts one value per variable: that value is 1, any other
    valid value 0. A category set (``MCGROUP``) holds the chosen codes in its variables
    ("first mention", "second mention"): it becomes one 0/1 column per code.
    """
    by_name = {c.name: c for c in table.columns}
    for raw_name, spec in mr_sets.items():
        name = raw_name.lstrip("$")
        members = [by_name[v] for v in spec.get("variable_list", []) if v in by_name]
        if not members:
            continue
        label = spec.get("label") or None
        if spec.get("type") == "D" or spec.get("is_dichotomy"):
            counted = spec.get("counted_value")
            for column in members:
                column.values = _counted(column, counted)
                column.group, column.option_label = name, column.label
                column.value_labels, column.missing = {}, []
            table.multi_sets.append(MultiSet(name, label, [c.name for c in members]))
        else:
            table.multi_sets.append(MultiSet(name, label, _category_set(table, name, members)))


def _counted(column: SourceColumn, counted) -> np.ndarray:
    values = column.values
    if not column.numeric:
        return np.array([np.nan if v in ("", None) else float(str(v) == str(counted)) for v in values])
    valid = ~np.isnan(values)
    for lo, hi in column.missing:
        valid &= ~((values >= lo) & (values <= hi))
    return np.where(valid, (values == float(counted if counted is not None else 1)).astype(float), np.nan)


def _category_set(table: SourceTable, name: str, members: list[SourceColumn]) -> list[str]:
    labels: dict = {}
    for column in members:
        labels.update(column.value_labels)
    mentions = np.vstack([m.values.astype(float) if m.numeric else np.array([_num(v) for v in m.values])
                          for m in members])
    for m in members:
        for lo, hi in m.missing:
            mentions[(mentions >= lo) & (mentions <= hi)] = np.nan
    answered = ~np.all(np.isnan(mentions), axis=0)
    codes = sorted(
        {_code(float(v)) for v in np.unique(mentions[~np.isnan(mentions)])} | set(labels),
        key=lambda c: (str(type(c)), c),
    )
    created = []
    for code in codes:
        chosen = (
            np.any(mentions == float(code), axis=0) if isinstance(code, (int, float)) else np.zeros(len(table), bool)
        )
        column = SourceColumn(
            f"{name}_{code}",
            np.where(answered, chosen.astype(float), np.nan),
            label=labels.get(code),
            group=name,
            option_label=labels.get(code),
            option_code=code,
        )
        created.append(column)
    position = table.columns.index(members[0])
    table.columns = [c for c in table.columns if c not in members]
    table.columns[position:position] = created
    return [c.name for c in created]


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan

"""The files an import writes, made in memory first and then put in place one by one, atomically.

Nothing is written until every problem is known to be absent (``run`` raises before this).
Each file is written to a temporary name beside its target and renamed over it, so a reader
(the build, an editor) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from panelsite.surveys import private

# Keeps the private folder out of git even where the project's .gitignore does not list it; the
# same folder and files as build.py export (panelsite/surveys/private.py).
PRIVATE_GITIGNORE = private.GITIGNORE


@dataclass
class Planned:
    path: Path
    data: bytes
    what: str


def responses_csv(columns: dict[str, np.ndarray], order: list[str], rows: int) -> bytes:
    """responses.csv in the form the build reads: respondent_id 1…n, then ``order``; comma, UTF-8."""
    formatted = [np.array([str(i) for i in range(1, rows + 1)], dtype=object)]
    for name in order:
        formatted.append(_formatted(columns[name]))
    lines = [",".join(_quoted(name) for name in ["respondent_id", *order])]
    lines += [",".join(row) for row in zip(*formatted)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _formatted(values: np.ndarray) -> np.ndarray:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([*(_quoted(_text(u)) for u in uniques), ""], dtype=object)
    return texts[codes]


def _text(value) -> str:
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def _quoted(text: str) -> str:
    if any(ch in text for ch in ',"\n\r') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def open_answers_csv(texts: list[tuple[str, str, np.ndarray]]) -> bytes:
    """Long form (surveys.private.OPEN_ANSWERS): respondent_id, question, column, answer; one row per
    answer given."""
    rows = []
    if texts:
        for i in range(len(texts[0][2])):
            rows += [[i + 1, question, column, answers[i]] for question, column, answers in texts if answers[i]]
    return private.table(private.OPEN_ANSWERS, rows)


def write_all(files: list[Planned]) -> None:
    temporary: list[Path] = []
    try:
        for f in files:
            f.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.path.with_name(f".{f.path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(f.data)
            temporary.append(tmp)
        for f, tmp in zip(files, temporary):
            os.replace(tmp, f.path)
    finally:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)

"""The private folder: what respondents wrote in their own words, kept out of git and off the site.

Open answers and other free text (an "other, namely", a sign-up field of the municipality's
own) can name people, streets and illnesses. They never go into ``content/``, which is
committed and published from. ``python build.py export`` and ``python build.py import`` write
them here instead, one file per survey in the same long form::

    private/<slug>/<survey-id>/open-answers.csv   respondent_id, question, column, answer
    private/<slug>/members/free-text.csv          member_id, field, answer

and ``responses.csv`` in ``content/`` holds, for an open question, only whether it was answered
(1, or empty). The build counts answers from that column and never reads this folder: a
build on a fresh clone (CI) publishes the same site. ``private/`` is in the project's
``.gitignore`` and holds a ``.gitignore`` of its own that ignores everything in it, so it stays
out of git even in a project whose ``.gitignore`` does not list it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

FOLDER = "private"
GITIGNORE = b"# Open answers and other texts of respondents (python build.py export / import): never commit them.\n*\n"
OPEN_ANSWERS = ("respondent_id", "question", "column", "answer")
MEMBER_TEXTS = ("member_id", "field", "answer")


def open_answers_path(root: Path, slug: str, survey_id: str) -> Path:
    return root / FOLDER / slug / survey_id / "open-answers.csv"


def member_texts_path(root: Path, slug: str) -> Path:
    return root / FOLDER / slug / "members" / "free-text.csv"


def table(header: tuple[str, ...], rows: list[list]) -> bytes:
    """A private CSV: UTF-8, comma, one row per text given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write(root: Path, path: Path, data: bytes) -> None:
    """Write ``path`` inside the private folder: readable by its owner only, whole or not at all."""
    folder = root / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_bytes(GITIGNORE)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

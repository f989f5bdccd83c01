"""Small builders for panel tests: a municipality Record and a member register on disk."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from panelsite.panel.register import read_register
from panelsite.config.schema import Record

POPULATION = {
    "leeftijd": {"jong": 500, "oud": 500},
    "wijk": {"A": 200, "B": 300, "C": 500},
}


def municipality(variables=None, min_n=10) -> Record:
    variables = POPULATION if variables is None else variables
    return Record(
        slug="x", name="Proefdorp", panel_name="Proefdorp Praat Mee",
        population=Record(variables=Record({k: Record(v) for k, v in variables.items()}), source="BRP",
                          date="2026-01-01"),
        results=Record(min_n=min_n, indicative_n=30),
    )


def rows(*groups: tuple[int, str]) -> str:
    """Register rows: (count, "leeftijd,wijk,joined,left") repeated, numbered member ids."""
    out, i = [], 0
    for count, rest in groups:
        for _ in range(count):
            i += 1
            out.append(f"m{i},{rest}")
    return "\n".join(out) + "\n"


class Project:
    """A temporary project root with content/x/panel/members.csv."""

    def __init__(self, root: Path):
        self.root = root
        self.file = root / "content" / "x" / "panel" / "members.csv"

    def write(self, text: str | bytes) -> Path:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8")
        self.file.write_bytes(data)
        return self.file

    def register(self, text: str | bytes, mun=None):
        self.write(text)
        mun = mun or municipality()
        return read_register(self.file, "content/x/panel/members.csv", mun.population.variables)


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)

"""``build.py schema``: JSON Schemas (draft 2020-12) of every input, made from the build's own schemas.

Each input's schema is the :class:`panelsite.config.schema.Mapping` its loader validates with,
turned into JSON Schema by the options' ``json_schema()``; nothing here repeats a key, a type or
a help text. Editors use them to complete and check as staff type (VS Code with the YAML
extension: docs/authoring.md), and the CMS configuration is made from them (authoring/cms.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from panelsite.config import schema as s
from panelsite.config.municipality import SCHEMA as MUNICIPALITY
from panelsite.engine.content import PAGE_SCHEMA
from panelsite.factsheets.source import FACTSHEET
from panelsite.importing.mapping import MAPPING as IMPORT
from panelsite.surveys.definition import SURVEY

DRAFT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Input:
    name: str  # the schema's file is <name>.schema.json
    title: str
    files: str  # glob of the files it describes, from the project folder (VS Code's yaml.schemas)
    schema: s.Mapping
    front_matter: bool = False  # the YAML block at the top of a Markdown file

    @property
    def file_name(self) -> str:
        return f"{self.name}.schema.json"


INPUTS = (
    Input("municipality", "A municipality: municipalities/<slug>.yaml (docs/configuration.md)",
          "municipalities/*.yaml", MUNICIPALITY),
    Input("survey", "A survey: content/<slug>/surveys/<id>/survey.yaml (docs/surveys.md)",
          "content/*/surveys/*/survey.yaml", SURVEY),
    Input("import", "How a survey tool's export is read: content/<slug>/surveys/<id>/import.yaml (docs/import.md)",
          "content/*/surveys/*/import.yaml", IMPORT),
    Input("page", "The front matter of a page: content/**/*.md (docs/authoring.md)",
          "content/**/*.md", PAGE_SCHEMA, front_matter=True),
    Input("factsheet", "The front matter of a factsheet: content/<slug>/surveys/<id>/factsheet.md "
                       "(docs/factsheets.md)", "content/*/surveys/*/factsheet.md", FACTSHEET, front_matter=True),
)


def document(item: Input) -> dict:
    """The JSON Schema of one input, as a whole document."""
    return {"$schema": DRAFT, "$id": item.file_name, "title": item.title, **item.schema.json_type()}


def write(out: Path) -> list[Path]:
    """Write every input's schema into ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for item in INPUTS:
        path = out / item.file_name
        text = json.dumps(document(item), indent=2, ensure_ascii=False) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

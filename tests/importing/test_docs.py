"""Every key of import.yaml is in docs/import.md, with the expectation its errors name."""

from __future__ import annotations

from pathlib import Path

from panelsite.config import schema as s
from panelsite.importing.mapping import MAPPING

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


def test_every_import_yaml_key_is_documented():
    missing = []

    def walk(option, path):
        for name, child in option.options.items():
            key = f"{path}.{name}" if path else name
            assert child.help, f"{key} has no help text"
            row = f"| `{key}` | {child.expected} | {'yes' if child.required else ''} | {child.help} |"
            if row not in DOC:
                missing.append(row)
            if isinstance(child, s.Mapping):
                walk(child, key)

    walk(MAPPING, "")
    assert missing == []


def test_there_is_a_worked_example_per_source_tool():
    for heading in ("### SPSS", "### Excel", "### Qualtrics", "### LimeSurvey", "### CSV"):
        assert heading in DOC
